package dev.tocsin.sessions.boundary;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.util.CharChunk;
import org.glassfish.grizzly.http.util.MimeHeaders;
import org.glassfish.grizzly.http.util.Parameters;

/**
 * An upgraded connection keeps the HTTP request it was upgraded from for as long as it is open:
 * Payara reads the WebSocket's bytes through it. Some of what that request holds served only to
 * parse the request and send its 101 response, which an open WebSocket never does again, and is
 * dropped here, about a third of an idle connection's heap (docs/performance.md):
 * <ul>
 * <li>the query-string parser's two scratch buffers (1,024 chars each);</li>
 * <li>the header fields of the request, once read (Tyrus keeps its own copy for the session), and
 * of the response, once sent: each field is a name and a value with their byte, char and buffer
 * views;</li>
 * <li>Tyrus's own copy of the handshake (its request and response headers, parameters and
 * configuration), which its upgrade handler reads once, to open the connection.</li>
 * </ul>
 * Grizzly allocates both again, lazily, should it reuse the request object for another request:
 * {@link CharChunk#reset()} is its own way of dropping a chunk's buffer, and a header array's
 * empty slots get new fields as headers are added.
 */
final class UpgradedRequest {

    private static final Logger LOG = Logger.getLogger(UpgradedRequest.class.getName());
    private static final Method PARAMETERS = TyrusInternals.method("org.glassfish.grizzly.http.server.Request", "getParameters");
    private static final Method PACKET = TyrusInternals.method("org.glassfish.grizzly.http.server.Request", "getRequest");
    private static final Field TMP_NAME = TyrusInternals.field("org.glassfish.grizzly.http.util.Parameters", "tmpNameC");
    private static final Field TMP_VALUE = TyrusInternals.field("org.glassfish.grizzly.http.util.Parameters", "tmpValueC");
    private static final Field HEADER_FIELDS = TyrusInternals.field("org.glassfish.grizzly.http.util.MimeHeaders", "headers");
    private static final Field PROXIED = TyrusInternals.field("org.glassfish.tyrus.servlet.TyrusServletUpgrade$TyrusHttpUpgradeHandlerProxy", "handler");
    private static final Field HANDSHAKE = TyrusInternals.field("org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler", "upgradeInfo");

    private UpgradedRequest() {
    }

    /**
     * Called once the 101 response is out and the WebSocket open (its first frame out).
     *
     * @param upgradeHandler Tyrus's upgrade handler of the connection; anything else is left alone
     * @param grizzlyRequest the Grizzly request under the upgraded servlet request; anything else is left alone
     */
    static void trim(Object upgradeHandler, Object grizzlyRequest) {
        try {
            dropHandshake(upgradeHandler);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "Tyrus's copy of the handshake not dropped", e);
        }
        if (PARAMETERS == null || PACKET == null || !PARAMETERS.getDeclaringClass().isInstance(grizzlyRequest)) {
            return;
        }
        try {
            if (PARAMETERS.invoke(grizzlyRequest) instanceof Parameters parameters) {
                dropScratchBuffers(parameters);
            }
            if (PACKET.invoke(grizzlyRequest) instanceof HttpRequestPacket request) {
                dropHeaders(request.getHeaders());
                HttpResponsePacket response = request.getResponse();
                if (response != null && response.isCommitted()) {
                    dropHeaders(response.getHeaders());
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "upgraded request not trimmed", e);
        }
    }

    private static void dropHandshake(Object upgradeHandler) throws IllegalAccessException {
        Object handler = PROXIED != null && PROXIED.getDeclaringClass().isInstance(upgradeHandler) ? PROXIED.get(upgradeHandler) : upgradeHandler;
        if (HANDSHAKE != null && HANDSHAKE.getDeclaringClass().isInstance(handler)) {
            HANDSHAKE.set(handler, null);
        }
    }

    static void dropScratchBuffers(Parameters parameters) throws IllegalAccessException {
        for (Field scratch : new Field[] {TMP_NAME, TMP_VALUE}) {
            if (scratch != null && scratch.get(parameters) instanceof CharChunk chunk) {
                chunk.reset();
            }
        }
    }

    static void dropHeaders(MimeHeaders headers) throws IllegalAccessException {
        headers.clear();
        if (HEADER_FIELDS != null && HEADER_FIELDS.get(headers) instanceof Object[] fields) {
            Arrays.fill(fields, null);
        }
    }
}
