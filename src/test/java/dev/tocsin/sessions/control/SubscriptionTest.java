package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tocsin.envelope.entity.CloseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SubscriptionTest {

    final List<String> sent = new ArrayList<>();
    final List<Frame> sentFrames = new ArrayList<>();
    final List<CloseCode> closed = new ArrayList<>();
    final Connection connection = connection("c1", 1 << 20);

    /** A connection whose writes land in {@link #sent} and whose closes in {@link #closed}. */
    Connection connection(String id, long outboxMaxBytes) {
        return new Connection(id, new Outbox(new Outbox.Transport() {
            @Override
            public void send(List<Frame> frames, Consumer<Throwable> done) {
                sentFrames.addAll(frames);
                frames.forEach(frame -> sent.add(frame.text()));
                done.accept(null);
            }

            @Override
            public void ping() {
            }

            @Override
            public void close(CloseCode code, String detail) {
                closed.add(code);
            }
        }, outboxMaxBytes), new ReplayGuard(1000), new RateLimiter(10, 10, 0));
    }

    @Test
    void liveAlertsWaitForTheReplayAndOffsetsItAlreadySentAreNotSentTwice() {
        Subscription subscription = new Subscription(connection, "t", 3, true, null);
        subscription.live(6, new Frame("a6"));
        subscription.replayed(4, "a4");
        subscription.live(7, new Frame("a7"));
        subscription.replayed(5, "a5");
        subscription.replayed(6, "a6");
        assertEquals(List.of("a4", "a5", "a6"), sent);

        subscription.replayDone();
        assertEquals(List.of("a4", "a5", "a6", "a7"), sent);
    }

    @Test
    void aLiveFrameHeldBackByAReplayLeavesAsTheBroadcastsOwnFrame() {
        Subscription subscription = new Subscription(connection, "t", 3, true, null);
        Frame live = new Frame("a5");
        subscription.live(5, live);
        subscription.replayed(4, "a4");

        subscription.replayDone();

        assertEquals(List.of("a4", "a5"), sent);
        assertSame(live, sentFrames.get(1), "not a copy: its bytes are the ones made once for every subscriber");
    }

    @Test
    void offsetsTheClientAlreadyProcessedAreNeverSent() {
        Subscription subscription = new Subscription(connection, "t", 10, false, null);
        subscription.live(9, new Frame("old"));
        subscription.live(10, new Frame("processed"));
        subscription.live(11, new Frame("new"));
        assertEquals(List.of(), sent, "live frames are only queued: the broadcast writes them");
        connection.outbox().flush();
        assertEquals(List.of("new"), sent);
    }

    @Test
    void eventsWithoutOffsetsKeepTheirPlaceAmongHeldAlerts() {
        Subscription subscription = new Subscription(connection, "t", 0, true, null);
        subscription.live(1, new Frame("a1"));
        subscription.event(new Frame("ack-of-a1"));
        subscription.live(2, new Frame("a2"));
        subscription.replayDone();
        assertEquals(List.of("a1", "ack-of-a1", "a2"), sent);
    }

    @Test
    void nothingIsSentAfterCancelNotEvenTheRestOfAReplay() {
        Subscription subscription = new Subscription(connection, "t", 0, true, null);
        subscription.replayed(1, "a1");
        subscription.live(3, new Frame("a3"));
        subscription.cancel();
        subscription.replayed(2, "a2");
        subscription.replayedEvent("ack");
        subscription.replayDone();
        subscription.live(4, new Frame("a4"));
        connection.outbox().flush();
        assertEquals(List.of("a1"), sent);
    }

    // Catch-ups: what the subscription asked to be replayed from, in order.
    final List<Long> catchUps = new ArrayList<>();

    Subscription withCatchUp(long lastOffset) {
        return new Subscription(connection, "t", lastOffset, false, (subscription, after) -> catchUps.add(after));
    }

    @Test
    void anAlertAheadOfTheNextOffsetIsHeldWhileTheGapIsReplayedFromTheLog() {
        Subscription subscription = withCatchUp(4);
        subscription.live(5, new Frame("a5"));
        subscription.live(7, new Frame("a7"));
        subscription.live(8, new Frame("a8"));
        assertEquals(List.of(5L), List.copyOf(catchUps), "one catch-up, after the last offset sent; a8 waits behind it");

        subscription.replayed(6, "a6");
        subscription.replayed(7, "a7");
        subscription.replayDone();
        subscription.live(6, new Frame("a6 relayed late"));
        connection.outbox().flush();
        assertEquals(List.of("a5", "a6", "a7", "a8"), sent);
    }

    @Test
    void aSubscriptionRegisteredBeforeItsStartWasReadKeepsWhatCameAfterIt() {
        // Registered holding live frames; the topic's newest offset then read as 3: a3 was
        // counted in it (the client is told latest 3), a4 was stored after the read.
        Subscription subscription = new Subscription(connection, "t", 0, true, (s, after) -> catchUps.add(after));
        subscription.live(3, new Frame("a3"));
        subscription.live(4, new Frame("a4"));
        subscription.startAfter(3);
        subscription.replayDone();
        subscription.live(5, new Frame("a5"));
        connection.outbox().flush();

        assertEquals(List.of("a4", "a5"), sent);
        assertEquals(List.of(), catchUps, "nothing missing after 3");
    }

    @Test
    void aSubscriptionsStartIsSetOnlyWhileItHoldsLiveFramesUnlessItWasGivenUp() {
        Subscription subscription = new Subscription(connection, "t", 0, true, null);
        subscription.replayDone();
        assertThrows(IllegalStateException.class, () -> subscription.startAfter(3));

        Subscription givenUp = new Subscription(connection, "t", 0, true, null);
        givenUp.cancel(); // the connection closed meanwhile
        givenUp.startAfter(3);
        assertEquals(0, givenUp.lastOffset());
    }

    @Test
    void aGapBehindTheReplayGetsAnotherCatchUpBeforeWhatFollowsIt() {
        Subscription subscription = withCatchUp(0);
        subscription.live(2, new Frame("a2"));
        subscription.live(4, new Frame("a4"));
        subscription.replayed(1, "a1");
        subscription.replayed(2, "a2");
        subscription.replayDone();
        assertEquals(List.of(0L, 2L), List.copyOf(catchUps), "a4 is two ahead of what the first catch-up found");
        assertEquals(List.of("a1", "a2"), sent);

        subscription.replayed(3, "a3");
        subscription.replayed(4, "a4");
        subscription.replayDone();
        assertEquals(List.of("a1", "a2", "a3", "a4"), sent);
    }

    @Test
    void aGapTheLogCannotFillEitherIsTakenAsItComes() {
        Subscription subscription = withCatchUp(1);
        subscription.live(3, new Frame("a3"));
        subscription.replayed(3, "a3");
        subscription.replayDone();
        subscription.live(5, new Frame("a5"));
        subscription.replayDone();
        assertEquals(List.of(1L, 3L), List.copyOf(catchUps));
        assertEquals(List.of("a3", "a5"), sent, "a5 once, though the log gave nothing for a4 (expired)");

        Subscription sameGapAgain = withCatchUp(1);
        sameGapAgain.live(3, new Frame("b3"));
        sameGapAgain.replayDone();
        connection.outbox().flush();
        assertEquals(List.of(1L, 3L, 1L), List.copyOf(catchUps), "no second catch-up for a gap already replayed");
        assertEquals(List.of("a3", "a5", "b3"), sent);
    }

    @Test
    void withoutACatchUpAGapIsNotHeld() {
        Subscription subscription = new Subscription(connection, "t", 1, false, null);
        subscription.live(3, new Frame("a3"));
        connection.outbox().flush();
        assertEquals(List.of("a3"), sent);
    }

    @Test
    void aCatchUpThatCannotStartClosesTheConnectionRatherThanSkipTheGap() {
        Connection closing = connection("c2", 1 << 20);
        Subscription subscription = new Subscription(closing, "t", 1, false, (s, after) -> {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        });
        subscription.live(3, new Frame("a3"));
        subscription.live(4, new Frame("a4"));
        closing.outbox().flush();
        assertEquals(List.of(CloseCode.INTERNAL_ERROR), closed);
        assertEquals(List.of(), sent);
    }

    @Test
    void framesHeldBackByASlowReplayCountAgainstTheOutboxLimitAndOverItTheClientIsToldToResume() {
        Connection small = connection("c3", 100);
        Subscription subscription = new Subscription(small, "t", 0, true, null);
        assertEquals(true, subscription.live(1, new Frame("a".repeat(60))));
        assertEquals(false, subscription.live(2, new Frame("b".repeat(60))), "160 characters held against a limit of 100");
        assertEquals(List.of(CloseCode.SLOW_CONSUMER), closed);

        subscription.replayed(1, "a1");
        subscription.replayDone();
        assertEquals(List.of(), sent, "nothing more for a subscription given up on");
    }
}
