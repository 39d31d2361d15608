package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.envelope.entity.CloseCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OutboxTest {

    /** Records what the outbox does; completes sends at once ({@link #inline}) or when the test says so. */
    static final class FakeTransport implements Outbox.Transport {
        final List<String> events = new ArrayList<>();
        final List<String> sent = new ArrayList<>();
        final List<List<String>> batches = new ArrayList<>();
        final List<Consumer<Throwable>> pending = new ArrayList<>();
        final List<CloseCode> closes = new ArrayList<>();
        final List<String> closeDetails = new ArrayList<>();
        boolean inline;
        boolean failInline;
        int pings;
        int inFlight;
        int maxInFlight;

        @Override
        public void send(List<Frame> given, Consumer<Throwable> done) {
            List<String> frames = given.stream().map(Frame::text).toList();
            frames.forEach(text -> events.add("send " + text));
            sent.addAll(frames);
            batches.add(frames);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            Consumer<Throwable> completion = failure -> {
                inFlight--;
                done.accept(failure);
            };
            if (inline) {
                completion.accept(failInline ? new IllegalStateException("session closed") : null);
            } else {
                pending.add(completion);
            }
        }

        @Override
        public void ping() {
            events.add("ping");
            pings++;
        }

        @Override
        public void close(CloseCode code, String detail) {
            events.add("close " + code);
            closes.add(code);
            closeDetails.add(detail);
        }

        void completeNext() {
            pending.remove(0).accept(null);
        }

        void failNext() {
            pending.remove(0).accept(new IOException("broken pipe"));
        }
    }

    final FakeTransport transport = new FakeTransport();
    final Outbox outbox = new Outbox(transport, 1_000);

    @Test
    void sendsFramesInTheOrderOfferedOneSendAtATimeAndWhatQueuedMeanwhileInOneSend() {
        outbox.offer("a");
        outbox.offer("b");
        outbox.offer("c");

        assertEquals(List.of(List.of("a")), transport.batches);
        transport.completeNext();
        assertEquals(List.of(List.of("a"), List.of("b", "c")), transport.batches);
        transport.completeNext();
        assertEquals(1, transport.maxInFlight);
        assertTrue(transport.pending.isEmpty());
        assertEquals(0, outbox.queuedBytes());
    }

    @Test
    void aBatchStopsAtTheCharacterLimitAndTheRestFollowsInTheNextSend() {
        Outbox large = new Outbox(transport, 10 * Outbox.MAX_BATCH_CHARS);
        String half = "h".repeat(Outbox.MAX_BATCH_CHARS / 2);
        large.offer("first");
        large.offer(half);
        large.offer(half);
        large.offer("tail");

        transport.completeNext();
        assertEquals(List.of(half, half), transport.batches.get(1));
        transport.completeNext();
        assertEquals(List.of("tail"), transport.batches.get(2));
        transport.completeNext();
        assertEquals(0, large.queuedBytes());
    }

    @Test
    void aBatchStopsBeforeAQueuedCloseWhichFollowsOnceItIsWritten() {
        outbox.offer("a");
        outbox.offer("b");
        outbox.offerThenClose("bye", CloseCode.SLOW_CONSUMER, "test");

        transport.completeNext();
        assertEquals(List.of("b", "bye"), transport.batches.get(1));
        assertTrue(transport.closes.isEmpty());
        transport.completeNext();
        assertEquals(List.of(CloseCode.SLOW_CONSUMER), transport.closes);
    }

    @Test
    void sendsFramesInOrderWhenEverySendCompletesInline() {
        transport.inline = true;

        outbox.offer("a");
        outbox.offer("b");
        outbox.offer("c");

        assertEquals(List.of("a", "b", "c"), transport.sent);
        assertEquals(1, transport.maxInFlight);
        assertEquals(0, outbox.queuedBytes());
    }

    @Test
    void drainsThousandsOfQueuedFramesCompletingInlineWithoutGrowingTheStack() throws InterruptedException {
        Outbox big = new Outbox(transport, Long.MAX_VALUE);
        big.offer("first");
        List<String> expected = new ArrayList<>(List.of("first"));
        // Over half the batch limit each, so that every frame is a send of its own: 3,000 sends.
        String padding = "x".repeat(Outbox.MAX_BATCH_CHARS / 2);
        IntStream.range(0, 3_000).mapToObj(i -> i + padding).forEach(frame -> {
            big.offer(frame);
            expected.add(frame);
        });
        assertEquals(List.of("first"), transport.sent);
        transport.inline = true;

        // A recursive drain needs several stack frames per send: on a 256 KiB stack it cannot reach 3,000.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread smallStack = new Thread(null, () -> {
            try {
                transport.completeNext();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "small-stack", 256 * 1024);
        smallStack.start();
        smallStack.join();

        assertNull(failure.get(), () -> String.valueOf(failure.get()));
        assertEquals(expected, transport.sent);
        assertEquals(3_001, transport.batches.size());
        assertEquals(1, transport.maxInFlight);
        assertEquals(0, big.queuedBytes());
    }

    @Test
    void anOfferOverTheLimitClosesAsASlowConsumerAndIsRefused() {
        Outbox small = new Outbox(transport, 10);

        assertTrue(small.offer("12345"));
        assertTrue(small.offer("12345"));
        assertFalse(small.offer("x"));

        assertEquals(List.of(CloseCode.SLOW_CONSUMER), transport.closes);
        assertTrue(small.isClosed());
        transport.completeNext();
        assertEquals(List.of("12345"), transport.sent, "queued frames are dropped");
    }

    @Test
    void theLimitCountsTheFrameInFlightUntilItIsWritten() {
        Outbox small = new Outbox(transport, 10);

        assertTrue(small.offer("1234567890"));
        assertEquals(10, small.queuedBytes());
        transport.completeNext();
        assertEquals(0, small.queuedBytes());

        assertTrue(small.offer("1234567890"));
        assertFalse(small.isClosed());
    }

    @Test
    void offerThenCloseClosesOnlyAfterTheFrameIsSent() {
        outbox.offer("a");
        outbox.offerThenClose("error", CloseCode.AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED");

        assertEquals(List.of(), transport.closes);
        transport.completeNext();
        assertEquals(List.of("a", "error"), transport.sent);
        assertEquals(List.of(), transport.closes);
        assertFalse(outbox.isClosed());

        transport.completeNext();

        assertEquals(List.of(CloseCode.AUTHENTICATION_FAILED), transport.closes);
        assertEquals(List.of("AUTHENTICATION_FAILED"), transport.closeDetails);
        assertTrue(outbox.isClosed());
    }

    @Test
    void offerThenCloseWithInlineCompletionSendsThenCloses() {
        transport.inline = true;

        outbox.offerThenClose("error", CloseCode.UNSUPPORTED_VERSION, "UNSUPPORTED_VERSION");

        assertEquals(List.of("send error", "close UNSUPPORTED_VERSION"), transport.events);
    }

    @Test
    void framesOfferedAfterOfferThenCloseAreNeverSent() {
        outbox.offerThenClose("error", CloseCode.AUTHENTICATION_FAILED, "bye");
        outbox.offer("late");

        transport.completeNext();

        assertEquals(List.of("error"), transport.sent);
        assertEquals(List.of(CloseCode.AUTHENTICATION_FAILED), transport.closes);
        assertFalse(outbox.offer("later"));
    }

    @Test
    void offerThenCloseKeepsTheByteCountBalanced() {
        transport.inline = true;

        outbox.offerThenClose("error", CloseCode.AUTHENTICATION_FAILED, "bye");

        assertEquals(0, outbox.queuedBytes());
    }

    @Test
    void aFailedWriteClosesAsSendFailedAndDropsTheRest() {
        outbox.offer("a");
        outbox.offer("b");

        transport.failNext();

        assertEquals(List.of(CloseCode.SEND_FAILED), transport.closes);
        assertTrue(outbox.isClosed());
        assertEquals(List.of("a"), transport.sent);
        assertFalse(outbox.offer("c"));
        assertEquals(List.of("a"), transport.sent);
    }

    @Test
    void aWriteThatFailsInsideSendClosesAsSendFailed() {
        transport.inline = true;
        transport.failInline = true;

        assertTrue(outbox.offer("a"));
        assertFalse(outbox.offer("b"));

        assertEquals(List.of("a"), transport.sent);
        assertEquals(List.of(CloseCode.SEND_FAILED), transport.closes);
        assertTrue(outbox.isClosed());
    }

    @Test
    void skipsThePingWhileAWriteIsInFlight() {
        outbox.offer("a");
        assertNotEquals(0, outbox.inFlightSinceNanos());

        outbox.ping();
        assertEquals(0, transport.pings);

        transport.completeNext();
        assertEquals(0, outbox.inFlightSinceNanos());
        outbox.ping();
        assertEquals(1, transport.pings);
    }

    @Test
    void pingsAnIdleConnection() {
        outbox.ping();
        outbox.ping();

        assertEquals(2, transport.pings);
    }

    @Test
    void sendsNothingAfterClose() {
        outbox.closeNow(CloseCode.GOING_AWAY, "shutdown");

        assertFalse(outbox.offer("a"));
        outbox.offerThenClose("b", CloseCode.AUTHENTICATION_FAILED, "bye");
        outbox.ping();

        assertEquals(List.of(), transport.sent);
        assertEquals(0, transport.pings);
        assertEquals(List.of(CloseCode.GOING_AWAY), transport.closes);
    }

    @Test
    void closesTheTransportOnlyOnce() {
        outbox.closeNow(CloseCode.GOING_AWAY, "shutdown");
        outbox.closeNow(CloseCode.HEARTBEAT_TIMEOUT, "silent");

        assertEquals(List.of(CloseCode.GOING_AWAY), transport.closes);
        assertEquals(List.of("shutdown"), transport.closeDetails);
    }

    @Test
    void aCompletionArrivingAfterCloseSendsNothingMore() {
        outbox.offer("a");
        outbox.offer("b");
        outbox.closeNow(CloseCode.GOING_AWAY, "shutdown");

        transport.completeNext();

        assertEquals(List.of("a"), transport.sent);
        assertEquals(List.of(CloseCode.GOING_AWAY), transport.closes);
    }

    @Test
    void aDrainedBurstLeavesASmallQueueBehindWhileAQueueOfOrdinarySizeIsKept() {
        outbox.offer("a");
        Object first = outbox.queueInstance();
        List<String> expected = new ArrayList<>(List.of("a"));
        for (int i = 0; i < 10; i++) {
            outbox.offer("b" + i);
            expected.add("b" + i);
        }
        drainAll();
        assertSame(first, outbox.queueInstance(), "ten queued: the queue is kept");

        Outbox roomy = new Outbox(transport, 100_000);
        roomy.offer("c");
        Object before = roomy.queueInstance();
        expected.add("c");
        for (int i = 0; i <= Outbox.KEPT_ENTRIES_AT_MOST; i++) {
            roomy.offer("d" + i);
            expected.add("d" + i);
        }
        drainAll();
        assertNotSame(before, roomy.queueInstance(), "a burst's grown array is not kept once drained");
        assertEquals(expected, transport.sent);
        assertEquals(0, roomy.queuedBytes());
    }

    private void drainAll() {
        while (!transport.pending.isEmpty()) {
            transport.completeNext();
        }
    }

    @Test
    void resumesSendingWhenAFrameArrivesAfterTheQueueRanDry() {
        outbox.offer("a");
        transport.completeNext();

        outbox.offer("b");

        assertEquals(List.of("a", "b"), transport.sent);
    }

    @Test
    void offersFromSeveralThreadsWithWritesCompletingInlineOrLaterOnAnotherThreadLeaveOnceInOrderOneWriteAtATime() throws Exception {
        int producers = 4;
        int perProducer = 20_000;
        CountDownLatch written = new CountDownLatch(producers * perProducer);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger overlapping = new AtomicInteger();
        ConcurrentLinkedQueue<String> sent = new ConcurrentLinkedQueue<>();
        ExecutorService completer = Executors.newSingleThreadExecutor();
        Outbox shared = new Outbox(new Outbox.Transport() {
            @Override
            public void send(List<Frame> given, Consumer<Throwable> done) {
                List<String> frames = given.stream().map(Frame::text).toList();
                if (inFlight.incrementAndGet() != 1) {
                    overlapping.incrementAndGet();
                }
                sent.addAll(frames);
                Runnable complete = () -> {
                    inFlight.decrementAndGet();
                    done.accept(null);
                    frames.forEach(frame -> written.countDown());
                };
                if (ThreadLocalRandom.current().nextBoolean()) {
                    complete.run();
                } else {
                    completer.execute(complete);
                }
            }

            @Override
            public void ping() {
            }

            @Override
            public void close(CloseCode code, String detail) {
                sent.add("closed " + code);
            }
        }, Long.MAX_VALUE);

        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    shared.offer(producer + ":" + i);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertTrue(written.await(30, TimeUnit.SECONDS), () -> written.getCount() + " frames never written");
        completer.shutdown();
        assertTrue(completer.awaitTermination(10, TimeUnit.SECONDS));

        assertEquals(0, overlapping.get(), "writes in flight at once");
        assertEquals(producers * perProducer, sent.size());
        int[] next = new int[producers];
        for (String frame : sent) {
            int producer = Integer.parseInt(frame.substring(0, frame.indexOf(':')));
            assertEquals(next[producer]++, Integer.parseInt(frame.substring(frame.indexOf(':') + 1)), () -> "out of order at " + frame);
        }
        assertEquals(0, shared.queuedBytes());
        assertFalse(shared.isClosed());
    }
}
