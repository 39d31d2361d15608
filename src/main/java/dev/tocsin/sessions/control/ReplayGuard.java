package dev.tocsin.sessions.control;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers message ids for the replay window: a second use of an id inside the window is a replay.
 * Frames older than the window are refused by their timestamp, so ids can be forgotten after it.
 * Forgetting is only for memory ({@link #firstUse} reads expiries itself), so it scans at most once
 * per half window: a scan every heartbeat sweep cost about a tenth of the server's CPU under a
 * client sending thousands of frames a second.
 */
public final class ReplayGuard {

    private final Map<String, Long> expiryById = new ConcurrentHashMap<>();
    private final long windowMillis;
    private volatile long nextScanMillis;

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

    /** Drops expired ids, unless it did less than half a window ago. */
    public void forgetExpired(long nowMillis) {
        if (nowMillis < nextScanMillis || expiryById.isEmpty()) {
            return;
        }
        nextScanMillis = nowMillis + windowMillis / 2;
        expiryById.values().removeIf(expiry -> expiry < nowMillis);
    }

    public int size() {
        return expiryById.size();
    }
}
