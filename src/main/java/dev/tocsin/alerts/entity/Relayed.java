package dev.tocsin.alerts.entity;

import java.util.Optional;

/**
 * A frame one node has broadcast to its own subscribers, as it travels to the other nodes of the
 * cluster. Sent as text (not a serialised object): the receiving side is Hazelcast's, which does
 * not see the application's classes.
 *
 * @param offset the alert's offset; 0 for an {@link Kind#EVENT}
 * @param frame  the signed frame, exactly as the publishing node's subscribers received it
 */
public record Relayed(Kind kind, String topic, long offset, String frame) {

    /** What the frame is: an alert (ordered by offset) or an event without one (an acknowledgement). */
    public enum Kind {
        ALERT, EVENT
    }

    private static final char SEPARATOR = '\n';

    public static Relayed alert(String topic, long offset, String frame) {
        return new Relayed(Kind.ALERT, topic, offset, frame);
    }

    public static Relayed event(String topic, String frame) {
        return new Relayed(Kind.EVENT, topic, 0, frame);
    }

    /**
     * The log's identity ({@link LogIdentity}), kind, topic and offset on a line each, then the
     * frame (identities and topic names hold no line break, offsets are digits).
     */
    public String encode(String log) {
        return log + SEPARATOR + kind.name() + SEPARATOR + topic + SEPARATOR + offset + SEPARATOR + frame;
    }

    /**
     * @return empty for a frame of another log than {@code log}: its offsets are not this log's
     * @throws IllegalArgumentException if the text is not an {@link #encode(String) encoded} frame
     */
    public static Optional<Relayed> decode(String text, String log) {
        String[] parts = text.split(String.valueOf(SEPARATOR), 5);
        if (parts.length != 5 || !Topic.valid(parts[2])) {
            throw new IllegalArgumentException("not a relayed frame");
        }
        if (!parts[0].equals(log)) {
            return Optional.empty();
        }
        return Optional.of(new Relayed(Kind.valueOf(parts[1]), parts[2], Long.parseLong(parts[3]), parts[4]));
    }
}
