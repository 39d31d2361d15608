package dev.tocsin.alerts.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tocsin.alerts.entity.AlertDraft;
import dev.tocsin.alerts.entity.StoredAlert;
import dev.tocsin.alerts.entity.TopicOffset;
import dev.tocsin.sessions.control.BroadcastWriter;
import dev.tocsin.sessions.control.Connection;
import dev.tocsin.sessions.control.Outbox;
import dev.tocsin.sessions.control.RateLimiter;
import dev.tocsin.sessions.control.ReplayGuard;
import dev.tocsin.sessions.control.SessionRegistry;
import dev.tocsin.sessions.control.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TopicSequenceTest {

    final List<String> received = new ArrayList<>();
    final Map<Long, String> stored = new TreeMap<>();
    final List<Long> reads = new ArrayList<>();
    final TopicSequence sequence = new TopicSequence();
    boolean logDown;
    int latest = 9;

    @BeforeEach
    void oneSubscriber() {
        sequence.registry = new SessionRegistry(BroadcastWriter.inline());
        sequence.log = new AlertLog() {
            @Override
            public List<TopicOffset> topics() {
                return List.of(counter("t", latest), counter("elsewhere", 5));
            }

            @Override
            public List<StoredAlert> after(String topic, long offset, long now, int limit) {
                reads.add(offset);
                if (logDown) {
                    throw new IllegalStateException("database unreachable");
                }
                return stored.entrySet().stream().filter(e -> e.getKey() > offset).limit(limit)
                        .map(e -> new StoredAlert(AlertValidation.accept(new AlertDraft("t", "info", "x", null, null, null), "pat",
                                Instant.now()), e.getKey(), e.getValue()))
                        .toList();
            }
        };
        subscribe();
        for (long offset = 1; offset <= 9; offset++) {
            stored.put(offset, "a" + offset);
        }
    }

    static TopicOffset counter(String topic, int latest) {
        TopicOffset counter = new TopicOffset(topic);
        for (int i = 0; i < latest; i++) {
            counter.take();
        }
        return counter;
    }

    void subscribe() {
        Connection connection = new Connection("c" + received.size(), new Outbox(new AlertDispatcherTest.RecordingTransport(received), 1 << 20),
                new ReplayGuard(1000), new RateLimiter(10, 10, 0));
        sequence.registry.add(connection);
        sequence.registry.subscribe(new Subscription(connection, "t", 0, false, null));
    }

    @Test
    void alertsInOrderGoStraightThroughAndNothingIsReadFromTheLog() {
        assertEquals(1, sequence.broadcast("t", 1, "a1"));
        assertEquals(1, sequence.broadcast("t", 2, "a2"));
        assertEquals(List.of("a1", "a2"), received);
        assertEquals(List.of(), reads);
    }

    @Test
    void anAlertThatOvertookOthersIsPrecededByThemFromTheLogAndTheirLateRelaysAreDropped() {
        sequence.broadcast("t", 1, "a1");
        assertEquals(1, sequence.broadcast("t", 4, "a4"));
        assertEquals(List.of(1L), reads, "one read for the gap, whatever the number of subscribers");
        assertEquals(1, sequence.broadcast("t", 2, "a2"), "relayed late: queued already, by the fill");
        sequence.broadcast("t", 3, "a3");
        sequence.broadcast("t", 5, "a5");
        assertEquals(List.of("a1", "a2", "a3", "a4", "a5"), received);
    }

    @Test
    void aTopicWithoutSubscribersHereIsForgottenSoItsFirstAlertAfterwardsIsNotPrecededByOldOnes() {
        sequence.broadcast("t", 1, "a1");
        sequence.registry.unsubscribe(sequence.registry.connections().iterator().next(), "t");
        assertEquals(0, sequence.broadcast("t", 2, "a2"));
        subscribe();
        sequence.broadcast("t", 7, "a7");
        assertEquals(List.of("a1", "a7"), received);
        assertEquals(List.of(), reads);
    }

    @Test
    void whenTheLogCannotBeReadTheAlertStillGoesOutAndTheSubscriptionsFillTheGap() {
        sequence.broadcast("t", 1, "a1");
        logDown = true;
        sequence.broadcast("t", 3, "a3");
        assertEquals(List.of("a1", "a3"), received);
    }

    @Test
    void alertsWhoseRelayNeverCameAreFoundInTheLogForTheTopicsSubscribedHere() {
        sequence.broadcast("t", 1, "a1");
        assertEquals(8, sequence.recoverFromLog());
        assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"), received);
        assertEquals(List.of(1L), reads, "one read for t; none for a topic nobody here subscribed to");

        assertEquals(0, sequence.recoverFromLog(), "nothing more to find");
        sequence.broadcast("t", 5, "a5 relayed at last");
        assertEquals(9, received.size(), "a relay that comes after all is not sent twice");
    }

    @Test
    void aSubscriptionMarksWhereToLookFromBeforeAnyAlertOfItsTopicCameThisWay() {
        sequence.subscribed("t", 7);
        assertEquals(2, sequence.recoverFromLog(), "8 and 9, whose relays never came");
        assertEquals(List.of("a8", "a9"), received);
    }

    @Test
    void aLaterSubscriptionDoesNotMoveTheMarkPastWhatEarlierOnesAreStillOwed() {
        sequence.broadcast("t", 1, "a1");
        subscribe();
        sequence.subscribed("t", 9);
        sequence.recoverFromLog();
        assertEquals(List.of("a1", "a2", "a2", "a3", "a3"), received.subList(0, 5), "the first subscriber still gets 2 to 9");
        assertEquals(1 + 8 * 2, received.size());
    }

    @Test
    void twoSubscriptionsThatReadTheNewestOffsetAMomentApartAreBothServed() {
        sequence.subscribed("t", 5);
        subscribe();
        sequence.subscribed("t", 3);
        assertEquals(List.of(), received);
        sequence.broadcast("t", 4, "a4");
        assertEquals(List.of("a4", "a4"), received, "broadcast, not dropped below the first one's mark: the second is owed it");
    }

    @Test
    void offsetsTheLogNoLongerHoldsAreNotLookedForAgainAndAgain() {
        sequence.broadcast("t", 1, "a1");
        stored.remove(9L);
        assertEquals(8, sequence.recoverFromLog(), "2 to 8 broadcast, 9 expired before it was found");
        assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"), received);
        assertEquals(0, sequence.recoverFromLog());
        assertEquals(List.of(1L), reads, "the expired 9 costs no read at every later check");
    }
}
