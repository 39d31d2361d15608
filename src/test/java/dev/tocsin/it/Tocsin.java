package dev.tocsin.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** The deployed server as a client sees it: its URLs, its REST API, its published keys. */
final class Tocsin {

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private Wire.ServerKeys keys;

    Tocsin(URL base) {
        this.base = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
    }

    HttpClient httpClient() {
        return http;
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    URI webSocketUri() {
        return URI.create(base.toString().replaceFirst("^http", "ws")).resolve("ws");
    }

    Wire.ServerKeys serverKeys() {
        if (keys == null) {
            keys = new Wire.ServerKeys(Wire.parse(get("api/keys").body()));
        }
        return keys;
    }

    String token(String user, String... groups) {
        HttpResponse<String> response = post("api/demo/token", null, Json.createObjectBuilder()
                .add("user", user).add("groups", Json.createArrayBuilder(List.of(groups))).build().toString());
        if (response.statusCode() != 200) {
            throw new AssertionError("demo sign-in failed: " + response.statusCode() + " " + response.body());
        }
        return Wire.parse(response.body()).getString("token");
    }

    HttpResponse<String> publish(String token, JsonObject alert) {
        return post("api/alerts", token, alert.toString());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> get(String path, String token) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).GET());
    }

    HttpResponse<String> postWithKey(String path, String token, String idempotencyKey, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The value of the first application metric line starting with {@code prefix}, 0 if there is none yet. */
    double metric(String prefix) {
        HttpResponse<String> response = get("/metrics?scope=application");
        if (response.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + response.statusCode());
        }
        return response.body().lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElse(0);
    }

    /** Polls the metric until it exceeds {@code value}; fails after {@code timeout}. */
    void awaitMetricAbove(String prefix, double value, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (metric(prefix) > value) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        String all = get("/metrics?scope=application").body().lines().filter(l -> l.startsWith("tocsin_"))
                .collect(java.util.stream.Collectors.joining("\n"));
        throw new AssertionError(prefix + " stayed at " + value + " for " + timeout + "; metrics:\n" + all);
    }

    HttpResponse<String> post(String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static JsonObject alert(String topic, String severity, String title) {
        return Json.createObjectBuilder().add("topic", topic).add("severity", severity).add("title", title).build();
    }
}
