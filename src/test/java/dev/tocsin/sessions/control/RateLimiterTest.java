package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstIsAllowedThenTheRateApplies() {
        RateLimiter limiter = new RateLimiter(20, 40, 0);
        for (int i = 0; i < 40; i++) {
            assertTrue(limiter.tryAcquire(0), "frame " + i + " of the burst");
        }
        assertFalse(limiter.tryAcquire(0));
        assertTrue(limiter.tryAcquire(SECOND / 20), "one frame per 50 ms comes back");
        assertFalse(limiter.tryAcquire(SECOND / 20));
    }

    @Test
    void tokensNeverExceedTheBurst() {
        RateLimiter limiter = new RateLimiter(20, 5, 0);
        int allowed = 0;
        while (limiter.tryAcquire(3600 * SECOND)) {
            allowed++;
        }
        assertEquals(5, allowed, "an hour idle still allows only the burst");
    }
}
