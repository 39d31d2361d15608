package dev.tocsin.sessions.control;

import dev.tocsin.envelope.entity.CloseCode;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection's subscription to one topic, and the seam between replay and live delivery.
 * Live frames are only queued in the connection's outbox: the broadcast flushes it (see
 * {@link BroadcastWriter}); replayed frames are written at once.
 * While a replay runs, live frames are held back; when it ends they follow, minus any offset the
 * replay already sent. Frames are forwarded only with an offset above the last one sent, so the
 * client sees each alert of the topic once, in offset order.
 *
 * <p>A live alert more than one offset ahead of the last one sent means the ones between have not
 * come this way yet: published on another node, and relayed after this one. The alert is then
 * held, and a catch-up replay reads what is missing from the log, which has every alert below one
 * already stored. A gap that the log cannot fill either (expired or deleted alerts) is accepted.
 *
 * <p>Frames held back count against the connection's outbox limit: a replay slower than the live
 * traffic it holds back closes the connection as a slow consumer (the client resumes), rather
 * than holding without bound.
 */
public final class Subscription {

    /** Starts a replay of the subscription's topic after an offset (TopicReplay). */
    @FunctionalInterface
    public interface CatchUp {
        void start(Subscription subscription, long after);
    }

    private record Held(long offset, Frame frame) {
        static final long EVENT = -1;
    }

    private final Connection connection;
    private final String topic;
    private final CatchUp catchUp;
    private long lastOffset;
    // The highest offset a catch-up was started for: below it, the log had nothing more.
    private long filledThrough;
    private List<Held> held;
    private long heldBytes;
    private boolean cancelled;

    /**
     * @param lastOffset the offset the client has already processed; {@code replaying} holds live frames back
     * @param catchUp    fills gaps in live delivery from the log; null takes them as they come
     */
    public Subscription(Connection connection, String topic, long lastOffset, boolean replaying, CatchUp catchUp) {
        this.connection = connection;
        this.topic = topic;
        this.lastOffset = lastOffset;
        this.held = replaying ? new ArrayList<>() : null;
        this.catchUp = catchUp;
    }

    public Connection connection() {
        return connection;
    }

    public String topic() {
        return topic;
    }

    /**
     * Where a subscription registered before it knew its start begins: after {@code offset}.
     * Only while live frames are held (before {@link #replayDone()}); those held at or below it
     * are dropped then.
     */
    public synchronized void startAfter(long offset) {
        if (cancelled) {
            return;
        }
        if (held == null) {
            throw new IllegalStateException("the start of a subscription is set while its live frames are held");
        }
        lastOffset = offset;
    }

    /** A live alert. @return false if the connection refused it (closed or overloaded) */
    public synchronized boolean live(long offset, Frame frame) {
        if (cancelled) {
            return true;
        }
        if (held == null && gapBefore(offset)) {
            held = new ArrayList<>();
            startCatchUp(offset);
        }
        if (held != null) {
            return hold(new Held(offset, frame));
        }
        return forward(offset, frame);
    }

    /** A live frame without an offset (an acknowledgement): never de-duplicated, kept in arrival order. */
    public synchronized boolean event(Frame frame) {
        return live(Held.EVENT, frame);
    }

    /** An alert read back from the log. */
    public synchronized boolean replayed(long offset, String frame) {
        boolean taken = forward(offset, new Frame(frame));
        connection.outbox().flush();
        return taken;
    }

    /** A frame that belongs right after the replayed alert before it (its acknowledgement). */
    public synchronized boolean replayedEvent(String frame) {
        return cancelled || connection.outbox().offer(frame);
    }

    /** Ends the replay: what arrived live meanwhile follows, unless a gap before it takes another catch-up. */
    public synchronized void replayDone() {
        List<Held> backlog = held;
        held = null;
        heldBytes = 0;
        if (backlog == null) {
            return;
        }
        for (int i = 0; i < backlog.size() && held == null; i++) {
            Held next = backlog.get(i);
            if (gapBefore(next.offset())) {
                held = new ArrayList<>(backlog.subList(i, backlog.size()));
                heldBytes = held.stream().mapToLong(h -> h.frame().length()).sum();
                startCatchUp(next.offset());
            } else {
                forward(next.offset(), next.frame());
            }
        }
        connection.outbox().flush();
    }

    /** After unsubscribe or replacement: nothing more is sent for it, a running replay included. */
    public synchronized void cancel() {
        cancelled = true;
        held = null;
        heldBytes = 0;
    }

    public synchronized long lastOffset() {
        return lastOffset;
    }

    private boolean hold(Held frame) {
        heldBytes += frame.frame().length();
        if (heldBytes > connection.outbox().maxBytes()) {
            cancel();
            connection.outbox().closeNow(CloseCode.SLOW_CONSUMER, "live alerts held back by a replay over "
                    + connection.outbox().maxBytes() + " bytes");
            return false;
        }
        held.add(frame);
        return true;
    }

    private boolean gapBefore(long offset) {
        return catchUp != null && !cancelled && offset != Held.EVENT && offset > lastOffset + 1 && offset > filledThrough;
    }

    private void startCatchUp(long through) {
        filledThrough = through;
        try {
            catchUp.start(this, lastOffset);
        } catch (RuntimeException e) {
            // Never carry on past a hole: the client reconnects and resumes.
            cancel();
            connection.outbox().closeNow(CloseCode.INTERNAL_ERROR, "catch-up failed");
        }
    }

    private boolean forward(long offset, Frame frame) {
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
