package dev.tocsin.alerts.entity;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How urgent an alert is, most urgent first. Critical alerts are never dropped or conflated. */
public enum Severity {
    CRITICAL, ERROR, WARNING, INFO;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Severity> fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
    }
}
