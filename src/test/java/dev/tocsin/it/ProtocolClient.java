package dev.tocsin.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test client that speaks the protocol from docs/protocol.md: handshake signed with the token,
 * later frames signed with the session key, every server frame checked against /api/keys.
 */
final class ProtocolClient implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);

    private final WebSocket socket;
    private final BlockingQueue<String> frames;
    private final CompletableFuture<Integer> closeCode;
    private final Wire.ServerKeys keys;
    private byte[] sessionKey;

    private ProtocolClient(WebSocket socket, BlockingQueue<String> frames, CompletableFuture<Integer> closeCode, Wire.ServerKeys keys) {
        this.socket = socket;
        this.frames = frames;
        this.closeCode = closeCode;
        this.keys = keys;
    }

    static ProtocolClient connect(Tocsin tocsin) {
        return connect(tocsin.httpClient(), tocsin.webSocketUri(), tocsin.serverKeys());
    }

    static ProtocolClient connect(HttpClient http, URI uri, Wire.ServerKeys keys) {
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    frames.add(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.completeExceptionally(error);
            }
        };
        WebSocket socket = http.newWebSocketBuilder().subprotocols("tocsin.v1").connectTimeout(WAIT)
                .buildAsync(uri, listener).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return new ProtocolClient(socket, frames, closed, keys);
    }

    String subprotocol() {
        return socket.getSubprotocol();
    }

    /** Handshakes with the token and returns the welcome frame. */
    JsonObject handshake(String token) {
        JsonObject welcome = send(handshakeFrame(token, UUID.randomUUID().toString(), System.currentTimeMillis()));
        assertEquals("welcome", welcome.getString("type"), welcome.toString());
        sessionKey = Wire.unb64(welcome.getJsonObject("d").getString("key"));
        return welcome;
    }

    static JsonObject handshakeFrame(String token, String id, long ts) {
        JsonObject unsigned = Json.createObjectBuilder().add("v", 1).add("type", "handshake").add("id", id).add("ts", ts)
                .add("kid", "token").add("d", Json.createObjectBuilder().add("token", token)).build();
        return signed(unsigned, Wire.utf8(token));
    }

    /** A frame signed with the session key; {@code topic} and {@code d} may be null. */
    JsonObject frame(String type, String topic, JsonObject d) {
        return frame(type, topic, d, UUID.randomUUID().toString(), System.currentTimeMillis());
    }

    JsonObject frame(String type, String topic, JsonObject d, String id, long ts) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("v", 1).add("type", type).add("id", id).add("ts", ts).add("kid", "session");
        if (topic != null) {
            b.add("topic", topic);
        }
        if (d != null) {
            b.add("d", d);
        }
        return signed(b.build(), sessionKey);
    }

    static JsonObject signed(JsonObject unsigned, byte[] key) {
        return Json.createObjectBuilder(unsigned).add("s", Wire.hmac(key, Wire.canonicalWithoutSignature(unsigned))).build();
    }

    /** Sends a frame and returns the next frame, which must be a signed reply. */
    JsonObject send(JsonObject frame) {
        sendText(frame.toString());
        return next();
    }

    JsonObject request(String type, String topic, JsonObject d) {
        JsonObject frame = frame(type, topic, d);
        JsonObject reply = send(frame);
        assertEquals(frame.getString("id"), reply.getJsonObject("d").getString("ref", null), reply.toString());
        return reply;
    }

    JsonObject subscribe(String topic) {
        JsonObject reply = request("subscribe", topic, null);
        assertEquals("subscribed", reply.getString("type"), reply.toString());
        return reply;
    }

    /** Subscribes resuming after {@code offset}; returns the subscribed frame's d. */
    JsonObject resume(String topic, long offset) {
        JsonObject reply = request("subscribe", topic, Json.createObjectBuilder().add("offset", offset).build());
        assertEquals("subscribed", reply.getString("type"), reply.toString());
        return reply.getJsonObject("d");
    }

    /** The next frame, which must be an alert; returns it whole. */
    JsonObject nextAlert() {
        JsonObject frame = next();
        assertEquals("alert", frame.getString("type"), frame.toString());
        return frame;
    }

    /** The next frame, parsed but not verified: for load tests whose subject is not signatures. */
    JsonObject nextUnverified() {
        return Wire.parse(nextText());
    }

    /** Drops the connection without a close frame, as a network failure would. */
    void abort() {
        socket.abort();
    }

    void sendText(String text) {
        socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** The next text frame as it arrived. */
    String nextText() {
        try {
            String text = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(text, "no frame within " + WAIT);
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame, which must carry a valid server signature, or its session key's HMAC for a reply after the welcome. */
    JsonObject next() {
        JsonObject frame = Wire.parse(nextText());
        assertTrue(verifies(frame), "server signature does not verify: " + frame);
        return frame;
    }

    boolean verifies(JsonObject frame) {
        if ("session".equals(frame.getString("kid", null))) {
            return sessionKey != null && frame.containsKey("s")
                    && Wire.hmac(sessionKey, Wire.canonicalWithoutSignature(frame)).equals(frame.getString("s"));
        }
        return keys.verifies(frame);
    }

    /** The next frame, which must be an error with this code; returns its d. */
    JsonObject nextError(String code) {
        JsonObject frame = next();
        assertEquals("error", frame.getString("type"), frame.toString());
        assertEquals(code, frame.getJsonObject("d").getString("code"), frame.toString());
        return frame.getJsonObject("d");
    }

    boolean nothingWithin(Duration quiet) throws InterruptedException {
        return frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS) == null;
    }

    int awaitClose() {
        return closeCode.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}
