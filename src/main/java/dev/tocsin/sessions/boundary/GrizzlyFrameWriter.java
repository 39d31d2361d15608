package dev.tocsin.sessions.boundary;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.asyncqueue.WritableMessage;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.nio.NIOConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;

/**
 * Writes a session's frames straight to the asynchronous write queue of the Grizzly connection
 * under Payara's upgraded servlet request, past Tyrus's servlet writer, Catalina's output buffer
 * and Grizzly's HTTP filter chain: that layer took about 40% of the server's CPU in a fan-out
 * (docs/performance.md). Only for plain TCP connections: a TLS connection keeps Tyrus's writer, since
 * its bytes must pass the SSL filter. A write completes once its bytes are in the socket, so
 * frames for a connection that is behind wait in its {@code Outbox} and leave together.
 *
 * <p>The connection is the one under the request that Tyrus's own writer writes to (its
 * {@code WebConnection}), held by Payara until the upgraded connection closes. Anything
 * unexpected returns null: Tyrus's writer is used.
 */
final class GrizzlyFrameWriter implements TyrusInternals.FrameWriter {

    private static final Logger LOG = Logger.getLogger(GrizzlyFrameWriter.class.getName());
    private static final Method CONNECTION = TyrusInternals.method("org.glassfish.grizzly.http.server.Request", "getConnection");
    private static volatile boolean chainLogged;

    private final Connection<SocketAddress> connection;
    private final AsyncQueueWriter<SocketAddress> writer;
    private final Completion completion = new Completion();
    // The write in flight's: Tocsin's frame writes to a connection come one at a time (its outbox);
    // Tyrus's own pings, pongs and closes go through Tyrus's writer with handlers of their own.
    // The completion may run on a selector thread.
    private final AtomicReference<Consumer<Throwable>> done = new AtomicReference<>();
    private volatile boolean written;

    GrizzlyFrameWriter(Connection<SocketAddress> connection, AsyncQueueWriter<SocketAddress> writer) {
        this.connection = connection;
        this.writer = writer;
    }

    /**
     * @param tyrusWriter the session's Tyrus writer; null unless it is Tyrus's servlet writer over plain TCP
     * @param sendBuffer the socket's send buffer in bytes (fixed: the kernel no longer grows it), 0 to leave it to the kernel
     */
    static GrizzlyFrameWriter of(Object tyrusWriter, int sendBuffer) {
        UpgradedRequest upgraded = CONNECTION == null ? null : UpgradedRequest.of(tyrusWriter);
        if (upgraded == null) {
            return null;
        }
        try {
            Object grizzlyRequest = upgraded.grizzlyRequest();
            if (!CONNECTION.getDeclaringClass().isInstance(grizzlyRequest) || !(CONNECTION.invoke(grizzlyRequest) instanceof Connection<?> found)) {
                return null;
            }
            @SuppressWarnings("unchecked")
            Connection<SocketAddress> connection = (Connection<SocketAddress>) found;
            if (!connection.isOpen() || !(connection.getTransport() instanceof TCPNIOTransport transport)
                    || !(connection.getProcessor() instanceof FilterChain chain) || encrypts(chain)) {
                return null;
            }
            capSendBuffer(connection, sendBuffer);
            return new GrizzlyFrameWriter(connection, transport.getAsyncQueueIO().getWriter());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "no Grizzly connection: Tyrus's writer is used", e);
            return null;
        }
    }

    /**
     * Grizzly's own setting (socket-write-buffer-size in domain.xml) only ever enlarges the buffer,
     * and Linux starts a loopback connection at about 4 MiB and grows others towards that: a client
     * that stops reading would hold megabytes in the kernel before its outbox filled.
     */
    private static void capSendBuffer(Connection<SocketAddress> connection, int sendBuffer) {
        if (sendBuffer > 0 && connection instanceof NIOConnection nio && nio.getChannel() instanceof SocketChannel channel) {
            try {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
            } catch (ClosedChannelException e) {
                LOG.log(Level.FINE, "connection closed before its send buffer was capped", e);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "send buffer of a WebSocket connection not capped: the kernel decides its size", e);
            }
        }
    }

    private static boolean encrypts(FilterChain chain) {
        boolean tls = false;
        for (Filter filter : chain) {
            String name = filter.getClass().getName();
            tls |= filter instanceof org.glassfish.grizzly.ssl.SSLBaseFilter || name.contains("SSL") || name.contains("Ssl");
        }
        if (!tls && !chainLogged) {
            chainLogged = true;
            LOG.log(Level.INFO, "WebSocket frames of plain connections go straight to Grizzly''s write queue; filter chain: {0}", chain);
        }
        return tls;
    }

    @Override
    public boolean write(ByteBuffer frames, Consumer<Throwable> done) {
        written = false;
        this.done.set(done);
        try {
            writer.write(connection, Buffers.wrap(connection.getMemoryManager(), frames), completion);
        } catch (RuntimeException e) {
            finish(e); // unless the handler was told already: done is called once either way
            return false;
        }
        return written;
    }

    private void finish(Throwable failure) {
        Consumer<Throwable> finished = done.getAndSet(null);
        if (finished == null) {
            return;
        }
        written = failure == null;
        finished.accept(failure);
    }

    /** One per connection, as its writes come one at a time. */
    private final class Completion implements CompletionHandler<WriteResult<WritableMessage, SocketAddress>> {
        @Override
        public void completed(WriteResult<WritableMessage, SocketAddress> result) {
            finish(null);
        }

        @Override
        public void failed(Throwable failure) {
            finish(failure);
        }

        @Override
        public void cancelled() {
            finish(new IllegalStateException("write cancelled"));
        }

        @Override
        public void updated(WriteResult<WritableMessage, SocketAddress> result) {
        }
    }
}
