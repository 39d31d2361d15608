package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ResumePointTest {

    @Test
    void aClientWithinTheRetainedRangeResumesWhereItAsked() {
        assertEquals(new ResumePoint(12, null), ResumePoint.of(12, 50, OptionalLong.of(1)));
        assertEquals(new ResumePoint(0, null), ResumePoint.of(0, 50, OptionalLong.of(1)));
        assertEquals(new ResumePoint(50, null), ResumePoint.of(50, 50, OptionalLong.of(1)));
    }

    @Test
    void aClientWhoseNextAlertIsTheOldestRetainedNeedsNoReset() {
        assertEquals(new ResumePoint(9, null), ResumePoint.of(9, 50, OptionalLong.of(10)));
    }

    @Test
    void aClientFurtherBehindThanTheRetentionRestartsBeforeTheOldestRetained() {
        assertEquals(new ResumePoint(9, ResumePoint.RETENTION), ResumePoint.of(3, 50, OptionalLong.of(10)));
        assertEquals(new ResumePoint(9, ResumePoint.RETENTION), ResumePoint.of(0, 50, OptionalLong.of(10)));
    }

    @Test
    void aClientAheadOfTheNewestOffsetRestartsAtTheNewest() {
        assertEquals(new ResumePoint(50, ResumePoint.AHEAD), ResumePoint.of(500, 50, OptionalLong.of(1)));
        assertEquals(new ResumePoint(0, ResumePoint.AHEAD), ResumePoint.of(1, 0, OptionalLong.of(1)));
    }

    @Test
    void aTopicThatRetainsNothingResetsAnyoneWhoMissedSomething() {
        // 20 alerts published, all dropped by retention.
        assertEquals(new ResumePoint(20, ResumePoint.RETENTION), ResumePoint.of(5, 20, OptionalLong.empty()));
        assertEquals(new ResumePoint(20, null), ResumePoint.of(20, 20, OptionalLong.empty()));
    }

    @Test
    void nothingRetainedCountsAgainstTheNewestOffsetAsReadBeforeNotAsItIsNow() {
        // Newest offset read as 0; alert 1 stored before the oldest was read, not yet visible to
        // that read, or visible to a second read of the newest offset: the client that asked to
        // resume after 0 still starts after 0, and the replay reads alert 1 from the log. (The
        // log used to read the newest offset again here and answer 2, which reset the client to
        // after 1 "for retention": alert 1 was never sent. PostgresIT's dropped-client test.)
        assertEquals(new ResumePoint(0, null), ResumePoint.of(0, 0, OptionalLong.empty()));
        assertEquals(new ResumePoint(3, null), ResumePoint.of(3, 3, OptionalLong.empty()));
    }
}
