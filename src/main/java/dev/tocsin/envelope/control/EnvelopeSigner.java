package dev.tocsin.envelope.control;

import dev.tocsin.envelope.entity.Envelope;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.nio.charset.StandardCharsets;

/**
 * Turns a server envelope into the text of a signed frame: JSON-B, then RFC 8785, then a signature
 * over those bytes appended as {@code s}. Frames for many recipients (alerts, acknowledgements) and
 * the welcome are signed with the active Ed25519 key, once per event whatever the number of
 * recipients. Replies to one connection are authenticated with that connection's session key
 * (HMAC-SHA256, {@code kid: "session"}), as its client signs its own frames: the client holds the
 * key from the Ed25519-signed welcome, and an HMAC costs a hundredth of an Ed25519 signature.
 */
public class EnvelopeSigner {

    private static final Jsonb JSONB = JsonbBuilder.create();

    private final ServerKeyRing keys;

    public EnvelopeSigner(ServerKeyRing keys) {
        this.keys = keys;
    }

    /** The kid of frames authenticated with a connection's session key, in both directions. */
    public static final String SESSION_KID = "session";

    public String frame(Envelope envelope) {
        String canonical = CanonicalJson.text(JSONB.toJson(envelope.withKid(keys.activeKid())));
        return withSignature(canonical, keys.sign(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    /** A reply to one connection, authenticated with its session key. */
    public String frame(Envelope envelope, byte[] sessionKey) {
        String canonical = CanonicalJson.text(JSONB.toJson(envelope.withKid(SESSION_KID)));
        return withSignature(canonical, HmacSha256.mac(sessionKey, canonical.getBytes(StandardCharsets.UTF_8)));
    }

    // The canonical object ends in '}' and is never empty: append s as its last member.
    private static String withSignature(String canonical, byte[] signature) {
        return canonical.substring(0, canonical.length() - 1) + ",\"s\":\"" + Base64Url.encode(signature) + "\"}";
    }

    public ServerKeyRing keys() {
        return keys;
    }
}
