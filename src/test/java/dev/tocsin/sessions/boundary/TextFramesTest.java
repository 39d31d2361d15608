package dev.tocsin.sessions.boundary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextFramesTest {

    /** Reads one frame as RFC 6455 section 5.2 describes it; returns its text and advances the buffer. */
    static String readFrame(ByteBuffer in) {
        assertEquals(0x81, in.get() & 0xFF, "FIN and opcode 1 (text)");
        int second = in.get() & 0xFF;
        assertEquals(0, second & 0x80, "server frames are not masked");
        long length = second & 0x7F;
        if (length == 126) {
            length = in.getShort() & 0xFFFF;
        } else if (length == 127) {
            length = in.getLong();
        }
        byte[] payload = new byte[(int) length];
        in.get(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 70_000})
    void framesTextOfEveryLengthClassWithTheShortestLengthEncoding(int length) {
        String text = "x".repeat(length);
        ByteBuffer frame = TextFrames.encode(List.of(text));

        int header = length < 126 ? 2 : length <= 65_535 ? 4 : 10;
        assertEquals(header + length, frame.remaining());
        assertEquals(text, readFrame(frame));
        assertEquals(0, frame.remaining());
    }

    @Test
    void theLengthCountsUtf8BytesNotCharacters() {
        String text = "Überlast ⚠ 𝄞 " + "é".repeat(70);
        ByteBuffer frame = TextFrames.encode(List.of(text));

        assertEquals(text, readFrame(frame));
        assertEquals(0, frame.remaining());
    }

    @Test
    void aBatchIsItsFramesOneAfterAnotherInOrder() {
        List<String> texts = List.of("{\"a\":1}", "ö".repeat(200), "", "z".repeat(70_000));
        ByteBuffer frames = TextFrames.encode(texts);

        for (String text : texts) {
            assertEquals(text, readFrame(frames));
        }
        assertEquals(0, frames.remaining());
    }

    @Test
    void theSameStringIsEncodedOnceAndAnEqualButOtherStringAgain() {
        String broadcast = "{\"type\":\"alert\"}";
        byte[] first = TextFrames.frame(broadcast);

        assertSame(first, TextFrames.frame(broadcast));
        byte[] again = TextFrames.frame(new String(broadcast.toCharArray()));
        assertNotSame(first, again);
        assertArrayEquals(first, again);
    }

    @Test
    void twoBroadcastsInterleavedInBatchesAreEachEncodedOnce() {
        String earlier = new String("{\"offset\":1}".toCharArray());
        String later = new String("{\"offset\":2}".toCharArray());
        byte[] first = TextFrames.frame(earlier);
        byte[] second = TextFrames.frame(later);

        for (int batch = 0; batch < 3; batch++) {
            assertSame(first, TextFrames.frame(earlier));
            assertSame(second, TextFrames.frame(later));
        }
    }

    @Test
    void onlyTheLastFewTextsAreRemembered() {
        String oldest = new String("{\"offset\":1}".toCharArray());
        byte[] first = TextFrames.frame(oldest);
        for (int i = 0; i < TextFrames.REMEMBERED; i++) {
            TextFrames.frame("{\"other\":" + i + "}");
        }

        byte[] again = TextFrames.frame(oldest);
        assertNotSame(first, again);
        assertArrayEquals(first, again);
    }

    @Test
    void aBatchWrittenGivesItsBufferToTheThreadsNextBatch() {
        ByteBuffer first = TextFrames.encode(List.of("{\"a\":1}", "{\"a\":2}"));
        TextFrames.written(first);

        List<String> next = List.of("{\"b\":3}", "ü".repeat(300), "{\"b\":5}");
        ByteBuffer second = TextFrames.encode(next);

        assertSame(first, second);
        for (String text : next) {
            assertEquals(text, readFrame(second));
        }
        assertEquals(0, second.remaining());
    }

    @Test
    void aBatchStillBeingWrittenKeepsItsBytesWhileTheThreadJoinsTheNextElsewhere() {
        List<String> inFlight = List.of("{\"a\":1}", "{\"a\":2}");
        ByteBuffer first = TextFrames.encode(inFlight);

        ByteBuffer second = TextFrames.encode(List.of("{\"b\":3}", "{\"b\":4}"));
        TextFrames.written(first); // its write completed after the thread had moved on: not the lent one any more
        ByteBuffer third = TextFrames.encode(List.of("{\"c\":5}", "{\"c\":6}"));

        assertNotSame(first, second);
        assertNotSame(first, third);
        for (String text : inFlight) {
            assertEquals(text, readFrame(first));
        }
    }

    @Test
    void aSingleFramesBytesAreNeverTakenBackForJoining() {
        String alone = "{\"alone\":\"" + "a".repeat(200) + "\"}"; // room for the batch below, were it reused
        ByteBuffer single = TextFrames.encode(List.of(alone));
        TextFrames.written(single);

        ByteBuffer joined = TextFrames.encode(List.of("{\"x\":1}", "{\"x\":2}"));

        assertNotSame(single.array(), joined.array());
        assertEquals(alone, readFrame(ByteBuffer.wrap(TextFrames.frame(alone))));
    }

    @Test
    void aBufferLargerThanTheThreadKeepsIsNotKept() {
        String large = "y".repeat(TextFrames.KEPT_AT_MOST);
        ByteBuffer big = TextFrames.encode(List.of(large, "{}"));
        TextFrames.written(big);

        ByteBuffer next = TextFrames.encode(List.of("{\"a\":1}", "{\"a\":2}"));

        assertNotSame(big, next);
    }

    @Test
    void eachThreadJoinsIntoItsOwnBuffer() throws Exception {
        ByteBuffer mine = TextFrames.encode(List.of("{\"a\":1}", "{\"a\":2}"));
        TextFrames.written(mine);

        java.util.concurrent.CompletableFuture<ByteBuffer> other = new java.util.concurrent.CompletableFuture<>();
        Thread thread = new Thread(() -> other.complete(TextFrames.encode(List.of("{\"b\":1}", "{\"b\":2}"))));
        thread.start();

        assertNotSame(mine, other.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertSame(mine, TextFrames.encode(List.of("{\"c\":1}", "{\"c\":2}")));
    }
}
