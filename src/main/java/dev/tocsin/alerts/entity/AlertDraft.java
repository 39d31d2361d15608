package dev.tocsin.alerts.entity;

/**
 * An alert as a producer submits it, over REST or in a {@code publish} frame, before validation.
 *
 * @param expiresAt  epoch milliseconds after which the alert is stale; optional
 * @param ttlSeconds alternative to expiresAt, counted from publication; optional
 */
public record AlertDraft(String topic, String severity, String title, String body, Long expiresAt, Long ttlSeconds) {
}
