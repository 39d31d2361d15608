package dev.tocsin.alerts.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Optional;

/**
 * A publisher's idempotency key and the alert it created, with that alert's topic and offset so
 * that a retry is answered from here even after retention has dropped the alert. A retry finds
 * it under its topic's row lock (AlertLog); one that carries another topic fails to insert the
 * key (primary key) or waits for this row's lock.
 */
@Entity
@Table(name = "tocsin_idempotency")
@IdClass(IdempotencyRecord.Key.class)
public class IdempotencyRecord {

    /** The composite primary key. */
    public static class Key implements Serializable {
        private String publisher;
        private String idempotencyKey;

        public Key() {
        }

        public Key(String publisher, String idempotencyKey) {
            this.publisher = publisher;
            this.idempotencyKey = idempotencyKey;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && java.util.Objects.equals(publisher, key.publisher) && java.util.Objects.equals(idempotencyKey, key.idempotencyKey);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(publisher, idempotencyKey);
        }
    }

    @Id
    @Column(length = 64)
    private String publisher;

    @Id
    @Column(name = "idempotency_key", length = 128)
    private String idempotencyKey;

    @Column(name = "alert_id", nullable = false, length = 36)
    private String alertId;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    // Null in keys stored before keys carried them: such a key names no alert (it expires with its window).
    @Column(length = 600)
    private String topic;

    @Column(name = "topic_offset")
    private Long offset;

    protected IdempotencyRecord() {
    }

    public IdempotencyRecord(String publisher, String idempotencyKey, StoredAlert alert) {
        this.publisher = publisher;
        this.idempotencyKey = idempotencyKey;
        reuse(alert);
    }

    public long createdAt() {
        return createdAt;
    }

    /** The publication this key made, as a retry is answered. */
    public Optional<Published> published() {
        return topic == null || offset == null ? Optional.empty() : Optional.of(new Published(alertId, topic, offset, createdAt, -1));
    }

    /** The key, past its window and not yet swept, names another alert from now on. */
    public void reuse(StoredAlert alert) {
        this.alertId = alert.id();
        this.topic = alert.topic();
        this.offset = alert.offset();
        this.createdAt = alert.publishedAt();
    }
}
