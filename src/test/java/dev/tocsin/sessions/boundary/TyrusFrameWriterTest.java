package dev.tocsin.sessions.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;
import org.junit.jupiter.api.Test;

/**
 * The frame writer over Tyrus's own writer (TLS inside Payara): {@code done} is told exactly once
 * per write, whatever Tyrus does, and the writer never says the buffer may be reused.
 */
class TyrusFrameWriterTest {

    private static final ByteBuffer FRAMES = ByteBuffer.wrap(new byte[] {(byte) 0x81, 0});

    private final List<Throwable> told = new ArrayList<>();

    /** The frame writer over a Tyrus writer that does what {@code tyrus} does with each write. */
    private static TyrusInternals.FrameWriter over(BiConsumer<ByteBuffer, CompletionHandler<ByteBuffer>> tyrus) {
        return TyrusInternals.tyrus(new Writer() {
            @Override
            public void write(ByteBuffer frames, CompletionHandler<ByteBuffer> handler) {
                tyrus.accept(frames, handler);
            }

            @Override
            public void close() {
            }
        });
    }

    private boolean write(BiConsumer<ByteBuffer, CompletionHandler<ByteBuffer>> tyrus) {
        return over(tyrus).write(FRAMES, told::add);
    }

    @Test
    void aWriteCompletedInlineIsToldOnceAndItsBufferIsNotLentBack() {
        assertFalse(write((frames, handler) -> handler.completed(frames)));
        assertEquals(Arrays.asList((Throwable) null), told);
    }

    @Test
    void aFailedWriteIsToldItsFailure() {
        IllegalStateException failure = new IllegalStateException("gone");
        write((frames, handler) -> handler.failed(failure));
        assertEquals(1, told.size());
        assertSame(failure, told.get(0));
    }

    @Test
    void tyrusThrowingBeforeItsHandlerRanIsToldAsTheFailure() {
        IllegalStateException thrown = new IllegalStateException("closed");
        assertFalse(write((frames, handler) -> {
            throw thrown;
        }));
        assertEquals(1, told.size());
        assertSame(thrown, told.get(0));
    }

    @Test
    void tyrusThrowingAfterItsHandlerRanIsNotToldASecondTime() {
        assertFalse(write((frames, handler) -> {
            handler.completed(frames);
            throw new IllegalStateException("after the fact");
        }));
        assertEquals(Arrays.asList((Throwable) null), told);
    }

    @Test
    void aHandlerToldTwiceIsPassedOnOnce() {
        write((frames, handler) -> {
            handler.completed(frames);
            handler.failed(new IllegalStateException("again"));
            handler.cancelled();
        });
        assertEquals(Arrays.asList((Throwable) null), told);
    }

    @Test
    void aBatchWrittenThroughItIsNeverJoinedIntoAgainThoughItCompletedAtOnce() {
        List<ByteBuffer> given = new ArrayList<>();
        TyrusInternals.FrameWriter tyrus = over((frames, handler) -> {
            given.add(frames);
            handler.completed(frames); // "taken by the container", not "read no more"
        });
        List<String> first = List.of("{\"a\":1}", "{\"a\":2}");
        TextFrames.write(TextFramesTest.frames(first), tyrus, told::add);
        TextFrames.write(TextFramesTest.frames("{\"b\":3}", "{\"b\":4}"), tyrus, told::add);

        assertNotSame(given.get(0), given.get(1));
        TextFramesTest.assertFrames(first, given.get(0));
        assertEquals(Arrays.asList(null, null), told);
    }
}
