package dev.tocsin.sessions.boundary;

import dev.tocsin.config.Settings;
import dev.tocsin.envelope.boundary.EnvelopeDecoder;
import dev.tocsin.envelope.entity.CloseCode;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.ProtocolVersion;
import dev.tocsin.monitoring.TocsinMetrics;
import dev.tocsin.sessions.control.ClientProtocol;
import dev.tocsin.sessions.control.Connection;
import dev.tocsin.sessions.control.Outbox;
import dev.tocsin.sessions.control.RateLimiter;
import dev.tocsin.sessions.control.ReplayGuard;
import dev.tocsin.sessions.control.Sessions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket at {@value #PATH}: translates socket events into registry and protocol calls.
 * One instance serves every connection ({@link OriginPolicy#getEndpointInstance}): it keeps no
 * state of its own, each connection's lives in its session's user properties.
 */
@ApplicationScoped
@ServerEndpoint(value = AlertsEndpoint.PATH, subprotocols = ProtocolVersion.SUBPROTOCOL,
        configurator = OriginPolicy.class)
public class AlertsEndpoint {

    public static final String PATH = "/ws";
    /**
     * Tyrus closes with 1009 above this size, before the message reaches the decoder. Below it,
     * {@code tocsin.frame.max-bytes} answers an oversized frame with an error and keeps the connection.
     * (Tyrus enforces only the annotation's limit; Session.setMaxTextMessageBufferSize drops silently.)
     */
    public static final int HARD_LIMIT_BYTES = 262_144;
    private static final Logger LOG = Logger.getLogger(AlertsEndpoint.class.getName());
    private static final String ATTACHED = "tocsin.connection";

    @Inject
    Sessions registry;

    @Inject
    ClientProtocol protocol;

    @Inject
    Settings settings;

    @Inject
    TocsinMetrics metrics;

    @Resource
    ManagedExecutorService executor;

    @Resource
    ManagedThreadFactory threads;

    private ScheduledThreadPoolExecutor idleTimers;

    @PostConstruct
    void start() {
        idleTimers = new IdleCheckScheduler(threads, TyrusInternals::isIdleCheck);
    }

    @PreDestroy
    void stop() {
        idleTimers.shutdownNow();
    }

    @OnOpen
    public void open(Session session) {
        // Tyrus's idle timeout stays off (0): the heartbeat closes silent connections (4000), and
        // frames written past Tyrus would not restart it. Tyrus still schedules a check per frame
        // received, which finds nothing to do and runs on the receiving thread (IdleCheckScheduler).
        TyrusInternals.useScheduler(session, idleTimers);
        ConsumedInput input = TyrusInternals.consumedInput(session);
        OpenRequest open = new OpenRequest();
        Outbox outbox = new Outbox(new WebSocketTransport(session, executor, code -> disconnecting(session, code),
                kind -> metrics.frameWriter(kind.tag()), metrics.writeCounter(), settings.socketSendBuffer(), metrics::settled, input, open),
                settings.outboxMaxBytes());
        Connection connection = new Connection(UUID.randomUUID().toString(), outbox,
                new ReplayGuard(settings.replayWindow().toMillis()),
                new RateLimiter(settings.framesPerSecond(), settings.framesBurst(), System.nanoTime()));
        session.getUserProperties().put(ATTACHED, new Attached(connection, open, input::release));
        registry.add(connection);
    }

    /**
     * The envelope decoder, one for all connections (it is stateless). Declared in
     * {@code @ServerEndpoint(decoders=...)}, Tyrus would have Payara build and inject a new one
     * for every connection, which was a fifth of the set-up cost of a connection.
     */
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    @OnMessage(maxMessageSize = HARD_LIMIT_BYTES)
    public void text(String text, Session session) {
        protocol.onFrame(received(session), decoder.decode(text));
    }

    @OnMessage(maxMessageSize = 1024)
    public void binary(ByteBuffer ignored, Session session) {
        protocol.refuse(received(session), ErrorCode.BINARY_NOT_SUPPORTED, null, null);
    }

    @OnMessage
    public void pong(PongMessage pong, Session session) {
        received(session).heard();
    }

    /** The server closes: stop fanning out to it now, whether or not the peer completes the close. */
    private void disconnecting(Session session, CloseCode code) {
        registry.remove(connection(session));
        metrics.disconnected(code);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        Attached attached = (Attached) session.getUserProperties().get(ATTACHED);
        if (attached != null) { // null only if the open failed before it attached the connection
            attached.open().closed(); // before the container recycles the upgraded request
            registry.remove(attached.connection());
        }
        metrics.closed(reason.getCloseCode().getCode());
    }

    @OnError
    public void error(Session session, Throwable error) {
        LOG.log(Level.FINE, "WebSocket error on " + session.getId(), error);
    }

    /**
     * What a session carries: its connection, whether its upgraded request is still its own, and
     * what lets go of its consumed read buffer ({@link ConsumedInput#release}, made once: it runs for every frame).
     */
    private record Attached(Connection connection, OpenRequest open, BooleanSupplier releaseInput) {
    }

    private static Connection connection(Session session) {
        Attached attached = (Attached) session.getUserProperties().get(ATTACHED);
        return attached == null ? null : attached.connection();
    }

    /** The connection a frame was read from, on the thread that read it; the read buffer is let go first. */
    private static Connection received(Session session) {
        Attached attached = (Attached) session.getUserProperties().get(ATTACHED);
        attached.open().whileOpen(attached.releaseInput());
        return attached.connection();
    }
}
