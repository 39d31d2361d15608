package dev.tocsin.sessions.boundary;

import java.util.function.BooleanSupplier;

/**
 * Whether a connection's upgraded HTTP request is still its own. Once the connection closes,
 * Catalina and Grizzly recycle the request's objects, and a worker thread may take them for the
 * next request it parses, another client's; Tyrus tells the endpoint of the close ({@code @OnClose})
 * before the container recycles anything. What Tocsin does to those objects ({@link
 * UpgradedRequest#trim()} on the heartbeat thread, {@link ConsumedInput#release()} on a reading
 * thread) runs here: not at all once the close was told, and a close told meanwhile waits for it,
 * so that nothing is written into a request that another client's bytes are being parsed into.
 */
final class OpenRequest {

    private boolean closed; // guarded by this

    /** @return what the action returned, or false without running it once the connection has closed */
    synchronized boolean whileOpen(BooleanSupplier action) {
        return !closed && action.getAsBoolean();
    }

    /** The connection has closed: from now on nothing runs; returns once what was running has finished. */
    synchronized void closed() {
        closed = true;
    }
}
