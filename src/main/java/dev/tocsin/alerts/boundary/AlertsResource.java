package dev.tocsin.alerts.boundary;

import static dev.tocsin.envelope.control.JsonFactory.JSON;

import dev.tocsin.alerts.control.AlertDispatcher;
import dev.tocsin.alerts.control.AlertLog;
import dev.tocsin.alerts.entity.AlertDraft;
import dev.tocsin.alerts.entity.HistoryQuery;
import dev.tocsin.alerts.entity.Published;
import dev.tocsin.alerts.entity.Severity;
import dev.tocsin.alerts.entity.StoredAlert;
import dev.tocsin.alerts.entity.Topic;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.ProtocolException;
import dev.tocsin.security.boundary.BearerToken;
import dev.tocsin.security.control.TopicPermissions;
import dev.tocsin.security.entity.Action;
import dev.tocsin.security.entity.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.util.List;

/**
 * The alerts API: publish ({@code POST /api/alerts}), history ({@code GET /api/alerts?topic=...}),
 * one alert with its acknowledgement and deliveries ({@code GET /api/alerts/{id}}), and a person's
 * acknowledgement ({@code POST /api/alerts/{id}/acknowledgement}). Every call needs a bearer token.
 */
@ApplicationScoped // one instance: a request-scoped resource cost an injection target per request
@Path("alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertsResource {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    @Inject
    AlertDispatcher dispatcher;
    @Inject
    AlertLog log;
    @Inject
    TopicPermissions permissions;
    @Inject
    BearerToken bearer;
    @Context
    UriInfo uri;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response publish(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                            @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey, AlertDraft draft) {
        Published published = dispatcher.publish(bearer.caller(authorization), draft, idempotencyKey);
        JsonObjectBuilder body = JSON.createObjectBuilder()
                .add("id", published.id())
                .add("topic", published.topic())
                .add("offset", published.offset())
                .add("ts", published.ts());
        if (published.repeated()) {
            return Response.ok(body.add("repeated", true).build()).build();
        }
        return Response.created(uri.getAbsolutePathBuilder().path(published.id()).build())
                .entity(body.add("recipients", published.recipients()).build()).build();
    }

    @GET
    public JsonObject history(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                              @QueryParam("topic") List<String> topics, @QueryParam("severity") String severity,
                              @QueryParam("since") Long since, @QueryParam("until") Long until,
                              @QueryParam("acknowledged") Boolean acknowledged, @QueryParam("limit") Integer limit) {
        Caller caller = bearer.caller(authorization);
        if (topics.isEmpty() || topics.size() > 100 || !topics.stream().allMatch(Topic::valid)) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, "give 1 to 100 valid topic parameters");
        }
        topics.stream().filter(t -> !permissions.allows(caller, Action.SUBSCRIBE, t)).findFirst().ifPresent(t -> {
            throw new ProtocolException(ErrorCode.FORBIDDEN_TOPIC, "may not see alerts of " + t);
        });
        if (severity != null && Severity.fromWire(severity).isEmpty()) {
            throw new ProtocolException(ErrorCode.MALFORMED_REQUEST, "severity is critical, error, warning or info");
        }
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > HistoryQuery.MAX_LIMIT) {
            throw new ProtocolException(ErrorCode.MALFORMED_REQUEST, "limit is 1 to " + HistoryQuery.MAX_LIMIT);
        }
        JsonArrayBuilder alerts = JSON.createArrayBuilder();
        log.history(new HistoryQuery(topics, severity, since, until, acknowledged, max)).forEach(a -> alerts.add(json(a)));
        return JSON.createObjectBuilder().add("alerts", alerts).build();
    }

    @GET
    @Path("{id}")
    public JsonObject one(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        StoredAlert alert = dispatcher.visible(bearer.caller(authorization), id);
        JsonArrayBuilder deliveries = JSON.createArrayBuilder();
        log.deliveries(id).forEach(d -> deliveries.add(JSON.createObjectBuilder().add("user", d.subject()).add("at", d.deliveredAt())));
        return json(alert).add("deliveries", deliveries).build();
    }

    @POST
    @Path("{id}/acknowledgement")
    public JsonObject acknowledge(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") String id) {
        return json(dispatcher.acknowledge(bearer.caller(authorization), id)).build();
    }

    static JsonObjectBuilder json(StoredAlert alert) {
        JsonObjectBuilder json = JSON.createObjectBuilder()
                .add("id", alert.id())
                .add("topic", alert.topic())
                .add("offset", alert.offset())
                .add("severity", alert.severity())
                .add("title", alert.title())
                .add("publishedBy", alert.publishedBy())
                .add("publishedAt", alert.publishedAt());
        if (alert.body() != null) {
            json.add("body", alert.body());
        }
        if (alert.expiresAt() != null) {
            json.add("expiresAt", alert.expiresAt());
        }
        if (alert.acknowledged()) {
            json.add("acknowledgedBy", alert.acknowledgedBy()).add("acknowledgedAt", alert.acknowledgedAt());
        }
        return json;
    }
}
