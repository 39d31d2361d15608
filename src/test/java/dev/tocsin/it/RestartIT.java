package dev.tocsin.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The durable log survives the server process being killed (SIGKILL, no shutdown) and started
 * again on the same embedded database. Arquillian's container lifecycle cannot kill a server, so
 * this test starts Payara Micro itself, with the deploy/micro.sh command line.
 */
class RestartIT {

    private static final String TOPIC = "alerts.restart.db";

    @Test
    void afterAKillAndARestartAResumingClientGetsEveryAlertOnceInOrder() throws Exception {
        Path root = Path.of("target/it-restart-root");
        deleteRecursively(root);
        List<String> published = new ArrayList<>();
        List<String> received = new ArrayList<>();
        long last;
        try (PayaraProcess first = node(root, "restart-before").start()) {
            Tocsin tocsin = first.tocsin();
            String producer = tocsin.token("pat", "producers");
            for (int i = 0; i < 30; i++) {
                published.add(publish(tocsin, producer, "before " + i));
            }
            try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
                client.handshake(tocsin.token("survivor"));
                client.resume(TOPIC, 0);
                for (int i = 0; i < 12; i++) {
                    received.add(client.nextAlert().getString("id"));
                }
            }
            last = 12;
            first.kill();
        }
        try (PayaraProcess second = node(root, "restart-after").start()) {
            Tocsin tocsin = second.tocsin();
            String producer = tocsin.token("pat", "producers");
            try (ProtocolClient client = ProtocolClient.connect(tocsin)) {
                client.handshake(tocsin.token("survivor"));
                JsonObject subscribed = client.resume(TOPIC, last);
                assertEquals(30, subscribed.getJsonNumber("latest").longValue(), "offsets survived the kill");
                for (int i = 0; i < 20; i++) {
                    published.add(publish(tocsin, producer, "after " + i));
                }
                for (long offset = last + 1; offset <= 50; offset++) {
                    JsonObject alert = client.nextAlert();
                    assertEquals(offset, alert.getJsonObject("d").getJsonNumber("offset").longValue());
                    received.add(alert.getString("id"));
                }
            }
        }
        assertEquals(published, received);
    }

    private static PayaraProcess.Builder node(Path root, String name) {
        return PayaraProcess.builder().name(name).httpPort(28180).clusterPort(28980).clusterName("tocsin-it-restart")
                .rootDir(root).demoProperties();
    }

    private static String publish(Tocsin tocsin, String token, String title) {
        HttpResponse<String> response = tocsin.publish(token, Tocsin.alert(TOPIC, "error", title));
        assertEquals(201, response.statusCode(), response.body());
        return Wire.parse(response.body()).getString("id");
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
