package dev.tocsin.sessions.boundary;

import dev.tocsin.sessions.control.Frame;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

/**
 * A batch of server-to-client text frames as the bytes of one write: each frame's own bytes on
 * the wire ({@link Frame#wire()}, encoded once per alert), joined when there are several. They
 * are joined in a buffer the writing thread takes back once its writer says it is done with it
 * ({@link #write}): a fresh buffer per write was the largest allocation of a fan-out
 * (docs/performance.md).
 */
final class TextFrames {

    /** The largest joining buffer a thread keeps between writes; a larger batch gets one of its own. */
    static final int KEPT_AT_MOST = 16_384;
    /** A new joining buffer's least size: a few alerts, so that the batches after a small one fit it too. */
    private static final int JOINED_AT_LEAST = 2_048;

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
    static void write(List<Frame> frames, TyrusInternals.FrameWriter writer, Consumer<Throwable> done) {
        ByteBuffer batch = encode(frames);
        boolean written = writer.write(batch, done);
        if (written && frames.size() > 1) { // a single frame's own bytes: nothing to give back
            giveBack(batch);
        }
    }

    /**
     * The frames, in order, in one buffer: a single frame's own bytes (do not write into them), or
     * several joined in this thread's buffer, lent to one write ({@link #write}).
     */
    static ByteBuffer encode(List<Frame> frames) {
        if (frames.size() == 1) {
            return ByteBuffer.wrap(frames.get(0).wire());
        }
        // Indexed, not for-each: the two iterators per write were a tenth of a fan-out's
        // allocation (docs/performance.md). Batches are lists with random access.
        int count = frames.size();
        int length = 0;
        for (int i = 0; i < count; i++) {
            length += frames.get(i).wire().length;
        }
        ByteBuffer joined = SPARE.get();
        SPARE.set(null);
        if (joined == null || joined.capacity() < length) {
            joined = ByteBuffer.allocate(Math.max(length, JOINED_AT_LEAST));
        }
        joined.clear();
        for (int i = 0; i < count; i++) {
            joined.put(frames.get(i).wire());
        }
        return joined.flip();
    }

    private static void giveBack(ByteBuffer batch) {
        if (batch.capacity() <= KEPT_AT_MOST) {
            SPARE.set(batch);
        }
    }
}
