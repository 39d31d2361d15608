package dev.tocsin.sessions.boundary;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Server-to-client WebSocket text frames (RFC 6455 section 5.2: FIN, opcode 1, unmasked) as bytes.
 * The last few texts encoded are remembered by identity: a broadcast hands the same String to
 * every recipient, so an alert is encoded once whatever the number of its subscribers, also while
 * the outboxes of a writer's pass hold it together with the next alert. Frames joined for one
 * write go into a buffer the writing thread takes back once that write is complete ({@link #written}):
 * a fresh buffer per write was most of the server's allocation in a fan-out (docs/performance.md).
 */
final class TextFrames {

    private record Encoded(String text, byte[] frame) {
    }

    /**
     * About the alerts one writer pass meets in an outbox with one publisher: its lane's unwritten
     * broadcasts ({@code tocsin.broadcast.passes-ahead}, 3 by default) and one more, queued by the
     * publisher waiting for its turn. A rule of thumb, not a bound (several publishers, or topics
     * on other lanes, can queue more): a batch beyond it re-encodes its oldest frames, correct and
     * only dearer.
     */
    static final int REMEMBERED = 4;

    /** The largest joining buffer a thread keeps between writes; a larger batch gets one of its own. */
    static final int KEPT_AT_MOST = 16_384;
    private static final int JOINED_AT_LEAST = 2_048;

    private static volatile Encoded[] recent = new Encoded[0];
    private static final ThreadLocal<Joiner> JOINERS = ThreadLocal.withInitial(Joiner::new);

    /** A thread's joining buffer: free ({@code spare}), or lent to the write in progress ({@code lent}). */
    private static final class Joiner {
        ByteBuffer spare;
        ByteBuffer lent;
    }

    private TextFrames() {
    }

    /**
     * The frames, in order, in one buffer: a single frame's own bytes (do not write into them), or
     * several joined in this thread's buffer, lent until {@link #written} gives it back.
     */
    static ByteBuffer encode(List<String> texts) {
        if (texts.size() == 1) {
            return ByteBuffer.wrap(frame(texts.get(0)));
        }
        byte[][] frames = new byte[texts.size()][];
        int length = 0;
        for (int i = 0; i < frames.length; i++) {
            frames[i] = frame(texts.get(i));
            length += frames[i].length;
        }
        Joiner joiner = JOINERS.get();
        ByteBuffer joined = joiner.spare;
        joiner.spare = null;
        if (joined == null || joined.capacity() < length) {
            joined = ByteBuffer.allocate(Math.max(length, JOINED_AT_LEAST));
        }
        joined.clear();
        for (byte[] frame : frames) {
            joined.put(frame);
        }
        joiner.lent = joined;
        return joined.flip();
    }

    /**
     * Called on the thread that encoded the batch, once its write has completed (its bytes are in
     * the socket, nobody reads the buffer any more): the thread's next joined batch reuses the
     * buffer. A write still in progress keeps its buffer; the thread then joins into a new one.
     */
    static void written(ByteBuffer batch) {
        Joiner joiner = JOINERS.get();
        if (joiner.lent == batch) {
            joiner.lent = null;
            if (batch.capacity() <= KEPT_AT_MOST) {
                joiner.spare = batch;
            }
        }
    }

    static byte[] frame(String text) {
        Encoded[] remembered = recent;
        for (Encoded encoded : remembered) {
            if (encoded.text() == text) {
                return encoded.frame();
            }
        }
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int header = payload.length < 126 ? 2 : payload.length <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + payload.length];
        frame[0] = (byte) 0x81;
        if (header == 2) {
            frame[1] = (byte) payload.length;
        } else if (header == 4) {
            frame[1] = 126;
            frame[2] = (byte) (payload.length >>> 8);
            frame[3] = (byte) payload.length;
        } else {
            frame[1] = 127;
            long length = payload.length;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) (length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, payload.length);
        Encoded[] next = new Encoded[Math.min(REMEMBERED, remembered.length + 1)];
        next[0] = new Encoded(text, frame);
        System.arraycopy(remembered, 0, next, 1, next.length - 1);
        recent = next;
        return frame;
    }
}
