package dev.tocsin.alerts.control;

import dev.tocsin.alerts.entity.Alert;
import dev.tocsin.alerts.entity.AlertDraft;
import dev.tocsin.alerts.entity.Severity;
import dev.tocsin.alerts.entity.Topic;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.ProtocolException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Turns a draft into an alert, or says precisely what is wrong with it. */
public final class AlertValidation {

    public static final int MAX_TITLE = 200;
    public static final int MAX_BODY = 8_000;
    public static final Duration MAX_LIFETIME = Duration.ofDays(366);

    private AlertValidation() {
    }

    public static Alert accept(AlertDraft draft, String publishedBy, Instant now) {
        if (draft == null) {
            throw invalid("the alert is missing");
        }
        if (!Topic.valid(draft.topic())) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, "topic '" + draft.topic() + "' is not a valid topic name");
        }
        Severity severity = Severity.fromWire(draft.severity()).orElseThrow(
                () -> invalid("severity must be one of critical, error, warning, info"));
        if (draft.title() == null || draft.title().isBlank() || draft.title().length() > MAX_TITLE) {
            throw invalid("title is required, at most " + MAX_TITLE + " characters");
        }
        if (draft.body() != null && draft.body().length() > MAX_BODY) {
            throw invalid("body has at most " + MAX_BODY + " characters");
        }
        if (draft.expiresAt() != null && draft.ttlSeconds() != null) {
            throw invalid("give expiresAt or ttlSeconds, not both");
        }
        Instant expiresAt = null;
        if (draft.expiresAt() != null) {
            expiresAt = Instant.ofEpochMilli(draft.expiresAt());
            if (!expiresAt.isAfter(now)) {
                throw invalid("the alert has already expired");
            }
        } else if (draft.ttlSeconds() != null) {
            if (draft.ttlSeconds() <= 0) {
                throw invalid("ttlSeconds must be positive");
            }
            if (draft.ttlSeconds() > MAX_LIFETIME.toSeconds()) {
                throw invalid("ttlSeconds is at most " + MAX_LIFETIME.toSeconds());
            }
            expiresAt = now.plusSeconds(draft.ttlSeconds());
        }
        if (expiresAt != null && expiresAt.isAfter(now.plus(MAX_LIFETIME))) {
            throw invalid("an alert expires at most " + MAX_LIFETIME.toDays() + " days after publication");
        }
        return new Alert(UUID.randomUUID().toString(), draft.topic(), severity, draft.title(), draft.body(),
                publishedBy, now, expiresAt);
    }

    private static ProtocolException invalid(String detail) {
        return new ProtocolException(ErrorCode.INVALID_ALERT, detail);
    }
}
