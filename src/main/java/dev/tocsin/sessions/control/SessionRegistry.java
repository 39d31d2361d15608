package dev.tocsin.sessions.control;

import dev.tocsin.config.Settings;
import dev.tocsin.envelope.entity.CloseCode;
import dev.tocsin.security.entity.Caller;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Local;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * All live connections of this node, by id, by user and by topic. Lock-free (bean-managed
 * concurrency over concurrent maps): the container's default write lock would serialise every
 * broadcast. Fan-out only enqueues into each connection's {@link Outbox}, so a slow or broken
 * connection neither aborts nor delays the others; the {@link BroadcastWriter} writes them.
 */
@Singleton
@Local(Sessions.class)
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class SessionRegistry implements Sessions {

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class.getName());

    private final Map<String, Connection> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<Connection>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Set<Subscription>> byTopic = new ConcurrentHashMap<>();
    private BroadcastWriter writer;

    @Resource
    ManagedThreadFactory threads;
    @Inject
    Settings settings;

    public SessionRegistry() {
    }

    public SessionRegistry(BroadcastWriter writer) {
        this.writer = writer;
    }

    @PostConstruct
    void start() {
        if (writer == null) {
            writer = BroadcastWriter.threads(Runtime.getRuntime().availableProcessors(), settings.broadcastPassesAhead(), settings.broadcastLinger(), threads, BroadcastWriter.WAIT);
        }
    }

    @Override
    public void add(Connection connection) {
        byId.put(connection.id(), connection);
    }

    @Override
    public void authenticated(Connection connection, Caller caller, byte[] sessionKey) {
        connection.authenticate(caller, sessionKey);
        join(byUser, caller.subject(), connection);
    }

    @Override
    public void subscribe(Subscription subscription) {
        Subscription earlier = subscription.connection().subscriptions().put(subscription.topic(), subscription);
        if (earlier != null) {
            earlier.cancel();
            leave(byTopic, earlier.topic(), earlier);
        }
        join(byTopic, subscription.topic(), subscription);
    }

    @Override
    public void unsubscribe(Connection connection, String topic) {
        Subscription subscription = connection.subscriptions().remove(topic);
        if (subscription != null) {
            subscription.cancel();
            leave(byTopic, topic, subscription);
        }
    }

    @Override
    public void remove(Connection connection) {
        if (byId.remove(connection.id()) == null) {
            return;
        }
        connection.subscriptions().values().forEach(s -> {
            s.cancel();
            leave(byTopic, s.topic(), s);
        });
        if (connection.caller() != null) {
            leave(byUser, connection.caller().subject(), connection);
        }
    }

    @Override
    public int broadcast(String topic, long offset, String frame) {
        Frame once = new Frame(frame);
        return fanOut(topic, subscription -> subscription.live(offset, once));
    }

    @Override
    public int broadcastEvent(String topic, String frame) {
        Frame once = new Frame(frame);
        return fanOut(topic, subscription -> subscription.event(once));
    }

    private int fanOut(String topic, Predicate<Subscription> deliver) {
        Set<Subscription> subscribers = byTopic.get(topic);
        if (subscribers == null) {
            return 0;
        }
        List<Subscription> took = new ArrayList<>(subscribers.size());
        for (Subscription subscriber : subscribers) {
            try {
                if (deliver.test(subscriber)) {
                    took.add(subscriber);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "enqueue to " + subscriber.connection().id() + " failed", e);
            }
        }
        writer.write(topic, took);
        return took.size();
    }

    @Override
    public int subscribers(String topic) {
        Set<Subscription> subscribers = byTopic.get(topic);
        return subscribers == null ? 0 : subscribers.size();
    }

    @Override
    public Collection<Connection> connections() {
        return byId.values();
    }

    @Override
    public Set<Connection> ofUser(String subject) {
        return byUser.getOrDefault(subject, Set.of());
    }

    @Override
    public int size() {
        return byId.size();
    }

    @PreDestroy
    void closeAll() {
        byId.values().forEach(c -> c.outbox().closeNow(CloseCode.GOING_AWAY, "server shutting down"));
        writer.shutdown();
    }

    // Membership changes happen inside compute so that a set emptied and dropped by leave()
    // is never joined after it left the map.
    private static <T> void join(Map<String, Set<T>> index, String key, T member) {
        index.compute(key, (k, members) -> {
            Set<T> set = members == null ? ConcurrentHashMap.newKeySet() : members;
            set.add(member);
            return set;
        });
    }

    private static <T> void leave(Map<String, Set<T>> index, String key, T member) {
        index.computeIfPresent(key, (k, members) -> {
            members.remove(member);
            return members.isEmpty() ? null : members;
        });
    }
}
