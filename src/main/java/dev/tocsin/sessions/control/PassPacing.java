package dev.tocsin.sessions.control;

import java.time.Duration;

/**
 * When a broadcast writer's next pass may start, under steady load: no sooner than the linger
 * after the last pass started, nor sooner than the last pass took (at most {@link #REST_AT_MOST})
 * after it ended. A writer with a publisher waiting for its turn does not ask.
 */
record PassPacing(long lingerNanos) {

    /** The longest rest: a pass stretched by a pause (GC, a stalled write) must not hold the next one as long. */
    static final long REST_AT_MOST = Duration.ofMillis(100).toNanos();

    static PassPacing of(Duration linger) {
        return new PassPacing(linger.toNanos());
    }

    /** The earliest start of the next pass, on the {@link System#nanoTime()} scale. */
    long due(long lastStartNanos, long lastEndNanos) {
        long rest = Math.min(lastEndNanos - lastStartNanos, REST_AT_MOST);
        return Math.max(lastStartNanos + lingerNanos, lastEndNanos + rest);
    }
}
