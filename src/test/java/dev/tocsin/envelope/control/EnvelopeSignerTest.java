package dev.tocsin.envelope.control;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tocsin.envelope.entity.Envelope;
import dev.tocsin.envelope.entity.MessageType;
import dev.tocsin.envelope.entity.ProtocolVersion;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;

class EnvelopeSignerTest {

    static final JsonObject DATA = Json.createObjectBuilder()
            .add("severity", "critical").add("title", "Disk € full").add("n", 1.5).build();

    final OctetKeyPair key = ServerKeyRingTest.ed25519("2025");
    final ServerKeyRing ring = new ServerKeyRing(ServerKeyRingTest.jwks(key), "2025");
    final EnvelopeSigner signer = new EnvelopeSigner(ring);

    static JsonObject read(String frame) {
        return Json.createReader(new StringReader(frame)).readObject();
    }

    /** The verifier's side, written from the protocol rather than from the server's helpers. */
    static byte[] canonicalWithoutS(JsonObject frame) throws IOException {
        String unsigned = Json.createObjectBuilder(frame).remove("s").build().toString();
        return new JsonCanonicalizer(unsigned).getEncodedUTF8();
    }

    /** Verifies a frame with nothing but the published JWK set. */
    static boolean verifiesWithPublishedKeys(String publicJwks, JsonObject frame) throws ParseException, IOException {
        OctetKeyPair published = JWKSet.parse(publicJwks).getKeyByKeyId(frame.getString("kid")).toOctetKeyPair();
        return Ed25519.verify(Ed25519.publicKey(published.getX().decode()), canonicalWithoutS(frame),
                Base64Url.decode(frame.getString("s")));
    }

    String alertFrame() {
        return signer.frame(Envelope.of(MessageType.ALERT, "a-1", 1_700_000_000_000L, "ops.db", DATA));
    }

    @Test
    void aReplyToOneConnectionCarriesKidSessionAndTheSessionKeysHmacOverItsCanonicalForm() throws Exception {
        byte[] sessionKey = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        JsonObject frame = read(signer.frame(Envelope.of(MessageType.PONG, "p-1", 1_700_000_000_000L, null, DATA), sessionKey));

        assertEquals(EnvelopeSigner.SESSION_KID, frame.getString("kid"));
        assertTrue(HmacSha256.verify(sessionKey, canonicalWithoutS(frame), Base64Url.decode(frame.getString("s"))));
        assertFalse(HmacSha256.verify("another key, another connection".getBytes(StandardCharsets.US_ASCII),
                canonicalWithoutS(frame), Base64Url.decode(frame.getString("s"))));
        assertFalse(verifiesWithPublishedKeys(ring.publicJwks().replace("\"2025\"", "\"session\""), frame));
    }

    @Test
    void aFrameVerifiesWithThePublishedKeySet() throws Exception {
        assertTrue(verifiesWithPublishedKeys(ring.publicJwks(), read(alertFrame())));
    }

    @Test
    void aFrameCarriesTheEnvelopeAndTheActiveKid() {
        JsonObject frame = read(alertFrame());

        assertAll(
                () -> assertEquals(ProtocolVersion.CURRENT, frame.getInt("v")),
                () -> assertEquals("alert", frame.getString("type")),
                () -> assertEquals("a-1", frame.getString("id")),
                () -> assertEquals(1_700_000_000_000L, frame.getJsonNumber("ts").longValueExact()),
                () -> assertEquals("ops.db", frame.getString("topic")),
                () -> assertEquals(DATA, frame.getJsonObject("d")),
                () -> assertEquals("2025", frame.getString("kid")),
                () -> assertEquals(64, Base64Url.decode(frame.getString("s")).length));
    }

    @Test
    void theSignatureCoversTheCanonicalBytesWithoutS() throws Exception {
        String frame = alertFrame();
        JsonObject object = read(frame);
        String canonical = new String(canonicalWithoutS(object), StandardCharsets.UTF_8);

        // The frame is the canonical form with s appended as its last member.
        assertEquals(canonical.substring(0, canonical.length() - 1) + ",\"s\":\"" + object.getString("s") + "\"}", frame);
        assertTrue(ring.verify("2025", canonical.getBytes(StandardCharsets.UTF_8), Base64Url.decode(object.getString("s"))));
        assertEquals(canonical, new String(Unsigned.canonicalBytes(object), StandardCharsets.UTF_8));
    }

    @Test
    void aTamperedFrameFailsVerification() throws Exception {
        JsonObject frame = read(alertFrame());

        JsonObject otherTopic = Json.createObjectBuilder(frame).add("topic", "ops.dc").build();
        JsonObject otherTs = Json.createObjectBuilder(frame).add("ts", 1_700_000_000_001L).build();
        JsonObject otherData = Json.createObjectBuilder(frame)
                .add("d", Json.createObjectBuilder(DATA).add("severity", "info")).build();
        JsonObject addedMember = Json.createObjectBuilder(frame).add("replayed", true).build();

        assertFalse(verifiesWithPublishedKeys(ring.publicJwks(), otherTopic));
        assertFalse(verifiesWithPublishedKeys(ring.publicJwks(), otherTs));
        assertFalse(verifiesWithPublishedKeys(ring.publicJwks(), otherData));
        assertFalse(verifiesWithPublishedKeys(ring.publicJwks(), addedMember));
    }

    @Test
    void aFrameSignedByAnotherServerUnderTheSameKidFails() throws Exception {
        EnvelopeSigner impostor = new EnvelopeSigner(new ServerKeyRing(ServerKeyRingTest.jwks(ServerKeyRingTest.ed25519("2025")), "2025"));

        JsonObject forged = read(impostor.frame(Envelope.of(MessageType.ALERT, "a-1", 1L, "ops.db", DATA)));

        assertFalse(verifiesWithPublishedKeys(ring.publicJwks(), forged));
    }

    @Test
    void leavesAbsentFieldsOutOfTheFrame() {
        JsonObject frame = read(signer.frame(Envelope.of(MessageType.PONG, "p-1", 5L, null, null)));

        assertFalse(frame.containsKey("topic"));
        assertFalse(frame.containsKey("d"));
        assertEquals("2025", frame.getString("kid"));
    }

    @Test
    void replacesAnyKidAndSignatureTheEnvelopeAlreadyHad() throws Exception {
        Envelope stale = new Envelope(1, "alert", "a-1", 5L, "ops.db", DATA, "old", "AAAA");

        JsonObject frame = read(signer.frame(stale));

        assertEquals("2025", frame.getString("kid"));
        assertTrue(verifiesWithPublishedKeys(ring.publicJwks(), frame));
    }

    @Test
    void afterRotationFramesCarryTheNewKidAndVerifyWithTheSamePublishedSet() throws Exception {
        OctetKeyPair next = ServerKeyRingTest.ed25519("2026");
        ServerKeyRing rotated = new ServerKeyRing(ServerKeyRingTest.jwks(key.toPublicJWK(), next), "2026");
        JsonObject before = read(alertFrame());

        JsonObject after = read(new EnvelopeSigner(rotated).frame(Envelope.of(MessageType.ALERT, "a-2", 2L, "ops.db", DATA)));

        assertEquals("2026", after.getString("kid"));
        assertTrue(verifiesWithPublishedKeys(rotated.publicJwks(), after));
        assertTrue(verifiesWithPublishedKeys(rotated.publicJwks(), before));
    }

    @Test
    void exposesItsKeyRing() {
        assertSame(ring, signer.keys());
    }
}
