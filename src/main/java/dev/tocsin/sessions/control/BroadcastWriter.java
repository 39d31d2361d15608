package dev.tocsin.sessions.control;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes what a broadcast queued in its subscribers' outboxes, on a writer thread (one lane per
 * CPU, a topic always on the same lane), so that the publisher stores its next alert while this
 * one is written, and the next alert's frames join this one's in the outboxes the writer has not
 * reached yet: one write for several. A publisher is at most {@code passesAhead} passes ahead of its
 * lane: a broadcast waits while that many passes are unfinished, so a publisher faster than the
 * fan-out is slowed down, as with an inline fan-out, and nothing piles up unbounded. More passes
 * ahead means more frames per write and fewer system calls per delivery, and, for a publisher that
 * waits for each answer before the next, more alerts in flight and more latency per alert
 * (docs/performance.md). A pass only hands
 * frames to the connections' non-blocking writes; should one still not finish within the wait,
 * the broadcast writes on its own thread rather than hold its publisher any longer.
 */
public final class BroadcastWriter {

    /** How long a broadcast waits for its turn (fewer unfinished passes than allowed ahead), in production. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    private static final Logger LOG = Logger.getLogger(BroadcastWriter.class.getName());

    private final Executor[] lanes;
    private final Semaphore[] ahead;
    private final ExecutorService[] owned;
    private final long waitNanos;

    private BroadcastWriter(Executor[] lanes, ExecutorService[] owned, int passesAhead, Duration wait) {
        if (passesAhead < 1) {
            throw new IllegalArgumentException("passes ahead must be at least 1, not " + passesAhead);
        }
        this.lanes = lanes;
        this.owned = owned;
        this.waitNanos = wait.toNanos();
        this.ahead = new Semaphore[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            ahead[i] = new Semaphore(passesAhead);
        }
    }

    /**
     * One writer thread per lane, made by {@code threads} (the container's managed thread factory).
     *
     * @param passesAhead passes a broadcast may leave unfinished when it returns, at least 1
     */
    public static BroadcastWriter threads(int lanes, int passesAhead, ThreadFactory threads, Duration wait) {
        ExecutorService[] executors = new ExecutorService[lanes];
        for (int i = 0; i < lanes; i++) {
            String name = "tocsin-broadcast-" + i;
            executors[i] = Executors.newSingleThreadExecutor(task -> {
                Thread thread = threads.newThread(task);
                thread.setName(name);
                return thread;
            });
        }
        return new BroadcastWriter(executors, executors, passesAhead, wait);
    }

    /** Writes on the broadcasting thread, before it returns: for tests of what a broadcast sends. */
    public static BroadcastWriter inline() {
        return new BroadcastWriter(new Executor[] {Runnable::run}, new ExecutorService[0], 1, WAIT);
    }

    /** Flushes the subscribers' outboxes on the topic's lane, once fewer than {@code passesAhead} of the lane's passes are unfinished. */
    public void write(String topic, Collection<Subscription> subscribers) {
        if (subscribers.isEmpty()) {
            return;
        }
        int lane = Math.floorMod(topic.hashCode(), lanes.length);
        if (!awaitTurn(lane)) {
            LOG.warning(() -> "the writer of topic " + topic + " has not finished its earlier passes in " + Duration.ofNanos(waitNanos)
                    + ": this broadcast writes on the publishing thread");
            flush(subscribers);
            return;
        }
        boolean submitted = false;
        try {
            lanes[lane].execute(() -> {
                try {
                    flush(subscribers);
                } finally {
                    ahead[lane].release();
                }
            });
            submitted = true;
        } catch (RejectedExecutionException shuttingDown) {
            LOG.log(Level.FINE, "writer shut down: the broadcast writes on the publishing thread", shuttingDown);
        } finally {
            if (!submitted) {
                ahead[lane].release();
            }
        }
        if (!submitted) {
            flush(subscribers);
        }
    }

    private boolean awaitTurn(int lane) {
        try {
            return ahead[lane].tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void flush(Collection<Subscription> subscribers) {
        for (Subscription subscriber : subscribers) {
            try {
                subscriber.connection().outbox().flush();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "write to " + subscriber.connection().id() + " failed", e);
            }
        }
    }

    public void shutdown() {
        for (ExecutorService executor : owned) {
            executor.shutdown();
        }
    }
}
