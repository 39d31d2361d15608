package dev.tocsin.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * The protocol's signing rules as docs/protocol.md states them, written again for the tests with
 * only the JDK and an RFC 8785 library: nothing here comes from the server's code.
 */
final class Wire {

    private Wire() {
    }

    static JsonObject parse(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    static byte[] canonicalWithoutSignature(JsonObject envelope) {
        try {
            return new JsonCanonicalizer(Json.createObjectBuilder(envelope).remove("s").build().toString()).getEncodedUTF8();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return b64(mac.doFinal(message));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] unb64(String text) {
        return Base64.getUrlDecoder().decode(text);
    }

    /** Server frame verification against the JWK set served at /api/keys. */
    static final class ServerKeys {
        private final Map<String, PublicKey> byKid = new HashMap<>();

        ServerKeys(JsonObject jwks) {
            jwks.getJsonArray("keys").getValuesAs(JsonObject.class).forEach(
                    jwk -> byKid.put(jwk.getString("kid"), ed25519(unb64(jwk.getString("x")))));
        }

        boolean verifies(JsonObject frame) {
            PublicKey key = byKid.get(frame.getString("kid", ""));
            if (key == null || !frame.containsKey("s")) {
                return false;
            }
            try {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(canonicalWithoutSignature(frame));
                return verifier.verify(unb64(frame.getString("s")));
            } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                return false;
            }
        }

        private static PublicKey ed25519(byte[] x) {
            byte[] be = new byte[32];
            for (int i = 0; i < 32; i++) {
                be[i] = x[31 - i];
            }
            boolean odd = (be[0] & 0x80) != 0;
            be[0] &= 0x7f;
            try {
                return KeyFactory.getInstance("Ed25519").generatePublic(
                        new EdECPublicKeySpec(NamedParameterSpec.ED25519, new EdECPoint(odd, new BigInteger(1, be))));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
