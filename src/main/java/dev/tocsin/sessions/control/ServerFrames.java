package dev.tocsin.sessions.control;

import static dev.tocsin.envelope.control.JsonFactory.JSON;

import dev.tocsin.envelope.control.EnvelopeSigner;
import dev.tocsin.envelope.entity.Envelope;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.MessageType;
import dev.tocsin.envelope.entity.ProtocolVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObjectBuilder;
import java.util.UUID;

/**
 * The frames the server sends to one client: the welcome, replies carrying {@code ref}, errors.
 * The welcome, and anything before it, is signed with the server's Ed25519 key; once the client
 * holds its session key (from that welcome), replies are authenticated with it (kid "session").
 */
@ApplicationScoped
public class ServerFrames {

    @Inject
    EnvelopeSigner signer;

    public String welcome(String ref, JsonObjectBuilder data) {
        return signer.frame(envelope(MessageType.WELCOME, ref, null, data));
    }

    public String reply(Connection to, MessageType type, String ref, String topic, JsonObjectBuilder data) {
        Envelope envelope = envelope(type, ref, topic, data);
        byte[] sessionKey = to.sessionKey();
        return sessionKey == null ? signer.frame(envelope) : signer.frame(envelope, sessionKey);
    }

    public String reply(Connection to, MessageType type, String ref, String topic) {
        return reply(to, type, ref, topic, JSON.createObjectBuilder());
    }

    public String error(Connection to, ErrorCode code, String detail, String ref) {
        JsonObjectBuilder data = JSON.createObjectBuilder()
                .add("code", code.name())
                .add("message", detail == null ? code.meaning() : detail)
                .add("close", code.closes());
        if (code == ErrorCode.UNSUPPORTED_VERSION) {
            data.add("supported", JSON.createArrayBuilder(ProtocolVersion.SUPPORTED));
        }
        if (code == ErrorCode.STALE_TIMESTAMP) {
            data.add("serverTime", System.currentTimeMillis());
        }
        return reply(to, MessageType.ERROR, ref, null, data);
    }

    private static Envelope envelope(MessageType type, String ref, String topic, JsonObjectBuilder data) {
        if (ref != null) {
            data.add("ref", ref);
        }
        return Envelope.of(type, UUID.randomUUID().toString(), System.currentTimeMillis(), topic, data.build());
    }
}
