package dev.tocsin.monitoring;

import dev.tocsin.alerts.control.NodeRelay;
import dev.tocsin.envelope.entity.CloseCode;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.sessions.control.Sessions;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.IntConsumer;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;

/**
 * Tocsin's application metrics, served by Payara at /metrics (Prometheus text, scope
 * "application"). docs/operations.md lists them.
 */
@ApplicationScoped
public class TocsinMetrics {

    @Inject
    @RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE)
    MetricRegistry metrics;

    @Inject
    Sessions sessions;

    @Inject
    NodeRelay relay;

    // Counted at every write: looked up once, not by name each time.
    private Counter writes;
    private Counter framesWritten;

    @PostConstruct
    void lookUpCounters() {
        writes = metrics.counter("tocsin.outbox.writes");
        framesWritten = metrics.counter("tocsin.outbox.frames");
    }

    void registerGauges(@Observes @Initialized(ApplicationScoped.class) Object started) {
        metrics.gauge("tocsin.connections", sessions::size);
        metrics.gauge("tocsin.cluster.members", relay::members);
    }

    public void published(int recipients) {
        metrics.counter("tocsin.alerts.published").inc();
        metrics.counter("tocsin.alerts.enqueued").inc(recipients);
    }

    /** Time to serialise and sign one alert frame, however many subscribers it then goes to. */
    public void framed(long nanos) {
        metrics.timer("tocsin.alerts.framing").update(Duration.ofNanos(nanos));
    }

    /** A connection's frames go through this writer: "grizzly" (the fast path), "tyrus" (TLS) or "websocket-api". */
    public void frameWriter(String writer) {
        metrics.counter("tocsin.connections.writer", new Tag("writer", writer)).inc();
    }

    /** A connection settled (a second old, past its handshake): whether its upgraded HTTP request was trimmed. */
    public void settled(boolean trimmed) {
        metrics.counter("tocsin.connections.settled", new Tag("trimmed", String.valueOf(trimmed))).inc();
    }

    /**
     * Counts writes to connections, told the frames each carries (frames per write is how much the
     * outboxes batch). Bound to the counters themselves: it runs on every write, where a call
     * through this bean's CDI proxy cost a look-up of the bean per write.
     */
    public IntConsumer writeCounter() {
        Counter frames = framesWritten;
        Counter all = writes;
        return carried -> {
            frames.inc(carried);
            all.inc();
        };
    }

    /** A subscription found a gap in its live alerts and replays it from the log (Subscription). */
    public void caughtUp() {
        metrics.counter("tocsin.subscriptions.catchups").inc();
    }

    /** A frame relayed between nodes: "sent", "received", or "dropped" (this node's relay queue was full). */
    public void relayed(String outcome) {
        metrics.counter("tocsin.relay.frames", new Tag("outcome", outcome)).inc();
    }

    /** Alerts of other nodes this node found in the log because their relay never came. */
    public void recovered(int alerts) {
        metrics.counter("tocsin.relay.frames", new Tag("outcome", "recovered")).inc(alerts);
    }

    public void refused(ErrorCode code) {
        metrics.counter("tocsin.frames.refused", new Tag("code", code.name())).inc();
    }

    /** A connection the server decided to close, by close code. */
    public void disconnected(CloseCode code) {
        metrics.counter("tocsin.disconnects", new Tag("code", String.valueOf(code.code()))).inc();
    }

    /** Every closed connection, by close code, whoever closed it. */
    public void closed(int closeCode) {
        metrics.counter("tocsin.connections.closed", new Tag("code", String.valueOf(closeCode))).inc();
    }
}
