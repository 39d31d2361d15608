package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PassPacingTest {

    static final long MS = 1_000_000;

    @Test
    void withoutALingerTheWriterRestsAsLongAsItsLastPassTook() {
        assertEquals(1_030 * MS, PassPacing.of(Duration.ZERO).due(1_000 * MS, 1_015 * MS));
    }

    @Test
    void theLingerCountsFromTheStartOfTheLastPass() {
        assertEquals(1_040 * MS, PassPacing.of(Duration.ofMillis(40)).due(1_000 * MS, 1_015 * MS));
    }

    @Test
    void aRestLongerThanTheLingerWins() {
        assertEquals(1_060 * MS, PassPacing.of(Duration.ofMillis(40)).due(1_000 * MS, 1_030 * MS));
    }

    @Test
    void aPassStretchedByAPauseRestsNoMoreThanTheCap() {
        long end = 1_000 * MS + Duration.ofSeconds(2).toNanos();
        assertEquals(end + PassPacing.REST_AT_MOST, PassPacing.of(Duration.ZERO).due(1_000 * MS, end));
    }

    @Test
    void afterAQuietSpellTheNextPassIsAlreadyDue() {
        long now = 60_000 * MS;
        PassPacing pacing = PassPacing.of(Duration.ofMillis(40));
        assertTrue(pacing.due(1_000 * MS, 1_015 * MS) <= now);
    }
}
