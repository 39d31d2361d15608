package dev.tocsin.sessions.control;

import dev.tocsin.security.entity.Caller;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state of one WebSocket connection: who it is once the handshake is done, its signing key,
 * its topics, its outbox and the clocks the heartbeat reads. Only the registry and the protocol
 * handling change it.
 */
public final class Connection {

    private final String id;
    private final Outbox outbox;
    private final ReplayGuard replayGuard;
    private final RateLimiter rateLimiter;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final long openedNanos = System.nanoTime();
    private volatile long lastHeardNanos = openedNanos;
    private volatile long lastPingNanos = openedNanos;
    private volatile Caller caller;
    private volatile byte[] sessionKey;
    private volatile boolean settled;

    public Connection(String id, Outbox outbox, ReplayGuard replayGuard, RateLimiter rateLimiter) {
        this.id = id;
        this.outbox = outbox;
        this.replayGuard = replayGuard;
        this.rateLimiter = rateLimiter;
    }

    public String id() {
        return id;
    }

    public Outbox outbox() {
        return outbox;
    }

    public ReplayGuard replayGuard() {
        return replayGuard;
    }

    /** By topic. */
    public Map<String, Subscription> subscriptions() {
        return subscriptions;
    }

    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    public boolean authenticated() {
        return caller != null;
    }

    public Caller caller() {
        return caller;
    }

    public byte[] sessionKey() {
        return sessionKey;
    }

    void authenticate(Caller caller, byte[] sessionKey) {
        this.sessionKey = sessionKey;
        this.caller = caller;
    }

    public void heard() {
        lastHeardNanos = System.nanoTime();
    }

    public long openedNanos() {
        return openedNanos;
    }

    public long lastHeardNanos() {
        return lastHeardNanos;
    }

    public long lastPingNanos() {
        return lastPingNanos;
    }

    public void pinged() {
        lastPingNanos = System.nanoTime();
    }

    /**
     * True once, the first time it is asked after the handshake and {@code settlingNanos} after the
     * connection opened: its opening is behind it, and the heartbeat lets the transport let go of
     * what only the opening needed ({@link Outbox#settle()}).
     */
    public boolean settles(long nowNanos, long settlingNanos) {
        if (settled || !authenticated() || nowNanos - openedNanos < settlingNanos) {
            return false;
        }
        settled = true;
        return true;
    }
}
