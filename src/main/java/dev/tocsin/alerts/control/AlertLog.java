package dev.tocsin.alerts.control;

import dev.tocsin.alerts.entity.Alert;
import dev.tocsin.alerts.entity.Delivery;
import dev.tocsin.alerts.entity.HistoryQuery;
import dev.tocsin.alerts.entity.IdempotencyRecord;
import dev.tocsin.alerts.entity.LogIdentity;
import dev.tocsin.alerts.entity.Published;
import dev.tocsin.alerts.entity.StoredAlert;
import dev.tocsin.alerts.entity.TopicOffset;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The durable alert log: every accepted alert with its per-topic offset, its acknowledgement and
 * its deliveries. An alert is stored, and its transaction committed, before anyone is told it was
 * accepted. Reads run in a transaction too: Payara's transaction-scoped EntityManager closes a
 * query created outside one before its parameters can be set.
 */
@ApplicationScoped
@Transactional
public class AlertLog {

    @PersistenceContext(unitName = "tocsin")
    EntityManager em;
    @Inject
    FirstInsert inserts;

    /**
     * Stores the alert at the next offset of its topic, unless its idempotency key, used since
     * {@code keysNotBefore} (epoch ms), names a publication already made: then that one. The
     * topic's counter row is locked until commit, so offsets are unique and gap-free across every
     * node sharing the database, and a retry that raced its original to this point (on another
     * node) reads the original's key here, committed: each statement reads what is committed when
     * it runs (READ COMMITTED, the default of H2 and PostgreSQL).
     *
     * @param frame builds the signed frame for the offset the alert gets
     */
    public Appended append(Alert alert, LongFunction<String> frame, String idempotencyKey, long keysNotBefore) {
        TopicOffset counter = findOrInsert(TopicOffset.class, alert.topic(), LockModeType.PESSIMISTIC_WRITE,
                () -> new TopicOffset(alert.topic()));
        IdempotencyRecord used = null;
        if (idempotencyKey != null) {
            // Locked too: a retry that carries another topic, or the sweep that forgets old keys, waits for this commit.
            used = em.find(IdempotencyRecord.class, new IdempotencyRecord.Key(alert.publishedBy(), idempotencyKey),
                    LockModeType.PESSIMISTIC_WRITE);
            Optional<Published> original = named(used, keysNotBefore);
            if (original.isPresent()) {
                return Appended.repeated(original.get());
            }
        }
        long offset = counter.take();
        StoredAlert stored = new StoredAlert(alert, offset, frame.apply(offset));
        em.persist(stored);
        if (used != null) {
            used.names(stored);
        } else if (idempotencyKey != null) {
            em.persist(new IdempotencyRecord(alert.publishedBy(), idempotencyKey, stored));
        }
        em.flush();
        return Appended.stored(stored);
    }

    /** What {@link #append} stored, or the publication the alert's idempotency key had already made. */
    public record Appended(StoredAlert stored, Published original) {

        public static Appended stored(StoredAlert stored) {
            return new Appended(stored, null);
        }

        public static Appended repeated(Published original) {
            return new Appended(null, original);
        }

        public boolean repeated() {
            return original != null;
        }
    }

    /** This log's identity ({@link LogIdentity}), made by whichever node asks first. */
    public String identity() {
        return findOrInsert(LogIdentity.class, LogIdentity.KEY, LockModeType.NONE, LogIdentity::random).id();
    }

    /** The row, inserted first if missing; when another node inserts it at the same moment, theirs. */
    private <T> T findOrInsert(Class<T> type, Object key, LockModeType lock, Supplier<T> row) {
        T found = em.find(type, key, lock);
        if (found != null) {
            return found;
        }
        RuntimeException lost = null;
        try {
            inserts.insert(row.get());
        } catch (RuntimeException e) {
            lost = e;
        }
        found = em.find(type, key, lock);
        if (found == null) {
            IllegalStateException missing = new IllegalStateException("no " + type.getSimpleName() + " row " + key + " after inserting it");
            if (lost != null) {
                missing.addSuppressed(lost);
            }
            throw missing;
        }
        return found;
    }

    /** The publication a publisher made with this key, if it did so since {@code notBefore} (epoch ms). */
    public Optional<Published> byIdempotencyKey(String publisher, String key, long notBefore) {
        return named(em.find(IdempotencyRecord.class, new IdempotencyRecord.Key(publisher, key)), notBefore);
    }

    private Optional<Published> named(IdempotencyRecord key, long notBefore) {
        if (key == null || key.createdAt() < notBefore) {
            return Optional.empty();
        }
        Optional<Published> published = key.published();
        if (published.isPresent()) {
            return published;
        }
        // A key stored before keys carried their alert's topic and offset: answered while its alert is kept.
        return Optional.ofNullable(em.find(StoredAlert.class, key.alertId()))
                .map(alert -> Published.repeated(alert.id(), alert.topic(), alert.offset(), alert.publishedAt()));
    }

    /** Live alerts of a topic after an offset, oldest first. */
    public List<StoredAlert> after(String topic, long offset, long now, int limit) {
        return em.createNamedQuery(StoredAlert.AFTER_OFFSET, StoredAlert.class)
                .setParameter("topic", topic).setParameter("offset", offset).setParameter("now", now)
                .setMaxResults(limit).getResultList();
    }

    /** The offset of the newest alert of a topic, 0 if it has none. */
    public long latestOffset(String topic) {
        TopicOffset counter = em.find(TopicOffset.class, topic);
        return counter == null ? 0 : counter.latest();
    }

    /**
     * The oldest offset still retained; empty if the topic retains nothing. What "nothing" means
     * is the caller's to say, against the newest offset it read before this ({@link
     * dev.tocsin.sessions.control.ResumePoint}): reading it again here could see an alert stored
     * since, and take the offsets before it for dropped.
     */
    public OptionalLong oldestRetainedOffset(String topic) {
        Long oldest = em.createNamedQuery(StoredAlert.OLDEST_OFFSET, Long.class).setParameter("topic", topic).getSingleResult();
        return oldest != null ? OptionalLong.of(oldest) : OptionalLong.empty();
    }

    public Optional<StoredAlert> find(String id) {
        return Optional.ofNullable(em.find(StoredAlert.class, id));
    }

    /**
     * Records a person's acknowledgement, with its signed frame; the first one stands. Returns the
     * alert and whether this call acknowledged it.
     */
    public Optional<Acknowledgement> acknowledge(String id, String by, long at, Function<StoredAlert, String> frame) {
        StoredAlert alert = em.find(StoredAlert.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (alert == null) {
            return Optional.empty();
        }
        return Optional.of(new Acknowledgement(alert, alert.acknowledge(by, at, frame)));
    }

    public record Acknowledgement(StoredAlert alert, boolean first) {
    }

    /** Records that a user's client received an alert; repeated confirmations keep the first time. */
    public boolean delivered(String alertId, String subject, long at) {
        if (em.find(StoredAlert.class, alertId) == null) {
            return false;
        }
        if (em.find(Delivery.class, new Delivery.Key(alertId, subject)) == null) {
            em.persist(new Delivery(alertId, subject, at));
        }
        return true;
    }

    public List<Delivery> deliveries(String alertId) {
        return em.createQuery("SELECT d FROM Delivery d WHERE d.alertId = :id ORDER BY d.deliveredAt", Delivery.class)
                .setParameter("id", alertId).getResultList();
    }

    /** Newest first. */
    public List<StoredAlert> history(HistoryQuery query) {
        StringBuilder jpql = new StringBuilder("SELECT a FROM StoredAlert a WHERE a.topic IN :topics");
        if (query.severity() != null) {
            jpql.append(" AND a.severity = :severity");
        }
        if (query.since() != null) {
            jpql.append(" AND a.publishedAt >= :since");
        }
        if (query.until() != null) {
            jpql.append(" AND a.publishedAt < :until");
        }
        if (query.acknowledged() != null) {
            jpql.append(query.acknowledged() ? " AND a.acknowledgedBy IS NOT NULL" : " AND a.acknowledgedBy IS NULL");
        }
        jpql.append(" ORDER BY a.publishedAt DESC, a.offset DESC");
        TypedQuery<StoredAlert> typed = em.createQuery(jpql.toString(), StoredAlert.class)
                .setParameter("topics", query.topics()).setMaxResults(query.limit());
        if (query.severity() != null) {
            typed.setParameter("severity", query.severity());
        }
        if (query.since() != null) {
            typed.setParameter("since", query.since());
        }
        if (query.until() != null) {
            typed.setParameter("until", query.until());
        }
        return typed.getResultList();
    }

    /** Every topic that has had an alert, with its newest offset. */
    public List<TopicOffset> topics() {
        return em.createQuery("SELECT t FROM TopicOffset t", TopicOffset.class).getResultList();
    }

    /**
     * Drops, in this transaction, at most {@code batch} of the oldest alerts of a topic that are
     * older than {@code olderThan} (epoch ms) or at or below offset {@code lowest}, with their
     * deliveries. Offsets are gap-free, so the batch is a range of offsets from the oldest one.
     *
     * @return how many alerts were dropped: 0 once the topic's oldest alert is to be kept
     */
    public int purgeOldest(String topic, long olderThan, long lowest, int batch) {
        Long oldest = em.createNamedQuery(StoredAlert.OLDEST_OFFSET, Long.class).setParameter("topic", topic).getSingleResult();
        if (oldest == null) {
            return 0;
        }
        String where = "a.topic = :topic AND a.offset <= :last AND (a.publishedAt < :olderThan OR a.offset <= :lowest)";
        long last = oldest + batch - 1;
        em.createQuery("DELETE FROM Delivery d WHERE d.alertId IN (SELECT a.id FROM StoredAlert a WHERE " + where + ")")
                .setParameter("topic", topic).setParameter("last", last).setParameter("olderThan", olderThan)
                .setParameter("lowest", lowest).executeUpdate();
        return em.createQuery("DELETE FROM StoredAlert a WHERE " + where)
                .setParameter("topic", topic).setParameter("last", last).setParameter("olderThan", olderThan)
                .setParameter("lowest", lowest).executeUpdate();
    }

    /** Drops idempotency keys older than {@code keysOlderThan} (epoch ms). */
    public void purgeKeys(long keysOlderThan) {
        em.createQuery("DELETE FROM IdempotencyRecord r WHERE r.createdAt < :t").setParameter("t", keysOlderThan).executeUpdate();
    }
}
