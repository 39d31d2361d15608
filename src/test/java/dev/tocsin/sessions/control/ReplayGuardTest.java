package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {

    static final long WINDOW = 30_000;
    static final long T = 1_700_000_000_000L;

    final ReplayGuard guard = new ReplayGuard(WINDOW);

    @Test
    void theFirstUseOfAnIdIsAllowed() {
        assertTrue(guard.firstUse("m-1", T));
        assertEquals(1, guard.size());
    }

    @Test
    void aSecondUseWithinTheWindowIsARefusedReplay() {
        guard.firstUse("m-1", T);

        assertFalse(guard.firstUse("m-1", T));
        assertFalse(guard.firstUse("m-1", T + WINDOW));
    }

    @Test
    void idsAreIndependent() {
        guard.firstUse("m-1", T);

        assertTrue(guard.firstUse("m-2", T));
        assertEquals(2, guard.size());
    }

    @Test
    void remembersAnIdForTwiceTheWindowBecauseItsTimestampMayBeAWindowAhead() {
        guard.firstUse("m-1", T);

        // A frame stamped T + WINDOW was accepted at T, and its ts stays fresh until T + 2 * WINDOW.
        assertFalse(guard.firstUse("m-1", T + 2 * WINDOW));
        assertTrue(guard.firstUse("m-1", T + 2 * WINDOW + 1));
    }

    @Test
    void aReusedIdAfterExpiryIsRememberedAnew() {
        guard.firstUse("m-1", T);
        long later = T + 2 * WINDOW + 1;
        guard.firstUse("m-1", later);

        assertFalse(guard.firstUse("m-1", later + 2 * WINDOW));
        assertTrue(guard.firstUse("m-1", later + 2 * WINDOW + 1));
    }

    @Test
    void forgetsExpiredIdsAndKeepsLiveOnes() {
        guard.firstUse("old", T);
        guard.firstUse("new", T + WINDOW);

        guard.forgetExpired(T + 2 * WINDOW + 1);

        assertEquals(1, guard.size());
        assertTrue(guard.firstUse("old", T + 2 * WINDOW + 1));
        assertFalse(guard.firstUse("new", T + 2 * WINDOW + 1));
    }

    @Test
    void scansForExpiredIdsAtMostOncePerHalfWindow() {
        guard.firstUse("old", T);
        guard.firstUse("new", T + WINDOW);
        guard.forgetExpired(T + 2 * WINDOW);
        assertEquals(2, guard.size(), "nothing expired yet");

        guard.forgetExpired(T + 2 * WINDOW + WINDOW / 2 - 1);
        assertEquals(2, guard.size(), "scanned less than half a window ago");
        assertTrue(guard.firstUse("old", T + 2 * WINDOW + 1), "an expired id is free again, scanned or not");

        guard.firstUse("gone", T);
        guard.forgetExpired(T + 2 * WINDOW + WINDOW / 2);
        assertEquals(2, guard.size(), "the next scan drops what expired meanwhile");
        assertFalse(guard.firstUse("new", T + 2 * WINDOW + WINDOW / 2));
    }

    @Test
    void idsThatJavaHashesAlikeAreTwoIds() {
        assertEquals("Aa".hashCode(), "BB".hashCode());
        guard.firstUse("Aa", T);

        assertTrue(guard.firstUse("BB", T));
    }

    @Test
    void noRandomIdIsTakenForAReplay() {
        Random random = new Random(42);
        for (int i = 0; i < 500_000; i++) {
            String id = new UUID(random.nextLong(), random.nextLong()).toString();
            assertTrue(guard.firstUse(id, T), () -> id + " taken for a replay");
        }
        assertEquals(500_000, guard.size());
    }

    @Test
    void givesBackTheRoomABurstOfIdsTook() {
        for (int i = 0; i < 10_000; i++) {
            guard.firstUse("burst-" + i, T);
        }
        guard.firstUse("late", T + WINDOW);
        int held = guard.capacity();

        guard.forgetExpired(T + 2 * WINDOW + 1);

        assertEquals(1, guard.size());
        assertTrue(guard.capacity() <= held / 64, guard.capacity() + " of " + held);
        assertFalse(guard.firstUse("late", T + 2 * WINDOW + 1));
        assertTrue(guard.firstUse("burst-1", T + 2 * WINDOW + 1));
    }
}
