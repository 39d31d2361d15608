package dev.tocsin.sessions.boundary;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Server-to-client WebSocket text frames (RFC 6455 section 5.2: FIN, opcode 1, unmasked) as bytes.
 * The last few texts encoded are remembered by identity: a broadcast hands the same String to
 * every recipient, so an alert is encoded once whatever the number of its subscribers, also while
 * the outboxes of a writer's pass hold it together with the next alert. Frames joined for one
 * write go into a buffer the writing thread takes back once its writer says it is done with it ({@link #write}):
 * a fresh buffer per write was the largest allocation of a fan-out (docs/performance.md).
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
    /** A new joining buffer's least size: a few alerts, so that the batches after a small one fit it too. */
    private static final int JOINED_AT_LEAST = 2_048;

    private static volatile Encoded[] recent = new Encoded[0];

    // A thread's free joining buffer, if it has one. A JDK type: container threads outlive a
    // redeployment, and a value of one of this application's classes in their thread-local maps
    // would keep its class loader.
    private static final ThreadLocal<ByteBuffer> SPARE = new ThreadLocal<>();

    private TextFrames() {
    }

    /**
     * Writes the frames in one write. A batch of several is joined in this thread's buffer, which
     * comes back to the thread only if the writer returned true (done, and its bytes read no more).
     * A write still in progress, one that failed, or one whose writer cannot tell, keeps its
     * buffer, and the thread joins its next batch into a new one.
     */
    static void write(List<String> texts, TyrusInternals.FrameWriter writer, Consumer<Throwable> done) {
        ByteBuffer batch = encode(texts);
        boolean written = writer.write(batch, done);
        if (written && texts.size() > 1) { // a single frame's own bytes: nothing to give back
            giveBack(batch);
        }
    }

    /**
     * The frames, in order, in one buffer: a single frame's own bytes (do not write into them), or
     * several joined in this thread's buffer, lent to one write ({@link #write}).
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
        ByteBuffer joined = SPARE.get();
        SPARE.set(null);
        if (joined == null || joined.capacity() < length) {
            joined = ByteBuffer.allocate(Math.max(length, JOINED_AT_LEAST));
        }
        joined.clear();
        for (byte[] frame : frames) {
            joined.put(frame);
        }
        return joined.flip();
    }

    private static void giveBack(ByteBuffer batch) {
        if (batch.capacity() <= KEPT_AT_MOST) {
            SPARE.set(batch);
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
