package dev.tocsin.sessions.control;

import java.nio.charset.StandardCharsets;

/**
 * A text frame on its way out. A broadcast hands one instance to every subscriber of its topic,
 * so the frame's bytes on the wire ({@link #wire()}) are encoded once per alert, whatever the
 * number of its recipients and of the alerts in flight beside it.
 */
public final class Frame {

    private final String text;
    // Made by the first write that needs it; writers racing on a new frame may each make it (equal bytes).
    private volatile byte[] wire;

    public Frame(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** What the outbox limits count: the text's length in characters. */
    public int length() {
        return text.length();
    }

    /**
     * The frame as an RFC 6455 server frame (section 5.2: FIN, opcode 1, unmasked, the shortest
     * length encoding) around the text's UTF-8 bytes. The same array every time: do not write into it.
     */
    public byte[] wire() {
        byte[] encoded = wire;
        if (encoded == null) {
            encoded = encode(text);
            wire = encoded;
        }
        return encoded;
    }

    private static byte[] encode(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int header = payload.length < 126 ? 2 : payload.length <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + payload.length];
        frame[0] = (byte) 0x81;
        if (header == 2) {
            frame[1] = (byte) payload.length;
        } else if (header == 4) {
            frame[1] = 126;
            frame[2] = (byte) (payload.length >>> 8);
            frame[3] = (byte) payload.length;
        } else {
            frame[1] = 127;
            long length = payload.length;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) (length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, payload.length);
        return frame;
    }

    @Override
    public String toString() {
        return text;
    }
}
