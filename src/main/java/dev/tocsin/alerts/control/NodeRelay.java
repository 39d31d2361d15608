package dev.tocsin.alerts.control;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import dev.tocsin.alerts.entity.Relayed;
import dev.tocsin.config.Settings;
import dev.tocsin.monitoring.TocsinMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Carries what one node broadcasts to the other nodes of its Payara Micro cluster, over a
 * Hazelcast topic of Payara's own instance, so that a subscriber gets an alert live whichever node
 * it was published on. Best effort by design: the log is the source of truth. A gap that a relay
 * lost or overtaken leaves is filled from there ({@link TopicSequence}, {@code Subscription}), and
 * every tocsin.relay.check-ms this node looks there for alerts whose relay never came.
 *
 * <p>Received frames are delivered on one thread of this node, in the order they arrived, from a
 * bounded queue: Hazelcast's event threads are not held by a fan-out, and a node that falls behind
 * drops relays (counted) rather than memory. Each relay carries its log's identity: a node takes
 * only those of the database it stores in itself (nodes on different databases in one cluster,
 * by mistake or each on its own embedded H2, have nothing to relay to each other).
 */
@ApplicationScoped
public class NodeRelay {

    private static final Logger LOG = Logger.getLogger(NodeRelay.class.getName());
    static final String HAZELCAST = "payara/Hazelcast";
    static final String TOPIC = "tocsin.relay";
    static final int QUEUE = 10_000;

    @Resource
    ManagedThreadFactory threads;
    @Resource
    ManagedScheduledExecutorService scheduler;
    @Inject
    AlertDispatcher dispatcher;
    @Inject
    TocsinMetrics metrics;
    @Inject
    AlertLog log;
    @Inject
    TopicSequence sequence;
    @Inject
    Settings settings;

    private volatile HazelcastInstance hazelcast;
    private volatile String identity;
    private volatile ITopic<String> relay;
    private UUID listener;
    private ThreadPoolExecutor receiver;
    private ScheduledFuture<?> checks;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        hazelcast = payaraHazelcast();
        if (hazelcast == null) {
            LOG.info("No running Hazelcast at " + HAZELCAST + ": alerts reach this node's subscribers only");
            return;
        }
        try {
            identity = log.identity();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not read the log's identity: alerts reach this node's subscribers only", e);
            return;
        }
        receiver = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), threads,
                (task, pool) -> {
                    throw new RejectedExecutionException("relay queue full");
                });
        relay = hazelcast.getTopic(TOPIC);
        listener = relay.addMessageListener(this::received);
        long period = settings.relayCheck().toMillis();
        checks = scheduler.scheduleWithFixedDelay(this::recoverLostRelays, period, period, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (relay != null) {
            checks.cancel(false);
            relay.removeMessageListener(listener);
            receiver.shutdownNow();
        }
    }

    /** Sends a frame this node has broadcast to every other node; nothing if it is alone. */
    public void send(Relayed relayed) {
        if (relay == null || members() < 2) {
            return;
        }
        try {
            relay.publish(relayed.encode(identity));
            metrics.relayed("sent");
        } catch (RuntimeException e) {
            // The alert is stored and delivered here: the other nodes' subscribers fill the gap from the log.
            metrics.relayed("failed");
            LOG.log(Level.WARNING, "could not relay a frame of " + relayed.topic() + " to the other nodes", e);
        }
    }

    /** Members of this node's cluster, itself included (0 without one). */
    public int members() {
        return hazelcast == null ? 0 : hazelcast.getCluster().getMembers().size();
    }

    /**
     * A lost relay of a topic's newest alert would otherwise wait for that topic's next alert (the
     * gap it reveals) or for the subscribers' next resume: bounded here by tocsin.relay.check-ms.
     * Also when this node sees no other: nodes sharing a log that failed to form a cluster get
     * each other's alerts this way, late rather than never.
     */
    private void recoverLostRelays() {
        try {
            int recovered = sequence.recoverFromLog();
            if (recovered > 0) {
                metrics.recovered(recovered);
                LOG.fine(() -> recovered + " alerts recovered from the log: their relays never came");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not look for alerts whose relay was lost", e);
        }
    }

    private void received(Message<String> message) {
        if (message.getPublishingMember() != null && message.getPublishingMember().localMember()) {
            return;
        }
        String text = message.getMessageObject();
        try {
            receiver.execute(() -> deliver(text));
        } catch (RejectedExecutionException e) {
            metrics.relayed("dropped");
            LOG.log(Level.FINE, "relay queue full: a frame from another node dropped (its subscribers fill the gap from the log)");
        }
    }

    private void deliver(String text) {
        try {
            Optional<Relayed> relayed = Relayed.decode(text, identity);
            if (relayed.isEmpty()) {
                metrics.relayed("foreign");
                return;
            }
            dispatcher.relayed(relayed.get());
            metrics.relayed("received");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a frame relayed from another node could not be delivered", e);
        }
    }

    private static HazelcastInstance payaraHazelcast() {
        try {
            HazelcastInstance instance = InitialContext.doLookup(HAZELCAST);
            return instance != null && instance.getLifecycleService().isRunning() ? instance : null;
        } catch (NamingException | RuntimeException e) {
            return null;
        }
    }
}
