package dev.tocsin.sessions.boundary;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.util.BufferChunk;
import org.glassfish.grizzly.http.util.ByteChunk;
import org.glassfish.grizzly.http.util.CharChunk;
import org.glassfish.grizzly.http.util.DataChunk;
import org.glassfish.grizzly.http.util.MimeHeaders;
import org.glassfish.grizzly.http.util.Parameters;

/**
 * The HTTP request a WebSocket was upgraded from, found under the session's Tyrus servlet writer.
 * Payara keeps it for as long as the connection is open (the WebSocket's bytes are read through
 * it), and with it things that served only to parse it and answer it with the 101. {@link #trim()}
 * drops them, about a third of an idle connection's heap (docs/performance.md):
 * <ul>
 * <li>the query-string parser's two scratch buffers (1,024 chars each);</li>
 * <li>the header fields of the request and of the sent 101 response: each field is a name and a
 * value with their byte, char and buffer views;</li>
 * <li>Tyrus's own copy of the handshake (its request and response headers, parameters and
 * configuration), which its upgrade handler reads once, to open the connection.</li>
 * <li>the read buffer the request was parsed from. Grizzly reads into slices of a 64 KiB array
 * that each worker thread carves up for its reads, and the request line's parts (method, URI,
 * protocol, host, upgrade) point into it, which kept the whole array, shared with the reads of
 * the connections opened beside it, alive: about 6.5 KiB of heap per held connection. Each part
 * gets its own copy of its bytes instead ({@link #ownBytes}), as Grizzly parses the URI into when
 * it is changed. ({@link ConsumedInput} does the same for what the connection reads later.)</li>
 * </ul>
 * Grizzly allocates the first two again, lazily, should it reuse the request object for another
 * request: {@link CharChunk#reset()} is its own way of dropping a chunk's buffer, and a header
 * array's empty slots get new fields as headers are added.
 */
final class UpgradedRequest {

    private static final Logger LOG = Logger.getLogger(UpgradedRequest.class.getName());
    private static final Field UPGRADE_HANDLER = TyrusInternals.field("org.glassfish.tyrus.servlet.TyrusServletWriter", "tyrusHttpUpgradeHandler");
    private static final Method WEB_CONNECTION = TyrusInternals.method("org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler", "getWebConnection");
    private static final Field REQUEST = TyrusInternals.field("org.apache.catalina.connector.WebConnectionImpl", "request");
    private static final Method COYOTE_REQUEST = TyrusInternals.method("org.apache.catalina.connector.Request", "getCoyoteRequest");
    private static final Method IS_UPGRADE = TyrusInternals.method("org.apache.catalina.connector.Request", "isUpgrade");
    private static final Method HANDLER_OF = TyrusInternals.method("org.apache.catalina.connector.Request", "getHttpUpgradeHandler");
    private static final Method PARAMETERS = TyrusInternals.method("org.glassfish.grizzly.http.server.Request", "getParameters");
    private static final Method PACKET = TyrusInternals.method("org.glassfish.grizzly.http.server.Request", "getRequest");
    private static final Field TMP_NAME = TyrusInternals.field("org.glassfish.grizzly.http.util.Parameters", "tmpNameC");
    private static final Field TMP_VALUE = TyrusInternals.field("org.glassfish.grizzly.http.util.Parameters", "tmpValueC");
    private static final Field HEADER_FIELDS = TyrusInternals.field("org.glassfish.grizzly.http.util.MimeHeaders", "headers");
    private static final Field PROXIED = TyrusInternals.field("org.glassfish.tyrus.servlet.TyrusServletUpgrade$TyrusHttpUpgradeHandlerProxy", "handler");
    private static final Field HANDSHAKE = TyrusInternals.field("org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler", "upgradeInfo");
    private static final Field HEADER_BUFFER = TyrusInternals.field("org.glassfish.grizzly.http.HttpHeader", "headerBuffer");
    /** A class's own and inherited {@link DataChunk} fields, made accessible. */
    private static final ClassValue<List<Field>> CHUNKS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Field> chunks = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (field.getType() == DataChunk.class && !Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        chunks.add(field);
                    }
                }
            }
            return List.copyOf(chunks);
        }
    };

    private final Object upgradeHandler;
    private final Object catalinaRequest;
    private final Object grizzlyRequest;

    private UpgradedRequest(Object upgradeHandler, Object catalinaRequest, Object grizzlyRequest) {
        this.upgradeHandler = upgradeHandler;
        this.catalinaRequest = catalinaRequest;
        this.grizzlyRequest = grizzlyRequest;
    }

    /** @return the request under Tyrus's servlet writer; null for any other writer, or if this Payara differs */
    static UpgradedRequest of(Object tyrusWriter) {
        if (UPGRADE_HANDLER == null || WEB_CONNECTION == null || REQUEST == null || COYOTE_REQUEST == null
                || !UPGRADE_HANDLER.getDeclaringClass().isInstance(tyrusWriter)) {
            return null;
        }
        try {
            Object upgradeHandler = UPGRADE_HANDLER.get(tyrusWriter);
            Object webConnection = WEB_CONNECTION.invoke(upgradeHandler);
            if (!REQUEST.getDeclaringClass().isInstance(webConnection)) {
                return null;
            }
            Object request = REQUEST.get(webConnection);
            if (!COYOTE_REQUEST.getDeclaringClass().isInstance(request)) {
                return null;
            }
            return new UpgradedRequest(upgradeHandler, request, COYOTE_REQUEST.invoke(request));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "no upgraded request under " + tyrusWriter, e);
            return null;
        }
    }

    /** Grizzly's request object (its connection, its parameters, its packets). */
    Object grizzlyRequest() {
        return grizzlyRequest;
    }

    /**
     * Drops what served only the upgrade. Only once the upgrade request's processing has ended:
     * container threads (valves, the access log) still read its headers on their way out after
     * the WebSocket has opened, so this is the heartbeat's to call, a while after the connection
     * opened, and never on a request that Catalina has since recycled for another connection.
     *
     * @return false if nothing was trimmed: not the same request any more, or this Payara's internals differ
     */
    boolean trim() {
        if (PROXIED == null || HANDSHAKE == null || PARAMETERS == null || PACKET == null || TMP_NAME == null || TMP_VALUE == null
                || HEADER_FIELDS == null || IS_UPGRADE == null || HANDLER_OF == null || HEADER_BUFFER == null) {
            return false;
        }
        try {
            // Tyrus's writer holds a proxy of the handler that Catalina's request holds.
            Object handler = PROXIED.getDeclaringClass().isInstance(upgradeHandler) ? PROXIED.get(upgradeHandler) : upgradeHandler;
            if (!Boolean.TRUE.equals(IS_UPGRADE.invoke(catalinaRequest)) || HANDLER_OF.invoke(catalinaRequest) != handler
                    || !HANDSHAKE.getDeclaringClass().isInstance(handler)
                    || !(PARAMETERS.invoke(grizzlyRequest) instanceof Parameters parameters)
                    || !(PACKET.invoke(grizzlyRequest) instanceof HttpRequestPacket request)) {
                return false;
            }
            HANDSHAKE.set(handler, null);
            dropScratchBuffers(parameters);
            dropHeaders(request.getHeaders());
            ownBytes(request);
            ownBytes(request.getRequestURIRef());
            HEADER_BUFFER.set(request, null);
            HttpResponsePacket response = request.getResponse();
            if (response != null && response.isCommitted()) {
                dropHeaders(response.getHeaders());
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "upgraded request not trimmed", e);
            return false;
        }
    }

    /** This step and the next run once {@link #trim()} has found every member (the tests call them on Grizzly's own classes). */
    static void dropScratchBuffers(Parameters parameters) throws IllegalAccessException {
        for (Field scratch : new Field[] {TMP_NAME, TMP_VALUE}) {
            if (scratch.get(parameters) instanceof CharChunk chunk) {
                chunk.reset();
            }
        }
    }

    /** Gives each of the object's chunks that points into a byte array or buffer its own copy of the bytes. */
    static void ownBytes(Object holder) throws IllegalAccessException {
        for (Field field : CHUNKS.get(holder.getClass())) {
            if (field.get(holder) instanceof DataChunk chunk) {
                ownBytes(chunk);
            }
        }
    }

    private static void ownBytes(DataChunk chunk) {
        switch (chunk.getType()) {
            case Bytes -> {
                ByteChunk bytes = chunk.getByteChunk();
                if (bytes.getBuffer() != null) {
                    chunk.setBytes(Arrays.copyOfRange(bytes.getBuffer(), bytes.getStart(), bytes.getEnd()));
                }
            }
            case Buffer -> {
                BufferChunk bytes = chunk.getBufferChunk();
                Buffer buffer = bytes.getBuffer();
                if (buffer == null) {
                    return;
                }
                byte[] copy = new byte[bytes.getEnd() - bytes.getStart()];
                for (int i = 0; i < copy.length; i++) {
                    copy[i] = buffer.get(bytes.getStart() + i);
                }
                chunk.setBytes(copy);
            }
            default -> {
            }
        }
    }

    static void dropHeaders(MimeHeaders headers) throws IllegalAccessException {
        headers.clear();
        if (HEADER_FIELDS.get(headers) instanceof Object[] fields) {
            Arrays.fill(fields, null);
        }
    }
}
