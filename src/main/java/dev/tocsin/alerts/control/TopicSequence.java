package dev.tocsin.alerts.control;

import dev.tocsin.alerts.entity.StoredAlert;
import dev.tocsin.alerts.entity.TopicOffset;
import dev.tocsin.sessions.control.Sessions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The order in which this node broadcasts each topic's alerts, its own and those relayed from
 * other nodes. An alert more than one offset ahead of the last one broadcast here (its
 * predecessor stored on another node, and relayed later or not at all) is preceded by the missing
 * ones, read once from the log for all subscribers; a relay that comes after that is dropped. So
 * two nodes publishing on one topic cost this node one query per overtaken relay, not one per
 * subscriber. Subscriptions still fill, each for itself, whatever gap gets past this (the first
 * alert after a topic gained its subscribers here, a gap longer than {@link #FILL_LIMIT}, a failed read).
 */
@ApplicationScoped
public class TopicSequence {

    private static final Logger LOG = Logger.getLogger(TopicSequence.class.getName());
    static final int FILL_LIMIT = 200;

    private final TopicLocks locks = new TopicLocks();
    // Only for topics with subscribers on this node: dropped when a broadcast finds none.
    private final Map<String, Long> broadcastUpTo = new ConcurrentHashMap<>();

    @Inject
    Sessions registry;
    @Inject
    AlertLog log;

    /**
     * A subscription to the topic began here at {@code latest} (its newest offset when the client
     * subscribed): from now on an alert after it that never arrives is looked for in the log
     * ({@link #recoverFromLog()}), even before this node has broadcast anything of the topic.
     * The only subscriber moves the mark up past a stale one; with others, the mark only moves
     * down, for one that read the newest offset a moment earlier may still be owed the alert
     * between (broadcasting an alert again costs a little; skipping it would delay it).
     */
    public void subscribed(String topic, long latest) {
        ReentrantLock lock = locks.of(topic);
        lock.lock();
        try {
            if (registry.subscribers(topic) <= 1) {
                broadcastUpTo.merge(topic, latest, Math::max);
            } else {
                broadcastUpTo.merge(topic, latest, Math::min);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Broadcasts the alert in its topic's offset order on this node; returns how many connections it was queued to. */
    public int broadcast(String topic, long offset, String frame) {
        ReentrantLock lock = locks.of(topic);
        lock.lock();
        try {
            int subscribers = registry.subscribers(topic);
            if (subscribers == 0) {
                broadcastUpTo.remove(topic);
                return 0;
            }
            Long last = broadcastUpTo.get(topic);
            if (last != null && offset <= last) {
                return subscribers;
            }
            if (last != null && offset > last + 1) {
                fill(topic, last, offset);
            }
            broadcastUpTo.put(topic, offset);
            return registry.broadcast(topic, offset, frame);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Broadcasts what the log holds beyond what this node has broadcast, for every topic with
     * subscribers here: alerts stored on other nodes whose relay never came (lost, or dropped
     * from a full queue), which no later alert has yet revealed as a gap.
     *
     * @return how many offsets it caught up on (alerts, less any expired meanwhile)
     */
    public int recoverFromLog() {
        if (broadcastUpTo.isEmpty()) {
            return 0; // no subscriber here: nothing to read
        }
        int recovered = 0;
        for (TopicOffset stored : log.topics()) {
            String topic = stored.topic();
            Long seen = broadcastUpTo.get(topic);
            if (seen == null || stored.latest() <= seen) {
                continue;
            }
            ReentrantLock lock = locks.of(topic);
            lock.lock();
            try {
                Long last = broadcastUpTo.get(topic);
                if (last != null && stored.latest() > last) {
                    long reached = fill(topic, last, stored.latest() + 1);
                    broadcastUpTo.put(topic, reached);
                    recovered += (int) (reached - last);
                }
            } finally {
                lock.unlock();
            }
        }
        return recovered;
    }

    /**
     * Broadcasts the stored alerts after {@code last} and before {@code before}; returns the offset
     * up to which the log has nothing more for this node (offsets of expired or deleted alerts are
     * passed over, not looked for again).
     */
    private long fill(String topic, long last, long before) {
        long reached = last;
        try {
            int limit = (int) Math.min(before - last - 1, FILL_LIMIT);
            List<StoredAlert> missing = log.after(topic, last, System.currentTimeMillis(), limit);
            for (StoredAlert alert : missing) {
                if (alert.offset() < before) {
                    registry.broadcast(topic, alert.offset(), alert.frame());
                    reached = alert.offset();
                }
            }
            if (missing.size() < limit) {
                reached = before - 1;
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not read " + topic + " after offset " + last + " to fill a gap; its subscribers will", e);
        }
        return reached;
    }
}
