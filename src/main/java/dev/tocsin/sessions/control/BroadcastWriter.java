package dev.tocsin.sessions.control;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes what a broadcast queued in its subscribers' outboxes, on a writer thread (one lane per
 * CPU, a topic always on the same lane), so that the publisher stores its next alert while this
 * one is written. A pass of the writer takes every broadcast its lane has pending, so alerts that
 * met in an outbox leave in one write (one system call). Between passes the writer rests as long
 * as its last pass took (at most 100 ms), and at least {@code linger} from the start of one pass
 * to the next ({@link PassPacing}), so that more alerts meet; after a quiet spell a broadcast is
 * written at once. The pacing is per lane: topics sharing a lane share its rests.
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
     * @param linger under steady load, the least time from the start of one pass to the start of the next; zero for none
     */
    public static BroadcastWriter threads(int lanes, int passesAhead, Duration linger, ThreadFactory threads, Duration wait) {
        if (passesAhead < 1) {
            throw new IllegalArgumentException("passes ahead must be at least 1, not " + passesAhead);
        }
        Lane[] made = new Lane[lanes];
        Thread[] writers = new Thread[lanes];
        for (int i = 0; i < lanes; i++) {
            made[i] = new Lane(passesAhead, PassPacing.of(linger));
            writers[i] = threads.newThread(made[i]);
            if (writers[i] == null) {
                throw new IllegalStateException("the thread factory refused the broadcast writer's thread");
            }
            writers[i].setName("tocsin-broadcast-" + i);
        }
        for (Thread writer : writers) {
            writer.start();
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
        private final PassPacing pacing;
        private final ArrayDeque<Collection<Subscription>> pending = new ArrayDeque<>();
        private boolean stopped;
        private boolean interrupted;
        // Only the lane's thread uses these (the constructor's writes happen before its start).
        private long lastStartNanos;
        private long lastEndNanos;

        Lane(int passesAhead, PassPacing pacing) {
            this.ahead = new Semaphore(passesAhead);
            this.pacing = pacing;
            // As if the last pass had taken no time, a linger ago: the first broadcast is written at once.
            this.lastStartNanos = System.nanoTime() - pacing.lingerNanos();
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
            boolean byShutdown = false;
            try {
                List<Collection<Subscription>> pass;
                while ((pass = next()) != null) {
                    lastStartNanos = System.nanoTime();
                    write(pass);
                    lastEndNanos = System.nanoTime();
                }
                byShutdown = !interrupted;
            } finally {
                // Ended by an error or an interrupt: from now on broadcasts write on their own threads.
                List<Collection<Subscription>> left = stopAndTakeAll();
                if (!byShutdown) {
                    LOG.warning(() -> Thread.currentThread().getName() + " stopped without a shutdown"
                            + ": broadcasts write on their publishers' threads from now on");
                }
                write(left);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void write(List<Collection<Subscription>> pass) {
            try {
                // After the first broadcast to a subscriber, its outbox is empty: a flush costs little.
                for (Collection<Subscription> broadcast : pass) {
                    flush(broadcast);
                }
            } finally {
                ahead.release(pass.size());
            }
        }

        /**
         * Every pending broadcast, once due by the pacing, or at once when a publisher has no turn
         * left; null once stopped with nothing pending.
         */
        private synchronized List<Collection<Subscription>> next() {
            try {
                while (pending.isEmpty()) {
                    if (stopped) {
                        return null;
                    }
                    wait();
                }
                long due = pacing.due(lastStartNanos, lastEndNanos);
                long left;
                while (!stopped && ahead.availablePermits() > 0 && (left = due - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                // The last pass runs with the flag clear; run() sets it again at the end.
                interrupted = true;
                stopped = true;
                if (pending.isEmpty()) {
                    return null;
                }
            }
            return takeAll();
        }

        private synchronized List<Collection<Subscription>> stopAndTakeAll() {
            stopped = true;
            return takeAll();
        }

        private List<Collection<Subscription>> takeAll() {
            List<Collection<Subscription>> all = List.copyOf(pending);
            pending.clear();
            return all;
        }
    }
}
