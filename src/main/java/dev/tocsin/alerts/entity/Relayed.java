package dev.tocsin.alerts.entity;

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

    /** kind, topic and offset on a line each, then the frame (topic names hold no line break, offsets are digits). */
    public String encode() {
        return kind.name() + SEPARATOR + topic + SEPARATOR + offset + SEPARATOR + frame;
    }

    /** @throws IllegalArgumentException if the text is not an {@link #encode() encoded} frame */
    public static Relayed decode(String text) {
        String[] parts = text.split(String.valueOf(SEPARATOR), 4);
        if (parts.length != 4 || !Topic.valid(parts[1])) {
            throw new IllegalArgumentException("not a relayed frame");
        }
        return new Relayed(Kind.valueOf(parts[0]), parts[1], Long.parseLong(parts[2]), parts[3]);
    }
}
