package dev.tocsin.envelope.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerKeyRingTest {

    static final byte[] MESSAGE = "{\"id\":\"a-1\",\"type\":\"alert\",\"v\":1}".getBytes(StandardCharsets.UTF_8);

    /** An Ed25519 OKP JWK with its private part, from the production key generator. */
    static OctetKeyPair ed25519(String kid) {
        byte[][] pair = Ed25519.generate();
        return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(pair[1])).d(Base64URL.encode(pair[0])).keyID(kid).build();
    }

    static String jwks(JWK... keys) {
        return new JWKSet(List.of(keys)).toString(false);
    }

    @Test
    void signsWithTheActiveKeySoThatItsPublicPartVerifies() {
        OctetKeyPair key = ed25519("k1");
        ServerKeyRing ring = new ServerKeyRing(jwks(key), "k1");

        byte[] signature = ring.sign(MESSAGE);

        assertEquals("k1", ring.activeKid());
        assertTrue(Ed25519.verify(Ed25519.publicKey(key.getX().decode()), MESSAGE, signature));
        assertTrue(ring.verify("k1", MESSAGE, signature));
    }

    @Test
    void refusesASignatureOverOtherBytes() {
        ServerKeyRing ring = new ServerKeyRing(jwks(ed25519("k1")), "k1");
        byte[] signature = ring.sign(MESSAGE);
        byte[] tampered = MESSAGE.clone();
        tampered[8] ^= 1;

        assertFalse(ring.verify("k1", tampered, signature));
    }

    @Test
    void refusesAnUnknownKid() {
        ServerKeyRing ring = new ServerKeyRing(jwks(ed25519("k1")), "k1");

        assertFalse(ring.verify("k2", MESSAGE, ring.sign(MESSAGE)));
        assertFalse(ring.verify(null, MESSAGE, ring.sign(MESSAGE)));
    }

    @Test
    void afterRotationTheNewKeySignsAndBothKeysVerify() {
        OctetKeyPair old = ed25519("2024");
        OctetKeyPair current = ed25519("2025");
        byte[] signedBeforeRotation = new ServerKeyRing(jwks(old), "2024").sign(MESSAGE);

        // The old key may keep or drop its private part; here it is dropped.
        ServerKeyRing rotated = new ServerKeyRing(jwks(old.toPublicJWK(), current), "2025");
        byte[] signedAfterRotation = rotated.sign(MESSAGE);

        assertEquals("2025", rotated.activeKid());
        assertTrue(rotated.verify("2024", MESSAGE, signedBeforeRotation));
        assertTrue(rotated.verify("2025", MESSAGE, signedAfterRotation));
        assertTrue(Ed25519.verify(Ed25519.publicKey(current.getX().decode()), MESSAGE, signedAfterRotation));
        assertFalse(rotated.verify("2024", MESSAGE, signedAfterRotation));
        assertFalse(rotated.verify("2025", MESSAGE, signedBeforeRotation));
    }

    @Test
    void anyKeyWithAPrivatePartMayBeTheActiveOne() {
        OctetKeyPair a = ed25519("a");
        OctetKeyPair b = ed25519("b");

        byte[] signature = new ServerKeyRing(jwks(a, b), "a").sign(MESSAGE);

        assertTrue(new ServerKeyRing(jwks(a, b), "b").verify("a", MESSAGE, signature));
    }

    @Test
    void rejectsAnActiveKeyWithoutItsPrivatePart() {
        OctetKeyPair key = ed25519("k1");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ServerKeyRing(jwks(key.toPublicJWK(), ed25519("k2")), "k1"));
        assertTrue(e.getMessage().contains("k1"), e.getMessage());
    }

    @Test
    void rejectsAnActiveKidThatIsNotInTheSet() {
        assertThrows(IllegalArgumentException.class, () -> new ServerKeyRing(jwks(ed25519("k1")), "k9"));
        assertThrows(IllegalArgumentException.class, () -> new ServerKeyRing(jwks(ed25519("k1")), null));
    }

    @Test
    void rejectsAnEmptySet() {
        assertThrows(IllegalArgumentException.class, () -> new ServerKeyRing("{\"keys\":[]}", "k1"));
    }

    @Test
    void rejectsAnEcKeyInTheSet() throws JOSEException {
        JWK ec = new ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("ec").generate();

        assertThrows(IllegalArgumentException.class, () -> new ServerKeyRing(jwks(ed25519("k1"), ec), "k1"));
    }

    @Test
    void rejectsAnX25519KeyInTheSet() {
        JWK x25519 = new OctetKeyPair.Builder(Curve.X25519, Base64URL.encode(Ed25519.generate()[1])).keyID("x").build();

        assertThrows(IllegalArgumentException.class, () -> new ServerKeyRing(jwks(ed25519("k1"), x25519), "k1"));
    }

    @Test
    void rejectsAKeyWithoutAKid() {
        byte[][] pair = Ed25519.generate();
        OctetKeyPair anonymous = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(pair[1])).d(Base64URL.encode(pair[0])).build();

        assertThrows(IllegalArgumentException.class, () -> new ServerKeyRing(jwks(ed25519("k1"), anonymous), "k1"));
    }

    @Test
    void rejectsTextThatIsNotAJwkSet() {
        assertThrows(IllegalArgumentException.class, () -> new ServerKeyRing("not json", "k1"));
        assertThrows(IllegalArgumentException.class, () -> new ServerKeyRing("{\"keys\":7}", "k1"));
    }

    @Test
    void rejectsAnActiveKeyWhosePrivatePartDoesNotMatchItsPublicPart() {
        OctetKeyPair published = ed25519("k1");
        OctetKeyPair other = ed25519("k1");
        OctetKeyPair mismatched = new OctetKeyPair.Builder(published).d(other.getD()).build();

        assertThrows(IllegalArgumentException.class, () -> new ServerKeyRing(jwks(mismatched), "k1"));
    }

    @Test
    void publishesEveryKeyWithoutAnyPrivatePart() {
        OctetKeyPair old = ed25519("2024");
        OctetKeyPair current = ed25519("2025");
        ServerKeyRing ring = new ServerKeyRing(jwks(old, current), "2025");

        JsonObject published = Json.createReader(new StringReader(ring.publicJwks())).readObject();

        List<JsonObject> keys = published.getJsonArray("keys").getValuesAs(JsonValue::asJsonObject);
        assertEquals(List.of("2024", "2025"), keys.stream().map(k -> k.getString("kid")).toList());
        for (JsonObject key : keys) {
            assertFalse(key.containsKey("d"), key.toString());
            assertEquals("OKP", key.getString("kty"));
            assertEquals("Ed25519", key.getString("crv"));
        }
        assertEquals(old.getX().toString(), keys.get(0).getString("x"));
        assertEquals(current.getX().toString(), keys.get(1).getString("x"));
        assertFalse(ring.publicJwks().contains(current.getD().toString()));
        assertFalse(ring.publicJwks().contains(old.getD().toString()));
    }

    @Test
    void anEphemeralRingSignsWhatItVerifiesAndPublishesNoPrivatePart() {
        ServerKeyRing ring = ServerKeyRing.ephemeral();

        assertEquals("ephemeral", ring.activeKid());
        assertTrue(ring.verify("ephemeral", MESSAGE, ring.sign(MESSAGE)));
        assertFalse(ring.publicJwks().contains("\"d\""));
    }

    @Test
    void everyEphemeralRingHasItsOwnKey() {
        assertFalse(ServerKeyRing.ephemeral().verify("ephemeral", MESSAGE, ServerKeyRing.ephemeral().sign(MESSAGE)));
    }
}
