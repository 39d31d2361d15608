package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tocsin.config.Settings;
import dev.tocsin.envelope.entity.CloseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sweep's close of a connection whose one write has hung: no other test reaches it (the suite's stalled clients fill their outboxes first). */
class HeartbeatMonitorTest {

    static final Duration HOUR = Duration.ofHours(1);

    final SessionRegistry registry = new SessionRegistry();
    final HeartbeatMonitor monitor = new HeartbeatMonitor();
    final List<CloseCode> closed = new ArrayList<>();

    @AfterEach
    void stop() {
        registry.closeAll();
    }

    @Test
    void aWriteHangingPastTheSendTimeoutClosesItsConnectionAsASlowConsumer() {
        Outbox outbox = connectionWithAWriteInFlight(Duration.ofNanos(1));
        long since = outbox.inFlightSinceNanos();
        while (System.nanoTime() - since <= 1) {
            Thread.onSpinWait();
        }

        monitor.sweep();

        assertEquals(List.of(CloseCode.SLOW_CONSUMER), closed);
    }

    @Test
    void aWriteInFlightWithinTheSendTimeoutIsLeftAlone() {
        connectionWithAWriteInFlight(HOUR);

        monitor.sweep();

        assertEquals(List.of(), closed);
    }

    /** A connection whose first write never completes, in a registry swept with the given send timeout and an hour for everything else. */
    private Outbox connectionWithAWriteInFlight(Duration sendTimeout) {
        Settings settings = new Settings() {
            @Override
            public Duration sendTimeout() {
                return sendTimeout;
            }

            @Override
            public Duration handshakeTimeout() {
                return HOUR;
            }

            @Override
            public Duration heartbeatTimeout() {
                return HOUR;
            }

            @Override
            public Duration heartbeatInterval() {
                return HOUR;
            }

            @Override
            public int broadcastPassesAhead() {
                return 3;
            }

            @Override
            public Duration broadcastLinger() {
                return Duration.ZERO;
            }
        };
        registry.settings = settings;
        registry.threads = new SessionRegistryTest.DaemonThreads();
        registry.start();
        monitor.registry = registry;
        monitor.settings = settings;
        Outbox outbox = new Outbox(new Outbox.Transport() {
            @Override
            public void send(List<Frame> frames, Consumer<Throwable> done) {
                // never done: the peer reads nothing
            }

            @Override
            public void ping() {
            }

            @Override
            public void close(CloseCode code, String detail) {
                closed.add(code);
            }
        }, 1 << 20);
        registry.add(new Connection("c1", outbox, new ReplayGuard(1000), new RateLimiter(10, 10, 0)));
        outbox.offer("{\"type\":\"alert\"}");
        return outbox;
    }
}
