package dev.tocsin.sessions.control;

import dev.tocsin.config.Settings;
import dev.tocsin.envelope.entity.CloseCode;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps connections honest. Every sweep it pings connections that have been quiet for a heartbeat
 * interval, and closes those that missed the handshake deadline, went silent past the heartbeat
 * timeout (dead peers that still look open), hold an expired token, or have had one write
 * hanging longer than the send timeout.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class HeartbeatMonitor {

    private static final Logger LOG = Logger.getLogger(HeartbeatMonitor.class.getName());
    private static final long SWEEP_MILLIS = 250;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    Sessions registry;

    @Inject
    Settings settings;

    private ScheduledFuture<?> sweeps;

    @PostConstruct
    void start() {
        sweeps = scheduler.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        sweeps.cancel(false);
    }

    /**
     * How long after opening a connection settles. Container threads finish with the upgrade
     * request within milliseconds of the WebSocket opening, and read its headers until they have
     * ({@code UpgradedRequest}); a second leaves room for a pause.
     */
    static final long SETTLING_NANOS = Duration.ofSeconds(1).toNanos();

    /** The settings a sweep reads, read once per sweep rather than once per connection (a CDI proxy call each). */
    private record Limits(long handshakeNanos, long silenceNanos, long writeNanos, long pingNanos) {
    }

    void sweep() {
        long now = System.nanoTime();
        long wallClock = System.currentTimeMillis();
        Instant instant = Instant.ofEpochMilli(wallClock);
        Limits limits = new Limits(settings.handshakeTimeout().toNanos(), settings.heartbeatTimeout().toNanos(),
                settings.sendTimeout().toNanos(), settings.heartbeatInterval().toNanos());
        for (Connection connection : registry.connections()) {
            try {
                check(connection, limits, now, wallClock, instant);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "heartbeat check of " + connection.id() + " failed", e);
            }
        }
    }

    private static void check(Connection connection, Limits limits, long now, long wallClock, Instant instant) {
        Outbox outbox = connection.outbox();
        long inFlight = outbox.inFlightSinceNanos();
        if (!connection.authenticated() && now - connection.openedNanos() > limits.handshakeNanos()) {
            outbox.closeNow(CloseCode.HANDSHAKE_TIMEOUT, "no handshake");
        } else if (now - connection.lastHeardNanos() > limits.silenceNanos()) {
            outbox.closeNow(CloseCode.HEARTBEAT_TIMEOUT, "no pong");
        } else if (inFlight != 0 && now - inFlight > limits.writeNanos()) {
            outbox.closeNow(CloseCode.SLOW_CONSUMER, "write timed out");
        } else if (connection.authenticated() && connection.caller().expired(instant)) {
            outbox.closeNow(CloseCode.TOKEN_EXPIRED, "token expired");
        } else if (now - Math.max(connection.lastHeardNanos(), connection.lastPingNanos()) > limits.pingNanos()) {
            connection.pinged();
            outbox.ping();
        }
        if (connection.settles(now, SETTLING_NANOS)) {
            outbox.settle();
        }
        connection.replayGuard().forgetExpired(wallClock);
    }
}
