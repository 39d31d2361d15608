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
}
