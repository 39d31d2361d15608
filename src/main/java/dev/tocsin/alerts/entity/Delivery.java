package dev.tocsin.alerts.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;

/** That a user's client confirmed receiving an alert ({@code ack}), and when it first did. */
@Entity
@Table(name = "tocsin_delivery")
@IdClass(Delivery.Key.class)
public class Delivery {

    /** The composite primary key. */
    public static class Key implements Serializable {
        private String alertId;
        private String subject;

        public Key() {
        }

        public Key(String alertId, String subject) {
            this.alertId = alertId;
            this.subject = subject;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && java.util.Objects.equals(alertId, key.alertId) && java.util.Objects.equals(subject, key.subject);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(alertId, subject);
        }
    }

    @Id
    @Column(name = "alert_id", length = 36)
    private String alertId;

    @Id
    @Column(length = 64)
    private String subject;

    @Column(name = "delivered_at", nullable = false)
    private long deliveredAt;

    protected Delivery() {
    }

    public Delivery(String alertId, String subject, long deliveredAt) {
        this.alertId = alertId;
        this.subject = subject;
        this.deliveredAt = deliveredAt;
    }

    public String subject() {
        return subject;
    }

    public long deliveredAt() {
        return deliveredAt;
    }
}
