package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.alerts.control.AlertLog;
import dev.tocsin.alerts.control.TopicSequence;
import dev.tocsin.config.Settings;
import dev.tocsin.envelope.control.Base64Url;
import dev.tocsin.envelope.control.CanonicalJson;
import dev.tocsin.envelope.control.EnvelopeParser;
import dev.tocsin.envelope.control.EnvelopeSigner;
import dev.tocsin.envelope.control.HmacSha256;
import dev.tocsin.envelope.control.ServerKeyRing;
import dev.tocsin.envelope.entity.CloseCode;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.monitoring.TocsinMetrics;
import dev.tocsin.security.control.TopicPermissions;
import dev.tocsin.security.entity.Caller;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscription without {@code d.offset} against a publication that commits and broadcasts while
 * the subscription reads the topic's newest offset: the read's snapshot is taken before or after
 * the commit, as a database statement's is.
 */
class ClientProtocolTest {

    static final String TOPIC = "alerts.db";
    static final byte[] SESSION_KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    final List<String> sent = new ArrayList<>();
    final List<ErrorCode> refused = new ArrayList<>();
    final SessionRegistry registry = new SessionRegistry(BroadcastWriter.inline());
    final ClientProtocol protocol = new ClientProtocol();
    Connection connection;
    long committed;
    /** Runs inside the read of the newest offset; returns what the read answers. */
    LongSupplier read = () -> committed;

    @BeforeEach
    void subscriberConnected() {
        protocol.registry = registry;
        protocol.log = new AlertLog() {
            @Override
            public long latestOffset(String topic) {
                return read.getAsLong();
            }
        };
        // The topic's order on this node is not what is tested here: alerts go straight to the registry.
        protocol.sequence = new TopicSequence() {
            @Override
            public void subscribed(String topic, long latest) {
            }

            @Override
            public int broadcast(String topic, long offset, String frame) {
                return registry.broadcast(topic, offset, frame);
            }
        };
        protocol.frames = new ServerFrames();
        protocol.frames.signer = new EnvelopeSigner(ServerKeyRing.ephemeral());
        protocol.permissions = new TopicPermissions("subscribe alerts.** *");
        protocol.settings = new Settings() {
            @Override
            public int subscriptionsPerSession() {
                return 10;
            }

            @Override
            public Duration replayWindow() {
                return Duration.ofMinutes(2);
            }
        };
        protocol.metrics = new TocsinMetrics() {
            @Override
            public void refused(ErrorCode code) {
                refused.add(code);
            }
        };
        protocol.replay = new TopicReplay();
        protocol.init();
        connection = new Connection("c1", new Outbox(new Recorder(frames -> frames.forEach(f -> sent.add(f.text()))), 1 << 20),
                new ReplayGuard(120_000), new RateLimiter(100, 100, System.nanoTime()));
        registry.add(connection);
        registry.authenticated(connection, new Caller("sam", Set.of("ops"), Instant.now().plusSeconds(600)), SESSION_KEY);
    }

    /** Commits the topic's next alert and broadcasts it, as a publication on another thread does. */
    void publish() {
        committed++;
        protocol.sequence.broadcast(TOPIC, committed, "alert-" + committed);
    }

    @Test
    void anAlertBroadcastWhileTheNewestOffsetIsReadButNotCountedInItIsDelivered() {
        read = () -> {
            long snapshot = committed; // taken before the publication commits
            publish();
            return snapshot;
        };

        subscribeLive();

        assertEquals(List.of(), refused);
        assertEquals(2, sent.size(), () -> sent.toString());
        assertTrue(sent.get(0).contains("\"type\":\"subscribed\""), sent.get(0));
        assertTrue(sent.get(0).contains("\"latest\":0"), sent.get(0));
        assertEquals("alert-1", sent.get(1));
    }

    @Test
    void anAlertCountedInTheNewestOffsetIsNotDeliveredAgainLive() {
        read = () -> {
            publish();
            return committed; // taken after the publication committed
        };

        subscribeLive();

        assertEquals(List.of(), refused);
        assertEquals(1, sent.size(), () -> sent.toString());
        assertTrue(sent.get(0).contains("\"latest\":1"), sent.get(0));
    }

    @Test
    void alertsAfterTheSubscriptionAreDeliveredInOrder() {
        publish();

        subscribeLive();
        publish();
        publish();

        assertEquals(List.of(), refused);
        assertTrue(sent.get(0).contains("\"latest\":1"), sent.get(0));
        assertEquals(List.of("alert-2", "alert-3"), sent.subList(1, sent.size()));
    }

    private void subscribeLive() {
        String unsigned = "{\"id\":\"s-1\",\"kid\":\"session\",\"topic\":\"" + TOPIC + "\",\"ts\":" + System.currentTimeMillis()
                + ",\"type\":\"subscribe\",\"v\":1}";
        String s = Base64Url.encode(HmacSha256.mac(SESSION_KEY, CanonicalJson.utf8(unsigned)));
        protocol.onFrame(connection, EnvelopeParser.parse(unsigned.substring(0, unsigned.length() - 1) + ",\"s\":\"" + s + "\"}", 65_536));
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
}
