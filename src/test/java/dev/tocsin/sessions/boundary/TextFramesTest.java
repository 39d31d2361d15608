package dev.tocsin.sessions.boundary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tocsin.sessions.control.Frame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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

    static List<Frame> frames(String... texts) {
        return frames(List.of(texts));
    }

    static List<Frame> frames(List<String> texts) {
        return texts.stream().map(Frame::new).toList();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 70_000})
    void framesTextOfEveryLengthClassWithTheShortestLengthEncoding(int length) {
        String text = "x".repeat(length);
        ByteBuffer frame = TextFrames.encode(frames(text));

        int header = length < 126 ? 2 : length <= 65_535 ? 4 : 10;
        assertEquals(header + length, frame.remaining());
        assertEquals(text, readFrame(frame));
        assertEquals(0, frame.remaining());
    }

    @Test
    void theLengthCountsUtf8BytesNotCharacters() {
        String text = "Überlast ⚠ 𝄞 " + "é".repeat(70);
        ByteBuffer frame = TextFrames.encode(frames(text));

        assertEquals(text, readFrame(frame));
        assertEquals(0, frame.remaining());
    }

    @Test
    void aBatchIsItsFramesOneAfterAnotherInOrder() {
        List<String> texts = List.of("{\"a\":1}", "ö".repeat(200), "", "z".repeat(70_000));
        ByteBuffer frames = TextFrames.encode(frames(texts));

        for (String text : texts) {
            assertEquals(text, readFrame(frames));
        }
        assertEquals(0, frames.remaining());
    }

    /** A writer that completes each write as it is told to, and keeps what it was given. */
    private static final class Writer implements TyrusInternals.FrameWriter {
        final List<ByteBuffer> given = new ArrayList<>();
        final List<Consumer<Throwable>> pending = new ArrayList<>();
        private final Throwable inline;
        private final boolean later;

        private Writer(boolean later, Throwable inline) {
            this.later = later;
            this.inline = inline;
        }

        static Writer completingAtOnce() {
            return new Writer(false, null);
        }

        static Writer failingAtOnce() {
            return new Writer(false, new IllegalStateException("connection reset"));
        }

        static Writer completingLater() {
            return new Writer(true, null);
        }

        @Override
        public boolean write(ByteBuffer frames, Consumer<Throwable> done) {
            given.add(frames);
            if (later) {
                pending.add(done);
                return false;
            }
            done.accept(inline);
            return inline == null;
        }

        ByteBuffer last() {
            return given.get(given.size() - 1);
        }
    }

    private static final Consumer<Throwable> IGNORED = failure -> { };

    static void assertFrames(List<String> texts, ByteBuffer batch) {
        ByteBuffer in = batch.duplicate();
        for (String text : texts) {
            assertEquals(text, readFrame(in));
        }
        assertEquals(0, in.remaining());
    }

    @Test
    void aBatchWrittenAtOnceLeavesItsBufferToTheThreadsNextBatch() {
        Writer writer = Writer.completingAtOnce();
        TextFrames.write(frames("{\"a\":1}", "{\"a\":2}"), writer, IGNORED);
        ByteBuffer first = writer.last();

        List<String> next = List.of("{\"b\":3}", "ü".repeat(300), "{\"b\":5}");
        TextFrames.write(frames(next), writer, IGNORED);

        assertSame(first, writer.last());
        assertFrames(next, writer.last());
    }

    @Test
    void aBatchStillBeingWrittenKeepsItsBytesAndItsBuffer() {
        Writer atOnce = Writer.completingAtOnce();
        TextFrames.write(frames("{\"seed\":1}", "{\"seed\":2}"), atOnce, IGNORED); // the thread now has a spare buffer
        Writer slow = Writer.completingLater();
        List<String> inFlight = List.of("{\"a\":1}", "{\"a\":2}");
        TextFrames.write(frames(inFlight), slow, IGNORED);
        ByteBuffer held = slow.last();

        TextFrames.write(frames("{\"b\":3}", "{\"b\":4}"), atOnce, IGNORED);
        slow.pending.get(0).accept(null); // done only now, after the thread moved on
        TextFrames.write(frames("{\"c\":5}", "{\"c\":6}"), atOnce, IGNORED);
        TextFrames.write(frames("{\"d\":7}", "{\"d\":8}"), atOnce, IGNORED);

        for (ByteBuffer later : atOnce.given.subList(1, atOnce.given.size())) {
            assertNotSame(held, later);
        }
        assertFrames(inFlight, held);
    }

    @Test
    void aFailedWriteDoesNotGiveItsBufferBack() {
        Writer failing = Writer.failingAtOnce();
        List<Throwable> told = new ArrayList<>();
        TextFrames.write(frames("{\"a\":1}", "{\"a\":2}"), failing, told::add);
        ByteBuffer failed = failing.last();

        Writer writer = Writer.completingAtOnce();
        TextFrames.write(frames("{\"b\":3}", "{\"b\":4}"), writer, IGNORED);

        assertEquals(1, told.size());
        assertNotSame(failed, writer.last());
    }

    @Test
    void aSingleFrameIsWrittenFromItsOwnBytesAndNeverJoinedInto() {
        Frame alone = new Frame("{\"alone\":\"" + "a".repeat(200) + "\"}"); // room for the batch below, were it reused
        Writer writer = Writer.completingAtOnce();
        List<Throwable> told = new ArrayList<>();
        TextFrames.write(List.of(alone), writer, told::add);
        ByteBuffer single = writer.last();

        TextFrames.write(frames("{\"x\":1}", "{\"x\":2}"), writer, IGNORED);

        assertSame(alone.wire(), single.array());
        assertNotSame(single.array(), writer.last().array());
        assertEquals(alone.text(), readFrame(ByteBuffer.wrap(alone.wire())));
        assertEquals(Collections.singletonList(null), told);
    }

    @Test
    void aBufferLargerThanAThreadKeepsIsNotKept() {
        Writer writer = Writer.completingAtOnce();
        TextFrames.write(frames("y".repeat(TextFrames.KEPT_AT_MOST), "{}"), writer, IGNORED);
        ByteBuffer big = writer.last();

        TextFrames.write(frames("{\"a\":1}", "{\"a\":2}"), writer, IGNORED);

        assertNotSame(big, writer.last());
    }

    @Test
    void eachThreadJoinsIntoItsOwnBuffer() throws Exception {
        Writer writer = Writer.completingAtOnce();
        TextFrames.write(frames("{\"a\":1}", "{\"a\":2}"), writer, IGNORED);
        ByteBuffer mine = writer.last();

        Writer theirs = Writer.completingAtOnce();
        CompletableFuture<ByteBuffer> other = new CompletableFuture<>();
        new Thread(() -> {
            TextFrames.write(frames("{\"b\":1}", "{\"b\":2}"), theirs, IGNORED);
            other.complete(theirs.last());
        }).start();

        assertNotSame(mine, other.get(10, TimeUnit.SECONDS));
        TextFrames.write(frames("{\"c\":1}", "{\"c\":2}"), writer, IGNORED);
        assertSame(mine, writer.last());
    }
}
