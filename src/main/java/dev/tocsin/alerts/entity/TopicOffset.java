package dev.tocsin.alerts.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The next offset of a topic. Read with a row lock (SELECT ... FOR UPDATE) in the transaction that
 * stores the alert, so offsets stay unique and gap-free when several nodes share one database.
 */
@Entity
@Table(name = "tocsin_topic")
public class TopicOffset {

    @Id
    @Column(length = 600)
    private String topic;

    @Column(name = "next_offset", nullable = false)
    private long next;

    protected TopicOffset() {
    }

    public TopicOffset(String topic) {
        this.topic = topic;
        this.next = 1;
    }

    public String topic() {
        return topic;
    }

    /** The offset for the next alert; advances the counter. */
    public long take() {
        return next++;
    }

    /** The offset of the newest alert, 0 if none. */
    public long latest() {
        return next - 1;
    }
}
