package dev.tocsin.envelope.entity;

/**
 * What the decoder made of one text frame from a client: an envelope with the bytes its signature
 * covers, a bare text {@code ping}, or a rejection. Decoding never throws, so that every bad frame
 * is answered with its documented error instead of ending in the container's error path.
 */
public record Inbound(Envelope envelope, MessageType type, byte[] signedBytes, ErrorCode error, String detail, String ref) {

    public static Inbound barePing() {
        return new Inbound(null, MessageType.PING, null, null, null, null);
    }

    public static Inbound accepted(Envelope envelope, MessageType type, byte[] signedBytes) {
        return new Inbound(envelope, type, signedBytes, null, null, envelope.id());
    }

    /** @param ref the id of the rejected frame, if it could be read */
    public static Inbound rejected(ErrorCode error, String detail, String ref) {
        return new Inbound(null, null, null, error, detail, ref);
    }

    public boolean isBarePing() {
        return envelope == null && error == null;
    }

    public boolean isRejected() {
        return error != null;
    }
}
