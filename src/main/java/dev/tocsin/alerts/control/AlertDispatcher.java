package dev.tocsin.alerts.control;

import dev.tocsin.alerts.entity.Alert;
import dev.tocsin.alerts.entity.AlertDraft;
import dev.tocsin.alerts.entity.Published;
import dev.tocsin.alerts.entity.Topic;
import dev.tocsin.envelope.control.EnvelopeSigner;
import dev.tocsin.envelope.entity.Envelope;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.MessageType;
import dev.tocsin.envelope.entity.ProtocolException;
import dev.tocsin.monitoring.TocsinMetrics;
import dev.tocsin.security.control.TopicPermissions;
import dev.tocsin.security.entity.Action;
import dev.tocsin.security.entity.Caller;
import dev.tocsin.sessions.control.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/** The one path of every alert, from REST or WebSocket: validate, authorise, sign once, fan out. */
@ApplicationScoped
public class AlertDispatcher {

    @Inject
    SessionRegistry registry;

    @Inject
    EnvelopeSigner signer;

    @Inject
    TopicPermissions permissions;

    @Inject
    TocsinMetrics metrics;

    public Published publish(Caller caller, AlertDraft draft) {
        String topic = draft == null ? null : draft.topic();
        if (Topic.valid(topic) && !permissions.allows(caller, Action.PUBLISH, topic)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN_TOPIC, "may not publish on " + topic);
        }
        Alert alert = AlertValidation.accept(draft, caller.subject(), Instant.now());
        String frame = signer.frame(Envelope.of(MessageType.ALERT, alert.id(), alert.publishedAt().toEpochMilli(),
                alert.topic(), alert.data()));
        int recipients = registry.broadcast(alert.topic(), frame);
        metrics.published(recipients);
        return new Published(alert, recipients);
    }
}
