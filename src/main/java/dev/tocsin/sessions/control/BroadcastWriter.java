package dev.tocsin.sessions.control;

import java.util.Collection;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes what a broadcast queued in its subscribers' outboxes, on a writer thread (one lane per
 * CPU, a topic always on the same lane), so that the publisher stores its next alert while this
 * one is written, and the next alert's frames join this one's in the outboxes the writer has not
 * reached yet: one write for both. A publisher is at most {@link #PASSES_AHEAD} pass ahead of its
 * lane: the next broadcast waits for the pass before it, so a publisher faster than the fan-out
 * is slowed down, as with an inline fan-out, and nothing piles up unbounded.
 */
public final class BroadcastWriter {

    /** Passes a broadcast may leave unfinished when it returns. */
    static final int PASSES_AHEAD = 1;

    private static final Logger LOG = Logger.getLogger(BroadcastWriter.class.getName());

    private final Executor[] lanes;
    private final Semaphore[] ahead;
    private final ExecutorService[] owned;

    private BroadcastWriter(Executor[] lanes, ExecutorService[] owned) {
        this.lanes = lanes;
        this.owned = owned;
        this.ahead = new Semaphore[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            ahead[i] = new Semaphore(PASSES_AHEAD);
        }
    }

    /** One writer thread per lane. */
    public static BroadcastWriter threads(int lanes) {
        ExecutorService[] executors = new ExecutorService[lanes];
        for (int i = 0; i < lanes; i++) {
            String name = "tocsin-broadcast-" + i;
            executors[i] = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, name);
                thread.setDaemon(true);
                return thread;
            });
        }
        return new BroadcastWriter(executors, executors);
    }

    /** Writes on the broadcasting thread, before it returns: for tests of what a broadcast sends. */
    public static BroadcastWriter inline() {
        return new BroadcastWriter(new Executor[] {Runnable::run}, new ExecutorService[0]);
    }

    /** Flushes the subscribers' outboxes on the topic's lane, once the lane's previous pass is done. */
    public void write(String topic, Collection<Subscription> subscribers) {
        int lane = Math.floorMod(topic.hashCode(), lanes.length);
        ahead[lane].acquireUninterruptibly();
        try {
            lanes[lane].execute(() -> {
                try {
                    flush(subscribers);
                } finally {
                    ahead[lane].release();
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            ahead[lane].release();
            flush(subscribers);
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
