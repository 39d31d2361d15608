package dev.tocsin.sessions.boundary;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.http.io.InputBuffer;
import org.glassfish.grizzly.memory.Buffers;

/**
 * Grizzly's buffer of what was last read from an upgraded connection, let go once Tyrus has read
 * it. Grizzly reads into slices of a 64 KiB array that each worker thread carves up for its reads,
 * and the servlet input buffer keeps the last slice until the next read arrives, which for an
 * idle connection is never: every such slice kept the whole array, shared with the reads of the
 * connections opened beside it, alive (about 6.5 KiB of heap per held connection,
 * docs/performance.md). Tyrus copies each read out before it parses the frames in it, so by the
 * time a frame is handled the buffer is empty, and it is replaced by Grizzly's own empty buffer,
 * as Grizzly does itself when a reader takes the whole buffer ({@code InputBuffer.readBuffer}).
 *
 * <p>Only on the thread that delivers a frame read from this connection: Grizzly's input buffer is
 * not thread-safe, and Grizzly processes one read of a connection at a time, on the thread that
 * also runs the servlet's read listener (Tyrus's), so that no read is appended meanwhile. That
 * holds with Grizzly's worker-thread I/O strategy, Payara's default; with the same-thread one the
 * listener runs on a pool thread while the next read may be appended.
 */
final class ConsumedInput {

    private static final Logger LOG = Logger.getLogger(ConsumedInput.class.getName());
    private static final Method INPUT_BUFFER = TyrusInternals.method("org.glassfish.grizzly.http.server.Request", "getInputBuffer");
    private static final Field CONTENT = TyrusInternals.field("org.glassfish.grizzly.http.io.InputBuffer", "inputContentBuffer");
    private static final Field READ_AHEAD = TyrusInternals.field("org.glassfish.grizzly.http.io.InputBuffer", "readAheadLimit");
    private static final Object NONE = new Object();

    private final Object tyrusWriter;
    // Found on the first frame: Tyrus finishes the upgrade, and so gives the request, only after @OnOpen.
    // Frames of one connection may be delivered on different threads, one after the other.
    private volatile Object input;

    /** @param tyrusWriter the session's Tyrus writer, under which the upgraded request is found ({@link UpgradedRequest#of}) */
    ConsumedInput(Object tyrusWriter) {
        this.tyrusWriter = tyrusWriter;
    }

    /**
     * Called when a frame read from the connection is delivered, on the thread that delivers it,
     * while the connection is open ({@link OpenRequest}).
     *
     * @return true if a buffer was let go
     */
    boolean release() {
        Object found = input();
        return found != NONE && release((InputBuffer) found);
    }

    /** @return whether Grizzly's input buffer is under this connection, so that {@link #release()} has something to do; any thread, once the upgrade is done */
    boolean found() {
        return input() != NONE;
    }

    private Object input() {
        Object found = input;
        if (found == null) {
            input = found = find(); // on two threads at once, both find the same
        }
        return found;
    }

    private Object find() {
        if (tyrusWriter == null || INPUT_BUFFER == null || CONTENT == null || READ_AHEAD == null) {
            return NONE;
        }
        try {
            UpgradedRequest upgraded = UpgradedRequest.of(tyrusWriter);
            return upgraded != null && INPUT_BUFFER.getDeclaringClass().isInstance(upgraded.grizzlyRequest())
                    && INPUT_BUFFER.invoke(upgraded.grizzlyRequest()) instanceof InputBuffer buffer ? buffer : NONE;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "no Grizzly input buffer under " + tyrusWriter, e);
            return NONE;
        }
    }

    /**
     * Replaces the buffer of what was read with the empty buffer, if it has all been read and no
     * mark keeps it.
     *
     * @return true if a buffer was let go
     */
    static boolean release(InputBuffer input) {
        try {
            if (CONTENT.get(input) instanceof Buffer read && read != Buffers.EMPTY_BUFFER && !read.hasRemaining()
                    && READ_AHEAD.getInt(input) <= 0) {
                // Not disposed: nothing else holds it, and the collector takes it; disposing would
                // hand the object back to the thread's cache while Grizzly is still up the stack.
                CONTENT.set(input, Buffers.EMPTY_BUFFER);
                return true;
            }
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.log(Level.FINE, "read buffer not released", e);
        }
        return false;
    }
}
