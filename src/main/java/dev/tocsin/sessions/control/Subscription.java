package dev.tocsin.sessions.control;

import java.util.ArrayList;
import java.util.List;

/**
 * One connection's subscription to one topic, and the seam between replay and live delivery.
 * Live frames are only queued in the connection's outbox: the broadcast flushes it (see
 * {@link BroadcastWriter}); replayed frames are written at once.
 * While a replay runs, live frames are held back; when it ends they follow, minus any offset the
 * replay already sent. Frames are forwarded only with an offset above the last one sent, so the
 * client sees each alert of the topic once, in offset order.
 */
public final class Subscription {

    private record Held(long offset, String frame) {
        static final long EVENT = -1;
    }

    private final Connection connection;
    private final String topic;
    private long lastOffset;
    private List<Held> held;
    private boolean cancelled;

    /** @param lastOffset the offset the client has already processed; {@code replaying} holds live frames back */
    public Subscription(Connection connection, String topic, long lastOffset, boolean replaying) {
        this.connection = connection;
        this.topic = topic;
        this.lastOffset = lastOffset;
        this.held = replaying ? new ArrayList<>() : null;
    }

    public Connection connection() {
        return connection;
    }

    public String topic() {
        return topic;
    }

    /** A live alert. @return false if the connection refused it (closed or overloaded) */
    public synchronized boolean live(long offset, String frame) {
        if (cancelled) {
            return true;
        }
        if (held != null) {
            held.add(new Held(offset, frame));
            return true;
        }
        return forward(offset, frame);
    }

    /** A live frame without an offset (an acknowledgement): never de-duplicated, kept in arrival order. */
    public synchronized boolean event(String frame) {
        return live(Held.EVENT, frame);
    }

    /** An alert read back from the log. */
    public synchronized boolean replayed(long offset, String frame) {
        boolean taken = forward(offset, frame);
        connection.outbox().flush();
        return taken;
    }

    /** A frame that belongs right after the replayed alert before it (its acknowledgement). */
    public synchronized boolean replayedEvent(String frame) {
        return cancelled || connection.outbox().offer(frame);
    }

    /** Ends the replay: what arrived live meanwhile follows. */
    public synchronized void replayDone() {
        List<Held> backlog = held;
        held = null;
        if (backlog != null) {
            backlog.forEach(h -> forward(h.offset(), h.frame()));
            connection.outbox().flush();
        }
    }

    /** After unsubscribe or replacement: nothing more is sent for it, a running replay included. */
    public synchronized void cancel() {
        cancelled = true;
        held = null;
    }

    public synchronized long lastOffset() {
        return lastOffset;
    }

    private boolean forward(long offset, String frame) {
        if (cancelled) {
            return true;
        }
        if (offset != Held.EVENT) {
            if (offset <= lastOffset) {
                return true;
            }
            lastOffset = offset;
        }
        return connection.outbox().enqueue(frame);
    }
}
