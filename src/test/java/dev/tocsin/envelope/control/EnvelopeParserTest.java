package dev.tocsin.envelope.control;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.envelope.entity.Envelope;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.Inbound;
import dev.tocsin.envelope.entity.MessageType;
import dev.tocsin.envelope.entity.ProtocolVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeParserTest {

    static final int LIMIT = 64 * 1024;

    /** Frames are written with ' for " to keep them readable. */
    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    static Inbound parse(String singleQuoted) {
        return EnvelopeParser.parse(json(singleQuoted), LIMIT);
    }

    static void assertRejected(Inbound inbound, ErrorCode code, String ref) {
        assertAll(
                () -> assertTrue(inbound.isRejected(), "rejected"),
                () -> assertEquals(code, inbound.error()),
                () -> assertEquals(ref, inbound.ref()),
                () -> assertNull(inbound.envelope()),
                () -> assertNull(inbound.signedBytes()));
    }

    // --- size ---

    @Test
    void acceptsAFrameOfExactlyTheLimitCountedInUtf8BytesWithMultiByteCharacters() {
        // é is 2 bytes, € 3, the emoji a surrogate pair of 4: chars and bytes differ.
        String frame = json("{'v':1,'type':'publish','id':'m-1','ts':1,'topic':'ops.db','d':{'title':'é € 😀'}}");
        int bytes = frame.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bytes > frame.length());

        assertFalse(EnvelopeParser.parse(frame, bytes).isRejected());
        assertRejected(EnvelopeParser.parse(frame, bytes - 1), ErrorCode.FRAME_TOO_LARGE, null);
    }

    @Test
    void rejectsAFrameWhoseCharactersFitTheLimitButWhoseUtf8BytesDoNot() {
        String frame = json("{'v':1,'type':'ping','id':'€€€€€€€€€€','ts':1}");
        int chars = frame.length();
        assertTrue(frame.getBytes(StandardCharsets.UTF_8).length > chars);

        assertRejected(EnvelopeParser.parse(frame, chars), ErrorCode.FRAME_TOO_LARGE, null);
    }

    @Test
    void acceptsAnAsciiFrameOfExactlyTheLimitAndRejectsOneByteMore() {
        String frame = json("{'v':1,'type':'ping','id':'m-1','ts':1}");
        int bytes = frame.length();

        assertFalse(EnvelopeParser.parse(frame, bytes).isRejected());
        assertRejected(EnvelopeParser.parse(frame + " ", bytes), ErrorCode.FRAME_TOO_LARGE, null);
    }

    @Test
    void checksTheSizeBeforeTheSyntaxAndNamesTheLimit() {
        Inbound inbound = EnvelopeParser.parse("x".repeat(101), 100);

        assertRejected(inbound, ErrorCode.FRAME_TOO_LARGE, null);
        assertTrue(inbound.detail().contains("100"), inbound.detail());
    }

    // --- bare ping and syntax ---

    @ParameterizedTest
    @ValueSource(strings = {"ping", " ping", "ping\n", "\tping \r\n"})
    void readsABareTextPingWithOrWithoutSurroundingWhitespace(String text) {
        Inbound inbound = EnvelopeParser.parse(text, LIMIT);

        assertTrue(inbound.isBarePing());
        assertFalse(inbound.isRejected());
        assertEquals(MessageType.PING, inbound.type());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PING", "pong", "", "   ", "{", "hello", "{'v':1,}", "{'v':1 'type':'ping'}", "{v:1}"})
    void rejectsTextThatIsNotJsonAsAMalformedFrame(String text) {
        assertRejected(EnvelopeParser.parse(json(text), LIMIT), ErrorCode.MALFORMED_FRAME, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{'v':1,'type':'ping','id':'m-1','ts':1}]", "'ping'", "'{}'", "1", "null", "true"})
    void rejectsJsonThatIsNotAnObjectAsAMalformedFrame(String text) {
        assertRejected(EnvelopeParser.parse(json(text), LIMIT), ErrorCode.MALFORMED_FRAME, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'v':1,'type':'ping','id':'m-1','ts':1} garbage", "{'v':1,'type':'ping','id':'m-1','ts':1}{}",
            "{'v':1,'type':'ping','id':'m-1','ts':1} ['more']"})
    void rejectsAnObjectFollowedByMoreTextAsAMalformedFrame(String text) {
        assertRejected(EnvelopeParser.parse(json(text), LIMIT), ErrorCode.MALFORMED_FRAME, null);
    }

    // --- v ---

    @ParameterizedTest
    @ValueSource(strings = {
            "{'type':'ping','id':'m-1','ts':1}",
            "{'v':'1','type':'ping','id':'m-1','ts':1}",
            "{'v':1.5,'type':'ping','id':'m-1','ts':1}",
            "{'v':1.0,'type':'ping','id':'m-1','ts':1}",
            "{'v':null,'type':'ping','id':'m-1','ts':1}",
            "{'v':[1],'type':'ping','id':'m-1','ts':1}"})
    void rejectsAMissingOrNonIntegerVersionAsAnInvalidEnvelopeKeepingTheId(String frame) {
        Inbound inbound = parse(frame);

        assertRejected(inbound, ErrorCode.INVALID_ENVELOPE, "m-1");
        assertTrue(inbound.detail().contains("v"), inbound.detail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "2", "-1", "2147483647", "2147483648", "-2147483648",
            "4294967297", "-4294967295", "18446744073709551617", "100000000000000000000000000000000000001"})
    void rejectsAnUnknownVersionNamingTheSupportedOnesEvenWhenItsLowBitsReadAsOne(String v) {
        Inbound inbound = parse("{'v':" + v + ",'type':'ping','id':'m-1','ts':1}");

        assertRejected(inbound, ErrorCode.UNSUPPORTED_VERSION, "m-1");
        String supported = ProtocolVersion.SUPPORTED.stream().map(String::valueOf).collect(Collectors.joining(", "));
        assertTrue(inbound.detail().endsWith(supported), inbound.detail());
    }

    @Test
    void checksTheVersionBeforeTheTypeSoThatAFutureClientLearnsItsVersionIsTheProblem() {
        assertRejected(parse("{'v':2,'type':'teleport','id':'m-1','ts':1}"), ErrorCode.UNSUPPORTED_VERSION, "m-1");
    }

    // --- type ---

    @ParameterizedTest
    @ValueSource(strings = {
            "{'v':1,'id':'m-1','ts':1}",
            "{'v':1,'type':7,'id':'m-1','ts':1}",
            "{'v':1,'type':null,'id':'m-1','ts':1}",
            "{'v':1,'type':['ping'],'id':'m-1','ts':1}"})
    void rejectsAMissingOrNonStringTypeAsAnInvalidEnvelope(String frame) {
        assertRejected(parse(frame), ErrorCode.INVALID_ENVELOPE, "m-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"teleport", "", "Subscribe", "PING", " ping"})
    void rejectsATypeThatIsNotInTheProtocolAsUnknownNamingTheClientTypes(String type) {
        Inbound inbound = parse("{'v':1,'type':'" + type + "','id':'m-1','ts':1}");

        assertRejected(inbound, ErrorCode.UNKNOWN_TYPE, "m-1");
        Arrays.stream(MessageType.values()).filter(MessageType::sentByClients)
                .forEach(t -> assertTrue(inbound.detail().contains(t.wireName()), inbound.detail()));
    }

    @ParameterizedTest
    @EnumSource(value = MessageType.class, names = {"WELCOME", "SUBSCRIBED", "UNSUBSCRIBED", "RECEIPT", "ALERT", "ERROR"})
    void rejectsATypeOnlyTheServerMaySendAsUnknown(MessageType serverOnly) {
        assertFalse(serverOnly.sentByClients());

        assertRejected(parse("{'v':1,'type':'" + serverOnly.wireName() + "','id':'m-1','ts':1}"), ErrorCode.UNKNOWN_TYPE, "m-1");
    }

    @ParameterizedTest
    @EnumSource(value = MessageType.class, names = {"HANDSHAKE", "SUBSCRIBE", "UNSUBSCRIBE", "PUBLISH", "ACK", "PING", "PONG"})
    void acceptsEveryTypeAClientMaySend(MessageType clientType) {
        Inbound inbound = parse("{'v':1,'type':'" + clientType.wireName() + "','id':'m-1','ts':1}");

        assertFalse(inbound.isRejected(), () -> inbound.error() + ": " + inbound.detail());
        assertEquals(clientType, inbound.type());
        assertEquals(clientType.wireName(), inbound.envelope().type());
    }

    // --- id ---

    @ParameterizedTest
    @ValueSource(strings = {
            "{'v':1,'type':'ping','ts':1}",
            "{'v':1,'type':'ping','id':7,'ts':1}",
            "{'v':1,'type':'ping','id':null,'ts':1}",
            "{'v':1,'type':'ping','id':['m-1'],'ts':1}"})
    void rejectsAMissingOrNonStringIdWithoutARef(String frame) {
        Inbound inbound = parse(frame);

        assertRejected(inbound, ErrorCode.INVALID_ENVELOPE, null);
        assertTrue(inbound.detail().contains("id"), inbound.detail());
    }

    @Test
    void rejectsAnEmptyId() {
        assertRejected(parse("{'v':1,'type':'ping','id':'','ts':1}"), ErrorCode.INVALID_ENVELOPE, "");
    }

    @Test
    void acceptsAnIdOfTheMaximumLength() {
        String id = "i".repeat(EnvelopeParser.MAX_ID_LENGTH);

        Inbound inbound = parse("{'v':1,'type':'ping','id':'" + id + "','ts':1}");

        assertFalse(inbound.isRejected());
        assertEquals(id, inbound.envelope().id());
        assertEquals(id, inbound.ref());
    }

    @Test
    void rejectsAnIdOneCharacterTooLongReferringToItsClippedPrefix() {
        String id = "a".repeat(EnvelopeParser.MAX_ID_LENGTH) + "b";

        Inbound inbound = parse("{'v':1,'type':'ping','id':'" + id + "','ts':1}");

        assertRejected(inbound, ErrorCode.INVALID_ENVELOPE, "a".repeat(EnvelopeParser.MAX_ID_LENGTH));
        assertTrue(inbound.detail().contains(String.valueOf(EnvelopeParser.MAX_ID_LENGTH)), inbound.detail());
    }

    // --- ts ---

    @ParameterizedTest
    @ValueSource(strings = {"", ",'ts':'1'", ",'ts':1.5", ",'ts':1.0", ",'ts':null", ",'ts':true",
            ",'ts':9007199254740992", ",'ts':4611686018427387904", ",'ts':-4611686018427387905", ",'ts':9223372036854775807",
            ",'ts':9223372036854775808", ",'ts':18446744073709551617"})
    void rejectsAMissingNonIntegerOrOverflowingTimestamp(String ts) {
        Inbound inbound = parse("{'v':1,'type':'ping','id':'m-1'" + ts + "}");

        assertRejected(inbound, ErrorCode.INVALID_ENVELOPE, "m-1");
        assertTrue(inbound.detail().contains("ts"), inbound.detail());
    }

    @Test
    void rejectsATimestampWithAHugeExponentWithoutExpandingIt() {
        Inbound inbound = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> parse("{'v':1,'type':'ping','id':'m-1','ts':1e999999999}"));

        assertRejected(inbound, ErrorCode.INVALID_ENVELOPE, "m-1");
    }

    @ParameterizedTest
    @ValueSource(longs = {9007199254740991L, -9007199254740991L, 0L, 1_700_000_000_000L})
    void acceptsEveryTimestampThatIsExactInADouble(long ts) {
        Inbound inbound = parse("{'v':1,'type':'ping','id':'m-1','ts':" + ts + "}");

        assertFalse(inbound.isRejected(), () -> inbound.detail());
        assertEquals(ts, inbound.envelope().ts());
    }

    // --- optional fields ---

    static Stream<String[]> wronglyTypedOptionalFields() {
        return Stream.of(
                new String[] {"topic", "'topic':7"},
                new String[] {"topic", "'topic':null"},
                new String[] {"topic", "'topic':{'name':'ops'}"},
                new String[] {"d", "'d':'text'"},
                new String[] {"d", "'d':[]"},
                new String[] {"d", "'d':null"},
                new String[] {"kid", "'kid':1"},
                new String[] {"kid", "'kid':{}"},
                new String[] {"s", "'s':true"},
                new String[] {"s", "'s':['abc']"});
    }

    @ParameterizedTest
    @MethodSource("wronglyTypedOptionalFields")
    void rejectsAWronglyTypedOptionalFieldNamingIt(String field, String member) {
        Inbound inbound = parse("{'v':1,'type':'subscribe','id':'m-1','ts':1," + member + "}");

        assertRejected(inbound, ErrorCode.INVALID_ENVELOPE, "m-1");
        assertTrue(inbound.detail().startsWith(field + " must be"), inbound.detail());
    }

    @Test
    void namesEveryWronglyTypedOptionalFieldAtOnce() {
        Inbound inbound = parse("{'v':1,'type':'subscribe','id':'m-1','ts':1,'topic':1,'d':2,'kid':3,'s':4}");

        assertRejected(inbound, ErrorCode.INVALID_ENVELOPE, "m-1");
        for (String part : new String[] {"topic must be a string", " d must be an object", " kid must be a string", " s must be a string"}) {
            assertTrue(inbound.detail().contains(part), inbound.detail());
        }
    }

    @Test
    void readsEveryFieldOfAWellFormedFrame() {
        Inbound inbound = parse("{'v':1,'type':'publish','id':'m-1','ts':1700000000000,'topic':'ops.db',"
                + "'d':{'title':'disk full'},'kid':'session','s':'c2ln'}");

        assertFalse(inbound.isRejected());
        assertFalse(inbound.isBarePing());
        Envelope e = inbound.envelope();
        assertAll(
                () -> assertEquals(1, e.v()),
                () -> assertEquals("publish", e.type()),
                () -> assertEquals(MessageType.PUBLISH, inbound.type()),
                () -> assertEquals("m-1", e.id()),
                () -> assertEquals("m-1", inbound.ref()),
                () -> assertEquals(1_700_000_000_000L, e.ts()),
                () -> assertEquals("ops.db", e.topic()),
                () -> assertEquals("disk full", e.d().getString("title")),
                () -> assertEquals("session", e.kid()),
                () -> assertEquals("c2ln", e.s()),
                () -> assertNull(inbound.error()));
    }

    @Test
    void leavesAbsentOptionalFieldsNull() {
        Envelope e = parse("{'v':1,'type':'ping','id':'m-1','ts':1}").envelope();

        assertAll(
                () -> assertNull(e.topic()),
                () -> assertNull(e.d()),
                () -> assertNull(e.kid()),
                () -> assertNull(e.s()));
    }

    // --- signed bytes ---

    @Test
    void signsTheRfc8785CanonicalFormOfTheObjectWithoutS() {
        String frame = json("""
                { "type" : "publish", "v":1, "s":"c2lnbmF0dXJl", "ts": 1700000000000, "id":"m\\u00e9-1",
                  "topic":"ops.db", "kid":"session", "extra": true,
                  "d": {"title":"Disk \\u20ac full\\t!", "n": 1.50, "big": 1E+2, "a": [true, null, "x/y"], "z": {}} }
                """);
        String canonical = "{\"d\":{\"a\":[true,null,\"x/y\"],\"big\":100,\"n\":1.5,\"title\":\"Disk € full\\t!\",\"z\":{}},"
                + "\"extra\":true,\"id\":\"mé-1\",\"kid\":\"session\",\"topic\":\"ops.db\",\"ts\":1700000000000,"
                + "\"type\":\"publish\",\"v\":1}";

        Inbound inbound = EnvelopeParser.parse(frame, LIMIT);

        assertFalse(inbound.isRejected(), () -> inbound.detail());
        assertEquals(canonical, new String(inbound.signedBytes(), StandardCharsets.UTF_8));
        assertArrayEquals(canonical.getBytes(StandardCharsets.UTF_8), inbound.signedBytes());
    }

    @Test
    void signedBytesDoNotDependOnSOrOnMemberOrderOrWhitespace() {
        byte[] withoutS = parse("{'v':1,'type':'ping','id':'m-1','ts':5,'kid':'session'}").signedBytes();
        byte[] withS = parse("{ 's':'AAAA', 'kid':'session', 'ts':5, 'id':'m-1', 'type':'ping', 'v':1 }").signedBytes();

        assertArrayEquals(withoutS, withS);
        assertEquals("{\"id\":\"m-1\",\"kid\":\"session\",\"ts\":5,\"type\":\"ping\",\"v\":1}",
                new String(withoutS, StandardCharsets.UTF_8));
    }

    @Test
    void signedBytesChangeWhenAnyOtherMemberChanges() {
        byte[] original = parse("{'v':1,'type':'subscribe','id':'m-1','ts':5,'topic':'ops.db'}").signedBytes();
        byte[] otherTopic = parse("{'v':1,'type':'subscribe','id':'m-1','ts':5,'topic':'ops.dc'}").signedBytes();
        byte[] addedMember = parse("{'v':1,'type':'subscribe','id':'m-1','ts':5,'topic':'ops.db','x':0}").signedBytes();

        assertFalse(Arrays.equals(original, otherTopic));
        assertFalse(Arrays.equals(original, addedMember));
    }
}
