package dev.tocsin.envelope.entity;

import java.util.List;

/** The envelope versions ({@code v}) this server speaks, and the matching WebSocket subprotocols. */
public final class ProtocolVersion {
    public static final int CURRENT = 1;
    public static final List<Integer> SUPPORTED = List.of(CURRENT);
    public static final String SUBPROTOCOL_PREFIX = "tocsin.v";
    public static final String SUBPROTOCOL = SUBPROTOCOL_PREFIX + CURRENT;

    private ProtocolVersion() {
    }

    public static boolean supported(int v) {
        return SUPPORTED.contains(v);
    }
}
