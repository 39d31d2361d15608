package dev.tocsin.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.JsonObject;
import java.io.FileReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

/**
 * Connection-level policies over real sockets: origin check at the upgrade, heartbeat, handshake and
 * token deadlines, the hard frame cap, TLS. The suite runs with a 1 s heartbeat, a 3 s heartbeat
 * timeout and a 6 s handshake deadline (room for a test's token request on a cold server).
 */
class ConnectionPolicyIT extends DeployedTocsin {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Test
    void anOriginOffTheAllowListIsRefusedAtTheUpgrade() throws Exception {
        try (RawWebSocket evil = RawWebSocket.open(tocsin.webSocketUri(), Map.of("Origin", "https://evil.example"))) {
            assertEquals(403, evil.status());
        }
        try (RawWebSocket nullOrigin = RawWebSocket.open(tocsin.webSocketUri(), Map.of("Origin", "null"))) {
            assertEquals(403, nullOrigin.status());
        }
        try (RawWebSocket allowed = RawWebSocket.open(tocsin.webSocketUri(), Map.of("Origin", "http://localhost:8080"))) {
            assertEquals(101, allowed.status());
        }
        // Allowed through the environment variable TOCSIN_ORIGINS_ALLOWED (pom.xml, Failsafe).
        try (RawWebSocket fromEnvironment = RawWebSocket.open(tocsin.webSocketUri(), Map.of("Origin", "https://console.example.test"))) {
            assertEquals(101, fromEnvironment.status());
        }
    }

    @Test
    void aClientThatStopsAnsweringPingsIsClosedByTheHeartbeat() throws Exception {
        String token = tocsin.token("sleepy"); // before the socket opens: its handshake deadline starts with it
        try (RawWebSocket silent = RawWebSocket.open(tocsin.webSocketUri(), Map.of())) {
            silent.sendText(ProtocolClient.handshakeFrame(token, UUID.randomUUID().toString(),
                    System.currentTimeMillis()).toString());
            assertTrue(silent.nextText(DEADLINE).contains("\"welcome\""));
            int pings = 0;
            RawWebSocket.Frame frame;
            while ((frame = silent.read(DEADLINE)) != null && frame.opcode() == RawWebSocket.Frame.PING) {
                pings++;
            }
            assertTrue(pings >= 1, "the server pinged before giving up");
            assertEquals(RawWebSocket.Frame.CLOSE, frame.opcode());
            assertEquals(4000, frame.closeCode());
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnectedPastTheHeartbeatTimeout() throws Exception {
        String token = tocsin.token("awake");
        try (RawWebSocket polite = RawWebSocket.open(tocsin.webSocketUri(), Map.of())) {
            polite.sendText(ProtocolClient.handshakeFrame(token, UUID.randomUUID().toString(),
                    System.currentTimeMillis()).toString());
            assertTrue(polite.nextText(DEADLINE).contains("\"welcome\""));
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            int pongs = 0;
            while (System.nanoTime() < until) {
                RawWebSocket.Frame frame = polite.read(DEADLINE);
                assertEquals(RawWebSocket.Frame.PING, frame.opcode(), "only pings, no close");
                polite.send(RawWebSocket.Frame.PONG, frame.payload());
                pongs++;
            }
            assertTrue(pongs >= 3, "pinged about once a second, got " + pongs);
        }
    }

    @Test
    void aConnectionWithoutAHandshakeIsClosedAtTheDeadline() throws Exception {
        try (RawWebSocket idle = RawWebSocket.open(tocsin.webSocketUri(), Map.of())) {
            assertEquals(101, idle.status());
            assertEquals(4001, idle.awaitCloseAnsweringPings(DEADLINE), "the handshake deadline (6 s), not the heartbeat (3 s)");
        }
    }

    @Test
    void aConnectionIsClosedWhenItsTokenExpires() throws Exception {
        try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
            JsonObject welcome = client.handshake(demoToken("brief", Duration.ofSeconds(2)));
            assertTrue(welcome.getJsonObject("d").getJsonNumber("expiresAt").longValue() <= System.currentTimeMillis() + 2_000);
            assertEquals(4002, client.awaitClose());
        }
    }

    @Test
    void aFrameOverTheHardCapClosesTheConnectionWith1009() throws Exception {
        try (RawWebSocket client = RawWebSocket.open(tocsin.webSocketUri(), Map.of())) {
            client.sendText("x".repeat(300_000));
            assertEquals(1009, client.awaitCloseIgnoringPings(DEADLINE));
        }
    }

    @Test
    void aSubscriberThatVanishesDoesNotStopDeliveryToTheOthers() throws Exception {
        String topic = "alerts.vanish." + UUID.randomUUID().toString().substring(0, 8);
        try (ProtocolClient staying = ProtocolClient.connect(tocsin)) {
            staying.handshake(tocsin.token("stay"));
            staying.subscribe(topic);
            for (int i = 0; i < 3; i++) {
                String token = tocsin.token("leave" + i);
                RawWebSocket leaving = RawWebSocket.open(tocsin.webSocketUri(), Map.of());
                leaving.sendText(ProtocolClient.handshakeFrame(token, UUID.randomUUID().toString(),
                        System.currentTimeMillis()).toString());
                leaving.nextText(DEADLINE);
                leaving.close();
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(201, tocsin.publish(tocsin.token("pat", "producers"), Tocsin.alert(topic, "info", "n" + i)).statusCode());
            }
            for (int i = 0; i < 5; i++) {
                assertEquals("n" + i, staying.next().getJsonObject("d").getString("title"));
            }
        }
    }

    @Test
    void theSocketWorksOverTls() throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new javax.net.ssl.TrustManager[] {new TrustAnyCertificate()}, null);
        HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(DEADLINE).build();
        URI wss = URI.create("wss://127.0.0.1:" + System.getProperty("tocsin.https.port") + base.getPath()).resolve("ws");
        double direct = tocsin.metric(ProtocolIT.GRIZZLY_WRITER);
        double tyrus = tocsin.metric(TYRUS_WRITER);
        try (ProtocolClient client = ProtocolClient.connect(https, wss, tocsin.serverKeys())) {
            client.handshake(tocsin.token("secure"));
            assertEquals("pong", client.request("ping", null, null).getString("type"));
        }
        assertEquals(tyrus + 1, tocsin.metric(TYRUS_WRITER), "TLS frames go through Tyrus's writer, and so through the SSL filter");
        assertEquals(direct, tocsin.metric(ProtocolIT.GRIZZLY_WRITER));
    }

    private static final String TYRUS_WRITER = "tocsin_connections_writer_total{mp_scope=\"application\",writer=\"tyrus\"";

    private static String demoToken(String subject, Duration lifetime) throws Exception {
        Properties demo = new Properties();
        try (FileReader reader = new FileReader("deploy/demo.properties")) {
            demo.load(reader);
        }
        ECKey key = ECKey.parse(demo.getProperty("tocsin.demo.issuer-jwk"));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().subject(subject).issuer(demo.getProperty("tocsin.jwt.issuer"))
                        .expirationTime(new Date(System.currentTimeMillis() + lifetime.toMillis()))
                        .claim("groups", List.of()).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    /** Test only: the local server's certificate is self-signed. */
    private static final class TrustAnyCertificate extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
