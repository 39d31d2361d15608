package dev.tocsin.alerts.control;

import dev.tocsin.alerts.entity.TopicOffset;
import dev.tocsin.config.Settings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Applies the retention limits (count per topic, age) and forgets idempotency keys past their window. */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class RetentionSweep {

    private static final Logger LOG = Logger.getLogger(RetentionSweep.class.getName());

    @Resource
    ManagedScheduledExecutorService scheduler;
    @Inject
    AlertLog log;
    @Inject
    Settings settings;

    private ScheduledFuture<?> sweeps;

    @PostConstruct
    void start() {
        long period = settings.retentionSweep().toMillis();
        sweeps = scheduler.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        sweeps.cancel(false);
    }

    /**
     * Each batch is its own transaction (AlertLog's), so a topic far over its limit (a burst, a
     * lowered limit) is dropped in bounded steps rather than in one transaction of unbounded size.
     */
    void sweep() {
        long now = System.currentTimeMillis();
        long olderThan = now - settings.retentionMaxAge().toMillis();
        try {
            int dropped = 0;
            for (TopicOffset topic : log.topics()) {
                long lowest = topic.latest() - settings.retentionMaxAlertsPerTopic();
                int batch;
                do {
                    batch = log.purgeOldest(topic.topic(), olderThan, lowest, settings.retentionBatch());
                    dropped += batch;
                } while (batch > 0);
            }
            log.purgeKeys(now - settings.idempotencyWindow().toMillis());
            if (dropped > 0) {
                int total = dropped;
                LOG.fine(() -> "retention dropped " + total + " alerts");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "retention sweep failed; it runs again in " + settings.retentionSweep(), e);
        }
    }
}
