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

/** The signed frames the server sends in reply to a client: welcome, replies carrying {@code ref}, errors. */
@ApplicationScoped
public class ServerFrames {

    @Inject
    EnvelopeSigner signer;

    public String reply(MessageType type, String ref, String topic, JsonObjectBuilder data) {
        if (ref != null) {
            data.add("ref", ref);
        }
        return signer.frame(Envelope.of(type, UUID.randomUUID().toString(), System.currentTimeMillis(), topic, data.build()));
    }

    public String reply(MessageType type, String ref, String topic) {
        return reply(type, ref, topic, JSON.createObjectBuilder());
    }

    public String error(ErrorCode code, String detail, String ref) {
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
        return reply(MessageType.ERROR, ref, null, data);
    }
}
