package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tocsin.envelope.control.Base64Url;
import dev.tocsin.envelope.control.CanonicalJson;
import dev.tocsin.envelope.control.EnvelopeParser;
import dev.tocsin.envelope.control.HmacSha256;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.Inbound;
import dev.tocsin.envelope.entity.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameAuthenticityTest {

    static final long WINDOW = 30_000;
    static final long NOW = 1_700_000_000_000L;
    static final byte[] SESSION_KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    final FrameAuthenticity authenticity = new FrameAuthenticity(WINDOW);
    final ReplayGuard replayGuard = new ReplayGuard(WINDOW);

    /** The canonical (RFC 8785) form of a subscribe frame without s, written out by hand. */
    static String unsigned(String id, long ts, String kid) {
        return "{\"id\":\"" + id + "\"" + (kid == null ? "" : ",\"kid\":\"" + kid + "\"")
                + ",\"topic\":\"ops.db\",\"ts\":" + ts + ",\"type\":\"subscribe\",\"v\":1}";
    }

    static String withS(String unsigned, String s) {
        return unsigned.substring(0, unsigned.length() - 1) + ",\"s\":\"" + s + "\"}";
    }

    /**
     * MACs what a client MACs: the RFC 8785 form. For the usual values it is the text above; integers beyond
     * 2^53 become their nearest double, as in JavaScript.
     */
    static String mac(byte[] key, String unsigned) {
        return Base64Url.encode(HmacSha256.mac(key, CanonicalJson.utf8(unsigned)));
    }

    static Inbound signed(String id, long ts, String kid, byte[] key) {
        String unsigned = unsigned(id, ts, kid);
        return parse(withS(unsigned, mac(key, unsigned)));
    }

    static Inbound parse(String frame) {
        Inbound inbound = EnvelopeParser.parse(frame, 64 * 1024);
        assertFalse(inbound.isRejected(), () -> inbound.detail());
        return inbound;
    }

    void check(Inbound inbound) {
        authenticity.check(inbound, FrameAuthenticity.SESSION_KID, SESSION_KEY, replayGuard, NOW);
    }

    ErrorCode refusal(Inbound inbound) {
        return assertThrows(ProtocolException.class, () -> check(inbound)).code();
    }

    @Test
    void acceptsAFrameMacedWithTheSessionKeyUnderTheSessionKid() {
        assertDoesNotThrow(() -> check(signed("m-1", NOW, "session", SESSION_KEY)));
        assertEquals(1, replayGuard.size());
    }

    @Test
    void acceptsAHandshakeMacedWithTheTokenUnderTheTokenKid() {
        byte[] token = "eyJhbGciOiJFUzI1NiJ9.e30.sig".getBytes(StandardCharsets.US_ASCII);

        assertDoesNotThrow(() -> authenticity.check(signed("h-1", NOW, "token", token), FrameAuthenticity.TOKEN_KID,
                token, replayGuard, NOW));
    }

    @Test
    void refusesAFrameWithoutSAsABadSignature() {
        assertEquals(ErrorCode.BAD_SIGNATURE, refusal(parse(unsigned("m-1", NOW, "session"))));
    }

    @Test
    void refusesAFrameUnderAnotherKidAsAnUnknownKey() {
        assertEquals(ErrorCode.UNKNOWN_KEY, refusal(signed("m-1", NOW, "token", SESSION_KEY)));
    }

    @Test
    void refusesAFrameWithoutAKidAsAnUnknownKey() {
        assertEquals(ErrorCode.UNKNOWN_KEY, refusal(signed("m-1", NOW, null, SESSION_KEY)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64!", "ab+/cd", "a"})
    void refusesAnSThatIsNotBase64UrlAsABadSignature(String s) {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> check(parse(withS(unsigned("m-1", NOW, "session"), s))));

        assertEquals(ErrorCode.BAD_SIGNATURE, e.code());
        assertEquals("s is not base64url", e.getMessage());
    }

    @Test
    void refusesAMacMadeWithAnotherKeyAsABadSignature() {
        assertEquals(ErrorCode.BAD_SIGNATURE, refusal(signed("m-1", NOW, "session", "another key".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void refusesAFrameChangedAfterSigningAsABadSignature() {
        String unsigned = unsigned("m-1", NOW, "session");
        String tampered = withS(unsigned, mac(SESSION_KEY, unsigned)).replace("ops.db", "ops.dc");

        assertEquals(ErrorCode.BAD_SIGNATURE, refusal(parse(tampered)));
    }

    @Test
    void refusesATruncatedMacAsABadSignature() {
        String unsigned = unsigned("m-1", NOW, "session");
        String truncated = mac(SESSION_KEY, unsigned).substring(0, 20);

        assertEquals(ErrorCode.BAD_SIGNATURE, refusal(parse(withS(unsigned, truncated))));
    }

    @Test
    void acceptsTimestampsAtEitherEdgeOfTheWindow() {
        assertDoesNotThrow(() -> check(signed("past", NOW - WINDOW, "session", SESSION_KEY)));
        assertDoesNotThrow(() -> check(signed("future", NOW + WINDOW, "session", SESSION_KEY)));
    }

    @Test
    void refusesATimestampTooFarInThePastAsStale() {
        assertEquals(ErrorCode.STALE_TIMESTAMP, refusal(signed("m-1", NOW - WINDOW - 1, "session", SESSION_KEY)));
    }

    @Test
    void refusesATimestampTooFarInTheFutureAsStale() {
        assertEquals(ErrorCode.STALE_TIMESTAMP, refusal(signed("m-1", NOW + WINDOW + 1, "session", SESSION_KEY)));
    }

    @ParameterizedTest
    @ValueSource(longs = {9007199254740991L, -9007199254740991L, 0L})
    void refusesExtremeTimestampsAsStaleWithoutOverflowing(long ts) {
        assertEquals(ErrorCode.STALE_TIMESTAMP, refusal(signed("m-1", ts, "session", SESSION_KEY)));
    }

    @Test
    void refusesAReplayedIdAsReplayed() {
        Inbound frame = signed("m-1", NOW, "session", SESSION_KEY);
        check(frame);

        assertEquals(ErrorCode.REPLAYED_ID, refusal(frame));
    }

    @Test
    void refusesAnIdReusedWithANewTimestampAsReplayed() {
        check(signed("m-1", NOW, "session", SESSION_KEY));

        assertEquals(ErrorCode.REPLAYED_ID, refusal(signed("m-1", NOW + 1, "session", SESSION_KEY)));
    }

    @Test
    void aForgedOrStaleFrameDoesNotUseUpItsId() {
        assertEquals(ErrorCode.BAD_SIGNATURE, refusal(signed("m-1", NOW, "session", "forger".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(ErrorCode.STALE_TIMESTAMP, refusal(signed("m-1", NOW - WINDOW - 1, "session", SESSION_KEY)));

        assertDoesNotThrow(() -> check(signed("m-1", NOW, "session", SESSION_KEY)));
    }

    @Test
    void verifiesTheCanonicalBytesNotTheTextAsSent() {
        String unsigned = unsigned("m-1", NOW, "session");
        String s = mac(SESSION_KEY, unsigned);
        String reordered = "{ \"v\": 1, \"type\": \"subscribe\", \"s\": \"" + s + "\", \"topic\": \"ops.db\", \"ts\": " + NOW
                + ", \"kid\": \"session\", \"id\": \"m-1\" }";

        assertDoesNotThrow(() -> check(parse(reordered)));
    }
}
