package dev.tocsin.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * RFC 6455 by hand over a plain socket, for what a polite client library will not do: send a
 * chosen Origin, never answer pings, send oversized frames.
 */
final class RawWebSocket implements Closeable {

    record Frame(int opcode, byte[] payload) {
        static final int TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int status;

    private RawWebSocket(Socket socket, int status) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.status = status;
    }

    /** Sends the upgrade request; {@link #status()} tells whether the server switched protocols. */
    static RawWebSocket open(URI wsUri, Map<String, String> headers) throws IOException {
        return open(wsUri, headers, 0);
    }

    /** @param receiveBuffer the socket's receive buffer in bytes (small: a client that reads slowly); 0 for the default */
    static RawWebSocket open(URI wsUri, Map<String, String> headers, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress(wsUri.getHost(), wsUri.getPort()), (int) ProtocolClient.WAIT.toMillis());
        socket.setSoTimeout((int) ProtocolClient.WAIT.toMillis());
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        StringBuilder request = new StringBuilder("GET " + wsUri.getRawPath() + " HTTP/1.1\r\n")
                .append("Host: ").append(wsUri.getHost()).append(':').append(wsUri.getPort()).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = socket.getInputStream();
        String statusLine = readLine(in);
        while (!readLine(in).isEmpty()) {
            // headers are not needed
        }
        return new RawWebSocket(socket, Integer.parseInt(statusLine.split(" ")[1]));
    }

    int status() {
        return status;
    }

    void sendText(String text) throws IOException {
        send(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    void send(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next frame from the server, or null if none came within {@code timeout}. */
    Frame read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        int first;
        try {
            first = in.read();
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (first < 0) {
            return new Frame(Frame.CLOSE, new byte[0]);
        }
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(first & 0x0f, payload);
    }

    /** The next text frame, skipping (not answering) pings. */
    String nextText(Duration timeout) throws IOException {
        Frame frame;
        do {
            frame = read(timeout);
            if (frame == null) {
                throw new AssertionError("no text frame within " + timeout);
            }
        } while (frame.opcode() == Frame.PING);
        if (frame.opcode() != Frame.TEXT) {
            throw new AssertionError("expected a text frame, got opcode " + frame.opcode());
        }
        return frame.text();
    }

    /** Reads until a close frame, never answering pings; returns the close code, 1006 if the connection was reset. */
    int awaitCloseIgnoringPings(Duration timeout) throws IOException {
        return awaitClose(timeout, false);
    }

    /** As {@link #awaitCloseIgnoringPings}, but answering each ping, so that the heartbeat is not what closes the connection. */
    int awaitCloseAnsweringPings(Duration timeout) throws IOException {
        return awaitClose(timeout, true);
    }

    private int awaitClose(Duration timeout, boolean answerPings) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Frame frame;
            try {
                frame = read(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            } catch (java.net.SocketException | java.io.EOFException reset) {
                return 1006;
            }
            if (frame != null && frame.opcode() == Frame.CLOSE) {
                return frame.closeCode();
            }
            if (answerPings && frame != null && frame.opcode() == Frame.PING) {
                send(Frame.PONG, frame.payload());
            }
        }
        throw new AssertionError("not closed within " + timeout);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
