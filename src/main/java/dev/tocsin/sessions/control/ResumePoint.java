package dev.tocsin.sessions.control;

import java.util.OptionalLong;

/**
 * Where a resuming subscription starts. A client asks to resume after the offset it processed
 * last; if that is beyond the newest offset ("ahead") or older than the oldest retained alert
 * ("retention"), it restarts elsewhere and is told so.
 *
 * @param after  the offset the replay starts after
 * @param reason null when the client's offset is honoured, else "ahead" or "retention"
 */
public record ResumePoint(long after, String reason) {

    public static final String AHEAD = "ahead";
    public static final String RETENTION = "retention";

    /**
     * @param requested      the client's last processed offset
     * @param latest         the topic's newest offset (0 if none)
     * @param oldestRetained the oldest retained offset, read after {@code latest}; empty if the
     *                       topic retained nothing then, which counts as latest + 1: alerts stored
     *                       after {@code latest} was read are in the log, not dropped, and the
     *                       replay reads them
     */
    public static ResumePoint of(long requested, long latest, OptionalLong oldestRetained) {
        long oldest = oldestRetained.orElse(latest + 1);
        if (requested > latest) {
            return new ResumePoint(latest, AHEAD);
        }
        if (requested + 1 < oldest) {
            return new ResumePoint(oldest - 1, RETENTION);
        }
        return new ResumePoint(requested, null);
    }

    public boolean reset() {
        return reason != null;
    }
}
