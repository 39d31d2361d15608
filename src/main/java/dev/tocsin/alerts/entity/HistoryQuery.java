package dev.tocsin.alerts.entity;

import java.util.List;

/** Filters of the alert history; null means "any". */
public record HistoryQuery(List<String> topics, String severity, Long since, Long until, Boolean acknowledged, int limit) {
    public static final int MAX_LIMIT = 500;
}
