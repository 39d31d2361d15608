package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tocsin.config.Settings;
import dev.tocsin.envelope.entity.CloseCode;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry hands the configured passes ahead and linger to its writer. */
class SessionRegistryTest {

    final BlockingQueue<List<String>> writes = new LinkedBlockingQueue<>();
    final SessionRegistry registry = new SessionRegistry();

    @AfterEach
    void stop() {
        registry.closeAll();
    }

    @Test
    void withALingerOfAnHourAndThreeAheadLaterAlertsWaitWhileAPublisherHasATurn() throws Exception {
        twoAlertsAfterTheFirst(3);

        assertNull(writes.poll(300, TimeUnit.MILLISECONDS), "a publisher still has a turn: a2 and a3 linger");
    }

    @Test
    void withALingerOfAnHourAndTwoAheadTheThirdAlertStartsThePass() throws Exception {
        twoAlertsAfterTheFirst(2);

        assertEquals(List.of("a2", "a3"), writes.poll(5, TimeUnit.SECONDS), "no turn left: written at once, in one write");
    }

    @Test
    void everySubscriberGetsTheBroadcastsOwnFrameSoAnAlertIsEncodedOnceHoweverManyAreInFlight() throws Exception {
        started(3, Duration.ofMillis(50)); // several alerts meet in each write
        BlockingQueue<Frame> toFirst = new LinkedBlockingQueue<>();
        BlockingQueue<Frame> toSecond = new LinkedBlockingQueue<>();
        subscribed("first", toFirst::addAll);
        subscribed("second", toSecond::addAll);

        int alerts = 12; // more than any number of alerts an encoding cache could be sized for
        for (int offset = 1; offset <= alerts; offset++) {
            registry.broadcast("t", offset, "a" + offset);
        }

        for (int offset = 1; offset <= alerts; offset++) {
            Frame first = toFirst.poll(5, TimeUnit.SECONDS);
            Frame second = toSecond.poll(5, TimeUnit.SECONDS);
            assertEquals("a" + offset, first.text());
            assertSame(first, second, "one frame, so its bytes on the wire are made once for both");
        }
    }

    /** With a linger of an hour: a1 written by the first pass, then a2 and a3 broadcast to a subscriber it never touched. */
    private void twoAlertsAfterTheFirst(int passesAhead) throws InterruptedException {
        started(passesAhead, Duration.ofHours(1));
        firstAlertWritten();
        registry.broadcast("t", 2, "a2");
        registry.broadcast("t", 3, "a3");
    }

    private void started(int passesAhead, Duration linger) {
        registry.settings = new Settings() {
            @Override
            public int broadcastPassesAhead() {
                return passesAhead;
            }

            @Override
            public Duration broadcastLinger() {
                return linger;
            }
        };
        registry.threads = new DaemonThreads();
        registry.start();
    }

    /**
     * a1 written to a first subscriber (the writer's first pass, at once), which then leaves; the
     * alerts after it go to another, whose outbox that pass never touched, so only a later pass
     * can write them.
     */
    private void firstAlertWritten() throws InterruptedException {
        BlockingQueue<List<String>> firstWrites = new LinkedBlockingQueue<>();
        Connection first = subscribed("first", firstWrites);
        registry.broadcast("t", 1, "a1");
        assertEquals(List.of("a1"), firstWrites.poll(5, TimeUnit.SECONDS), "the first is written at once");
        registry.unsubscribe(first, "t");
        subscribed("second", writes);
    }

    private Connection subscribed(String id, BlockingQueue<List<String>> writes) {
        return subscribed(id, batch -> writes.add(batch.stream().map(Frame::text).toList()));
    }

    private Connection subscribed(String id, Consumer<List<Frame>> writes) {
        Connection connection = new Connection(id, new Outbox(new Recorder(writes), 1 << 20), new ReplayGuard(1000), new RateLimiter(10, 10, 0));
        registry.subscribe(new Subscription(connection, "t", 0, false, null));
        return connection;
    }

    record Recorder(Consumer<List<Frame>> writes) implements Outbox.Transport {
        @Override
        public void send(List<Frame> frames, Consumer<Throwable> done) {
            writes.accept(List.copyOf(frames));
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(CloseCode code, String detail) {
        }
    }

    static final class DaemonThreads implements ManagedThreadFactory {
        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            return thread;
        }

        @Override
        public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
            throw new UnsupportedOperationException();
        }
    }
}
