package dev.tocsin.alerts.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.util.function.Function;

/**
 * An accepted alert as the log keeps it: its fields for queries, its offset in its topic, and the
 * exact signed frame that was delivered live, so that a replay sends the same bytes.
 */
@Entity
@Table(name = "tocsin_alert", indexes = {
        @Index(name = "tocsin_alert_topic_offset", columnList = "topic, topic_offset", unique = true),
        @Index(name = "tocsin_alert_published", columnList = "published_at")})
@NamedQuery(name = StoredAlert.AFTER_OFFSET, query = "SELECT a FROM StoredAlert a WHERE a.topic = :topic"
        + " AND a.offset > :offset AND (a.expiresAt IS NULL OR a.expiresAt > :now) ORDER BY a.offset")
@NamedQuery(name = StoredAlert.OLDEST_OFFSET, query = "SELECT MIN(a.offset) FROM StoredAlert a WHERE a.topic = :topic")
public class StoredAlert {

    public static final String AFTER_OFFSET = "StoredAlert.afterOffset";
    public static final String OLDEST_OFFSET = "StoredAlert.oldestOffset";

    @Id
    @Column(length = 36)
    private String id;

    @Column(nullable = false, length = 600)
    private String topic;

    @Column(name = "topic_offset", nullable = false)
    private long offset;

    @Column(nullable = false, length = 16)
    private String severity;

    @Column(nullable = false, length = 200)
    private String title;

    @Column(length = 8000)
    private String body;

    @Column(name = "published_by", nullable = false, length = 64)
    private String publishedBy;

    @Column(name = "published_at", nullable = false)
    private long publishedAt;

    @Column(name = "expires_at")
    private Long expiresAt;

    @Column(name = "acknowledged_by", length = 64)
    private String acknowledgedBy;

    @Column(name = "acknowledged_at")
    private Long acknowledgedAt;

    @Column(nullable = false, length = 65536)
    private String frame;

    // Empty for alerts acknowledged before the frame was kept with them (and for unacknowledged ones).
    @Column(name = "acknowledged_frame", length = 4000)
    private String acknowledgedFrame;

    protected StoredAlert() {
    }

    public StoredAlert(Alert alert, long offset, String frame) {
        this.id = alert.id();
        this.topic = alert.topic();
        this.offset = offset;
        this.severity = alert.severity().wireName();
        this.title = alert.title();
        this.body = alert.body();
        this.publishedBy = alert.publishedBy();
        this.publishedAt = alert.publishedAt().toEpochMilli();
        this.expiresAt = alert.expiresAt() == null ? null : alert.expiresAt().toEpochMilli();
        this.frame = frame;
    }

    public String id() {
        return id;
    }

    public String topic() {
        return topic;
    }

    public long offset() {
        return offset;
    }

    public String severity() {
        return severity;
    }

    public String title() {
        return title;
    }

    public String body() {
        return body;
    }

    public String publishedBy() {
        return publishedBy;
    }

    public long publishedAt() {
        return publishedAt;
    }

    public Long expiresAt() {
        return expiresAt;
    }

    public String acknowledgedBy() {
        return acknowledgedBy;
    }

    public Long acknowledgedAt() {
        return acknowledgedAt;
    }

    public String frame() {
        return frame;
    }

    public boolean acknowledged() {
        return acknowledgedBy != null;
    }

    /** The signed {@code acknowledged} frame broadcast when it was acknowledged; null if none was kept. */
    public String acknowledgedFrame() {
        return acknowledgedFrame;
    }

    /**
     * @param frame signs the {@code acknowledged} frame of this alert once acknowledged, kept with it
     *              so that every replay sends the frame that was broadcast
     * @return false if someone acknowledged it already (the first acknowledgement stands)
     */
    public boolean acknowledge(String by, long at, Function<StoredAlert, String> frame) {
        if (acknowledged()) {
            return false;
        }
        this.acknowledgedBy = by;
        this.acknowledgedAt = at;
        this.acknowledgedFrame = frame.apply(this);
        return true;
    }
}
