package dev.tocsin.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The durable log on a real PostgreSQL (embedded, from Maven Central, on 127.0.0.1), with two
 * Tocsin nodes sharing it through the boot commands of deploy/postgres/, in one Payara Micro
 * cluster (TCP/IP on 127.0.0.1) that relays live alerts between them. A third node in the same
 * cluster keeps its log in its own embedded H2 database: it must ignore the others' relays. A
 * fourth node (D) shares the database but is alone in a cluster of its own: nothing it publishes
 * is relayed, nor is anything relayed to it, so each side finds the other's alerts in the log. D
 * also forgets idempotency keys after a few seconds, for the test of a key past its window.
 * Started by hand like {@link RestartIT}: the nodes need the database before they boot.
 */
class PostgresIT {

    private static final int PG_PORT = 28432;
    private static final String MEMBERS = "127.0.0.1:28990,127.0.0.1:28991,127.0.0.1:28992";
    private static EmbeddedPostgres postgres;
    private static PayaraProcess nodeA;
    private static PayaraProcess nodeB;
    private static PayaraProcess ownDatabase;
    private static PayaraProcess cutOff;
    /** Node A's and D's tocsin.relay.check-ms: shorter than the default, so that the tests of it are quick. */
    private static final Duration RELAY_CHECK_A = Duration.ofSeconds(1);
    /** Node D's tocsin.idempotency.window-ms: short, so that a key outlives it within a test. */
    private static final Duration IDEMPOTENCY_WINDOW_D = Duration.ofSeconds(4);

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().setPort(PG_PORT).start();
        CompletableFuture<PayaraProcess> a = CompletableFuture.supplyAsync(() -> onTheSharedDatabase(
                inCluster("pg-a", 28280, 28990).env("TOCSIN_RELAY_CHECK_MS", String.valueOf(RELAY_CHECK_A.toMillis()))).start());
        CompletableFuture<PayaraProcess> b = CompletableFuture.supplyAsync(() -> onTheSharedDatabase(inCluster("pg-b", 28281, 28991)).start());
        CompletableFuture<PayaraProcess> c = CompletableFuture.supplyAsync(() -> inCluster("pg-c", 28282, 28992).start());
        CompletableFuture<PayaraProcess> d = CompletableFuture.supplyAsync(() -> onTheSharedDatabase(
                node("pg-d", 28283, 28993).clusterMembers("127.0.0.1:28993").clusterName("tocsin-it-pg-cut-off")
                        .env("TOCSIN_RELAY_CHECK_MS", String.valueOf(RELAY_CHECK_A.toMillis()))
                        .env("TOCSIN_IDEMPOTENCY_WINDOW_MS", String.valueOf(IDEMPOTENCY_WINDOW_D.toMillis()))).start());
        nodeA = a.get(300, TimeUnit.SECONDS);
        nodeB = b.get(300, TimeUnit.SECONDS);
        ownDatabase = c.get(300, TimeUnit.SECONDS);
        cutOff = d.get(300, TimeUnit.SECONDS);
        for (PayaraProcess node : List.of(nodeA, nodeB, ownDatabase)) {
            node.awaitLog("DG Size: 3", Duration.ofSeconds(120));
        }
    }

    private static PayaraProcess.Builder onTheSharedDatabase(PayaraProcess.Builder node) {
        return node.env("TOCSIN_DB_PORT", String.valueOf(PG_PORT)).env("TOCSIN_DB_NAME", "postgres")
                .env("TOCSIN_DB_USER", "postgres").env("TOCSIN_DB_PASSWORD", "postgres")
                .args("--addlibs", System.getProperty("tocsin.postgresqlJar", "target/postgresql.jar"),
                        "--prebootcommandfile", Path.of("deploy/postgres/pre-boot-commands.txt").toAbsolutePath().toString());
    }

    private static PayaraProcess.Builder inCluster(String name, int httpPort, int clusterPort) {
        return node(name, httpPort, clusterPort).clusterMembers(MEMBERS).clusterName("tocsin-it-pg");
    }

    private static PayaraProcess.Builder node(String name, int httpPort, int clusterPort) {
        try {
            Path root = Path.of("target/it-" + name + "-root");
            RestartIT.deleteRecursively(root);
            return PayaraProcess.builder().name(name).httpPort(httpPort).clusterPort(clusterPort).rootDir(root).demoProperties();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {nodeA, nodeB, ownDatabase, cutOff, postgres}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void alertsAreStoredInPostgresql() throws Exception {
        Tocsin tocsin = nodeA.tocsin();
        String id = Wire.parse(tocsin.publish(tocsin.token("pat", "producers"), Tocsin.alert("alerts.pg.check", "info", "in postgres")).body())
                .getString("id");
        try (Connection db = postgres.getPostgresDatabase().getConnection();
             ResultSet row = db.createStatement().executeQuery("SELECT title FROM tocsin_alert WHERE id = '" + id + "'")) {
            assertTrue(row.next(), "the alert is a row in PostgreSQL");
            assertEquals("in postgres", row.getString(1));
        }
    }

    @Test
    void twoNodesPublishingConcurrentlyOnOneTopicGetUniqueGapFreeOffsets() throws Exception {
        String topic = "alerts.pg.shared";
        List<CompletableFuture<List<Long>>> publishers = new ArrayList<>();
        for (PayaraProcess node : List.of(nodeA, nodeB, nodeA, nodeB)) {
            Tocsin tocsin = node.tocsin();
            String token = tocsin.token("pat", "producers");
            publishers.add(CompletableFuture.supplyAsync(() -> {
                List<Long> offsets = new ArrayList<>();
                for (int i = 0; i < 15; i++) {
                    HttpResponse<String> response = tocsin.publish(token, Tocsin.alert(topic, "warning", "shared " + i));
                    assertEquals(201, response.statusCode(), response.body());
                    offsets.add(Wire.parse(response.body()).getJsonNumber("offset").longValue());
                }
                return offsets;
            }));
        }
        TreeSet<Long> offsets = new TreeSet<>();
        int count = 0;
        for (CompletableFuture<List<Long>> publisher : publishers) {
            List<Long> mine = publisher.get(120, TimeUnit.SECONDS);
            count += mine.size();
            offsets.addAll(mine);
        }
        assertEquals(60, count);
        assertEquals(60, offsets.size(), "no offset given twice");
        assertEquals(1L, offsets.first());
        assertEquals(60L, offsets.last(), "no gap");
    }

    @Test
    void twoNodesPublishingTheFirstAlertOfATopicAtOnceBothSucceed() throws Exception {
        // The first alert of a topic creates its offset counter: on both nodes at once, one insert
        // of that row loses to the other and must not fail the publication.
        Tocsin a = nodeA.tocsin();
        Tocsin b = nodeB.tocsin();
        String tokenA = a.token("pat", "producers");
        String tokenB = b.token("pat", "producers");
        for (int t = 0; t < 20; t++) {
            String topic = "alerts.pg.first." + t;
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<HttpResponse<String>> onA = CompletableFuture.supplyAsync(() -> first(go, a, tokenA, topic));
            CompletableFuture<HttpResponse<String>> onB = CompletableFuture.supplyAsync(() -> first(go, b, tokenB, topic));
            go.countDown();
            TreeSet<Long> offsets = new TreeSet<>();
            for (CompletableFuture<HttpResponse<String>> response : List.of(onA, onB)) {
                HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
                assertEquals(201, answer.statusCode(), topic + ": " + answer.body());
                offsets.add(Wire.parse(answer.body()).getJsonNumber("offset").longValue());
            }
            assertEquals(new TreeSet<>(List.of(1L, 2L)), offsets, topic);
        }
    }

    private static HttpResponse<String> first(CountDownLatch go, Tocsin node, String token, String topic) {
        awaitQuietly(go);
        return node.publish(token, Tocsin.alert(topic, "info", "first of " + topic));
    }

    @Test
    void aClientDroppedAtArbitraryPointsGetsEveryAlertOnceInOrder() throws Exception {
        Tocsin tocsin = nodeB.tocsin();
        String topic = "alerts.pg.resume";
        String producer = tocsin.token("pat", "producers");
        int total = 40;
        List<String> published = new ArrayList<>();
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < total; i++) {
                published.add(Wire.parse(tocsin.publish(producer, Tocsin.alert(topic, "info", "pg " + i)).body()).getString("id"));
            }
        });
        Random random = new Random(7);
        String token = tocsin.token("roamer");
        List<String> received = new ArrayList<>();
        long last = 0;
        while (last < total) {
            ProtocolClient client = ProtocolClient.connect(tocsin);
            client.handshake(token);
            client.resume(topic, last);
            int take = 1 + random.nextInt(10);
            for (int i = 0; i < take && last < total; i++) {
                JsonObject alert = client.nextAlert();
                assertEquals(last + 1, alert.getJsonObject("d").getJsonNumber("offset").longValue());
                received.add(alert.getString("id"));
                last++;
            }
            client.abort();
        }
        publishing.get(60, TimeUnit.SECONDS);
        assertEquals(published, received);
    }

    @Test
    void whatOneNodeChangesTheOtherReadsAtOnce() throws Exception {
        // Each node keeps no copy of stored rows between transactions: an entity cache would
        // answer node A's reads with what A last saw, not with what B has since committed.
        String topic = "alerts.pg.views";
        Tocsin a = nodeA.tocsin();
        Tocsin b = nodeB.tocsin();
        String producerA = a.token("pat", "producers");
        String id = Wire.parse(a.publish(producerA, Tocsin.alert(topic, "critical", "seen on A first")).body()).getString("id");
        HttpResponse<String> before = a.get("api/alerts/" + id, producerA);
        assertEquals(200, before.statusCode(), before.body());
        assertFalse(Wire.parse(before.body()).containsKey("acknowledgedBy"), before.body());
        try (ProtocolClient onA = ProtocolClient.connect(a)) {
            onA.handshake(a.token("early"));
            assertEquals(1L, onA.subscribe(topic).getJsonObject("d").getJsonNumber("latest").longValue());
        }

        String producerB = b.token("sam", "producers");
        HttpResponse<String> acknowledged = b.post("api/alerts/" + id + "/acknowledgement", producerB, "");
        assertEquals(200, acknowledged.statusCode(), acknowledged.body());
        for (int i = 0; i < 2; i++) {
            assertEquals(201, b.publish(producerB, Tocsin.alert(topic, "info", "from B " + i)).statusCode());
        }

        JsonObject after = Wire.parse(a.get("api/alerts/" + id, producerA).body());
        assertEquals("sam", after.getString("acknowledgedBy", null), "node A reads B's acknowledgement: " + after);
        try (ProtocolClient onA = ProtocolClient.connect(a)) {
            onA.handshake(a.token("late"));
            JsonObject subscribed = onA.resume(topic, 3);
            assertEquals(3L, subscribed.getJsonNumber("latest").longValue(), "node A reads B's offsets: " + subscribed);
            assertFalse(subscribed.containsKey("reset"), "a client at the newest offset is not told it is ahead: " + subscribed);
        }
    }

    @Test
    void alertsAndAcknowledgementsPublishedOnOneNodeReachTheOtherNodesSubscribersLive() throws Exception {
        String topic = "alerts.pg.relay";
        Tocsin a = nodeA.tocsin();
        Tocsin b = nodeB.tocsin();
        double sentByB = b.metric(RELAYED + "sent\"");
        double receivedByA = a.metric(RELAYED + "received\"");
        try (ProtocolClient onA = ProtocolClient.connect(a)) {
            onA.handshake(a.token("watcher"));
            onA.subscribe(topic);

            String producer = b.token("pat", "producers");
            String id = Wire.parse(b.publish(producer, Tocsin.alert(topic, "critical", "published on B")).body()).getString("id");
            JsonObject alert = onA.nextAlert();
            assertEquals(id, alert.getString("id"), "a subscriber on A receives B's alert without resuming");
            assertEquals(1L, alert.getJsonObject("d").getJsonNumber("offset").longValue());

            assertEquals(200, b.post("api/alerts/" + id + "/acknowledgement", producer, "").statusCode());
            JsonObject acknowledged = onA.next();
            assertEquals("acknowledged", acknowledged.getString("type"), acknowledged.toString());
            assertEquals(id, acknowledged.getJsonObject("d").getString("alertId"));
            assertEquals("pat", acknowledged.getJsonObject("d").getString("by"));
        }
        assertEquals(3, a.metric("tocsin_cluster_members"));
        assertEquals(3, b.metric("tocsin_cluster_members"));
        assertEquals(sentByB + 2, b.metric(RELAYED + "sent\""), "B relayed the alert and its acknowledgement");
        a.awaitMetricAbove(RELAYED + "received\"", receivedByA + 1, Duration.ofSeconds(10));
        assertEquals(0, a.metric(RELAYED + "foreign\"") + b.metric(RELAYED + "foreign\""), "A and B are on one database");
    }

    static final String RELAYED = "tocsin_relay_frames_total{mp_scope=\"application\",outcome=\"";

    @Test
    void subscribersOnBothNodesGetEveryAlertOfBothNodesOnceInOffsetOrderWithoutReconnecting() throws Exception {
        String topic = "alerts.pg.relay.order";
        int perPublisher = 25;
        List<PayaraProcess> publishingNodes = List.of(nodeA, nodeB, nodeA, nodeB);
        int total = perPublisher * publishingNodes.size();
        List<ProtocolClient> subscribers = new ArrayList<>();
        try {
            for (PayaraProcess node : List.of(nodeA, nodeB)) {
                Tocsin tocsin = node.tocsin();
                ProtocolClient subscriber = ProtocolClient.connect(tocsin);
                subscribers.add(subscriber);
                subscriber.handshake(tocsin.token("watcher-" + node.pid()));
                subscriber.subscribe(topic);
            }
            List<CompletableFuture<Void>> publishers = new ArrayList<>();
            for (PayaraProcess node : publishingNodes) {
                Tocsin tocsin = node.tocsin();
                String token = tocsin.token("pat", "producers");
                publishers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perPublisher; i++) {
                        assertEquals(201, tocsin.publish(token, Tocsin.alert(topic, "warning", "both " + i)).statusCode());
                    }
                }));
            }
            for (ProtocolClient subscriber : subscribers) {
                for (long expected = 1; expected <= total; expected++) {
                    JsonObject alert = subscriber.nextAlert();
                    assertEquals(expected, alert.getJsonObject("d").getJsonNumber("offset").longValue(),
                            "each alert once, in offset order: " + alert);
                }
            }
            CompletableFuture.allOf(publishers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        } finally {
            subscribers.forEach(ProtocolClient::close);
        }
    }

    @Test
    void aNodeOnAnotherDatabaseInTheSameClusterIgnoresTheOthersAlerts() throws Exception {
        // Offsets of another log would overtake this log's own, and its alerts are not this node's.
        String topic = "alerts.pg.elsewhere";
        Tocsin b = nodeB.tocsin();
        Tocsin c = ownDatabase.tocsin();
        try (ProtocolClient onC = ProtocolClient.connect(c)) {
            onC.handshake(c.token("watcher"));
            onC.subscribe(topic);
            double foreign = c.metric(RELAYED + "foreign\"");
            for (int i = 0; i < 3; i++) {
                assertEquals(201, b.publish(b.token("pat", "producers"), Tocsin.alert(topic, "info", "on B's database " + i)).statusCode());
            }
            c.awaitMetricAbove(RELAYED + "foreign\"", foreign + 2, Duration.ofSeconds(10));

            String own = Wire.parse(c.publish(c.token("pat", "producers"), Tocsin.alert(topic, "info", "on C's own")).body()).getString("id");
            JsonObject first = onC.nextAlert();
            assertEquals(own, first.getString("id"), "the first alert C's subscriber sees is C's own: " + first);
            assertEquals(1L, first.getJsonObject("d").getJsonNumber("offset").longValue());
        }
    }

    @Test
    void anAlertWhoseRelayNeverCameReachesTheOtherNodesSubscribersWithinTheRelayCheck() throws Exception {
        // D stores in the shared log, but its relays reach no one: A must find the alert there.
        assertFoundByTheRelayCheck("alerts.pg.cut-off", cutOff, nodeA);
    }

    @Test
    void aNodeAloneInItsClusterStillGetsTheSharedLogsAlertsByTheRelayCheck() throws Exception {
        // D never hears from A: as when nodes sharing a database fail to form a cluster at all.
        assertFoundByTheRelayCheck("alerts.pg.alone", nodeA, cutOff);
    }

    /** An alert published on one node, never relayed to the other, reaches a subscriber there within its check (RELAY_CHECK_A). */
    private static void assertFoundByTheRelayCheck(String topic, PayaraProcess publishedOn, PayaraProcess subscribedOn) throws Exception {
        Tocsin publisher = publishedOn.tocsin();
        Tocsin node = subscribedOn.tocsin();
        assertEquals(1, cutOff.tocsin().metric("tocsin_cluster_members"), "D is alone in its cluster");
        double recovered = node.metric(RELAYED + "recovered\"");
        String token = node.token("watcher");
        String producer = publisher.token("pat", "producers");
        try (ProtocolClient subscriber = ProtocolClient.connect(node)) {
            subscriber.handshake(token);
            subscriber.subscribe(topic);
            String id = Wire.parse(publisher.publish(producer, Tocsin.alert(topic, "critical", "never relayed")).body())
                    .getString("id");
            long stored = System.nanoTime();
            JsonObject alert = subscriber.nextAlert();
            Duration late = Duration.ofNanos(System.nanoTime() - stored);
            assertEquals(id, alert.getString("id"), alert.toString());
            assertEquals(1L, alert.getJsonObject("d").getJsonNumber("offset").longValue());
            assertTrue(late.compareTo(RELAY_CHECK_A.multipliedBy(3)) < 0, "the check runs every " + RELAY_CHECK_A + ", the alert came " + late + " late");
        }
        node.awaitMetricAbove(RELAYED + "recovered\"", recovered, Duration.ofSeconds(10));
        assertEquals(recovered + 1, node.metric(RELAYED + "recovered\""), "found by the relay check");
    }

    @Test
    void anAlertWhoseRelayNeverCameIsDeliveredBeforeTheNextOneOfItsTopic() throws Exception {
        // B's subscriber gets A's alert at offset 2 only after D's at offset 1, which B never got a relay of.
        String topic = "alerts.pg.cut-off.order";
        Tocsin a = nodeA.tocsin();
        Tocsin b = nodeB.tocsin();
        Tocsin d = cutOff.tocsin();
        assertEquals(1, d.metric("tocsin_cluster_members"), "D is alone in its cluster");
        try (ProtocolClient onB = ProtocolClient.connect(b)) {
            onB.handshake(b.token("watcher"));
            onB.subscribe(topic);
            List<String> published = new ArrayList<>();
            for (Tocsin node : List.of(d, a, d, d, a)) {
                published.add(Wire.parse(node.publish(node.token("pat", "producers"), Tocsin.alert(topic, "warning", "mixed")).body())
                        .getString("id"));
            }
            for (int i = 0; i < published.size(); i++) {
                JsonObject alert = onB.nextAlert();
                assertEquals(published.get(i), alert.getString("id"), "offset " + (i + 1) + ": " + alert);
                assertEquals(i + 1L, alert.getJsonObject("d").getJsonNumber("offset").longValue());
            }
        }
    }

    @Test
    void aRetryLandingOnTheOtherNodeWhileItsOriginalIsStoredIsAnsweredWithTheOriginalAndLogsNoError() throws Exception {
        String topic = "alerts.pg.retried";
        Tocsin a = nodeA.tocsin();
        Tocsin b = nodeB.tocsin();
        String token = a.token("pat", "producers");
        assertEquals(201, a.publish(token, Tocsin.alert(topic, "info", "unkeyed")).statusCode(), "the topic's offset row exists");
        int retries = 5;
        for (int i = 0; i < retries; i++) {
            String key = "retried-" + i;
            String body = Tocsin.alert(topic, "error", "sent twice " + i).toString();
            List<CompletableFuture<HttpResponse<String>>> both = new ArrayList<>();
            try (Connection db = postgres.getPostgresDatabase().getConnection()) {
                // Holding the topic's offset row makes both pass the early look-up of the key and
                // wait at the row lock; the second to get it must find the first's key, committed.
                db.setAutoCommit(false);
                int holder;
                try (PreparedStatement lock = db.prepareStatement("SELECT next_offset, pg_backend_pid() FROM tocsin_topic WHERE topic = ? FOR UPDATE")) {
                    lock.setString(1, topic);
                    try (ResultSet row = lock.executeQuery()) {
                        row.next();
                        holder = row.getInt(2);
                    }
                }
                for (Tocsin node : List.of(a, b)) {
                    both.add(CompletableFuture.supplyAsync(() -> node.postWithKey("api/alerts", token, key, body)));
                }
                awaitSessionsBlockedBy(holder, 2);
                db.commit();
            }
            TreeSet<Integer> statuses = new TreeSet<>();
            TreeSet<String> ids = new TreeSet<>();
            for (CompletableFuture<HttpResponse<String>> answer : both) {
                HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                statuses.add(response.statusCode());
                ids.add(Wire.parse(response.body()).getString("id"));
            }
            assertEquals(new TreeSet<>(List.of(200, 201)), statuses, key + ": stored once, answered once as repeated");
            assertEquals(1, ids.size(), key + ": one alert for both, " + ids);
        }
        try (ProtocolClient onA = ProtocolClient.connect(a)) {
            onA.handshake(a.token("counter"));
            assertEquals(retries + 1, onA.subscribe(topic).getJsonObject("d").getJsonNumber("latest").longValue());
        }
        // The answers above were right before, too (a failed insert fell back to the original): what
        // tells the two apart is that no insert of a key fails any more.
        for (PayaraProcess node : List.of(nodeA, nodeB)) {
            assertFalse(node.log().contains("tocsin_idempotency_pkey"), "a failed insert of a key in " + node.logFile());
        }
    }

    private static void awaitSessionsBlockedBy(int holder, int sessions) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (Connection db = postgres.getPostgresDatabase().getConnection();
             // Blocked by the holder or, queued behind the first waiter for the row, by that waiter.
             PreparedStatement blocked = db.prepareStatement("WITH RECURSIVE waiting(pid) AS ("
                     + " SELECT pid FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))"
                     + " UNION SELECT a.pid FROM pg_stat_activity a JOIN waiting w ON w.pid = ANY(pg_blocking_pids(a.pid)))"
                     + " SELECT count(*) FROM waiting")) {
            blocked.setInt(1, holder);
            while (true) {
                try (ResultSet count = blocked.executeQuery()) {
                    count.next();
                    if (count.getInt(1) >= sessions) {
                        return;
                    }
                }
                assertTrue(System.nanoTime() < deadline, "fewer than " + sessions + " sessions waiting for the held row within 10 s");
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
        }
    }

    @Test
    void aKeyStoredBeforeKeysCarriedTheirAlertsOffsetStillAnswersARetry() throws Exception {
        // Rows written by the previous version have no topic or offset: the key's alert answers.
        String topic = "alerts.pg.legacy";
        Tocsin a = nodeA.tocsin();
        Tocsin b = nodeB.tocsin();
        String token = a.token("pat", "producers");
        String body = Tocsin.alert(topic, "error", "stored by the previous version").toString();
        HttpResponse<String> first = a.postWithKey("api/alerts", token, "legacy", body);
        assertEquals(201, first.statusCode(), first.body());
        try (Connection db = postgres.getPostgresDatabase().getConnection();
             PreparedStatement legacy = db.prepareStatement(
                     "UPDATE tocsin_idempotency SET topic = NULL, topic_offset = NULL WHERE idempotency_key = 'legacy'")) {
            assertEquals(1, legacy.executeUpdate());
        }

        HttpResponse<String> retried = b.postWithKey("api/alerts", token, "legacy", body);
        assertEquals(200, retried.statusCode(), retried.body());
        assertEquals(Wire.parse(first.body()).getString("id"), Wire.parse(retried.body()).getString("id"));
        assertEquals(2, Wire.parse(a.publish(token, Tocsin.alert(topic, "info", "next")).body()).getJsonNumber("offset").longValue(),
                "the retry stored nothing");
    }

    @Test
    void anIdempotencyKeyPastItsWindowNamesTheNextAlertPublishedWithIt() throws Exception {
        // D forgets keys after IDEMPOTENCY_WINDOW_D; its retention sweep (every 60 s) may or may
        // not have deleted the key by the time it is used again: either way the key is new.
        Tocsin d = cutOff.tocsin();
        String token = d.token("pat", "producers");
        String body = Tocsin.alert("alerts.pg.window", "warning", "again and again").toString();
        HttpResponse<String> first = d.postWithKey("api/alerts", token, "windowed", body);
        assertEquals(201, first.statusCode(), first.body());
        long firstAt = Wire.parse(first.body()).getJsonNumber("ts").longValue();
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(
                Math.max(0, firstAt + IDEMPOTENCY_WINDOW_D.toMillis() - System.currentTimeMillis()) + 50, TimeUnit.MILLISECONDS)).join();

        HttpResponse<String> later = d.postWithKey("api/alerts", token, "windowed", body);
        assertEquals(201, later.statusCode(), "past its window the key is new: " + later.body());
        JsonObject stored = Wire.parse(later.body());
        assertFalse(Wire.parse(first.body()).getString("id").equals(stored.getString("id")), stored.toString());
        HttpResponse<String> retried = d.postWithKey("api/alerts", token, "windowed", body);
        assertTrue(System.currentTimeMillis() < stored.getJsonNumber("ts").longValue() + IDEMPOTENCY_WINDOW_D.toMillis(),
                "the retry came after the new alert's own window: a slow machine, not a failure of the key");
        assertEquals(200, retried.statusCode(), retried.body());
        assertEquals(stored.getString("id"), Wire.parse(retried.body()).getString("id"), "a retry now gets the later alert");
    }

    private static void awaitQuietly(CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
