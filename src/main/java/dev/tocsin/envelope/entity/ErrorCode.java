package dev.tocsin.envelope.entity;

/**
 * The stable codes of {@code error} frames (field {@code d.code}) and of REST error bodies.
 * {@link #closes()} tells whether the server closes the connection after sending the error;
 * the close code then says whether to reconnect. The same table is in docs/protocol.md.
 */
public enum ErrorCode {
    MALFORMED_FRAME(400, null, "the frame is not a JSON object"),
    MALFORMED_REQUEST(400, null, "the HTTP request body or parameters are not what the API expects"),
    INVALID_ENVELOPE(400, null, "a field is missing, has the wrong type, or is out of range"),
    UNKNOWN_TYPE(400, null, "the type is not one a client may send"),
    UNSUPPORTED_VERSION(400, CloseCode.UNSUPPORTED_VERSION, "the protocol version is not spoken by this server"),
    BINARY_NOT_SUPPORTED(400, null, "binary frames are not part of the protocol"),
    FRAME_TOO_LARGE(413, null, "the frame exceeds the configured size limit"),
    BAD_SIGNATURE(401, null, "the signature does not match the canonical form of the envelope"),
    UNKNOWN_KEY(401, null, "the kid names no key that this connection may sign with"),
    STALE_TIMESTAMP(400, null, "ts is outside the accepted window around the server's clock"),
    REPLAYED_ID(409, null, "this id was already used within the replay window"),
    NOT_AUTHENTICATED(401, null, "the handshake has not completed yet"),
    ALREADY_AUTHENTICATED(409, null, "the connection already completed its handshake"),
    AUTHENTICATION_FAILED(401, CloseCode.AUTHENTICATION_FAILED, "the token is missing, invalid or expired"),
    INVALID_TOPIC(400, null, "the topic name does not follow the topic syntax"),
    FORBIDDEN_TOPIC(403, null, "the caller's groups do not allow this action on this topic"),
    INVALID_ALERT(400, null, "the alert is missing a field or has an invalid value"),
    NOT_FOUND(404, null, "no such resource"),
    TOO_MANY_SESSIONS(429, CloseCode.TOO_MANY_SESSIONS, "the user has as many open connections as allowed"),
    TOO_MANY_SUBSCRIPTIONS(429, null, "the connection has as many subscriptions as allowed"),
    RATE_LIMITED(429, null, "the connection sends frames faster than allowed; the frame was not applied"),
    INTERNAL_ERROR(500, null, "the server failed to process the request; it was not applied");

    private final int httpStatus;
    private final CloseCode closeCode;
    private final String meaning;

    ErrorCode(int httpStatus, CloseCode closeCode, String meaning) {
        this.httpStatus = httpStatus;
        this.closeCode = closeCode;
        this.meaning = meaning;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The close code sent after the error frame, or null if the connection stays open. */
    public CloseCode closeCode() {
        return closeCode;
    }

    public boolean closes() {
        return closeCode != null;
    }

    public String meaning() {
        return meaning;
    }
}
