package dev.tocsin.sessions.boundary;

import jakarta.websocket.Session;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where Tocsin reaches past the Jakarta WebSocket API into Tyrus (Payara's implementation), each
 * place found with a profiler (docs/performance.md). Anything unexpected turns a shortcut off, and
 * the standard path is used as before.
 * <ul>
 * <li>Tyrus restarts a session's idle timer on every frame sent or received by scheduling a task on
 * the container's managed scheduler, and Payara captures the thread context of every such task
 * through a ServiceLoader scan of the class path: the largest single cost of a delivery. Sessions,
 * and from the first connection on the container that creates them, get a plain scheduler instead;
 * the idle timer itself is unchanged, but its check, due at once with the idle timeout off, runs
 * on the thread that received the frame ({@link IdleCheckScheduler}).</li>
 * <li>{@code sendText} encodes the text to UTF-8 and frames it again for every recipient, and
 * writes each message on its own. The session's frame writer takes whole frames: an alert is
 * framed once for all its recipients, and the frames queued for one connection leave in one write.
 * Over plain TCP the frames skip Tyrus's servlet writer too ({@link GrizzlyFrameWriter}).</li>
 * </ul>
 */
final class TyrusInternals {

    private static final Logger LOG = Logger.getLogger(TyrusInternals.class.getName());
    private static final Field SCHEDULER = field("org.glassfish.tyrus.core.TyrusSession", "service");
    private static final Field WEB_SOCKET = field("org.glassfish.tyrus.core.TyrusRemoteEndpoint", "webSocket");
    private static final Field PROTOCOL_HANDLER = field("org.glassfish.tyrus.core.TyrusWebSocket", "protocolHandler");
    private static final Field WRITER = field("org.glassfish.tyrus.core.ProtocolHandler", "writer");
    private static final Field CONTAINER_SCHEDULER = field("org.glassfish.tyrus.core.BaseContainer", "managedScheduledExecutorService");

    /** Tyrus's idle check, which a session schedules after every frame it receives or sends itself ({@link IdleCheckScheduler}). */
    static final String IDLE_CHECK = "org.glassfish.tyrus.core.TyrusSession$IdleTimeoutCommand";

    private TyrusInternals() {
    }

    static boolean isIdleCheck(Runnable task) {
        return IDLE_CHECK.equals(task.getClass().getName());
    }

    /**
     * Gives the session, and the sessions its container creates from now on, the plain scheduler:
     * a session's constructor arms its idle timer on the container's scheduler, so replacing only
     * the session's left one context capture per connection (7% of connection set-up).
     */
    static void useScheduler(Session session, ScheduledExecutorService scheduler) {
        Object container = session.getContainer();
        if (CONTAINER_SCHEDULER != null && CONTAINER_SCHEDULER.getType() == ScheduledExecutorService.class
                && CONTAINER_SCHEDULER.getDeclaringClass().isInstance(container)) {
            try {
                if (CONTAINER_SCHEDULER.get(container) != scheduler) {
                    CONTAINER_SCHEDULER.set(container, scheduler);
                }
            } catch (IllegalAccessException | RuntimeException e) {
                LOG.log(Level.FINE, "Tyrus container scheduler not replaced", e);
            }
        }
        if (SCHEDULER != null && SCHEDULER.getType() == ScheduledExecutorService.class && SCHEDULER.getDeclaringClass().isInstance(session)) {
            try {
                SCHEDULER.set(session, scheduler);
            } catch (IllegalAccessException | RuntimeException e) {
                LOG.log(Level.FINE, "Tyrus session scheduler not replaced", e);
            }
        }
    }

    /**
     * Writes whole, already encoded frames to a session's connection, one write at a time (the
     * connection's outbox): a writer may keep the write in flight's state in its own fields.
     */
    interface FrameWriter {
        /**
         * @param done called once, with null when the write succeeded
         * @return true only if {@code done} was called with null before this returned and the
         *         writer reads the buffer no more, so that its owner may write into it
         *         ({@link TextFrames#write}); false when the writer cannot tell
         */
        boolean write(ByteBuffer frames, Consumer<Throwable> done);
    }

    /** Which writer a connection's frames go through: a metric tag (docs/operations.md). */
    enum WriterKind {
        GRIZZLY, TYRUS, WEBSOCKET_API;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * The session's frame writer, or null to use the standard API.
     *
     * @param sendBuffer the socket send buffer the connection gets on the fast path (GrizzlyFrameWriter), 0 for the kernel's
     * @param chosen told once which writer the frames go through (on the first write)
     */
    static FrameWriter frameWriter(Session session, int sendBuffer, Consumer<WriterKind> chosen) {
        org.glassfish.tyrus.spi.Writer writer = tyrusWriter(session);
        return writer == null ? null : new ChosenOnFirstWrite(tyrus(writer), writer, sendBuffer, chosen);
    }

    /** The upgraded HTTP request under the session, or null ({@link UpgradedRequest}). */
    static UpgradedRequest upgradedRequest(Session session) {
        try {
            org.glassfish.tyrus.spi.Writer writer = tyrusWriter(session);
            return writer == null ? null : UpgradedRequest.of(writer);
        } catch (LinkageError e) {
            LOG.log(Level.FINE, "Grizzly not visible: no upgraded request", e);
            return null;
        }
    }

    /** What lets go of the session's consumed read buffer ({@link ConsumedInput}). */
    static ConsumedInput consumedInput(Session session) {
        return new ConsumedInput(tyrusWriter(session));
    }

    private static org.glassfish.tyrus.spi.Writer tyrusWriter(Session session) {
        if (WEB_SOCKET == null || PROTOCOL_HANDLER == null || WRITER == null) {
            return null;
        }
        try {
            Object remote = session.getAsyncRemote();
            if (!WEB_SOCKET.getDeclaringClass().isInstance(remote)) {
                return null;
            }
            Object protocolHandler = PROTOCOL_HANDLER.get(WEB_SOCKET.get(remote));
            return WRITER.get(protocolHandler) instanceof org.glassfish.tyrus.spi.Writer writer ? writer : null;
        } catch (IllegalAccessException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "no Tyrus writer for " + session.getId(), e);
            return null;
        }
    }

    /**
     * Tyrus's writer until the connection's Grizzly writer is known: the upgrade request gives it
     * only once Tyrus has finished the upgrade, after {@code @OnOpen}, so it is looked up on the
     * first write. Writes to one connection come one at a time (its outbox).
     */
    private static final class ChosenOnFirstWrite implements FrameWriter {
        private final FrameWriter tyrus;
        private final org.glassfish.tyrus.spi.Writer tyrusWriter;
        private final int sendBuffer;
        private final Consumer<WriterKind> told;
        private volatile FrameWriter chosen;

        ChosenOnFirstWrite(FrameWriter tyrus, org.glassfish.tyrus.spi.Writer tyrusWriter, int sendBuffer, Consumer<WriterKind> told) {
            this.tyrus = tyrus;
            this.tyrusWriter = tyrusWriter;
            this.sendBuffer = sendBuffer;
            this.told = told;
        }

        @Override
        public boolean write(ByteBuffer frames, Consumer<Throwable> done) {
            FrameWriter writer = chosen;
            if (writer == null) {
                FrameWriter grizzly = grizzly(tyrusWriter, sendBuffer);
                chosen = writer = grizzly != null ? grizzly : tyrus;
                told.accept(grizzly != null ? WriterKind.GRIZZLY : WriterKind.TYRUS);
            }
            return writer.write(frames, done);
        }
    }

    static FrameWriter tyrus(org.glassfish.tyrus.spi.Writer writer) {
        return (frames, done) -> {
            AtomicReference<Consumer<Throwable>> once = new AtomicReference<>(done);
            Consumer<Throwable> finish = failure -> {
                Consumer<Throwable> first = once.getAndSet(null);
                if (first != null) {
                    first.accept(failure);
                }
            };
            try {
                writer.write(frames, new org.glassfish.tyrus.spi.CompletionHandler<>() {
                    @Override
                    public void completed(ByteBuffer result) {
                        finish.accept(null);
                    }

                    @Override
                    public void failed(Throwable failure) {
                        finish.accept(failure);
                    }

                    @Override
                    public void cancelled() {
                        finish.accept(new IllegalStateException("write cancelled"));
                    }
                });
            } catch (RuntimeException e) {
                finish.accept(e); // unless the handler was told already: done is called once either way
            }
            // Tyrus's servlet writer reports a write done once the container has taken it, which
            // need not mean the container has stopped reading the buffer: never given back.
            return false;
        };
    }

    private static FrameWriter grizzly(org.glassfish.tyrus.spi.Writer writer, int sendBuffer) {
        try {
            return GrizzlyFrameWriter.of(writer, sendBuffer);
        } catch (LinkageError e) {
            LOG.log(Level.FINE, "Grizzly not visible: Tyrus's writer is used", e);
            return null;
        }
    }

    static Method method(String className, String name) {
        return accessible(className, type -> type.getDeclaredMethod(name));
    }

    static Field field(String className, String name) {
        return accessible(className, type -> type.getDeclaredField(name));
    }

    private interface Member<T extends AccessibleObject> {
        T of(Class<?> type) throws ReflectiveOperationException;
    }

    /** The member, made accessible; null (logged once, at start) if this Payara does not have it. */
    private static <T extends AccessibleObject> T accessible(String className, Member<T> member) {
        try {
            T found = member.of(Class.forName(className, false, TyrusInternals.class.getClassLoader()));
            found.setAccessible(true);
            return found;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.INFO, "Tyrus internals not found ({0}): the standard path is used instead", e.toString());
            return null;
        }
    }
}
