package dev.tocsin.sessions.control;

import dev.tocsin.security.entity.Caller;
import java.util.Collection;
import java.util.Set;

/**
 * What the rest of Tocsin asks of this node's live connections: the local business view of
 * {@link SessionRegistry}. Callers inject this, not the bean class: Payara answers every call
 * made through a no-interface view by throwing and catching an {@code IllegalArgumentException}
 * (its {@code EjbContainerServicesImpl.getEJBLocalObject} tries the local-view proxy first),
 * which made the registry's calls a visible part of connection set-up (docs/performance.md).
 */
public interface Sessions {

    void add(Connection connection);

    void authenticated(Connection connection, Caller caller, byte[] sessionKey);

    /** Adds the subscription, replacing the connection's earlier one to the same topic. */
    void subscribe(Subscription subscription);

    void unsubscribe(Connection connection, String topic);

    void remove(Connection connection);

    /** Enqueues one already signed alert frame to every subscriber of the topic; returns how many took it. */
    int broadcast(String topic, long offset, String frame);

    /** Enqueues a frame without an offset (an acknowledgement) to every subscriber of the topic. */
    int broadcastEvent(String topic, String frame);

    /** How many subscriptions the topic has on this node. */
    int subscribers(String topic);

    Collection<Connection> connections();

    Set<Connection> ofUser(String subject);

    int size();
}
