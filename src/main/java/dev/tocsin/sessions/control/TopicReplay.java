package dev.tocsin.sessions.control;

import dev.tocsin.alerts.control.AlertDispatcher;
import dev.tocsin.alerts.control.AlertLog;
import dev.tocsin.alerts.entity.StoredAlert;
import dev.tocsin.config.Settings;
import dev.tocsin.envelope.entity.CloseCode;
import dev.tocsin.monitoring.TocsinMetrics;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends a resuming subscriber what it missed, from the log, in pages, no faster than it reads;
 * then hands over to live delivery ({@link Subscription#replayDone()}).
 */
@ApplicationScoped
public class TopicReplay {

    private static final Logger LOG = Logger.getLogger(TopicReplay.class.getName());
    static final int PAGE = 200;

    @Resource
    ManagedExecutorService executor;
    @Inject
    AlertLog log;
    @Inject
    AlertDispatcher alerts;
    @Inject
    Settings settings;
    @Inject
    TocsinMetrics metrics;

    /** Replays, on another thread, the topic's live alerts after {@code after}. */
    public void start(Subscription subscription, long after) {
        executor.execute(() -> replay(subscription, after));
    }

    /** Fills a gap in a subscription's live delivery ({@link Subscription.CatchUp}). */
    public void catchUp(Subscription subscription, long after) {
        metrics.caughtUp();
        start(subscription, after);
    }

    private void replay(Subscription subscription, long after) {
        Connection connection = subscription.connection();
        Outbox outbox = connection.outbox();
        long cursor = after;
        try {
            while (connection.subscriptions().get(subscription.topic()) == subscription) {
                if (!outbox.awaitBelow(settings.outboxMaxBytes() / 2, settings.sendTimeout().toNanos())) {
                    outbox.closeNow(CloseCode.SLOW_CONSUMER, "replay not read in time");
                    return;
                }
                List<StoredAlert> page = log.after(subscription.topic(), cursor, System.currentTimeMillis(), PAGE);
                for (StoredAlert alert : page) {
                    subscription.replayed(alert.offset(), alert.frame());
                    if (alert.acknowledged()) {
                        subscription.replayedEvent(alerts.acknowledgedFrame(alert));
                    }
                    cursor = alert.offset();
                }
                if (page.size() < PAGE) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outbox.closeNow(CloseCode.GOING_AWAY, "replay interrupted");
        } catch (RuntimeException e) {
            // Never hand over to live delivery with a hole: the client reconnects and resumes.
            LOG.log(Level.WARNING, "replay of " + subscription.topic() + " to " + connection.id() + " failed", e);
            outbox.closeNow(CloseCode.INTERNAL_ERROR, "replay failed");
        } finally {
            subscription.replayDone();
        }
    }
}
