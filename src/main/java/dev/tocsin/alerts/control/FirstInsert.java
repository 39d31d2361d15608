package dev.tocsin.alerts.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;

/**
 * Inserts a row that several nodes may set out to create at once (a topic's offset counter, the
 * log's identity), in a transaction of its own. The database lets one insert win and fails the
 * others, which must then read the winner's row rather than fail what they were doing.
 */
@ApplicationScoped
public class FirstInsert {

    @PersistenceContext(unitName = "tocsin")
    EntityManager em;

    /** @throws RuntimeException if the row could not be inserted, for example because it exists by now */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void insert(Object row) {
        em.persist(row);
        em.flush();
    }
}
