package dev.tocsin.envelope.control;

import dev.tocsin.envelope.entity.Envelope;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.nio.charset.StandardCharsets;

/**
 * Turns a server envelope into the text of a signed frame: JSON-B, then RFC 8785, then Ed25519
 * over those bytes with the active key. Called once per event, whatever the number of recipients.
 */
public class EnvelopeSigner {

    private static final Jsonb JSONB = JsonbBuilder.create();

    private final ServerKeyRing keys;

    public EnvelopeSigner(ServerKeyRing keys) {
        this.keys = keys;
    }

    public String frame(Envelope envelope) {
        String canonical = CanonicalJson.text(JSONB.toJson(envelope.withKid(keys.activeKid())));
        byte[] signature = keys.sign(canonical.getBytes(StandardCharsets.UTF_8));
        // The canonical object ends in '}' and is never empty: append s as its last member.
        return canonical.substring(0, canonical.length() - 1) + ",\"s\":\"" + Base64Url.encode(signature) + "\"}";
    }

    public ServerKeyRing keys() {
        return keys;
    }
}
