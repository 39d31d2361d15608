package dev.tocsin.sessions.control;

import org.agrona.collections.Long2LongHashMap;

/**
 * Remembers message ids for twice the replay window: a second use of an id within it is a replay.
 * Frames older than the window are refused by their timestamp, so ids can be forgotten after it.
 * Forgetting is only for memory ({@link #firstUse} reads expiries itself), so it scans at most once
 * per half window: a scan every heartbeat sweep cost about a tenth of the server's CPU under a
 * client sending thousands of frames a second.
 * <p>
 * An id is kept as a 64-bit hash beside its expiry, in a map of primitive longs. Kept as strings
 * in a map, a busy client's ids lived for minutes among the young objects, and each young
 * collection copied them again (docs/performance.md); now the id strings die young. Two ids with
 * the same hash make the second a replay: for ids that differ at random, as the UUIDs the protocol
 * asks for, a chance per frame of the ids held over 2^64, with all that a connection can hold at
 * the default rate limit (about 6,000) one in 3·10^15. A false "replay" costs the client a resend with a new id.
 */
public final class ReplayGuard {

    private static final long NONE = Long.MIN_VALUE;

    private final Long2LongHashMap expiryByHash = new Long2LongHashMap(NONE);
    private final long windowMillis;
    private long nextScanMillis;

    public ReplayGuard(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** @return true the first time {@code id} is seen within the window */
    public synchronized boolean firstUse(String id, long nowMillis) {
        long key = hash(id);
        long expiry = expiryByHash.get(key);
        if (expiry != NONE && expiry >= nowMillis) {
            return false;
        }
        expiryByHash.put(key, nowMillis + 2 * windowMillis);
        return true;
    }

    /** Drops expired ids, unless it did less than half a window ago; gives back the room a burst of ids took. */
    public synchronized void forgetExpired(long nowMillis) {
        if (nowMillis < nextScanMillis || expiryByHash.isEmpty()) {
            return;
        }
        nextScanMillis = nowMillis + windowMillis / 2;
        Long2LongHashMap.EntryIterator entries = expiryByHash.entrySet().iterator();
        while (entries.hasNext()) {
            entries.next();
            if (entries.getLongValue() < nowMillis) {
                entries.remove();
            }
        }
        if (expiryByHash.size() < expiryByHash.capacity() / 8) {
            expiryByHash.compact();
        }
    }

    public synchronized int size() {
        return expiryByHash.size();
    }

    /** How many ids the guard has room for before it grows: what it holds in memory. */
    synchronized int capacity() {
        return expiryByHash.capacity();
    }

    /** 64-bit FNV-1a over the id's UTF-16 code units. */
    static long hash(String id) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            hash = (hash ^ id.charAt(i)) * 0x100000001b3L;
        }
        return hash;
    }
}
