package dev.tocsin.alerts.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;

/**
 * A publisher's idempotency key and the alert it created. The primary key makes a concurrent
 * retry on another node fail to insert instead of creating a second alert.
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

    protected IdempotencyRecord() {
    }

    public IdempotencyRecord(String publisher, String idempotencyKey, String alertId, long createdAt) {
        this.publisher = publisher;
        this.idempotencyKey = idempotencyKey;
        this.alertId = alertId;
        this.createdAt = createdAt;
    }

    public String alertId() {
        return alertId;
    }

    public long createdAt() {
        return createdAt;
    }
}
