package dev.tocsin.envelope.entity;

import jakarta.json.JsonObject;

/**
 * One frame of the Tocsin protocol. Absent optional fields are null and left out of the JSON.
 *
 * @param v     protocol version
 * @param type  {@link MessageType#wireName()}
 * @param id    unique per sender within the replay window; alerts use the alert id
 * @param ts    sender's clock, epoch milliseconds
 * @param topic the topic, for subscribe, unsubscribe, publish, alert
 * @param d     the type's data
 * @param kid   the key that made {@code s}
 * @param s     base64url signature over the canonical form of the envelope without {@code s}
 */
public record Envelope(int v, String type, String id, long ts, String topic, JsonObject d, String kid, String s) {

    public static Envelope of(MessageType type, String id, long ts, String topic, JsonObject d) {
        return new Envelope(ProtocolVersion.CURRENT, type.wireName(), id, ts, topic, d, null, null);
    }

    public Envelope withKid(String kid) {
        return new Envelope(v, type, id, ts, topic, d, kid, null);
    }
}
