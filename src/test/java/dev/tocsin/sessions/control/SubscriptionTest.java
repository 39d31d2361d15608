package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tocsin.envelope.entity.CloseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SubscriptionTest {

    final List<String> sent = new ArrayList<>();
    final Connection connection = new Connection("c1", new Outbox(new Outbox.Transport() {
        @Override
        public void send(List<String> frames, Consumer<Throwable> done) {
            sent.addAll(frames);
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(CloseCode code, String detail) {
        }
    }, 1 << 20), new ReplayGuard(1000), new RateLimiter(10, 10, 0));

    @Test
    void liveAlertsWaitForTheReplayAndOffsetsItAlreadySentAreNotSentTwice() {
        Subscription subscription = new Subscription(connection, "t", 3, true);
        subscription.live(6, "a6");
        subscription.replayed(4, "a4");
        subscription.live(7, "a7");
        subscription.replayed(5, "a5");
        subscription.replayed(6, "a6");
        assertEquals(List.of("a4", "a5", "a6"), sent);

        subscription.replayDone();
        assertEquals(List.of("a4", "a5", "a6", "a7"), sent);
    }

    @Test
    void offsetsTheClientAlreadyProcessedAreNeverSent() {
        Subscription subscription = new Subscription(connection, "t", 10, false);
        subscription.live(9, "old");
        subscription.live(10, "processed");
        subscription.live(11, "new");
        assertEquals(List.of(), sent, "live frames are only queued: the broadcast writes them");
        connection.outbox().flush();
        assertEquals(List.of("new"), sent);
    }

    @Test
    void eventsWithoutOffsetsKeepTheirPlaceAmongHeldAlerts() {
        Subscription subscription = new Subscription(connection, "t", 0, true);
        subscription.live(1, "a1");
        subscription.event("ack-of-a1");
        subscription.live(2, "a2");
        subscription.replayDone();
        assertEquals(List.of("a1", "ack-of-a1", "a2"), sent);
    }

    @Test
    void nothingIsSentAfterCancelNotEvenTheRestOfAReplay() {
        Subscription subscription = new Subscription(connection, "t", 0, true);
        subscription.replayed(1, "a1");
        subscription.live(3, "a3");
        subscription.cancel();
        subscription.replayed(2, "a2");
        subscription.replayedEvent("ack");
        subscription.replayDone();
        subscription.live(4, "a4");
        connection.outbox().flush();
        assertEquals(List.of("a1"), sent);
    }
}
