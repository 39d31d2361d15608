package dev.tocsin.alerts.control;

import dev.tocsin.alerts.entity.TopicOffset;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;

/**
 * Creates a topic's offset counter row, in a transaction of its own. Two nodes publishing a
 * topic's first alert at once both try: the database lets one insert win and fails the other,
 * which must not fail the publication, only send it to the row the winner made.
 */
@ApplicationScoped
public class TopicCounters {

    @PersistenceContext(unitName = "tocsin")
    EntityManager em;

    /** @throws RuntimeException if the row could not be inserted, for example because it exists by now */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void create(String topic) {
        em.persist(new TopicOffset(topic));
        em.flush();
    }
}
