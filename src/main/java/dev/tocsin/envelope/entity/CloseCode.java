package dev.tocsin.envelope.entity;

import java.util.Arrays;
import java.util.Optional;

/**
 * WebSocket close codes that Tocsin sends. Application codes follow one rule a client can
 * apply without a table: 4000-4499 mean "reconnect with backoff", 4500-4999 mean "do not
 * reconnect until something changes" (a new token, a new client version).
 */
public enum CloseCode {
    NORMAL(1000, true, "closed normally"),
    GOING_AWAY(1001, true, "the server is shutting down"),
    MESSAGE_TOO_BIG(1009, true, "a frame exceeded the server's hard size limit"),
    INTERNAL_ERROR(1011, true, "the server hit an unexpected condition"),
    HEARTBEAT_TIMEOUT(4000, true, "nothing was received from the client within the heartbeat timeout"),
    HANDSHAKE_TIMEOUT(4001, true, "no successful handshake within the handshake timeout"),
    TOKEN_EXPIRED(4002, true, "the token expired; reconnect with a fresh token"),
    SLOW_CONSUMER(4003, true, "the client did not read fast enough; reconnect and resume"),
    SEND_FAILED(4004, true, "a write to the client failed"),
    TOO_MANY_SESSIONS(4005, true, "the user has too many open connections; retry later"),
    AUTHENTICATION_FAILED(4501, false, "the token was rejected"),
    UNSUPPORTED_VERSION(4502, false, "the client speaks no protocol version this server knows");

    private final int code;
    private final boolean reconnect;
    private final String reason;

    CloseCode(int code, boolean reconnect, String reason) {
        this.code = code;
        this.reconnect = reconnect;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    public boolean reconnect() {
        return reconnect;
    }

    public String reason() {
        return reason;
    }

    public static Optional<CloseCode> of(int code) {
        return Arrays.stream(values()).filter(c -> c.code == code).findFirst();
    }
}
