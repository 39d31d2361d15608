package dev.tocsin.config;

import dev.tocsin.envelope.control.EnvelopeSigner;
import dev.tocsin.envelope.control.ServerKeyRing;
import dev.tocsin.security.control.DemoIssuer;
import dev.tocsin.security.control.TokenVerifier;
import dev.tocsin.security.control.TopicPermissions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The configuration keys Tocsin reads, with their defaults; docs/operations.md lists them. Two are
 * read where they are used, by objects Tyrus makes rather than CDI, and keep their defaults beside
 * their names: {@link dev.tocsin.envelope.boundary.EnvelopeDecoder#MAX_FRAME_BYTES} and
 * {@link dev.tocsin.sessions.boundary.OriginPolicy#ALLOWED}. Values come
 * from MicroProfile Config: system properties, environment variables ({@code TOCSIN_FRAME_MAX_BYTES}
 * for {@code tocsin.frame.max-bytes}), then the defaults written in code, once each
 * (docs/operations.md states them too; DefaultsTest keeps the two agreeing).
 */
@ApplicationScoped
public class Settings {

    private static final long MAX_LINGER_MS = 60_000;
    private static final Logger LOG = Logger.getLogger(Settings.class.getName());

    @Inject @ConfigProperty(name = "tocsin.signing.jwks") Optional<String> signingJwks;
    @Inject @ConfigProperty(name = "tocsin.signing.active-kid") Optional<String> signingActiveKid;

    @Inject @ConfigProperty(name = "tocsin.jwt.jwks") Optional<String> jwtJwks;
    @Inject @ConfigProperty(name = "tocsin.jwt.issuer") Optional<String> jwtIssuer;
    @Inject @ConfigProperty(name = "tocsin.jwt.audience") Optional<String> jwtAudience;
    @Inject @ConfigProperty(name = "tocsin.jwt.groups-claim", defaultValue = "groups") String groupsClaim;

    @Inject @ConfigProperty(name = "tocsin.topics.rules", defaultValue = "") String topicRules;

    

    @Inject @ConfigProperty(name = "tocsin.handshake.timeout-ms", defaultValue = "10000") long handshakeTimeoutMs;
    @Inject @ConfigProperty(name = "tocsin.heartbeat.interval-ms", defaultValue = "30000") long heartbeatIntervalMs;
    @Inject @ConfigProperty(name = "tocsin.heartbeat.timeout-ms", defaultValue = "75000") long heartbeatTimeoutMs;
    @Inject @ConfigProperty(name = "tocsin.replay.window-ms", defaultValue = "120000") long replayWindowMs;
    @Inject @ConfigProperty(name = "tocsin.outbox.max-bytes", defaultValue = "1048576") long outboxMaxBytes;
    @Inject @ConfigProperty(name = "tocsin.send.timeout-ms", defaultValue = "10000") long sendTimeoutMs;
    @Inject @ConfigProperty(name = "tocsin.send.socket-buffer-bytes", defaultValue = "65536") int socketSendBuffer;
    @Inject @ConfigProperty(name = "tocsin.broadcast.passes-ahead", defaultValue = "8") int broadcastPassesAhead;
    @Inject @ConfigProperty(name = "tocsin.broadcast.linger-ms", defaultValue = "40") long broadcastLingerMs;

    @Inject @ConfigProperty(name = "tocsin.idempotency.window-ms", defaultValue = "86400000") long idempotencyWindowMs;
    @Inject @ConfigProperty(name = "tocsin.retention.max-alerts-per-topic", defaultValue = "10000") int retentionMaxAlerts;
    @Inject @ConfigProperty(name = "tocsin.retention.max-age-ms", defaultValue = "604800000") long retentionMaxAgeMs;
    @Inject @ConfigProperty(name = "tocsin.retention.sweep-ms", defaultValue = "60000") long retentionSweepMs;
    @Inject @ConfigProperty(name = "tocsin.retention.batch-alerts", defaultValue = "1000") int retentionBatch;
    @Inject @ConfigProperty(name = "tocsin.relay.check-ms", defaultValue = "5000") long relayCheckMs;
    @Inject @ConfigProperty(name = "tocsin.limits.sessions-per-user", defaultValue = "20") int sessionsPerUser;
    @Inject @ConfigProperty(name = "tocsin.limits.subscriptions-per-session", defaultValue = "100") int subscriptionsPerSession;
    @Inject @ConfigProperty(name = "tocsin.limits.frames-per-second", defaultValue = "20") int framesPerSecond;
    @Inject @ConfigProperty(name = "tocsin.limits.frames-burst", defaultValue = "40") int framesBurst;

    @Inject @ConfigProperty(name = "tocsin.demo.enabled", defaultValue = "false") boolean demoEnabled;
    @Inject @ConfigProperty(name = "tocsin.demo.issuer-jwk") Optional<String> demoIssuerJwk;
    @Inject @ConfigProperty(name = "tocsin.demo.token-ttl-seconds", defaultValue = "3600") long demoTokenTtlSeconds;

    @Produces
    @Singleton
    EnvelopeSigner envelopeSigner() {
        Optional<String> jwks = signingJwks.map(ConfigValues::inlineOrFile);
        if (jwks.isEmpty()) {
            LOG.warning("tocsin.signing.jwks is not set: signing with an ephemeral key that changes at every start");
            return new EnvelopeSigner(ServerKeyRing.ephemeral());
        }
        return new EnvelopeSigner(new ServerKeyRing(jwks.get(), signingActiveKid.orElseThrow(
                () -> new IllegalStateException("tocsin.signing.active-kid is required with tocsin.signing.jwks"))));
    }

    @Produces
    @Singleton
    TokenVerifier tokenVerifier() {
        if (jwtJwks.isEmpty()) {
            LOG.warning("tocsin.jwt.jwks is not set: every token will be rejected");
        }
        return new TokenVerifier(jwtJwks.map(ConfigValues::inlineOrFile).orElse(null),
                jwtIssuer.orElse(null), jwtAudience.orElse(null), groupsClaim);
    }

    @Produces
    @Singleton
    TopicPermissions topicPermissions() {
        return new TopicPermissions(topicRules);
    }

    @Produces
    @Singleton
    Optional<DemoIssuer> demoIssuer() {
        if (!demoEnabled) {
            return Optional.empty();
        }
        LOG.warning("DEMO sign-in is enabled (tocsin.demo.enabled=true): anyone can mint tokens. Never in production.");
        return Optional.of(new DemoIssuer(ConfigValues.inlineOrFile(demoIssuerJwk.orElseThrow(
                () -> new IllegalStateException("tocsin.demo.issuer-jwk is required when the demo is enabled"))),
                jwtIssuer.orElse("tocsin-demo"), jwtAudience.orElse(null), groupsClaim));
    }

    public Duration handshakeTimeout() {
        return Duration.ofMillis(handshakeTimeoutMs);
    }

    public Duration heartbeatInterval() {
        return Duration.ofMillis(heartbeatIntervalMs);
    }

    public Duration heartbeatTimeout() {
        return Duration.ofMillis(heartbeatTimeoutMs);
    }

    public Duration replayWindow() {
        return Duration.ofMillis(replayWindowMs);
    }

    public long outboxMaxBytes() {
        return outboxMaxBytes;
    }

    /** Each WebSocket connection's kernel send buffer, fixed (over plain TCP); 0 leaves it to the kernel. */
    public int socketSendBuffer() {
        return socketSendBuffer;
    }

    /** Broadcasts a publisher may be ahead of the writer that sends them ({@code BroadcastWriter}), at least 1. */
    public int broadcastPassesAhead() {
        return Math.max(1, broadcastPassesAhead);
    }

    /** The least time from the start of one writer pass to the next under steady load ({@code BroadcastWriter}), 0 to 60 s. */
    public Duration broadcastLinger() {
        return Duration.ofMillis(Math.min(MAX_LINGER_MS, Math.max(0, broadcastLingerMs)));
    }

    public Duration sendTimeout() {
        return Duration.ofMillis(sendTimeoutMs);
    }

    public Duration idempotencyWindow() {
        return Duration.ofMillis(idempotencyWindowMs);
    }

    public int retentionMaxAlertsPerTopic() {
        return retentionMaxAlerts;
    }

    public Duration retentionMaxAge() {
        return Duration.ofMillis(retentionMaxAgeMs);
    }

    public Duration retentionSweep() {
        return Duration.ofMillis(retentionSweepMs);
    }

    /** Alerts one retention transaction deletes at most. */
    public int retentionBatch() {
        return Math.max(1, retentionBatch);
    }

    /** How often a node of a cluster looks in the log for alerts whose relay it never got. */
    public Duration relayCheck() {
        return Duration.ofMillis(Math.max(100, relayCheckMs));
    }

    public int sessionsPerUser() {
        return sessionsPerUser;
    }

    public int subscriptionsPerSession() {
        return subscriptionsPerSession;
    }

    public int framesPerSecond() {
        return framesPerSecond;
    }

    public int framesBurst() {
        return framesBurst;
    }

    public Duration demoTokenTtl() {
        return Duration.ofSeconds(demoTokenTtlSeconds);
    }
}
