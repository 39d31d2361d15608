package dev.tocsin.envelope.entity;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code type} of an envelope, and which side may send it. docs/protocol.md has one section per type.
 */
public enum MessageType {
    HANDSHAKE("handshake", Direction.CLIENT),
    WELCOME("welcome", Direction.SERVER),
    SUBSCRIBE("subscribe", Direction.CLIENT),
    SUBSCRIBED("subscribed", Direction.SERVER),
    UNSUBSCRIBE("unsubscribe", Direction.CLIENT),
    UNSUBSCRIBED("unsubscribed", Direction.SERVER),
    PUBLISH("publish", Direction.CLIENT),
    RECEIPT("receipt", Direction.SERVER),
    ALERT("alert", Direction.SERVER),
    ACK("ack", Direction.CLIENT),
    ACKNOWLEDGED("acknowledged", Direction.SERVER),
    PING("ping", Direction.BOTH),
    PONG("pong", Direction.BOTH),
    ERROR("error", Direction.SERVER);

    public enum Direction { CLIENT, SERVER, BOTH }

    private static final Map<String, MessageType> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(MessageType::wireName, Function.identity()));

    private final String wireName;
    private final Direction direction;

    MessageType(String wireName, Direction direction) {
        this.wireName = wireName;
        this.direction = direction;
    }

    public String wireName() {
        return wireName;
    }

    public boolean sentByClients() {
        return direction != Direction.SERVER;
    }

    public static Optional<MessageType> fromWire(String name) {
        return Optional.ofNullable(BY_WIRE_NAME.get(name));
    }
}
