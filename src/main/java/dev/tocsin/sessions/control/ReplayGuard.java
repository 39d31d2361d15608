package dev.tocsin.sessions.control;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers message ids for the replay window: a second use of an id inside the window is a replay.
 * Frames older than the window are refused by their timestamp, so ids can be forgotten after it.
 */
public final class ReplayGuard {

    private final Map<String, Long> expiryById = new ConcurrentHashMap<>();
    private final long windowMillis;

    public ReplayGuard(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** @return true the first time {@code id} is seen within the window */
    public boolean firstUse(String id, long nowMillis) {
        Long previous = expiryById.putIfAbsent(id, nowMillis + 2 * windowMillis);
        if (previous == null) {
            return true;
        }
        if (previous < nowMillis) {
            return expiryById.replace(id, previous, nowMillis + 2 * windowMillis);
        }
        return false;
    }

    public void forgetExpired(long nowMillis) {
        expiryById.values().removeIf(expiry -> expiry < nowMillis);
    }

    public int size() {
        return expiryById.size();
    }
}
