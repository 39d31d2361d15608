package dev.tocsin.envelope.control;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.envelope.entity.Envelope;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.Inbound;
import dev.tocsin.envelope.entity.ProtocolException;
import dev.tocsin.sessions.control.FrameAuthenticity;
import dev.tocsin.sessions.control.ReplayGuard;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cross-language test vectors in docs/test-vectors.json, checked against the server's own
 * canonicalization and signature classes. A client implementation checks the same file.
 */
class ProtocolVectorsTest {

    private static final Path BASE_DIR = Path.of(System.getProperty("basedir", "."));
    private static final Path VECTORS = BASE_DIR.resolve("docs/test-vectors.json");
    private static final Path DEMO_PROPERTIES = BASE_DIR.resolve("deploy/demo.properties");
    private static final long REPLAY_WINDOW_MILLIS = 120_000;
    private static final int MAX_FRAME_BYTES = 65_536;

    private static final JsonObject FILE = read(VECTORS);
    private static final JsonObject KEYS = FILE.getJsonObject("keys");
    private static final JsonObject ED25519 = KEYS.getJsonObject("ed25519");
    private static final String ACTIVE_KID = ED25519.getString("activeKid");
    /** Both demo pairs, with private parts, as tocsin.signing.jwks holds them. */
    private static final String SIGNING_JWKS = Json.createObjectBuilder().add("keys", Json.createArrayBuilder(
            ED25519.getJsonObject("publicJwks").getJsonArray("keys").getValuesAs(JsonObject.class).stream()
                    .map(jwk -> ED25519.getJsonObject(jwk.getString("kid")).getJsonObject("privateJwk"))
                    .toList())).build().toString();
    private static final byte[] SESSION_KEY = Base64Url.decode(KEYS.getJsonObject("session").getString("base64url"));

    record Case(String name, String kind, boolean valid, String wire, String canonical, String canonicalHex, String signature) {

        static Case of(JsonObject c) {
            return new Case(c.getString("name"), c.getString("kind"), c.getBoolean("valid"), c.getString("wire"),
                    c.getString("canonical"), c.getString("canonicalHex"), c.getString("signature"));
        }

        JsonObject envelope() {
            try (JsonReader reader = Json.createReader(new StringReader(wire))) {
                return reader.readObject();
            }
        }

        String s() {
            return envelope().getString("s");
        }

        boolean server() {
            return "server-ed25519".equals(kind);
        }

        /** The kid a client frame of this kind must carry, and the HMAC key it is checked with. */
        String clientKid() {
            return "client-hmac-token".equals(kind) ? FrameAuthenticity.TOKEN_KID : FrameAuthenticity.SESSION_KID;
        }

        byte[] hmacKey() {
            return "client-hmac-token".equals(kind)
                    ? envelope().getJsonObject("d").getString("token").getBytes(StandardCharsets.UTF_8)
                    : SESSION_KEY;
        }

        @Override
        public String toString() {
            return name + (valid ? "" : " (invalid)");
        }
    }

    static Stream<Case> cases() {
        return FILE.getJsonArray("cases").getValuesAs(JsonObject.class).stream().map(Case::of);
    }

    static Stream<Case> serverCases() {
        return cases().filter(Case::server);
    }

    static Stream<Case> validServerCases() {
        return serverCases().filter(Case::valid);
    }

    static Stream<Case> clientCases() {
        return cases().filter(c -> !c.server());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void canonicalizesTheEnvelopeWithoutSToTheRecordedText(Case c) {
        byte[] bytes = Unsigned.canonicalBytes(c.envelope());
        String withoutS = Json.createObjectBuilder(c.envelope()).remove(Unsigned.SIGNATURE).build().toString();
        assertAll(
                () -> assertEquals(c.canonicalHex(), HexFormat.of().formatHex(bytes), "canonical UTF-8 bytes"),
                () -> assertEquals(c.canonical(), new String(bytes, StandardCharsets.UTF_8), "canonical text"),
                () -> assertEquals(c.canonical(), CanonicalJson.text(withoutS), "CanonicalJson.text"),
                () -> assertEquals(c.canonical(), new String(HexFormat.of().parseHex(c.canonicalHex()), StandardCharsets.UTF_8),
                        "the file's hex is the UTF-8 of its canonical text"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverCases")
    void verifiesAServerFrameExactlyWhenTheVectorIsValid(Case c) {
        ServerKeyRing ring = new ServerKeyRing(SIGNING_JWKS, ACTIVE_KID);
        byte[] signature = Base64Url.decode(c.s());
        assertEquals(64, signature.length, "an Ed25519 signature has 64 bytes");
        assertEquals(c.valid(), ring.verify(c.envelope().getString("kid"), Unsigned.canonicalBytes(c.envelope()), signature));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientCases")
    void acceptsAClientFrameExactlyWhenTheVectorIsValid(Case c) {
        Inbound inbound = EnvelopeParser.parse(c.wire(), MAX_FRAME_BYTES);
        assertFalse(inbound.isRejected(), () -> "the parser rejected the frame: " + inbound.error() + " " + inbound.detail());
        assertEquals(c.canonicalHex(), HexFormat.of().formatHex(inbound.signedBytes()), "the bytes the parser hands on for checking");
        FrameAuthenticity authenticity = new FrameAuthenticity(REPLAY_WINDOW_MILLIS);
        ReplayGuard guard = new ReplayGuard(REPLAY_WINDOW_MILLIS);
        long now = inbound.envelope().ts();
        if (c.valid()) {
            assertDoesNotThrow(() -> authenticity.check(inbound, c.clientKid(), c.hmacKey(), guard, now));
        } else {
            ProtocolException refused = assertThrows(ProtocolException.class,
                    () -> authenticity.check(inbound, c.clientKid(), c.hmacKey(), guard, now));
            assertEquals(ErrorCode.BAD_SIGNATURE, refused.code());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverCases")
    void signingTheCanonicalBytesWithTheKidsPrivateKeyGivesTheRecordedSignature(Case c) {
        byte[] bytes = Unsigned.canonicalBytes(c.envelope());
        String kid = c.envelope().getString("kid");
        byte[] seed = Base64Url.decode(ED25519.getJsonObject(kid).getJsonObject("privateJwk").getString("d"));
        assertAll(
                () -> assertEquals(c.signature(), Base64Url.encode(Ed25519.sign(Ed25519.privateKey(seed), bytes)), "Ed25519.sign"),
                () -> assertEquals(c.signature(), Base64Url.encode(new ServerKeyRing(SIGNING_JWKS, kid).sign(bytes)), "ServerKeyRing.sign"),
                () -> assertEquals(c.valid(), c.signature().equals(c.s()), "s is the recorded signature exactly when valid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientCases")
    void macOfTheCanonicalBytesWithTheKindsKeyIsTheRecordedSignature(Case c) {
        byte[] mac = HmacSha256.mac(c.hmacKey(), Unsigned.canonicalBytes(c.envelope()));
        assertAll(
                () -> assertEquals(c.signature(), Base64Url.encode(mac)),
                () -> assertEquals(c.clientKid(), c.envelope().getString("kid")),
                () -> assertEquals(c.valid(), c.signature().equals(c.s()), "s is the recorded signature exactly when valid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validServerCases")
    void envelopeSignerReproducesTheServerFrameByteForByte(Case c) {
        JsonObject wire = c.envelope();
        Envelope envelope = new Envelope(wire.getInt("v"), wire.getString("type"), wire.getString("id"),
                wire.getJsonNumber("ts").longValueExact(), wire.getString("topic", null),
                wire.containsKey("d") ? wire.getJsonObject("d") : null, null, null);
        EnvelopeSigner signer = new EnvelopeSigner(new ServerKeyRing(SIGNING_JWKS, wire.getString("kid")));
        assertEquals(c.wire(), signer.frame(envelope));
    }

    @Test
    void vectorsCoverEveryKindWithValidAndInvalidCases() {
        List<Case> all = cases().toList();
        Set<String> names = all.stream().map(Case::name).collect(Collectors.toSet());
        assertEquals(all.size(), names.size(), "case names are unique");
        for (String kind : List.of("server-ed25519", "client-hmac-session", "client-hmac-token")) {
            assertTrue(all.stream().anyMatch(c -> c.kind().equals(kind) && c.valid()), kind + " has a valid case");
            assertTrue(all.stream().anyMatch(c -> c.kind().equals(kind) && !c.valid()), kind + " has an invalid case");
        }
        assertTrue(all.stream().allMatch(c -> Set.of("server-ed25519", "client-hmac-session", "client-hmac-token").contains(c.kind())),
                "no unknown kind");
    }

    @Test
    void vectorKeysAreTheDemoKeysOfDeployDemoProperties() throws IOException {
        Properties demo = new Properties();
        try (Reader reader = Files.newBufferedReader(DEMO_PROPERTIES, StandardCharsets.UTF_8)) {
            demo.load(reader);
        }
        assertEquals(demo.getProperty("tocsin.signing.active-kid"), ACTIVE_KID);
        List<JsonObject> demoKeys = read(demo.getProperty("tocsin.signing.jwks")).getJsonArray("keys").getValuesAs(JsonObject.class);
        assertFalse(demoKeys.isEmpty());
        for (JsonObject demoKey : demoKeys) {
            JsonObject pair = ED25519.getJsonObject(demoKey.getString("kid"));
            assertEquals(demoKey, pair.getJsonObject("privateJwk"), demoKey.getString("kid"));
            assertEquals(Json.createObjectBuilder(demoKey).remove("d").build(), pair.getJsonObject("publicJwk"));
        }
        assertEquals(read(new ServerKeyRing(SIGNING_JWKS, ACTIVE_KID).publicJwks()).getJsonArray("keys").stream()
                        .map(JsonValue::asJsonObject).map(jwk -> jwk.getString("kid") + " " + jwk.getString("x")).collect(Collectors.toSet()),
                ED25519.getJsonObject("publicJwks").getJsonArray("keys").stream()
                        .map(JsonValue::asJsonObject).map(jwk -> jwk.getString("kid") + " " + jwk.getString("x")).collect(Collectors.toSet()),
                "publicJwks is what /api/keys serves");
    }

    @Test
    void sessionKeyIsThirtyTwoBytesAndIsTheOneTheWelcomeVectorHandsOut() {
        assertEquals(32, SESSION_KEY.length);
        assertEquals(KEYS.getJsonObject("session").getString("hex"), HexFormat.of().formatHex(SESSION_KEY));
        List<String> handedOut = validServerCases().map(Case::envelope).filter(e -> "welcome".equals(e.getString("type")))
                .map(e -> e.getJsonObject("d").getString("key")).toList();
        assertFalse(handedOut.isEmpty(), "a welcome vector");
        handedOut.forEach(key -> assertEquals(KEYS.getJsonObject("session").getString("base64url"), key));
    }

    private static JsonObject read(Path path) {
        try {
            return read(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path.toAbsolutePath(), e);
        }
    }

    private static JsonObject read(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }
}
