package dev.tocsin.alerts.entity;

/**
 * The outcome of a publication.
 *
 * @param recipients local connections the alert was queued to; -1 for a repeated publication
 *                   answered from the idempotency record
 */
public record Published(String id, String topic, long offset, long ts, int recipients) {

    public boolean repeated() {
        return recipients < 0;
    }

    /** A publication answered again, for a retry with its idempotency key. */
    public static Published repeated(String id, String topic, long offset, long ts) {
        return new Published(id, topic, offset, ts, -1);
    }
}
