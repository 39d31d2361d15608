package dev.tocsin.envelope.entity;


/** A refusal with a documented code: an error frame on the socket, a JSON error body over REST. */
public class ProtocolException extends RuntimeException {

    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
