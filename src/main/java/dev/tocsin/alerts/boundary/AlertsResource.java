package dev.tocsin.alerts.boundary;

import dev.tocsin.alerts.control.AlertDispatcher;
import dev.tocsin.alerts.entity.AlertDraft;
import dev.tocsin.alerts.entity.Published;
import dev.tocsin.security.boundary.BearerToken;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The producers' API: {@code POST /api/alerts} with a bearer token whose groups may publish on the topic. */
@Path("alerts")
public class AlertsResource {

    @Inject
    AlertDispatcher dispatcher;

    @Inject
    BearerToken bearer;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, AlertDraft draft) {
        Published published = dispatcher.publish(bearer.caller(authorization), draft);
        JsonObject body = Json.createObjectBuilder()
                .add("id", published.alert().id())
                .add("topic", published.alert().topic())
                .add("ts", published.alert().publishedAt().toEpochMilli())
                .add("recipients", published.recipients())
                .build();
        return Response.accepted(body).build();
    }
}
