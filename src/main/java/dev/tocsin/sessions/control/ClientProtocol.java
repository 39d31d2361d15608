package dev.tocsin.sessions.control;

import static dev.tocsin.envelope.control.JsonFactory.JSON;

import dev.tocsin.alerts.control.AlertDispatcher;
import dev.tocsin.alerts.control.TopicSequence;
import dev.tocsin.alerts.control.AlertLog;
import dev.tocsin.alerts.entity.AlertDraft;
import dev.tocsin.alerts.entity.Published;
import dev.tocsin.alerts.entity.Topic;
import dev.tocsin.config.Settings;
import dev.tocsin.envelope.boundary.EnvelopeDecoder;
import dev.tocsin.envelope.control.Base64Url;
import dev.tocsin.envelope.entity.Envelope;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.Inbound;
import dev.tocsin.envelope.entity.MessageType;
import dev.tocsin.envelope.entity.ProtocolException;
import dev.tocsin.envelope.entity.ProtocolVersion;
import dev.tocsin.monitoring.TocsinMetrics;
import dev.tocsin.security.control.TokenVerifier;
import dev.tocsin.security.control.TopicPermissions;
import dev.tocsin.security.entity.Action;
import dev.tocsin.security.entity.Caller;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import static dev.tocsin.sessions.control.DataFields.optionalLong;
import static dev.tocsin.sessions.control.DataFields.optionalString;
import static dev.tocsin.sessions.control.DataFields.requiredString;

/** What the server does with each client frame; docs/protocol.md describes the same rules. */
@ApplicationScoped
public class ClientProtocol {

    private static final Logger LOG = Logger.getLogger(ClientProtocol.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    Sessions registry;
    @Inject
    ServerFrames frames;
    @Inject
    TokenVerifier tokens;
    @Inject
    TopicPermissions permissions;
    @Inject
    AlertDispatcher alerts;
    @Inject
    TopicSequence sequence;
    @Inject
    Settings settings;
    @Inject
    TocsinMetrics metrics;
    @Inject
    AlertLog log;
    @Inject
    TopicReplay replay;
    @Inject
    @ConfigProperty(name = EnvelopeDecoder.MAX_FRAME_BYTES, defaultValue = "" + EnvelopeDecoder.DEFAULT_MAX_FRAME_BYTES)
    int maxFrameBytes;

    private FrameAuthenticity authenticity;

    @PostConstruct
    void init() {
        authenticity = new FrameAuthenticity(settings.replayWindow().toMillis());
    }

    public void onFrame(Connection connection, Inbound inbound) {
        connection.heard();
        if (!connection.rateLimiter().tryAcquire(System.nanoTime())) {
            refuse(connection, ErrorCode.RATE_LIMITED, null, inbound.ref());
            return;
        }
        if (inbound.isBarePing()) {
            connection.outbox().offer("pong");
            return;
        }
        try {
            if (inbound.isRejected()) {
                throw new ProtocolException(inbound.error(), inbound.detail());
            }
            dispatch(connection, inbound);
        } catch (ProtocolException e) {
            refuse(connection, e.code(), e.getMessage(), inbound.ref());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "frame " + inbound.ref() + " on connection " + connection.id() + " failed", e);
            refuse(connection, ErrorCode.INTERNAL_ERROR, null, inbound.ref());
        }
    }

    public void refuse(Connection connection, ErrorCode code, String detail, String ref) {
        metrics.refused(code);
        String frame = frames.error(connection, code, detail, ref);
        if (code.closes()) {
            connection.outbox().offerThenClose(frame, code.closeCode(), code.name());
        } else {
            connection.outbox().offer(frame);
        }
    }

    private void dispatch(Connection connection, Inbound inbound) {
        long now = System.currentTimeMillis();
        if (!connection.authenticated()) {
            if (inbound.type() != MessageType.HANDSHAKE) {
                throw new ProtocolException(ErrorCode.NOT_AUTHENTICATED, "send handshake first");
            }
            handshake(connection, inbound, now);
            return;
        }
        if (inbound.type() == MessageType.HANDSHAKE) {
            throw new ProtocolException(ErrorCode.ALREADY_AUTHENTICATED, null);
        }
        authenticity.check(inbound, FrameAuthenticity.SESSION_KID, connection.sessionKey(), connection.replayGuard(), now);
        Envelope envelope = inbound.envelope();
        switch (inbound.type()) {
            case SUBSCRIBE -> subscribe(connection, envelope);
            case UNSUBSCRIBE -> {
                registry.unsubscribe(connection, topic(envelope));
                connection.outbox().offer(frames.reply(connection, MessageType.UNSUBSCRIBED, envelope.id(), envelope.topic()));
            }
            case PUBLISH -> publish(connection, envelope);
            case ACK -> ack(connection, envelope);
            case PING -> connection.outbox().offer(frames.reply(connection, MessageType.PONG, envelope.id(), null));
            case PONG -> { }
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, inbound.type().wireName());
        }
    }

    private void handshake(Connection connection, Inbound inbound, long now) {
        String token = requiredString(inbound.envelope().d(), "token");
        Caller caller;
        try {
            caller = tokens.verify(token);
        } catch (TokenVerifier.InvalidTokenException e) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, e.getMessage());
        }
        authenticity.check(inbound, FrameAuthenticity.TOKEN_KID, token.getBytes(StandardCharsets.UTF_8),
                connection.replayGuard(), now);
        if (registry.ofUser(caller.subject()).size() >= settings.sessionsPerUser()) {
            throw new ProtocolException(ErrorCode.TOO_MANY_SESSIONS, "at most " + settings.sessionsPerUser() + " connections per user");
        }
        byte[] sessionKey = new byte[32];
        RANDOM.nextBytes(sessionKey);
        registry.authenticated(connection, caller, sessionKey);
        connection.outbox().offer(frames.welcome(inbound.envelope().id(), JSON.createObjectBuilder()
                .add("session", connection.id())
                .add("key", Base64Url.encode(sessionKey))
                .add("user", caller.subject())
                .add("groups", JSON.createArrayBuilder(caller.groups()))
                .add("expiresAt", caller.expiresAt().toEpochMilli())
                .add("versions", JSON.createArrayBuilder(ProtocolVersion.SUPPORTED))
                .add("heartbeatMs", settings.heartbeatInterval().toMillis())
                .add("maxFrameBytes", maxFrameBytes)
                .add("replayWindowMs", settings.replayWindow().toMillis())));
    }

    private void subscribe(Connection connection, Envelope envelope) {
        String topic = topic(envelope);
        if (!permissions.allows(connection.caller(), Action.SUBSCRIBE, topic)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN_TOPIC, "may not subscribe to " + topic);
        }
        if (!connection.subscriptions().containsKey(topic) && connection.subscriptions().size() >= settings.subscriptionsPerSession()) {
            throw new ProtocolException(ErrorCode.TOO_MANY_SUBSCRIPTIONS, "at most " + settings.subscriptionsPerSession() + " topics per connection");
        }
        JsonObject d = envelope.d() == null ? JsonObject.EMPTY_JSON_OBJECT : envelope.d();
        Long resumeAfter = optionalLong(d, "offset");
        if (resumeAfter != null && resumeAfter < 0) {
            throw new ProtocolException(ErrorCode.INVALID_ENVELOPE, "d.offset must not be negative");
        }
        if (resumeAfter == null) {
            // Registered before the newest offset is read: an alert stored after that read is
            // broadcast after the registration and reaches the subscription; one stored before it
            // is counted in "latest" and dropped if it was held. Live frames are held until the
            // reply is queued, so that no alert overtakes "subscribed".
            Subscription subscription = register(connection, topic, 0);
            long latest;
            try {
                latest = log.latestOffset(topic);
            } catch (RuntimeException e) {
                registry.unsubscribe(connection, topic); // not subscribed after an error frame
                throw e;
            }
            subscription.startAfter(latest);
            sequence.subscribed(topic, latest);
            connection.outbox().offer(frames.reply(connection, MessageType.SUBSCRIBED, envelope.id(), topic,
                    JSON.createObjectBuilder().add("latest", latest)));
            subscription.replayDone();
            return;
        }
        // The replay, started after the registration, reads what was stored before it.
        long latest = log.latestOffset(topic);
        JsonObjectBuilder reply = JSON.createObjectBuilder().add("latest", latest);
        ResumePoint resume = ResumePoint.of(resumeAfter, latest, log.oldestRetainedOffset(topic)); // read after latest
        if (resume.reset()) {
            reply.add("reset", JSON.createObjectBuilder().add("requested", resumeAfter).add("restartAt", resume.after())
                    .add("reason", resume.reason()));
        }
        Subscription subscription = register(connection, topic, resume.after());
        sequence.subscribed(topic, latest);
        connection.outbox().offer(frames.reply(connection, MessageType.SUBSCRIBED, envelope.id(), topic, reply.add("offset", resume.after())));
        replay.start(subscription, resume.after());
    }

    /** Registers a subscription from {@code after} that holds live frames back until its reply is queued ({@link Subscription#replayDone()}). */
    private Subscription register(Connection connection, String topic, long after) {
        Subscription subscription = new Subscription(connection, topic, after, true, replay::catchUp);
        registry.subscribe(subscription);
        return subscription;
    }

    private void ack(Connection connection, Envelope envelope) {
        String alertId = requiredString(envelope.d(), "alertId");
        String kind = optionalString(envelope.d(), "kind");
        if (kind == null || "delivered".equals(kind)) {
            alerts.delivered(connection.caller(), alertId);
        } else if ("acknowledged".equals(kind)) {
            alerts.acknowledge(connection.caller(), alertId);
        } else {
            throw new ProtocolException(ErrorCode.INVALID_ENVELOPE, "d.kind is delivered or acknowledged");
        }
        connection.outbox().offer(frames.reply(connection, MessageType.RECEIPT, envelope.id(), envelope.topic(),
                JSON.createObjectBuilder().add("alertId", alertId)));
    }

    private void publish(Connection connection, Envelope envelope) {
        JsonObject d = envelope.d() == null ? JsonObject.EMPTY_JSON_OBJECT : envelope.d();
        AlertDraft draft = new AlertDraft(topic(envelope), optionalString(d, "severity"), optionalString(d, "title"),
                optionalString(d, "body"), optionalLong(d, "expiresAt"), optionalLong(d, "ttlSeconds"));
        Published published = alerts.publish(connection.caller(), draft, optionalString(d, "idempotencyKey"));
        connection.outbox().offer(frames.reply(connection, MessageType.RECEIPT, envelope.id(), envelope.topic(),
                JSON.createObjectBuilder().add("alertId", published.id()).add("offset", published.offset())));
    }

    private static String topic(Envelope envelope) {
        if (!Topic.valid(envelope.topic())) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, "topic '" + envelope.topic() + "' is not a valid topic name");
        }
        return envelope.topic();
    }
}
