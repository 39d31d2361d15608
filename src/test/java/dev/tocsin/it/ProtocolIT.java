package dev.tocsin.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The envelope protocol over real sockets against the deployed WAR, as docs/protocol.md describes it. */
class ProtocolIT extends DeployedTocsin {

    private static String topic() {
        return "alerts.it." + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aSubscriberReceivesARestPublishedAlertSignedByTheActiveKey() {
        String topic = topic();
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            assertEquals("tocsin.v1", client.subprotocol());
            JsonObject welcome = client.handshake(tocsin.token("alice"));
            assertEquals("alice", welcome.getJsonObject("d").getString("user"));
            assertEquals(List.of(1), welcome.getJsonObject("d").getJsonArray("versions").getValuesAs(jakarta.json.JsonNumber.class)
                    .stream().map(jakarta.json.JsonNumber::intValue).toList());
            assertEquals(topic, client.subscribe(topic).getString("topic"));

            HttpResponse<String> published = tocsin.publish(tocsin.token("pat", "producers"),
                    Json.createObjectBuilder(Tocsin.alert(topic, "critical", "Disk full")).add("body", "on db-1").add("ttlSeconds", 600).build());
            assertEquals(201, published.statusCode(), published.body());
            JsonObject receipt = Wire.parse(published.body());
            assertEquals(1, receipt.getInt("recipients"));

            JsonObject alert = client.next();
            assertEquals("alert", alert.getString("type"));
            assertEquals(receipt.getString("id"), alert.getString("id"));
            assertEquals(topic, alert.getString("topic"));
            assertEquals("demo-2026-b", alert.getString("kid"));
            JsonObject d = alert.getJsonObject("d");
            assertEquals("critical", d.getString("severity"));
            assertEquals("Disk full", d.getString("title"));
            assertEquals("on db-1", d.getString("body"));
            assertEquals("pat", d.getString("publishedBy"));
            assertTrue(d.getJsonNumber("expiresAt").longValue() > alert.getJsonNumber("ts").longValue());
        }
    }

    @Test
    void repliesToOneConnectionCarryItsSessionKeysHmacWhileTheWelcomeAndAlertsCarryTheServersSignature() {
        String topic = topic();
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            JsonObject welcome = client.handshake(tocsin.token("alice"));
            assertEquals("demo-2026-b", welcome.getString("kid"));
            assertTrue(tocsin.serverKeys().verifies(welcome));

            JsonObject subscribed = client.subscribe(topic);
            assertEquals("session", subscribed.getString("kid"));
            assertTrue(client.verifies(subscribed));
            JsonObject forged = Json.createObjectBuilder(subscribed)
                    .add("d", Json.createObjectBuilder(subscribed.getJsonObject("d")).add("latest", 999)).build();
            assertFalse(client.verifies(forged));
            JsonObject pong = client.request("ping", null, null);
            assertEquals("session", pong.getString("kid"));

            tocsin.publish(tocsin.token("pat", "producers"), Tocsin.alert(topic, "info", "to all"));
            JsonObject alert = client.nextAlert();
            assertEquals("demo-2026-b", alert.getString("kid"));
            assertTrue(tocsin.serverKeys().verifies(alert));
        }
    }

    @Test
    void aTamperedServerFrameNoLongerVerifies() {
        String topic = topic();
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.handshake(tocsin.token("alice"));
            client.subscribe(topic);
            tocsin.publish(tocsin.token("pat", "producers"), Tocsin.alert(topic, "info", "original"));
            JsonObject alert = client.next();
            JsonObject tampered = Json.createObjectBuilder(alert)
                    .add("d", Json.createObjectBuilder(alert.getJsonObject("d")).add("title", "forged")).build();
            assertFalse(tocsin.serverKeys().verifies(tampered));
        }
    }

    @Test
    void aPublisherInAnAllowedGroupPublishesOverTheSocketAndGetsAReceipt() {
        String topic = topic();
        try (ProtocolClient subscriber = ProtocolClient.connect(tocsin);
             ProtocolClient publisher = ProtocolClient.connect(tocsin)) {
            subscriber.handshake(tocsin.token("bob"));
            subscriber.subscribe(topic);
            publisher.handshake(tocsin.token("olga", "ops"));
            JsonObject receipt = publisher.request("publish", topic,
                    Json.createObjectBuilder().add("severity", "warning").add("title", "CPU high").build());
            assertEquals("receipt", receipt.getString("type"));
            JsonObject alert = subscriber.next();
            assertEquals(receipt.getJsonObject("d").getString("alertId"), alert.getString("id"));
            assertEquals("olga", alert.getJsonObject("d").getString("publishedBy"));

            JsonObject ack = publisher.request("ack", topic, Json.createObjectBuilder().add("alertId", alert.getString("id")).build());
            assertEquals("receipt", ack.getString("type"));
        }
    }

    @Test
    void topicsOutsideTheCallersGroupsAreRefused() {
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.handshake(tocsin.token("mallory", "guests"));
            JsonObject subscribe = client.frame("subscribe", "billing.secrets", null);
            client.sendText(subscribe.toString());
            assertEquals(subscribe.getString("id"), client.nextError("FORBIDDEN_TOPIC").getString("ref"));

            client.sendText(client.frame("publish", topic(), Json.createObjectBuilder()
                    .add("severity", "critical").add("title", "fake").build()).toString());
            client.nextError("FORBIDDEN_TOPIC");
        }
        HttpResponse<String> rest = tocsin.publish(tocsin.token("mallory", "guests"), Tocsin.alert(topic(), "info", "x"));
        assertEquals(403, rest.statusCode());
        assertEquals("FORBIDDEN_TOPIC", Wire.parse(rest.body()).getString("error"));
    }

    @Test
    void everyBadFrameGetsItsDocumentedErrorAndTheConnectionGoesOnServing() {
        String topic = topic();
        try (ProtocolClient client = ProtocolClient.connect(tocsin); ProtocolClient bystander = ProtocolClient.connect(tocsin)) {
            bystander.handshake(tocsin.token("carol"));
            bystander.subscribe(topic);
            client.handshake(tocsin.token("dave"));
            client.subscribe(topic);

            client.sendText("{not json");
            client.nextError("MALFORMED_FRAME");
            client.sendText("[1,2,3]");
            client.nextError("MALFORMED_FRAME");
            client.sendText("{\"type\":\"ping\",\"id\":\"x\",\"ts\":1}");
            client.nextError("INVALID_ENVELOPE");
            client.sendText("{\"v\":1,\"type\":\"ping\",\"id\":\"x1\",\"ts\":\"yesterday\"}");
            assertEquals("x1", client.nextError("INVALID_ENVELOPE").getString("ref"));
            client.sendText(client.frame("ping", null, null).toString().replace("\"ping\"", "\"teleport\""));
            client.nextError("UNKNOWN_TYPE");
            client.sendText(client.frame("alert", topic, null).toString());
            client.nextError("UNKNOWN_TYPE");

            JsonObject ping = client.frame("ping", null, null);
            client.sendText(Json.createObjectBuilder(ping).add("s", Wire.b64(new byte[32])).build().toString());
            client.nextError("BAD_SIGNATURE");
            client.sendText(Json.createObjectBuilder(ping).remove("s").build().toString());
            client.nextError("BAD_SIGNATURE");
            client.sendText(ProtocolClient.signed(Json.createObjectBuilder(ping).add("kid", "demo-2026-b").remove("s").build(),
                    new byte[32]).toString());
            client.nextError("UNKNOWN_KEY");
            client.sendText(client.frame("ping", null, null, UUID.randomUUID().toString(), System.currentTimeMillis() - 600_000).toString());
            assertTrue(client.nextError("STALE_TIMESTAMP").containsKey("serverTime"));
            client.sendText(client.frame("ping", null, null, UUID.randomUUID().toString(), System.currentTimeMillis() + 600_000).toString());
            client.nextError("STALE_TIMESTAMP");

            assertEquals("pong", client.send(ping).getString("type"));
            client.sendText(ping.toString());
            client.nextError("REPLAYED_ID");

            client.sendText(client.frame("subscribe", "Not A Topic!", null).toString());
            client.nextError("INVALID_TOPIC");
            client.sendText(client.frame("publish", topic, Json.createObjectBuilder().add("severity", "apocalyptic").add("title", "x").build()).toString());
            client.nextError("FORBIDDEN_TOPIC");
            client.sendText(client.frame("ack", topic, Json.createObjectBuilder().add("alertId", 42).build()).toString());
            client.nextError("INVALID_ENVELOPE");
            client.sendText(client.frame("handshake", null, null).toString());
            client.nextError("ALREADY_AUTHENTICATED");

            client.sendText("{\"v\":1,\"type\":\"ping\",\"id\":\"big\",\"ts\":0,\"d\":{\"pad\":\"" + "x".repeat(5000) + "\"}}");
            client.nextError("FRAME_TOO_LARGE");
            client.sendBinary(new byte[] {1, 2, 3});
            client.nextError("BINARY_NOT_SUPPORTED");

            // Still serving: this connection and the others.
            assertEquals("pong", client.request("ping", null, null).getString("type"));
            HttpResponse<String> published = tocsin.publish(tocsin.token("pat", "producers"), Tocsin.alert(topic, "error", "after the storm"));
            assertEquals(2, Wire.parse(published.body()).getInt("recipients"));
            assertEquals("after the storm", client.next().getJsonObject("d").getString("title"));
            assertEquals("after the storm", bystander.next().getJsonObject("d").getString("title"));
        }
    }

    @Test
    void anUnknownVersionIsAnsweredWithTheSupportedVersionsThenAClose() {
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.sendText("{\"v\":2,\"type\":\"handshake\",\"id\":\"h1\",\"ts\":0}");
            JsonObject error = client.nextError("UNSUPPORTED_VERSION");
            assertEquals(List.of(1), error.getJsonArray("supported").getValuesAs(jakarta.json.JsonNumber.class)
                    .stream().map(jakarta.json.JsonNumber::intValue).toList());
            assertTrue(error.getBoolean("close"));
            assertEquals(4502, client.awaitClose());
        }
    }

    @Test
    void anInvalidTokenIsAnsweredThenClosedWithoutRetry() {
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.sendText(ProtocolClient.handshakeFrame("not.a.jwt", "h1", System.currentTimeMillis()).toString());
            client.nextError("AUTHENTICATION_FAILED");
            assertEquals(4501, client.awaitClose());
        }
    }

    @Test
    void aHandshakeSignedWithoutTheTokenIsRefusedAndTheConnectionMayRetry() {
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            String token = tocsin.token("erin");
            JsonObject handshake = ProtocolClient.handshakeFrame(token, "h1", System.currentTimeMillis());
            client.sendText(Json.createObjectBuilder(handshake).add("s", Wire.b64(new byte[32])).build().toString());
            client.nextError("BAD_SIGNATURE");
            assertEquals("welcome", client.handshake(token).getString("type"));
        }
    }

    @Test
    void framesBeforeTheHandshakeAreRefused() {
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.sendText("{\"v\":1,\"type\":\"subscribe\",\"id\":\"s1\",\"ts\":0,\"topic\":\"alerts.x\"}");
            assertEquals("s1", client.nextError("NOT_AUTHENTICATED").getString("ref"));
            client.handshake(tocsin.token("frank"));
        }
    }

    @Test
    void pingsAreAnsweredInBothForms() {
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.sendText("ping");
            assertEquals("pong", client.nextText());
            client.handshake(tocsin.token("gina"));
            JsonObject pong = client.request("ping", null, null);
            assertEquals("pong", pong.getString("type"));
            client.sendText("ping");
            assertEquals("pong", client.nextText());
        }
    }

    @Test
    void aSettledConnectionHasItsUpgradeRequestTrimmedAndGoesOnServing() {
        String topic = topic();
        double trimmed = tocsin.metric(TRIMMED);
        double untrimmed = tocsin.metric(UNTRIMMED);
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.handshake(tocsin.token("ivy"));
            client.subscribe(topic);
            tocsin.awaitMetricAbove(TRIMMED, trimmed, Duration.ofSeconds(10)); // a second after opening, at a heartbeat sweep
            assertEquals(untrimmed, tocsin.metric(UNTRIMMED), "no connection settled untrimmed");

            assertEquals("pong", client.request("ping", null, null).getString("type"));
            HttpResponse<String> published = tocsin.publish(tocsin.token("pat", "producers"), Tocsin.alert(topic, "info", "after the trim"));
            assertEquals(201, published.statusCode(), published.body());
            assertEquals("after the trim", client.next().getJsonObject("d").getString("title"));
        }
        HttpResponse<String> history = tocsin.get("api/alerts?topic=" + topic + "&limit=5", tocsin.token("ivy"));
        assertEquals(200, history.statusCode(), history.body());
        assertEquals(1, Wire.parse(history.body()).getJsonArray("alerts").size(), "query parameters still parse");
    }

    @Test
    void unsubscribingStopsDelivery() {
        String topic = topic();
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.handshake(tocsin.token("hank"));
            client.subscribe(topic);
            assertEquals("unsubscribed", client.request("unsubscribe", topic, null).getString("type"));
            HttpResponse<String> published = tocsin.publish(tocsin.token("pat", "producers"), Tocsin.alert(topic, "info", "nobody"));
            assertEquals(0, Wire.parse(published.body()).getInt("recipients"));
            assertEquals("pong", client.request("ping", null, null).getString("type"));
        }
    }

    @Test
    void theRestApiAnswersEveryBadRequestWithAJsonError() {
        String producer = tocsin.token("pat", "producers");
        assertError(tocsin.publish(null, Tocsin.alert(topic(), "info", "x")), 401, "AUTHENTICATION_FAILED");
        assertError(tocsin.publish("garbage", Tocsin.alert(topic(), "info", "x")), 401, "AUTHENTICATION_FAILED");
        assertError(tocsin.post("api/alerts", producer, "{\"topic\":"), 400, "MALFORMED_REQUEST");
        assertError(tocsin.publish(producer, Tocsin.alert(topic(), "loud", "x")), 400, "INVALID_ALERT");
        assertError(tocsin.publish(producer, Tocsin.alert(topic(), "info", "")), 400, "INVALID_ALERT");
        assertError(tocsin.publish(producer, Tocsin.alert("UPPER.case", "info", "x")), 400, "INVALID_TOPIC");
        assertError(tocsin.publish(producer, Json.createObjectBuilder(Tocsin.alert(topic(), "info", "x")).add("expiresAt", 1000).build()),
                400, "INVALID_ALERT");
        assertError(tocsin.post("api/demo/token", null, "{\"user\":\"a b\"}"), 400, "MALFORMED_REQUEST");
        assertError(tocsin.get("api/nothing-here"), 404, "NOT_FOUND");
    }

    @Test
    void metricsCountPublishedAlertsRefusedFramesAndOpenConnections() {
        String topic = topic();
        double direct = tocsin.metric(GRIZZLY_WRITER);
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.handshake(tocsin.token("ivy"));
            client.subscribe(topic);
            client.sendText("{oops");
            client.nextError("MALFORMED_FRAME");
            double before = tocsin.metric("tocsin_alerts_published_total");
            double writes = tocsin.metric(WRITES);
            double frames = tocsin.metric(FRAMES_WRITTEN);
            tocsin.publish(tocsin.token("pat", "producers"), Tocsin.alert(topic, "info", "counted"));
            client.next();
            assertEquals(before + 1, tocsin.metric("tocsin_alerts_published_total"));
            double writesNow = tocsin.metric(WRITES);
            assertTrue(writesNow >= writes + 1, "the alert's write is counted");
            assertTrue(tocsin.metric(FRAMES_WRITTEN) - frames >= writesNow - writes, "a write carries one frame or more");
            assertTrue(tocsin.metric("tocsin_frames_refused_total{code=\"MALFORMED_FRAME\"") >= 1);
            assertTrue(tocsin.metric("tocsin_connections") >= 1);
            assertTrue(tocsin.metric(GRIZZLY_WRITER) >= direct + 1, "a plain connection's frames go straight to Grizzly");
            assertEquals(1, tocsin.metric("tocsin_cluster_members"), "a node alone in its cluster");
            assertEquals(0, tocsin.metric("tocsin_relay_frames_total{mp_scope=\"application\",outcome=\"sent\""), "a node alone relays nothing");
        }
    }

    static final String TRIMMED = "tocsin_connections_settled_total{mp_scope=\"application\",trimmed=\"true\"";
    static final String UNTRIMMED = "tocsin_connections_settled_total{mp_scope=\"application\",trimmed=\"false\"";
    static final String WRITES = "tocsin_outbox_writes_total{mp_scope=\"application\"";
    static final String FRAMES_WRITTEN = "tocsin_outbox_frames_total{mp_scope=\"application\"";
    static final String GRIZZLY_WRITER = "tocsin_connections_writer_total{mp_scope=\"application\",writer=\"grizzly\"";

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject body = Wire.parse(response.body());
        assertEquals(code, body.getString("error"), response.body());
        assertEquals(status, body.getInt("status"));
    }
}
