package dev.tocsin.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.alerts.control.AlertValidation;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing lost, nothing twice: the durable log, resume after reconnects, resets, expiry,
 * idempotent publishing, acknowledgements, slow consumers and per-connection limits. The suite's
 * server keeps 100 alerts per topic, queues 256 KiB per connection and times writes out after 5 s.
 */
class DeliveryIT extends DeployedTocsin {

    String producer;

    @BeforeEach
    void producer() {
        producer = tocsin.token("pat", "producers");
    }

    private static String topic() {
        return "alerts.delivery." + UUID.randomUUID().toString().substring(0, 8);
    }

    private JsonObject publish(JsonObject alert) {
        HttpResponse<String> response = tocsin.publish(producer, alert);
        assertEquals(201, response.statusCode(), response.body());
        return Wire.parse(response.body());
    }

    @Test
    void aClientDroppedAtArbitraryPointsWhileAlertsFlowGetsEveryAlertOnceInOffsetOrder() throws Exception {
        String topic = topic();
        int total = 80;
        Map<Long, String> idsByOffset = new ConcurrentHashMap<>();
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < total; i++) {
                JsonObject published = publish(Tocsin.alert(topic, "warning", "flow " + i));
                idsByOffset.put(published.getJsonNumber("offset").longValue(), published.getString("id"));
            }
        });
        Random random = new Random(42);
        String token = tocsin.token("roamer");
        List<String> received = new ArrayList<>();
        long last = 0;
        int connections = 0;
        while (last < total) {
            ProtocolClient client = ProtocolClient.connect(tocsin);
            connections++;
            client.handshake(token);
            client.resume(topic, last);
            int take = 1 + random.nextInt(12);
            for (int i = 0; i < take && last < total; i++) {
                JsonObject alert = client.nextAlert();
                long offset = alert.getJsonObject("d").getJsonNumber("offset").longValue();
                assertEquals(last + 1, offset, "no gap, no duplicate at the seam");
                received.add(alert.getString("id"));
                last = offset;
            }
            client.abort();
        }
        publishing.get(30, TimeUnit.SECONDS);
        assertTrue(connections > 5, "the client was dropped several times: " + connections);
        List<String> expected = new ArrayList<>();
        for (long offset = 1; offset <= total; offset++) {
            expected.add(idsByOffset.get(offset));
        }
        assertEquals(expected, received);
    }

    @Test
    void aSubscriberFurtherBehindThanTheRetentionIsToldToResetAndWhereToRestart() throws Exception {
        String topic = topic();
        for (int i = 0; i < 110; i++) {
            publish(Tocsin.alert(topic, "info", "old " + i));
        }
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.handshake(tocsin.token("late"));
            JsonObject subscribed = awaitRetentionSweep(client, topic);
            JsonObject reset = subscribed.getJsonObject("reset");
            assertEquals(0, reset.getJsonNumber("requested").longValue());
            assertEquals("retention", reset.getString("reason"));
            assertEquals(10, reset.getJsonNumber("restartAt").longValue(), "restart after the dropped ones");
            for (long offset = 11; offset <= 110; offset++) {
                assertEquals(offset, client.nextAlert().getJsonObject("d").getJsonNumber("offset").longValue());
            }
        }
    }

    @Test
    void aRetryAfterRetentionDroppedItsAlertIsStillAnsweredWithTheOriginalAndStoresNothing() {
        // The key is inside its window (24 h) but its alert is gone: the key itself answers.
        String topic = topic();
        String key = "key-" + topic;
        String keyed = Tocsin.alert(topic, "info", "keyed").toString();
        HttpResponse<String> first = tocsin.postWithKey("api/alerts", producer, key, keyed);
        assertEquals(201, first.statusCode(), first.body());
        String dropped = Wire.parse(first.body()).getString("id");
        for (int i = 0; i < 100; i++) {
            publish(Tocsin.alert(topic, "info", "after " + i));
        }
        awaitUntil(() -> tocsin.get("api/alerts/" + dropped, producer).statusCode() == 404, Duration.ofSeconds(20),
                "the retention sweep did not drop the keyed alert");

        HttpResponse<String> retried = tocsin.postWithKey("api/alerts", producer, key, keyed);
        assertEquals(200, retried.statusCode(), retried.body());
        JsonObject answer = Wire.parse(retried.body());
        assertEquals(dropped, answer.getString("id"));
        assertEquals(1, answer.getJsonNumber("offset").longValue());
        assertTrue(answer.getBoolean("repeated"), answer.toString());
        assertEquals(102, publish(Tocsin.alert(topic, "info", "next")).getJsonNumber("offset").longValue(), "the retry stored nothing");
    }

    private static void awaitUntil(BooleanSupplier condition, Duration timeout, String failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, failure + " within " + timeout.toSeconds() + " s");
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    /**
     * Subscribes from offset 0 until the retention sweep (every 500 ms) has dropped the oldest 10,
     * in transactions of at most 7 alerts (the suite's tocsin.retention.batch-alerts).
     */
    private static JsonObject awaitRetentionSweep(ProtocolClient client, String topic) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject subscribed = client.resume(topic, 0);
            JsonObject reset = subscribed.getJsonObject("reset");
            if (reset != null && reset.getJsonNumber("restartAt").longValue() == 10) {
                return subscribed;
            }
            // Not yet: drop this subscription and its replay, then ask again.
            client.sendText(client.frame("unsubscribe", topic, null).toString());
            while (!client.next().getString("type").equals("unsubscribed")) {
                // replayed alerts of the attempt
            }
        }
        throw new AssertionError("the retention sweep did not drop alerts within 20 s");
    }

    @Test
    void aClientAheadOfTheLogIsToldToResetToTheLatestOffset() {
        String topic = topic();
        publish(Tocsin.alert(topic, "info", "one"));
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.handshake(tocsin.token("ahead"));
            JsonObject reset = client.resume(topic, 500).getJsonObject("reset");
            assertEquals("ahead", reset.getString("reason"));
            assertEquals(1, reset.getJsonNumber("restartAt").longValue());
            publish(Tocsin.alert(topic, "info", "two"));
            assertEquals(2, client.nextAlert().getJsonObject("d").getJsonNumber("offset").longValue());
        }
    }

    /**
     * A client resuming after 0 while a topic's first alert is being stored. The subscription
     * reads the topic's newest offset, then its oldest retained one: an alert stored between the
     * two reads must not make the offsets before it look dropped by retention (it was once taken
     * so, and the client was reset past alert 1, which it never got; PostgresIT's dropped-client
     * test caught it in one run of about twenty-five). Many fresh topics, each with its first
     * publication racing a resume: every client gets alert 1 first, and no reset.
     */
    @Test
    void aClientResumingWhileATopicsFirstAlertIsStoredGetsItWithoutAReset() throws Exception {
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        try {
            for (int attempt = 0; attempt < 60; attempt++) {
                String topic = topic();
                String token = tocsin.token("racer-" + attempt);
                try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
                    client.handshake(token);
                    CompletableFuture<JsonObject> first = CompletableFuture.supplyAsync(() -> publish(Tocsin.alert(topic, "info", "first")), publisher);
                    JsonObject reply = client.resume(topic, 0);
                    first.get(10, TimeUnit.SECONDS);
                    assertFalse(reply.containsKey("reset"), "attempt " + attempt + ": " + reply);
                    assertEquals(1L, client.nextAlert().getJsonObject("d").getJsonNumber("offset").longValue(), "attempt " + attempt);
                }
            }
        } finally {
            publisher.shutdownNow();
        }
    }

    @Test
    void expiredAlertsAreNeverReplayed() {
        String topic = topic();
        // A lifetime counted on the server's clock from its publication (ts): an expiry set by the
        // test would have to arrive before it, which a loaded machine cannot promise.
        long expiresAt = publish(Json.createObjectBuilder(Tocsin.alert(topic, "info", "short-lived")).add("ttlSeconds", 1).build())
                .getJsonNumber("ts").longValue() + 1000;
        publish(Tocsin.alert(topic, "critical", "lasting"));
        awaitClockPast(expiresAt);
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            client.handshake(tocsin.token("returning"));
            client.resume(topic, 0);
            assertEquals("lasting", client.nextAlert().getJsonObject("d").getString("title"));
        }
    }

    /** The behaviour under test is about time passing: wait for the wall clock, on a deadline. */
    private static void awaitClockPast(long epochMillis) {
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(
                Math.max(0, epochMillis - System.currentTimeMillis()) + 50, TimeUnit.MILLISECONDS)).join();
        assertTrue(System.currentTimeMillis() > epochMillis);
    }

    @Test
    void aRetriedPublicationWithTheSameKeyCreatesOneAlertAndGetsTheOriginalAnswer() throws Exception {
        String topic = topic();
        String key = UUID.randomUUID().toString();
        String body = Tocsin.alert(topic, "error", "retried").toString();
        ExecutorService retries = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<HttpResponse<String>>> attempts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                attempts.add(CompletableFuture.supplyAsync(() -> tocsin.postWithKey("api/alerts", producer, key, body), retries));
            }
            List<JsonObject> answers = new ArrayList<>();
            int created = 0;
            for (CompletableFuture<HttpResponse<String>> attempt : attempts) {
                HttpResponse<String> response = attempt.get(30, TimeUnit.SECONDS);
                assertTrue(response.statusCode() == 201 || response.statusCode() == 200, response.body());
                created += response.statusCode() == 201 ? 1 : 0;
                answers.add(Wire.parse(response.body()));
            }
            assertEquals(1, created);
            assertEquals(1, answers.stream().map(a -> a.getString("id")).distinct().count());
            assertEquals(1, answers.stream().map(a -> a.getJsonNumber("offset").longValue()).distinct().count());
        } finally {
            retries.shutdownNow();
        }
        JsonObject history = Wire.parse(tocsin.get("api/alerts?topic=" + topic, producer).body());
        assertEquals(1, history.getJsonArray("alerts").size());
    }

    @Test
    void anAcknowledgementOnOneConnectionClearsTheAlertOnTheUsersOtherConnectionsAndForEveryone() {
        String topic = topic();
        String olga = tocsin.token("olga", "ops");
        try (ProtocolClient laptop = ProtocolClient.connect(tocsin); ProtocolClient phone = ProtocolClient.connect(tocsin);
             ProtocolClient colleague = ProtocolClient.connect(tocsin)) {
            laptop.handshake(olga);
            phone.handshake(olga);
            colleague.handshake(tocsin.token("sam"));
            for (ProtocolClient client : List.of(laptop, phone, colleague)) {
                client.subscribe(topic);
            }
            String id = publish(Tocsin.alert(topic, "critical", "page me")).getString("id");
            for (ProtocolClient client : List.of(laptop, phone, colleague)) {
                assertEquals(id, client.nextAlert().getString("id"));
            }
            JsonObject delivered = laptop.request("ack", topic, Json.createObjectBuilder().add("alertId", id).build());
            assertEquals("receipt", delivered.getString("type"));
            JsonObject acknowledge = laptop.frame("ack", topic, Json.createObjectBuilder().add("alertId", id).add("kind", "acknowledged").build());
            laptop.sendText(acknowledge.toString());
            assertEquals("acknowledged", laptop.next().getString("type"), "the acknowledging session hears it too");
            JsonObject receipt = laptop.next();
            assertEquals("receipt", receipt.getString("type"));
            assertEquals(acknowledge.getString("id"), receipt.getJsonObject("d").getString("ref"));

            for (ProtocolClient client : List.of(phone, colleague)) {
                JsonObject cleared = client.next();
                assertEquals("acknowledged", cleared.getString("type"), cleared.toString());
                assertEquals(id, cleared.getJsonObject("d").getString("alertId"));
                assertEquals("olga", cleared.getJsonObject("d").getString("by"));
            }
        }
        JsonObject state = Wire.parse(tocsin.get("api/alerts/" + id(topic), producer).body());
        assertEquals("olga", state.getString("acknowledgedBy"));
        assertEquals("olga", state.getJsonArray("deliveries").getJsonObject(0).getString("user"));
        JsonObject again = Wire.parse(tocsin.post("api/alerts/" + id(topic) + "/acknowledgement", producer, "").body());
        assertEquals("olga", again.getString("acknowledgedBy"), "the first acknowledgement stands");
        assertEquals(0, Wire.parse(tocsin.get("api/alerts?topic=" + topic + "&acknowledged=false", producer).body())
                .getJsonArray("alerts").size());
    }

    private String id(String topic) {
        return Wire.parse(tocsin.get("api/alerts?topic=" + topic + "&limit=1", producer).body())
                .getJsonArray("alerts").getJsonObject(0).getString("id");
    }

    @Test
    void aResumingClientReplaysAcknowledgementsAfterTheirAlertsAsTheFrameThatWasBroadcast() {
        String topic = topic();
        String id;
        JsonObject broadcast;
        try (ProtocolClient live = ProtocolClient.connect(tocsin)) {
            live.handshake(tocsin.token("live"));
            live.subscribe(topic);
            id = publish(Tocsin.alert(topic, "critical", "handled while away")).getString("id");
            assertEquals(id, live.nextAlert().getString("id"));
            assertEquals(200, tocsin.post("api/alerts/" + id + "/acknowledgement", producer, "").statusCode());
            broadcast = live.next();
        }
        assertEquals("acknowledged", broadcast.getString("type"));
        for (String user : List.of("back", "later")) {
            try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
                client.handshake(tocsin.token(user));
                client.resume(topic, 0);
                assertEquals(id, client.nextAlert().getString("id"));
                JsonObject cleared = client.next();
                assertEquals("pat", cleared.getJsonObject("d").getString("by"));
                assertEquals(broadcast, cleared, "the same frame, id and signature included");
            }
        }
    }

    @Test
    void aPublisherGetsItsReceiptOnceTheAlertIsDurable() {
        String topic = topic();
        try (ProtocolClient publisher = ProtocolClient.connect(tocsin)) {
            publisher.handshake(tocsin.token("olga", "ops"));
            JsonObject receipt = publisher.request("publish", topic,
                    Json.createObjectBuilder().add("severity", "error").add("title", "stored first").add("idempotencyKey", "k-1").build());
            String id = receipt.getJsonObject("d").getString("alertId");
            HttpResponse<String> stored = tocsin.get("api/alerts/" + id, producer);
            assertEquals(200, stored.statusCode());
            assertEquals(receipt.getJsonObject("d").getJsonNumber("offset").longValue(),
                    Wire.parse(stored.body()).getJsonNumber("offset").longValue());
            JsonObject retried = publisher.request("publish", topic,
                    Json.createObjectBuilder().add("severity", "error").add("title", "stored first").add("idempotencyKey", "k-1").build());
            assertEquals(id, retried.getJsonObject("d").getString("alertId"));
        }
    }

    @Test
    void aStalledClientIsClosedAsASlowConsumerWithoutDelayingAHundredOthers() throws Exception {
        String topic = topic();
        int subscribers = 100;
        // About 4 MiB of frames of about 8 KiB: more than the stalled connection's kernel buffers
        // (capped by tocsin.send.socket-buffer-bytes), the container's write queue (about 3 MiB,
        // measured) and its 256 KiB queue in the suite together.
        int alerts = 480;
        List<ProtocolClient> others = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            ProtocolClient client = ProtocolClient.connect(tocsin);
            others.add(client);
            client.handshake(tocsin.token("watcher" + i));
            client.subscribe(topic);
        }
        ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor();
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        try (RawWebSocket stalled = stalledSubscriber(topic, keepAlive)) {

            double closedBefore = tocsin.metric("tocsin_disconnects_total{code=\"4003\"");
            String padding = "x".repeat(8000);
            List<CompletableFuture<Void>> publishing = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int first = p * alerts / 4;
                publishing.add(CompletableFuture.runAsync(() -> {
                    for (int i = first; i < first + alerts / 4; i++) {
                        publish(Json.createObjectBuilder(Tocsin.alert(topic, i % 10 == 0 ? "critical" : "info", "burst " + i))
                                .add("body", padding).build());
                    }
                }, publishers));
            }
            for (ProtocolClient client : others) {
                long last = 0;
                for (int i = 0; i < alerts; i++) {
                    JsonObject alert = client == others.get(0) ? client.nextAlert() : client.nextUnverified();
                    assertEquals("alert", alert.getString("type"));
                    long offset = alert.getJsonObject("d").getJsonNumber("offset").longValue();
                    assertTrue(offset > last, "in offset order");
                    last = offset;
                }
                assertEquals(alerts, last, "every alert");
            }
            CompletableFuture.allOf(publishing.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            tocsin.awaitMetricAbove("tocsin_disconnects_total{code=\"4003\"", closedBefore, Duration.ofSeconds(20));
            keepAlive.shutdownNow();
            // The server discards what the client never read, so it may see a reset (1006) rather than the 4003 frame.
            int code = stalled.awaitCloseIgnoringPings(Duration.ofSeconds(30));
            assertTrue(code == 4003 || code == 1006, "closed: " + code);
        } finally {
            keepAlive.shutdownNow();
            publishers.shutdownNow();
            others.forEach(ProtocolClient::close);
        }
    }

    /**
     * What a stalled client costs the server before it is closed: its outbox up to
     * tocsin.outbox.max-bytes (256 KiB in this suite), and the kernel's buffers, which
     * tocsin.send.socket-buffer-bytes caps (Linux would otherwise grow the send buffer to 4 MiB).
     * Publishers run in parallel so that the outbox fills well within the suite's 5 s send
     * timeout, the other way a stalled client is closed.
     */
    @Test
    void aStalledClientIsRefusedFramesOnceItsOutboxIsFullHavingAbsorbedLittleMoreInTheKernel() throws Exception {
        String topic = topic();
        ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor();
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        try (ProtocolClient witness = ProtocolClient.connect(tocsin); RawWebSocket stalled = stalledSubscriber(topic, keepAlive)) {
            witness.handshake(tocsin.token("witness"));
            witness.subscribe(topic);
            String padding = "x".repeat(AlertValidation.MAX_BODY);
            AtomicInteger published = new AtomicInteger();
            AtomicInteger taken = new AtomicInteger();
            AtomicBoolean refused = new AtomicBoolean();
            List<CompletableFuture<Void>> publishing = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                publishing.add(CompletableFuture.runAsync(() -> {
                    while (!refused.get() && published.get() < 1000) {
                        int i = published.incrementAndGet();
                        int recipients = publish(Json.createObjectBuilder(Tocsin.alert(topic, "info", "fill " + i)).add("body", padding).build())
                                .getInt("recipients");
                        if (recipients == 2) {
                            taken.incrementAndGet();
                        } else {
                            assertEquals(1, recipients, "the witness still gets every alert");
                            refused.set(true);
                        }
                    }
                }, publishers));
            }
            CompletableFuture.allOf(publishing.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertTrue(refused.get(), "the stalled client took " + taken.get() + " frames and was never refused");
            int shortest = Integer.MAX_VALUE;
            int longest = 0;
            for (int i = 0; i < published.get(); i++) {
                int length = witness.nextText().length(); // the frames the stalled client was offered
                shortest = Math.min(shortest, length);
                longest = Math.max(longest, length);
            }
            long outbox = 262_144;
            assertTrue((long) taken.get() * longest > outbox - longest, "refused before its outbox was full: " + taken.get() + " frames");
            long absorbed = (long) taken.get() * shortest;
            assertTrue(absorbed <= outbox + KERNEL_BUFFERS, "the kernel absorbed about " + (absorbed - outbox) + " bytes besides the outbox");
            int code = stalled.awaitCloseIgnoringPings(Duration.ofSeconds(30));
            assertTrue(code == 4003 || code == 1006, "closed: " + code);
        } finally {
            keepAlive.shutdownNow();
            publishers.shutdownNow();
        }
    }

    /**
     * How much the outboxes batch is tocsin_outbox_frames_total over tocsin_outbox_writes_total
     * (docs/operations.md): frames that queued for a client while it was behind leave together once
     * it reads again, each intact (its signature verifies) and once, while a subscriber that keeps
     * up gets them all too.
     */
    @Test
    void framesQueuedWhileAClientWasBehindLeaveTogetherAndTheMetricsCountThem() throws Exception {
        String topic = topic();
        ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor();
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        try (RawWebSocket behind = stalledSubscriber(topic, keepAlive); ProtocolClient keepingUp = ProtocolClient.connect(tocsin)) {
            keepingUp.handshake(tocsin.token("keeping-up"));
            keepingUp.subscribe(topic);
            double writesBefore = tocsin.metric(ProtocolIT.WRITES);
            double framesBefore = tocsin.metric(ProtocolIT.FRAMES_WRITTEN);
            // About 200 KB: more than the kernel's buffers take (KERNEL_BUFFERS), less than the
            // suite's 256 KiB outbox; from four publishers, so that the client reads again well
            // within the suite's 5 s send timeout (arquillian.xml).
            int alerts = 24;
            String padding = "x".repeat(AlertValidation.MAX_BODY);
            List<CompletableFuture<Void>> publishing = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int first = p * alerts / 4;
                publishing.add(CompletableFuture.runAsync(() -> {
                    for (int i = first; i < first + alerts / 4; i++) {
                        publish(Json.createObjectBuilder(Tocsin.alert(topic, "info", "behind " + i)).add("body", padding).build());
                    }
                }, publishers));
            }
            CompletableFuture.allOf(publishing.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            Set<String> titles = new HashSet<>();
            for (int received = 0; received < alerts; ) {
                String text = behind.nextText(ProtocolClient.WAIT);
                if (text.contains("\"type\":\"alert\"")) {
                    JsonObject alert = Wire.parse(text);
                    assertTrue(keepingUp.verifies(alert), "an alert that queued arrives intact: " + text);
                    String title = alert.getJsonObject("d").getString("title");
                    assertTrue(titles.add(title), "each alert once: " + title + " again");
                    received++;
                }
            }
            for (int i = 0; i < alerts; i++) {
                keepingUp.nextAlert();
            }
            double frames = tocsin.metric(ProtocolIT.FRAMES_WRITTEN) - framesBefore;
            double writes = tocsin.metric(ProtocolIT.WRITES) - writesBefore;
            assertTrue(frames >= alerts, "every alert frame is counted: " + frames);
            assertTrue(writes < frames, "frames that queued left together: " + frames + " frames in " + writes + " writes");
        } finally {
            keepAlive.shutdownNow();
            publishers.shutdownNow();
        }
    }

    /**
     * The stalled connection's send buffer (64 KiB, tocsin.send.socket-buffer-bytes; Linux doubles
     * it for its bookkeeping) and receive buffer (4 KiB asked, also doubled), with room for what is
     * on the loopback wire between them.
     */
    private static final long KERNEL_BUFFERS = 2 * 64 * 1024 + 2 * 4096 + 16 * 1024;

    /**
     * A raw connection with a 4 KiB receive buffer, handshaken and subscribed to the topic, that
     * from then on reads nothing until the test does, but keeps sending, so that the heartbeat
     * timeout does not close it first: only its failure to read is under test.
     */
    private RawWebSocket stalledSubscriber(String topic, ScheduledExecutorService keepAlive) throws java.io.IOException {
        String token = tocsin.token("stalled"); // before the socket opens: its handshake deadline starts with it
        RawWebSocket stalled = RawWebSocket.open(tocsin.webSocketUri(), Map.of(), 4096);
        try {
            stalled.sendText(ProtocolClient.handshakeFrame(token, "h1", System.currentTimeMillis()).toString());
            JsonObject welcome = Wire.parse(stalled.nextText(ProtocolClient.WAIT));
            byte[] key = Wire.unb64(welcome.getJsonObject("d").getString("key"));
            JsonObject subscribe = Json.createObjectBuilder().add("v", 1).add("type", "subscribe").add("id", "s1")
                    .add("ts", System.currentTimeMillis()).add("topic", topic).add("kid", "session").build();
            stalled.sendText(ProtocolClient.signed(subscribe, key).toString());
            assertTrue(stalled.nextText(ProtocolClient.WAIT).contains("\"subscribed\""));
        } catch (java.io.IOException | RuntimeException | Error e) {
            stalled.close();
            throw e;
        }
        keepAlive.scheduleAtFixedRate(() -> {
            try {
                stalled.sendText("ping");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        return stalled;
    }

    @Test
    void limitsOnSessionsSubscriptionsAndRateAreAnsweredWithTheirErrors() {
        String token = tocsin.token("greedy");
        List<ProtocolClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                ProtocolClient client = ProtocolClient.connect(tocsin);
                open.add(client);
                client.handshake(token);
            }
            ProtocolClient eleventh = ProtocolClient.connect(tocsin);
            open.add(eleventh);
            eleventh.sendText(ProtocolClient.handshakeFrame(token, "h11", System.currentTimeMillis()).toString());
            eleventh.nextError("TOO_MANY_SESSIONS");
            assertEquals(4005, eleventh.awaitClose());

            ProtocolClient first = open.get(0);
            for (int i = 0; i < 20; i++) {
                first.subscribe("alerts.many.t" + i);
            }
            first.sendText(first.frame("subscribe", "alerts.many.t20", null).toString());
            first.nextError("TOO_MANY_SUBSCRIPTIONS");

            // The suite's limit: 20 frames per second, bursts of 40.
            ProtocolClient chatty = open.get(1);
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                chatty.sendText(chatty.frame("ping", null, null).toString());
            }
            int accepted = 0;
            for (int i = 0; i < 100; i++) {
                JsonObject reply = chatty.next();
                if (reply.getString("type").equals("error")) {
                    assertEquals("RATE_LIMITED", reply.getJsonObject("d").getString("code"));
                } else {
                    accepted++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(accepted >= 40, "the burst is allowed: " + accepted);
            assertTrue(accepted <= 40 + 20 * seconds + 2, accepted + " accepted in " + seconds + " s exceeds the rate");
        } finally {
            open.forEach(ProtocolClient::close);
        }
    }
}
