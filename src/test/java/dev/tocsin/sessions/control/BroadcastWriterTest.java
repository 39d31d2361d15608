package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.envelope.entity.CloseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BroadcastWriterTest {

    final List<Thread> made = new CopyOnWriteArrayList<>();
    final ThreadFactory daemons = task -> {
        Thread thread = new Thread(task);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((t, e) -> { });
        made.add(thread);
        return thread;
    };

    BroadcastWriter writer = BroadcastWriter.threads(1, 1, Duration.ZERO, daemons, Duration.ofSeconds(30));
    final CountDownLatch firstWriteStarted = new CountDownLatch(1);
    final CountDownLatch releaseFirstWrite = new CountDownLatch(1);
    final Recorder slow = new Recorder(true);
    final Recorder fast = new Recorder(false);
    final Subscription slowSubscriber = subscription("slow", slow);
    final Subscription fastSubscriber = subscription("fast", fast);
    // Not in the first pass: what it gets, only a later pass can have written.
    final Recorder later = new Recorder(false);
    final Subscription laterSubscriber = subscription("later", later);
    final List<Subscription> both = List.of(slowSubscriber, fastSubscriber);

    @AfterEach
    void stop() {
        releaseFirstWrite.countDown();
        writer.shutdown();
    }

    @Test
    void theNextAlertJoinsThisOnesWriteInOutboxesTheWriterHasNotReachedYet() throws Exception {
        Thread publisher = secondAlertWhileTheFirstPassIsHeld();
        releaseFirstWrite.countDown();

        assertEquals(List.of("a1", "a2"), fast.batches.poll(5, TimeUnit.SECONDS), "one write for both alerts");
        assertEquals(List.of("a1"), slow.batches.poll(5, TimeUnit.SECONDS));
        assertEquals(List.of("a2"), slow.batches.poll(5, TimeUnit.SECONDS));
        publisher.join(5000);
    }

    @Test
    void aPublisherWaitsWhileTheWriterIsAPassBehind() throws Exception {
        Thread publisher = secondAlertWhileTheFirstPassIsHeld();
        assertEquals(Thread.State.TIMED_WAITING, settled(publisher), "the second broadcast waits for the first pass");

        releaseFirstWrite.countDown();
        publisher.join(5000);
        assertEquals(Thread.State.TERMINATED, publisher.getState());
    }

    @Test
    void withThreePassesAheadTwoBroadcastsReturnWhileTheFirstPassIsHeldAndTheFourthWaits() throws Exception {
        lingering(Duration.ZERO, 3);
        firstPassHeld();
        for (int offset = 2; offset <= 3; offset++) {
            live(offset, "a" + offset);
            Thread publisher = publishing(both);
            publisher.join(5000);
            assertEquals(Thread.State.TERMINATED, publisher.getState(), "broadcast " + offset + " returns with the first pass unfinished");
        }
        live(4, "a4");
        Thread fourth = publishing(both);
        assertEquals(Thread.State.TIMED_WAITING, settled(fourth), "three passes are unfinished");

        releaseFirstWrite.countDown();
        fourth.join(5000);
        assertEquals(Thread.State.TERMINATED, fourth.getState());
        assertEquals(List.of("a1", "a2", "a3", "a4"), fast.batches.poll(5, TimeUnit.SECONDS), "one write for all four");
    }

    @Test
    void aBroadcastWhoseLaneIsStuckWritesOnItsOwnThreadOnceTheWaitIsOver() throws Exception {
        writer.shutdown();
        writer = BroadcastWriter.threads(1, 1, Duration.ZERO, daemons, Duration.ofMillis(200));
        Thread publisher = secondAlertWhileTheFirstPassIsHeld();
        publisher.join(5000);

        assertEquals(Thread.State.TERMINATED, publisher.getState(), "the publisher is not held beyond the wait");
        assertEquals(List.of("a1", "a2"), fast.batches.poll(5, TimeUnit.SECONDS), "written by the publisher itself");
    }

    @Test
    void aBroadcastNobodyTookDoesNotWaitForTheLane() throws Exception {
        firstPassHeld();
        Thread publisher = publishing(List.of());
        publisher.join(5000);
        assertEquals(Thread.State.TERMINATED, publisher.getState());
    }

    @Test
    void theFirstBroadcastIsWrittenAtOnceLingerOrNot() throws Exception {
        lingering(Duration.ofHours(1), 3);
        firstAlertWritten();
    }

    @Test
    void aPassStartsNoSoonerThanTheLingerAfterTheOneBefore() throws Exception {
        Duration linger = Duration.ofMillis(200);
        lingering(linger, 3);
        long before = System.nanoTime();
        firstAlertWritten();

        broadcast(laterSubscriber, 2);
        assertEquals(List.of("a2"), later.batches.poll(5, TimeUnit.SECONDS));
        assertTrue(later.lastSentNanos - before >= linger.toNanos(), "the second pass waited for the linger");
    }

    @Test
    void withNoTurnLeftToAPublisherAPassStartsAtOnceLingerOrNot() throws Exception {
        lingering(Duration.ofHours(1), 2);
        firstAlertWritten();
        for (int offset = 2; offset <= 3; offset++) {
            broadcast(laterSubscriber, offset);
        }

        assertEquals(List.of("a2", "a3"), framesWithin(later, 2), "written well within the linger");
    }

    @Test
    void withOnePassAheadEveryBroadcastIsWrittenAtOnceLingerOrNot() throws Exception {
        lingering(Duration.ofHours(1), 1);
        for (int offset = 1; offset <= 2; offset++) {
            broadcast(fastSubscriber, offset);
            assertEquals(List.of("a" + offset), fast.batches.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWriterThreadEndedByAnErrorLeavesLaterBroadcastsToTheirPublishers() throws Exception {
        lingering(Duration.ZERO, 3);
        Subscription failing = subscription("failing", new Recorder(false) {
            @Override
            public void send(List<Frame> frames, Consumer<Throwable> done) {
                throw new OutOfMemoryError("in the test");
            }
        });
        broadcast(failing, 1);
        writerThread().join(5000);

        broadcast(fastSubscriber, 2);
        assertEquals(List.of("a2"), fast.batches.peek(), "written before the broadcast returned, not after the 30 s wait");
    }

    @Test
    void anInterruptedWriterWritesWhatIsPendingAndLeavesLaterBroadcastsToTheirPublishers() throws Exception {
        secondAlertLingering();

        writerThread().interrupt();
        assertEquals(List.of("a2"), later.batches.poll(5, TimeUnit.SECONDS));
        writerThread().join(5000);
        broadcast(laterSubscriber, 3);
        assertEquals(List.of("a3"), later.batches.peek(), "written before the broadcast returned");
    }

    @Test
    void afterALongPassTheWriterRestsAsLongBeforeTheNext() throws Exception {
        lingering(Duration.ZERO, 3);
        firstPassHeld();
        long held = System.nanoTime();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // the length of the first pass, not a synchronisation
        long released = System.nanoTime();
        releaseFirstWrite.countDown();

        broadcast(laterSubscriber, 2);
        assertEquals(List.of("a2"), later.batches.poll(5, TimeUnit.SECONDS));
        assertTrue(later.lastSentNanos - released >= released - held, "rested at least as long as the first pass took");
    }

    @Test
    void aWriterShutDownWritesWhatLingersAtOnce() throws Exception {
        secondAlertLingering();
        writer.shutdown();

        assertEquals(List.of("a2"), later.batches.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void afterShutdownABroadcastWritesOnItsOwnThread() {
        writer.shutdown();
        broadcast(fastSubscriber, 1);

        assertEquals(List.of("a1"), fast.batches.peek(), "written before the broadcast returned");
    }

    @Test
    void theInlineWriterHasWrittenEverythingWhenTheBroadcastReturns() {
        BroadcastWriter inline = BroadcastWriter.inline();
        fastSubscriber.live(1, new Frame("a1"));
        inline.write("t", List.of(fastSubscriber));
        assertEquals(List.of("a1"), fast.batches.peek());
    }

    /** Queues alert a{offset} for one subscriber and broadcasts it. */
    private void broadcast(Subscription subscriber, long offset) {
        subscriber.live(offset, new Frame("a" + offset));
        writer.write("t", List.of(subscriber));
    }

    /** a1, to the fast subscriber, written: the writer's first pass is over. */
    private void firstAlertWritten() throws InterruptedException {
        broadcast(fastSubscriber, 1);
        assertEquals(List.of("a1"), fast.batches.poll(5, TimeUnit.SECONDS));
    }

    /** With a linger of an hour, a1 is written (the first pass) and a2, to the later subscriber, waits. */
    private void secondAlertLingering() throws InterruptedException {
        lingering(Duration.ofHours(1), 3);
        firstAlertWritten();
        broadcast(laterSubscriber, 2);
        assertTrue(later.batches.isEmpty(), "a2 lingers");
    }

    /** The thread of the last writer made (one lane). */
    private Thread writerThread() {
        return made.get(made.size() - 1);
    }

    /** The first {@code count} frames the recorder writes, in however many writes, within 5 s. */
    private static List<String> framesWithin(Recorder recorder, int count) throws InterruptedException {
        List<String> frames = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (frames.size() < count) {
            List<String> batch = recorder.batches.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (batch == null) {
                break;
            }
            frames.addAll(batch);
        }
        return frames;
    }

    private void lingering(Duration linger, int passesAhead) {
        writer.shutdown();
        writer = BroadcastWriter.threads(1, passesAhead, linger, daemons, Duration.ofSeconds(30));
    }

    /** Broadcasts a1; the lane's pass is then held inside the slow subscriber's write. */
    private void firstPassHeld() throws InterruptedException {
        live(1, "a1");
        writer.write("t", both);
        assertTrue(firstWriteStarted.await(5, TimeUnit.SECONDS), "the lane is held in the slow subscriber's write");
    }

    /** a2 queued while the pass for a1 is held, and its broadcast started on a publisher thread. */
    private Thread secondAlertWhileTheFirstPassIsHeld() throws InterruptedException {
        firstPassHeld();
        live(2, "a2");
        return publishing(both);
    }

    /** The thread's state once it waits or has ended (at most 5 s). */
    private static Thread.State settled(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (thread.getState() != Thread.State.TIMED_WAITING && thread.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return thread.getState();
    }

    private Thread publishing(List<Subscription> took) {
        Thread publisher = new Thread(() -> writer.write("t", took));
        publisher.start();
        return publisher;
    }

    private void live(long offset, String text) {
        Frame frame = new Frame(text); // one per broadcast, as the registry makes it
        both.forEach(s -> s.live(offset, frame));
    }

    private static Subscription subscription(String id, Recorder transport) {
        Connection connection = new Connection(id, new Outbox(transport, 1 << 20), new ReplayGuard(1000), new RateLimiter(10, 10, 0));
        return new Subscription(connection, "t", 0, false, null);
    }

    /** Records each write; the slow one holds its first write until released. */
    class Recorder implements Outbox.Transport {
        final BlockingQueue<List<String>> batches = new LinkedBlockingQueue<>();
        volatile long lastSentNanos;
        private final boolean holdsFirst;
        private boolean first = true;

        Recorder(boolean holdsFirst) {
            this.holdsFirst = holdsFirst;
        }

        @Override
        public void send(List<Frame> given, Consumer<Throwable> done) {
            List<String> frames = given.stream().map(Frame::text).toList();
            lastSentNanos = System.nanoTime();
            batches.add(List.copyOf(frames));
            if (holdsFirst && first) {
                first = false;
                firstWriteStarted.countDown();
                try {
                    releaseFirstWrite.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(CloseCode code, String detail) {
        }
    }
}
