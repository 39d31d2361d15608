package dev.tocsin.sessions.control;

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
     * @param requested the client's last processed offset
     * @param latest    the topic's newest offset (0 if none)
     * @param oldest    the oldest retained offset (latest + 1 if the topic retains nothing)
     */
    public static ResumePoint of(long requested, long latest, long oldest) {
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
