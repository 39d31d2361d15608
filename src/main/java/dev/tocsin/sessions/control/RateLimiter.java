package dev.tocsin.sessions.control;

/** A token bucket: {@code perSecond} frames on average, bursts up to {@code burst}. */
public final class RateLimiter {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    public RateLimiter(int perSecond, int burst, long nowNanos) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    public synchronized boolean tryAcquire(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - lastNanos) * perNano);
        lastNanos = nowNanos;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
