package dev.tocsin.alerts.control;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.alerts.entity.Alert;
import dev.tocsin.alerts.entity.AlertDraft;
import dev.tocsin.alerts.entity.Severity;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.ProtocolException;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AlertValidationTest {

    static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    static AlertDraft draft(String topic, String severity, String title, String body, Long expiresAt, Long ttlSeconds) {
        return new AlertDraft(topic, severity, title, body, expiresAt, ttlSeconds);
    }

    static AlertDraft valid() {
        return draft("ops.db", "critical", "Disk full", "on db-1", null, null);
    }

    static Alert accept(AlertDraft draft) {
        return AlertValidation.accept(draft, "alice", NOW);
    }

    static ProtocolException refusal(AlertDraft draft, ErrorCode expected) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> accept(draft));
        assertEquals(expected, e.code(), e.getMessage());
        return e;
    }

    @Test
    void turnsAValidDraftIntoAnAlertPublishedNowByTheCaller() {
        Alert alert = accept(valid());

        assertAll(
                () -> assertEquals("ops.db", alert.topic()),
                () -> assertEquals(Severity.CRITICAL, alert.severity()),
                () -> assertEquals("Disk full", alert.title()),
                () -> assertEquals("on db-1", alert.body()),
                () -> assertEquals("alice", alert.publishedBy()),
                () -> assertEquals(NOW, alert.publishedAt()),
                () -> assertNull(alert.expiresAt()),
                () -> assertEquals(alert.id(), UUID.fromString(alert.id()).toString()));
    }

    @Test
    void givesEveryAlertItsOwnId() {
        assertNotEquals(accept(valid()).id(), accept(valid()).id());
    }

    @Test
    void refusesAMissingDraft() {
        refusal(null, ErrorCode.INVALID_ALERT);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Ops.db", "ops..db", ".ops", "ops.", "-ops", "ops db", "a.b.c.d.e.f.g.h.i"})
    void refusesAnInvalidTopicAsAnInvalidTopic(String topic) {
        ProtocolException e = refusal(draft(topic, "info", "t", null, null, null), ErrorCode.INVALID_TOPIC);

        assertTrue(e.getMessage().contains(String.valueOf(topic)), e.getMessage());
    }

    @Test
    void acceptsTheLongestTopic() {
        String segment = "a".repeat(64);
        String topic = String.join(".", java.util.Collections.nCopies(8, segment));

        assertEquals(topic, accept(draft(topic, "info", "t", null, null, null)).topic());
    }

    @ParameterizedTest
    @EnumSource(Severity.class)
    void acceptsEverySeverityByItsWireName(Severity severity) {
        assertEquals(severity, accept(draft("ops.db", severity.wireName(), "t", null, null, null)).severity());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"CRITICAL", "Critical", "fatal", " info"})
    void refusesAnUnknownSeverityNamingTheKnownOnes(String severity) {
        ProtocolException e = refusal(draft("ops.db", severity, "t", null, null, null), ErrorCode.INVALID_ALERT);

        assertTrue(e.getMessage().contains("critical, error, warning, info"), e.getMessage());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\t\n"})
    void refusesAMissingOrBlankTitle(String title) {
        refusal(draft("ops.db", "info", title, null, null, null), ErrorCode.INVALID_ALERT);
    }

    @Test
    void acceptsATitleOfTheMaximumLengthAndRefusesOneCharacterMore() {
        String longest = "t".repeat(AlertValidation.MAX_TITLE);

        assertEquals(longest, accept(draft("ops.db", "info", longest, null, null, null)).title());
        refusal(draft("ops.db", "info", longest + "t", null, null, null), ErrorCode.INVALID_ALERT);
    }

    @Test
    void acceptsABodyOfTheMaximumLengthAndRefusesOneCharacterMore() {
        String longest = "b".repeat(AlertValidation.MAX_BODY);

        assertEquals(longest, accept(draft("ops.db", "info", "t", longest, null, null)).body());
        refusal(draft("ops.db", "info", "t", longest + "b", null, null), ErrorCode.INVALID_ALERT);
    }

    @Test
    void acceptsAnAlertWithoutABody() {
        assertNull(accept(draft("ops.db", "info", "t", null, null, null)).body());
    }

    @Test
    void refusesBothAnExpiryAndATimeToLive() {
        ProtocolException e = refusal(draft("ops.db", "info", "t", null, NOW.plusSeconds(60).toEpochMilli(), 60L),
                ErrorCode.INVALID_ALERT);

        assertTrue(e.getMessage().contains("not both"), e.getMessage());
    }

    @Test
    void takesAFutureExpiryAsGiven() {
        long expiresAt = NOW.toEpochMilli() + 1;

        assertEquals(Instant.ofEpochMilli(expiresAt), accept(draft("ops.db", "info", "t", null, expiresAt, null)).expiresAt());
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, -1L, Long.MIN_VALUE, 1_735_689_599_999L, 1_735_689_600_000L})
    void refusesAnExpiryThatIsNotAfterNow(long expiresAt) {
        ProtocolException e = refusal(draft("ops.db", "info", "t", null, expiresAt, null), ErrorCode.INVALID_ALERT);

        assertTrue(e.getMessage().contains("already expired"), e.getMessage());
    }

    @Test
    void countsATimeToLiveFromNow() {
        assertEquals(NOW.plusSeconds(90), accept(draft("ops.db", "info", "t", null, null, 90L)).expiresAt());
        assertEquals(NOW.plusSeconds(1), accept(draft("ops.db", "info", "t", null, null, 1L)).expiresAt());
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, -1L, Long.MIN_VALUE})
    void refusesATimeToLiveThatIsNotPositive(long ttlSeconds) {
        ProtocolException e = refusal(draft("ops.db", "info", "t", null, null, ttlSeconds), ErrorCode.INVALID_ALERT);

        assertTrue(e.getMessage().contains("ttlSeconds"), e.getMessage());
    }

    @Test
    void refusesAnExpiryMoreThanAYearAway() {
        refusal(draft("ops.db", "info", "t", null, Long.MAX_VALUE, null), ErrorCode.INVALID_ALERT);
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE, 100_000_000_000_000_000L})
    void refusesATimeToLiveBeyondTheRangeOfInstantAsAnInvalidAlert(long ttlSeconds) {
        refusal(draft("ops.db", "info", "t", null, null, ttlSeconds), ErrorCode.INVALID_ALERT);
    }

    @Test
    void neverAcceptsAnAlertWhoseExpiryCannotBeWrittenInMilliseconds() {
        long ttlSeconds = 10_000_000_000_000_000L;

        try {
            Alert alert = accept(draft("ops.db", "info", "t", null, null, ttlSeconds));
            alert.data(1);
        } catch (ProtocolException e) {
            assertEquals(ErrorCode.INVALID_ALERT, e.code());
        }
    }
}
