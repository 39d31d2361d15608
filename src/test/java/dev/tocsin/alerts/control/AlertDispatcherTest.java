package dev.tocsin.alerts.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.alerts.entity.Alert;
import dev.tocsin.alerts.entity.AlertDraft;
import dev.tocsin.alerts.entity.Published;
import dev.tocsin.alerts.entity.StoredAlert;
import dev.tocsin.config.Settings;
import dev.tocsin.envelope.control.EnvelopeSigner;
import dev.tocsin.envelope.control.ServerKeyRing;
import dev.tocsin.envelope.entity.CloseCode;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.ProtocolException;
import dev.tocsin.monitoring.TocsinMetrics;
import dev.tocsin.security.control.TopicPermissions;
import dev.tocsin.security.entity.Caller;
import dev.tocsin.sessions.control.BroadcastWriter;
import dev.tocsin.sessions.control.Connection;
import dev.tocsin.sessions.control.Frame;
import dev.tocsin.sessions.control.Outbox;
import dev.tocsin.sessions.control.RateLimiter;
import dev.tocsin.sessions.control.ReplayGuard;
import dev.tocsin.sessions.control.SessionRegistry;
import dev.tocsin.sessions.control.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertDispatcherTest {

    static final Caller PRODUCER = new Caller("pat", Set.of("producers"), Instant.now().plusSeconds(600));

    final AtomicInteger signatures = new AtomicInteger();
    final AtomicInteger framings = new AtomicInteger();
    final AtomicInteger published = new AtomicInteger();
    final List<List<String>> received = new ArrayList<>();
    final List<StoredAlert> stored = new ArrayList<>();
    AlertDispatcher dispatcher;

    @BeforeEach
    void dispatcherWithSubscribers() {
        ServerKeyRing keys = ServerKeyRing.ephemeral();
        dispatcher = new AlertDispatcher();
        dispatcher.registry = new SessionRegistry(BroadcastWriter.inline());
        dispatcher.relay = new NodeRelay();
        dispatcher.permissions = new TopicPermissions("publish alerts.** producers");
        dispatcher.log = new AlertLog() {
            @Override
            public Appended append(Alert alert, LongFunction<String> frame, String idempotencyKey, long keysNotBefore) {
                long offset = stored.size() + 1;
                stored.add(new StoredAlert(alert, offset, frame.apply(offset)));
                return Appended.stored(stored.get(stored.size() - 1));
            }

            @Override
            public Optional<StoredAlert> find(String id) {
                return stored.stream().filter(a -> a.id().equals(id)).findFirst();
            }

            @Override
            public Optional<Acknowledgement> acknowledge(String id, String by, long at, Function<StoredAlert, String> frame) {
                return find(id).map(a -> new Acknowledgement(a, a.acknowledge(by, at, frame)));
            }
        };
        dispatcher.sequence = new TopicSequence();
        dispatcher.sequence.registry = dispatcher.registry;
        dispatcher.sequence.log = dispatcher.log;
        dispatcher.metrics = new TocsinMetrics() {
            @Override
            public void published(int recipients) {
                published.addAndGet(recipients);
            }

            @Override
            public void framed(long nanos) {
                framings.incrementAndGet();
            }
        };
        dispatcher.signer = new EnvelopeSigner(keys) {
            @Override
            public String frame(dev.tocsin.envelope.entity.Envelope envelope) {
                signatures.incrementAndGet();
                return super.frame(envelope);
            }
        };
        for (int i = 0; i < 3; i++) {
            List<String> frames = new ArrayList<>();
            received.add(frames);
            Connection subscriber = new Connection("c" + i, new Outbox(new RecordingTransport(frames), 1 << 20),
                    new ReplayGuard(1000), new RateLimiter(10, 10, 0));
            dispatcher.registry.add(subscriber);
            dispatcher.registry.subscribe(new Subscription(subscriber, "alerts.db", 0, false, null));
        }
    }

    @Test
    void anAlertIsSignedOnceAndTheSameFrameGoesToEverySubscriber() {
        int recipients = dispatcher.publish(PRODUCER, new AlertDraft("alerts.db", "critical", "down", null, null, null), null).recipients();

        assertEquals(3, recipients);
        assertEquals(3, published.get());
        assertEquals(1, framings.get(), "the framing is timed once, not per recipient");
        assertEquals(1, signatures.get());
        String frame = received.get(0).get(0);
        assertSame(frame, received.get(1).get(0));
        assertSame(frame, received.get(2).get(0));
    }

    @Test
    void publishingOutsideTheCallersGroupsIsRefusedBeforeValidationAndReachesNobody() {
        Caller guest = new Caller("guest", Set.of("guests"), Instant.now().plusSeconds(600));
        ProtocolException refused = assertThrows(ProtocolException.class,
                () -> dispatcher.publish(guest, new AlertDraft("alerts.db", "bogus", "", null, null, null), null));

        assertEquals(ErrorCode.FORBIDDEN_TOPIC, refused.code());
        assertEquals(0, signatures.get());
        received.forEach(frames -> assertEquals(List.of(), frames));
    }

    @Test
    void aRetryWhoseKeyTheLogFindsUnderTheTopicsLockIsAnsweredWithTheOriginalAndReachesNobody() {
        Published original = Published.repeated("a-1", "alerts.db", 7, 1_000);
        AtomicInteger lookUps = new AtomicInteger();
        dispatcher.settings = new Settings();
        dispatcher.log = new AlertLog() {
            @Override
            public Optional<Published> byIdempotencyKey(String publisher, String key, long notBefore) {
                lookUps.incrementAndGet();
                return Optional.of(original);
            }

            @Override
            public Appended append(Alert alert, LongFunction<String> frame, String idempotencyKey, long keysNotBefore) {
                return Appended.repeated(original);
            }
        };

        Published answer = dispatcher.publish(PRODUCER, new AlertDraft("alerts.db", "critical", "down", null, null, null), "k-1");

        assertSame(original, answer);
        assertEquals(0, lookUps.get(), "a valid publication looks its key up once, in the transaction that would store it");
        assertEquals(0, published.get(), "nothing counted as published");
        received.forEach(frames -> assertEquals(List.of(), frames));
    }

    @Test
    void aRetryWhoseDraftNoLongerPassesIsAnsweredWithTheOriginal() {
        Published original = Published.repeated("a-1", "alerts.db", 7, 1_000);
        dispatcher.settings = new Settings();
        dispatcher.log = new AlertLog() {
            @Override
            public Optional<Published> byIdempotencyKey(String publisher, String key, long notBefore) {
                return "k-1".equals(key) ? Optional.of(original) : Optional.empty();
            }
        };
        long expired = Instant.now().minusSeconds(60).toEpochMilli(); // valid when first sent, past by the retry
        AlertDraft draft = new AlertDraft("alerts.db", "critical", "down", null, expired, null);

        assertSame(original, dispatcher.publish(PRODUCER, draft, "k-1"));
        ProtocolException fresh = assertThrows(ProtocolException.class, () -> dispatcher.publish(PRODUCER, draft, "k-2"));
        assertEquals(ErrorCode.INVALID_ALERT, fresh.code());
        assertEquals(0, signatures.get());
    }

    @Test
    void anAcknowledgementIsSignedOnceAndEveryReplayGetsTheFrameThatWasBroadcast() {
        dispatcher.permissions = new TopicPermissions("publish alerts.** producers; subscribe alerts.** *");
        String id = dispatcher.publish(PRODUCER, new AlertDraft("alerts.db", "critical", "down", null, null, null), null).id();
        Caller olga = new Caller("olga", Set.of("ops"), Instant.now().plusSeconds(600));

        dispatcher.acknowledge(olga, id);
        dispatcher.acknowledge(PRODUCER, id);

        assertEquals(2, signatures.get(), "the alert, and its first acknowledgement");
        String broadcast = received.get(0).get(1);
        received.forEach(frames -> assertEquals(List.of(frames.get(0), broadcast), frames, "the second acknowledgement is not broadcast"));
        assertTrue(broadcast.contains("\"id\":\"acknowledged:" + id + "\""), broadcast);
        assertTrue(broadcast.contains("\"by\":\"olga\""), broadcast);
        for (int replay = 0; replay < 3; replay++) {
            assertSame(broadcast, dispatcher.acknowledgedFrame(stored.get(0)));
        }
        assertEquals(2, signatures.get(), "replays sign nothing");
    }

    @Test
    void anAlertAcknowledgedBeforeItsFrameWasKeptGetsTheSameFrameAtEveryReplay() {
        StoredAlert alert = new StoredAlert(AlertValidation.accept(new AlertDraft("alerts.db", "critical", "down", null, null, null),
                "pat", Instant.now()), 1, "{}");
        alert.acknowledge("olga", 1_000, acknowledged -> null); // as loaded from a row written before the column

        String first = dispatcher.acknowledgedFrame(alert);

        assertEquals(first, dispatcher.acknowledgedFrame(alert), "same id, content and (deterministic) Ed25519 signature");
        assertTrue(first.contains("\"id\":\"acknowledged:" + alert.id() + "\""), first);
    }

    record RecordingTransport(List<String> frames) implements Outbox.Transport {
        @Override
        public void send(List<Frame> given, Consumer<Throwable> done) {
            List<String> batch = given.stream().map(Frame::text).toList();
            frames.addAll(batch);
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
