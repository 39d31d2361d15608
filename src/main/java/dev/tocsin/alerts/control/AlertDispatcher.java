package dev.tocsin.alerts.control;

import static dev.tocsin.envelope.control.JsonFactory.JSON;

import dev.tocsin.alerts.entity.Alert;
import dev.tocsin.alerts.entity.AlertDraft;
import dev.tocsin.alerts.entity.Published;
import dev.tocsin.alerts.entity.Relayed;
import dev.tocsin.alerts.entity.StoredAlert;
import dev.tocsin.alerts.entity.Topic;
import dev.tocsin.config.Settings;
import dev.tocsin.envelope.control.EnvelopeSigner;
import dev.tocsin.envelope.entity.Envelope;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.MessageType;
import dev.tocsin.envelope.entity.ProtocolException;
import dev.tocsin.monitoring.TocsinMetrics;
import dev.tocsin.security.control.TopicPermissions;
import dev.tocsin.security.entity.Action;
import dev.tocsin.security.entity.Caller;
import dev.tocsin.sessions.control.Sessions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one path of every alert, from REST or WebSocket: authorise, validate, store at the next
 * offset, sign once, fan out, relay to the other nodes. Publications on one topic are serialised
 * on this node from storing to enqueueing, so that subscribers receive a topic's alerts in offset
 * order; alerts relayed from other nodes join that order ({@link TopicSequence}).
 */
@ApplicationScoped
public class AlertDispatcher {

    public static final int MAX_IDEMPOTENCY_KEY = 128;

    /** An {@code acknowledged} frame's id: this and its alert's id, one per alert, as only the first acknowledgement stands. */
    public static final String ACKNOWLEDGED_ID_PREFIX = "acknowledged:";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final TopicLocks topicLocks = new TopicLocks();

    @Inject
    Sessions registry;
    @Inject
    EnvelopeSigner signer;
    @Inject
    TopicPermissions permissions;
    @Inject
    TocsinMetrics metrics;
    @Inject
    AlertLog log;
    @Inject
    Settings settings;
    @Inject
    NodeRelay relay;
    @Inject
    TopicSequence sequence;

    /**
     * @param idempotencyKey a retry with the same key (per publisher, within the window) is answered with the original
     *                       result; {@link AlertLog#append} looks the key up, in the transaction that stores the alert
     */
    public Published publish(Caller caller, AlertDraft draft, String idempotencyKey) {
        String topic = draft == null ? null : draft.topic();
        if (Topic.valid(topic) && !permissions.allows(caller, Action.PUBLISH, topic)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN_TOPIC, "may not publish on " + topic);
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
            throw new ProtocolException(ErrorCode.INVALID_ALERT, "an idempotency key has 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        Instant now = Instant.now();
        Alert alert;
        try {
            alert = AlertValidation.accept(draft, caller.subject(), now);
        } catch (ProtocolException invalid) {
            // A retry is answered with its original even if its draft no longer passes (an expiresAt since past).
            return original(caller, idempotencyKey, now).orElseThrow(() -> invalid);
        }
        ReentrantLock lock = topicLocks.of(alert.topic());
        lock.lock();
        try {
            AlertLog.Appended appended;
            try {
                appended = log.append(alert, offset -> framed(alert, offset), idempotencyKey, idempotencyKey == null ? 0 : keysNotBefore(now));
            } catch (RuntimeException e) {
                // A concurrent publication with the same key on another topic won the key's insert.
                return original(caller, idempotencyKey, now).orElseThrow(() -> e);
            }
            if (appended.repeated()) {
                return appended.original();
            }
            StoredAlert stored = appended.stored();
            int recipients = sequence.broadcast(alert.topic(), stored.offset(), stored.frame());
            relay.send(Relayed.alert(alert.topic(), stored.offset(), stored.frame()));
            metrics.published(recipients);
            return new Published(stored.id(), stored.topic(), stored.offset(), stored.publishedAt(), recipients);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Serialises and signs the alert frame, once for all its recipients. Timed in this thread's CPU
     * time, not wall-clock time, so that the figure is the work itself whatever else the server's
     * cores are busy with (docs/performance.md).
     */
    private String framed(Alert alert, long offset) {
        long start = THREADS.getCurrentThreadCpuTime();
        String frame = signer.frame(Envelope.of(MessageType.ALERT, alert.id(), alert.publishedAt().toEpochMilli(),
                alert.topic(), alert.data(offset)));
        metrics.framed(THREADS.getCurrentThreadCpuTime() - start);
        return frame;
    }

    private Optional<Published> original(Caller caller, String key, Instant now) {
        if (key == null) {
            return Optional.empty();
        }
        return log.byIdempotencyKey(caller.subject(), key, keysNotBefore(now));
    }

    private long keysNotBefore(Instant now) {
        return now.minus(settings.idempotencyWindow()).toEpochMilli();
    }

    /**
     * A person's "I'm on it": stored with who and when, and broadcast to the topic as a signed
     * {@code acknowledged} frame when it is the first. The frame is signed once and stored with the
     * alert, so that a replay sends the same bytes to every resuming subscriber ({@link
     * #acknowledgedFrame}). Anyone who may subscribe to the topic may acknowledge.
     */
    public StoredAlert acknowledge(Caller caller, String alertId) {
        StoredAlert visible = visible(caller, alertId);
        long now = System.currentTimeMillis();
        AlertLog.Acknowledgement result = log.acknowledge(visible.id(), caller.subject(), now, this::signedAcknowledgement)
                .orElseThrow(AlertDispatcher::notFound);
        if (result.first()) {
            String frame = result.alert().acknowledgedFrame();
            registry.broadcastEvent(result.alert().topic(), frame);
            relay.send(Relayed.event(result.alert().topic(), frame));
        }
        return result.alert();
    }

    /** A frame another node has broadcast to its subscribers ({@link NodeRelay}), for this node's. */
    public void relayed(Relayed relayed) {
        if (relayed.kind() == Relayed.Kind.EVENT) {
            registry.broadcastEvent(relayed.topic(), relayed.frame());
            return;
        }
        // Not under the topic's lock: a local publication holds it while its store waits for the
        // database, where the other node's commit of this very alert came first.
        sequence.broadcast(relayed.topic(), relayed.offset(), relayed.frame());
    }

    /**
     * The signed {@code acknowledged} frame of an acknowledged alert: the one stored when it was
     * acknowledged. An alert acknowledged before frames were stored gets it signed again, with the
     * same id and content (an Ed25519 signature is deterministic too).
     */
    public String acknowledgedFrame(StoredAlert alert) {
        String stored = alert.acknowledgedFrame();
        return stored != null ? stored : signedAcknowledgement(alert);
    }

    private String signedAcknowledgement(StoredAlert alert) {
        return signer.frame(Envelope.of(MessageType.ACKNOWLEDGED, ACKNOWLEDGED_ID_PREFIX + alert.id(), alert.acknowledgedAt(),
                alert.topic(), JSON.createObjectBuilder()
                        .add("alertId", alert.id())
                        .add("offset", alert.offset())
                        .add("by", alert.acknowledgedBy())
                        .add("at", alert.acknowledgedAt())
                        .build()));
    }

    /** An alert the caller may see (subscribe permission on its topic). */
    public StoredAlert visible(Caller caller, String alertId) {
        StoredAlert alert = log.find(alertId).orElseThrow(AlertDispatcher::notFound);
        if (!permissions.allows(caller, Action.SUBSCRIBE, alert.topic())) {
            throw new ProtocolException(ErrorCode.FORBIDDEN_TOPIC, "may not see alerts of " + alert.topic());
        }
        return alert;
    }

    /** Records that the caller's client received the alert. */
    public void delivered(Caller caller, String alertId) {
        visible(caller, alertId);
        if (!log.delivered(alertId, caller.subject(), System.currentTimeMillis())) {
            throw notFound();
        }
    }

    private static ProtocolException notFound() {
        return new ProtocolException(ErrorCode.NOT_FOUND, "no such alert");
    }
}
