package dev.tocsin.sessions.boundary;

import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The scheduler Tyrus's sessions get ({@link TyrusInternals#useScheduler}). Tyrus re-arms a
 * session's idle check after every frame it receives (and every ping or message sent through it),
 * due once the session's idle timeout has passed. Tocsin leaves that timeout off (the heartbeat closes silent connections), so the check
 * is due at once and finds nothing to do; handed to the pool, it cost a wake-up of the pool's
 * thread for every frame received (docs/performance.md). A task that {@code runsHere} and is due
 * at once runs on the calling thread instead, before {@code schedule} returns; every other task
 * is scheduled as usual.
 */
final class IdleCheckScheduler extends ScheduledThreadPoolExecutor {

    private static final Logger LOG = Logger.getLogger(IdleCheckScheduler.class.getName());

    private final Predicate<Runnable> runsHere;

    IdleCheckScheduler(ThreadFactory threads, Predicate<Runnable> runsHere) {
        super(1, threads);
        setRemoveOnCancelPolicy(true);
        this.runsHere = runsHere;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (delay > 0 || !runsHere.test(command)) {
            return super.schedule(command, delay, unit);
        }
        try {
            command.run();
        } catch (RuntimeException e) {
            // As on the pool, where the failure would stay in a future nobody reads.
            LOG.log(Level.FINE, "idle check " + command + " failed", e);
        }
        return Ran.DONE;
    }

    /** The future of a task that has already run. */
    private static final class Ran implements ScheduledFuture<Void> {

        static final Ran DONE = new Ran();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Void get() {
            return null;
        }

        @Override
        public Void get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
