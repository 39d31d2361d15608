package dev.tocsin.sessions.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.memory.MemoryManager;
import org.junit.jupiter.api.Test;

/** The writer's side of one write: what Grizzly's queue is handed, and when {@code done} is told. */
class GrizzlyFrameWriterTest {

    /** What Grizzly's asynchronous write queue does with a write; the test's stand-in for it. */
    private interface Queue {
        void write(CompletionHandler<Object> handler);
    }

    @SuppressWarnings("unchecked")
    private static GrizzlyFrameWriter writer(Queue queue) {
        Connection<SocketAddress> connection = (Connection<SocketAddress>) Proxy.newProxyInstance(
                GrizzlyFrameWriterTest.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getMemoryManager")) {
                        return MemoryManager.DEFAULT_MEMORY_MANAGER;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        AsyncQueueWriter<SocketAddress> writer = (AsyncQueueWriter<SocketAddress>) Proxy.newProxyInstance(
                GrizzlyFrameWriterTest.class.getClassLoader(), new Class<?>[] {AsyncQueueWriter.class}, (proxy, method, args) -> {
                    if (method.getName().equals("write") && args.length == 3 && args[2] instanceof CompletionHandler<?> handler) {
                        queue.write((CompletionHandler<Object>) handler);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return new GrizzlyFrameWriter(connection, writer);
    }

    private static ByteBuffer frame() {
        return ByteBuffer.wrap("frame".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aWriteDoneBeforeReturningSaysSoAndTellsDoneOnce() {
        List<Throwable> told = new ArrayList<>();
        GrizzlyFrameWriter writer = writer(handler -> handler.completed(null));

        assertTrue(writer.write(frame(), told::add));
        assertEquals(1, told.size());
        assertNull(told.get(0));
    }

    @Test
    void aWriteStillQueuedWhenItReturnsSaysNotDoneAndTellsDoneWhenItCompletes() throws Exception {
        List<CompletionHandler<Object>> queued = new ArrayList<>();
        CompletableFuture<Throwable> told = new CompletableFuture<>();
        GrizzlyFrameWriter writer = writer(queued::add);

        assertFalse(writer.write(frame(), told::complete));
        assertFalse(told.isDone());
        Thread selector = new Thread(() -> queued.get(0).completed(null));
        selector.start();

        assertNull(told.get(10, TimeUnit.SECONDS));
    }

    @Test
    void eachWriteTellsItsOwnDoneWithTheSameHandler() {
        List<CompletionHandler<Object>> queued = new ArrayList<>();
        List<String> told = new ArrayList<>();
        GrizzlyFrameWriter writer = writer(queued::add);

        writer.write(frame(), failure -> told.add("first " + failure));
        queued.get(0).completed(null);
        writer.write(frame(), failure -> told.add("second " + failure));
        queued.get(1).completed(null);

        assertSame(queued.get(0), queued.get(1));
        assertEquals(List.of("first null", "second null"), told);
    }

    @Test
    void aFailedWriteSaysNotDoneAndPassesTheFailureOn() {
        List<Throwable> told = new ArrayList<>();
        IllegalStateException reset = new IllegalStateException("connection reset");
        GrizzlyFrameWriter writer = writer(handler -> handler.failed(reset));

        assertFalse(writer.write(frame(), told::add));
        assertEquals(List.of(reset), told);
    }

    @Test
    void aQueueThatThrowsBeforeItsHandlerRanTellsDoneOnceEvenIfTheHandlerFailsLater() {
        List<CompletionHandler<Object>> queued = new ArrayList<>();
        List<Throwable> told = new ArrayList<>();
        GrizzlyFrameWriter writer = writer(handler -> {
            queued.add(handler);
            throw new IllegalStateException("connection closed");
        });

        assertFalse(writer.write(frame(), told::add));
        queued.get(0).failed(new IllegalStateException("also told by Grizzly"));

        assertEquals(1, told.size());
        assertInstanceOf(IllegalStateException.class, told.get(0));
        assertEquals("connection closed", told.get(0).getMessage());
    }

    @Test
    void aQueueThatThrowsAfterItsHandlerFailedTellsDoneOnce() {
        List<Throwable> told = new ArrayList<>();
        GrizzlyFrameWriter writer = writer(handler -> {
            handler.failed(new IllegalStateException("broken pipe"));
            throw new IllegalStateException("and thrown");
        });

        assertFalse(writer.write(frame(), told::add));
        assertEquals(1, told.size());
        assertEquals("broken pipe", told.get(0).getMessage());
    }
}
