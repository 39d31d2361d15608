package dev.tocsin.sessions.control;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes what a broadcast queued in its subscribers' outboxes, on a writer thread (one lane per
 * CPU, a topic always on the same lane), so that the publisher stores its next alert while this
 * one is written. A pass of the writer takes every broadcast its lane has pending, so alerts that
 * met in an outbox leave in one write (one system call). Under steady load the writer rests
 * between passes as long as its last pass took, and at least {@code linger} from the start of one
 * pass to the next, so that more alerts meet; after a quiet spell a broadcast is written at once.
 * A publisher is at most {@code passesAhead} broadcasts ahead of its lane: a broadcast waits while
 * that many are unwritten, so a publisher faster than the fan-out is slowed down, as with an
 * inline fan-out, and nothing piles up unbounded; with that many pending the pass starts at once,
 * rest or not. More ahead means more frames per write and fewer system calls per delivery, and more
 * latency per alert (docs/performance.md). A pass only hands frames to the connections'
 * non-blocking writes; should one still not finish within the wait, the broadcast writes on its
 * own thread rather than hold its publisher any longer.
 */
public final class BroadcastWriter {

    /** How long a broadcast waits for its turn (fewer unwritten broadcasts than allowed ahead), in production. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    private static final Logger LOG = Logger.getLogger(BroadcastWriter.class.getName());

    private final Lane[] lanes;
    private final long waitNanos;

    private BroadcastWriter(Lane[] lanes, Duration wait) {
        this.lanes = lanes;
        this.waitNanos = wait.toNanos();
    }

    /**
     * One writer thread per lane, made by {@code threads} (the container's managed thread factory).
     *
     * @param passesAhead broadcasts a publisher may leave unwritten when its broadcast returns, at least 1
     * @param linger how long the oldest pending broadcast waits for others to join its pass, zero for not at all
     */
    public static BroadcastWriter threads(int lanes, int passesAhead, Duration linger, ThreadFactory threads, Duration wait) {
        if (passesAhead < 1) {
            throw new IllegalArgumentException("passes ahead must be at least 1, not " + passesAhead);
        }
        Lane[] made = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            made[i] = new Lane(passesAhead, linger.toNanos());
            Thread thread = threads.newThread(made[i]);
            thread.setName("tocsin-broadcast-" + i);
            thread.start();
        }
        return new BroadcastWriter(made, wait);
    }

    /** Writes on the broadcasting thread, before it returns: for tests of what a broadcast sends. */
    public static BroadcastWriter inline() {
        return new BroadcastWriter(new Lane[0], WAIT);
    }

    /** Flushes the subscribers' outboxes on the topic's lane, once fewer than {@code passesAhead} of the lane's broadcasts are unwritten. */
    public void write(String topic, Collection<Subscription> subscribers) {
        if (subscribers.isEmpty()) {
            return;
        }
        if (lanes.length == 0) {
            flush(subscribers);
            return;
        }
        Lane lane = lanes[Math.floorMod(topic.hashCode(), lanes.length)];
        if (!lane.awaitTurn(waitNanos)) {
            LOG.warning(() -> "the writer of topic " + topic + " has not finished its earlier passes in " + Duration.ofNanos(waitNanos)
                    + ": this broadcast writes on the publishing thread");
            flush(subscribers);
        } else if (!lane.submit(subscribers)) {
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

    /** Lets the lanes write what they have pending, then stop; later broadcasts write on their own threads. */
    public void shutdown() {
        for (Lane lane : lanes) {
            lane.stop();
        }
    }

    /** A writer thread and the broadcasts waiting for it. */
    private static final class Lane implements Runnable {

        private final Semaphore ahead;
        private final long lingerNanos;
        private final ArrayDeque<Collection<Subscription>> pending = new ArrayDeque<>();
        private boolean stopped;
        // Written by the lane's thread only, read by it under the lock.
        private long lastStartNanos;
        private long lastEndNanos;

        Lane(int passesAhead, long lingerNanos) {
            this.ahead = new Semaphore(passesAhead);
            this.lingerNanos = lingerNanos;
            // As if the last pass ended a linger ago: the first broadcast is written at once.
            this.lastStartNanos = System.nanoTime() - lingerNanos;
            this.lastEndNanos = lastStartNanos;
        }

        boolean awaitTurn(long waitNanos) {
            try {
                return ahead.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Hands a broadcast that holds a turn to the writer thread; false (turn given back) once stopped. */
        synchronized boolean submit(Collection<Subscription> subscribers) {
            if (stopped) {
                ahead.release();
                return false;
            }
            pending.add(subscribers);
            notifyAll();
            return true;
        }

        synchronized void stop() {
            stopped = true;
            notifyAll();
        }

        @Override
        public void run() {
            Collection<Subscription>[] pass;
            while ((pass = next()) != null) {
                lastStartNanos = System.nanoTime();
                try {
                    // After the first broadcast to a subscriber, its outbox is empty: a flush costs little.
                    for (Collection<Subscription> broadcast : pass) {
                        flush(broadcast);
                    }
                } finally {
                    lastEndNanos = System.nanoTime();
                    ahead.release(pass.length);
                }
            }
        }

        /**
         * Every pending broadcast, once the pass before has had its linger and its rest, or at once
         * when a publisher has no turn left; null once stopped with nothing pending.
         */
        @SuppressWarnings("unchecked")
        private synchronized Collection<Subscription>[] next() {
            try {
                while (pending.isEmpty()) {
                    if (stopped) {
                        return null;
                    }
                    wait();
                }
                long due = Math.max(lastStartNanos + lingerNanos, lastEndNanos + (lastEndNanos - lastStartNanos));
                long left;
                while (!stopped && ahead.availablePermits() > 0 && (left = due - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
                if (pending.isEmpty()) {
                    return null;
                }
            }
            Collection<Subscription>[] pass = pending.toArray(Collection[]::new);
            pending.clear();
            return pass;
        }
    }
}
