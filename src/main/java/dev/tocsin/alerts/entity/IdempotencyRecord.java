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
 * that a retry is answered from here even after retention has dropped the alert (how retries meet
 * it: AlertLog.append).
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

    // Null in keys stored before keys carried them (AlertLog then reads the alert itself).
    @Column(length = 600)
    private String topic;

    @Column(name = "topic_offset")
    private Long offset;

    protected IdempotencyRecord() {
    }

    public IdempotencyRecord(String publisher, String idempotencyKey, StoredAlert alert) {
        this.publisher = publisher;
        this.idempotencyKey = idempotencyKey;
        names(alert);
    }

    public long createdAt() {
        return createdAt;
    }

    public String alertId() {
        return alertId;
    }

    /** The publication this key made, as a retry is answered. */
    public Optional<Published> published() {
        return topic == null || offset == null ? Optional.empty() : Optional.of(Published.repeated(alertId, topic, offset, createdAt));
    }

    /** From now on the key names this alert: at first, and again once it is past its window (not yet swept). */
    public void names(StoredAlert alert) {
        this.alertId = alert.id();
        this.topic = alert.topic();
        this.offset = alert.offset();
        this.createdAt = alert.publishedAt();
    }
}
