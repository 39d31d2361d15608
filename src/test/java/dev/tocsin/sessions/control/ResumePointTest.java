package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ResumePointTest {

    @Test
    void aClientWithinTheRetainedRangeResumesWhereItAsked() {
        assertEquals(new ResumePoint(12, null), ResumePoint.of(12, 50, 1));
        assertEquals(new ResumePoint(0, null), ResumePoint.of(0, 50, 1));
        assertEquals(new ResumePoint(50, null), ResumePoint.of(50, 50, 1));
    }

    @Test
    void aClientWhoseNextAlertIsTheOldestRetainedNeedsNoReset() {
        assertEquals(new ResumePoint(9, null), ResumePoint.of(9, 50, 10));
    }

    @Test
    void aClientFurtherBehindThanTheRetentionRestartsBeforeTheOldestRetained() {
        assertEquals(new ResumePoint(9, ResumePoint.RETENTION), ResumePoint.of(3, 50, 10));
        assertEquals(new ResumePoint(9, ResumePoint.RETENTION), ResumePoint.of(0, 50, 10));
    }

    @Test
    void aClientAheadOfTheNewestOffsetRestartsAtTheNewest() {
        assertEquals(new ResumePoint(50, ResumePoint.AHEAD), ResumePoint.of(500, 50, 1));
        assertEquals(new ResumePoint(0, ResumePoint.AHEAD), ResumePoint.of(1, 0, 1));
    }

    @Test
    void aTopicThatRetainsNothingResetsAnyoneWhoMissedSomething() {
        // 20 alerts published, all dropped by retention: oldest is latest + 1.
        assertEquals(new ResumePoint(20, ResumePoint.RETENTION), ResumePoint.of(5, 20, 21));
        assertEquals(new ResumePoint(20, null), ResumePoint.of(20, 20, 21));
    }
}
