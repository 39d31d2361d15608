package dev.tocsin.security.entity;

import java.time.Instant;
import java.util.Set;

/** Who is on the other end, as a verified token says. */
public record Caller(String subject, Set<String> groups, Instant expiresAt) {

    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
