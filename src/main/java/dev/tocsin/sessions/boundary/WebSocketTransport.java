package dev.tocsin.sessions.boundary;

import dev.tocsin.envelope.entity.CloseCode;
import dev.tocsin.sessions.control.Frame;
import dev.tocsin.sessions.control.Outbox;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An {@link Outbox.Transport} over a Jakarta WebSocket session. On Tyrus, a batch of frames
 * leaves in one write ({@link TextFrames}), straight to Grizzly over plain TCP
 * ({@link GrizzlyFrameWriter}); elsewhere each goes through {@code sendText}.
 * Closes run on an executor, never on the caller.
 */
final class WebSocketTransport implements Outbox.Transport {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
    private static final ByteBuffer PING = ByteBuffer.wrap(new byte[] {'t'});

    private final Session session;
    private final TyrusInternals.FrameWriter writer;
    private final Executor closer;
    private final Consumer<CloseCode> closing;
    private final IntConsumer written;
    private final Consumer<Boolean> trimmed;
    private final ConsumedInput input;
    private final OpenRequest open;

    /**
     * @param closing told at once when the server decides to close, before the close handshake, which a peer that does not read never completes
     * @param writerChosen told once which writer this connection's frames go through
     * @param written told of every write, with the number of frames it carries
     * @param sendBuffer the socket send buffer in bytes on the fast path over plain TCP, 0 for the kernel's
     * @param trimmed told once the connection settles whether its upgraded HTTP request was trimmed ({@link UpgradedRequest})
     *                and its reads are let go of once read ({@link ConsumedInput})
     * @param open the trim runs only while the upgraded request is still this connection's
     */
    WebSocketTransport(Session session, Executor closer, Consumer<CloseCode> closing, Consumer<TyrusInternals.WriterKind> writerChosen,
                       IntConsumer written, int sendBuffer, Consumer<Boolean> trimmed, ConsumedInput input, OpenRequest open) {
        this.session = session;
        this.writer = TyrusInternals.frameWriter(session, sendBuffer, writerChosen);
        if (writer == null) {
            writerChosen.accept(TyrusInternals.WriterKind.WEBSOCKET_API);
        }
        this.closer = closer;
        this.closing = closing;
        this.written = written;
        this.trimmed = trimmed;
        this.input = input;
        this.open = open;
    }

    @Override
    public void settle() {
        trimmed.accept(open.whileOpen(() -> {
            UpgradedRequest upgraded = TyrusInternals.upgradedRequest(session);
            return upgraded != null && upgraded.trim() && input.found();
        }));
    }

    @Override
    public void send(List<Frame> frames, Consumer<Throwable> done) {
        try {
            if (writer != null) {
                written.accept(frames.size());
                TextFrames.write(frames, writer, done);
            } else {
                sendEach(frames, 0, done);
            }
        } catch (RuntimeException e) {
            done.accept(e);
        }
    }

    private void sendEach(List<Frame> frames, int from, Consumer<Throwable> done) {
        written.accept(1);
        session.getAsyncRemote().sendText(frames.get(from).text(), result -> {
            if (!result.isOK()) {
                done.accept(result.getException());
            } else if (from + 1 == frames.size()) {
                done.accept(null);
            } else {
                sendEach(frames, from + 1, done);
            }
        });
    }

    @Override
    public void ping() {
        try {
            session.getAsyncRemote().sendPing(PING.duplicate());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "ping to " + session.getId() + " failed", e);
        }
    }

    @Override
    public void close(CloseCode code, String detail) {
        closing.accept(code);
        closer.execute(() -> {
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), detail));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "close of " + session.getId() + " failed", e);
            }
        });
    }
}
