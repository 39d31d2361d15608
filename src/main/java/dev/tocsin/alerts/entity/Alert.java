package dev.tocsin.alerts.entity;

import static dev.tocsin.envelope.control.JsonFactory.JSON;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;

/** An accepted alert. Its {@link #data(long)} is the {@code d} of the {@code alert} envelope. */
public record Alert(String id, String topic, Severity severity, String title, String body,
                    String publishedBy, Instant publishedAt, Instant expiresAt) {

    /** @param offset the alert's position in its topic */
    public JsonObject data(long offset) {
        JsonObjectBuilder d = JSON.createObjectBuilder()
                .add("offset", offset)
                .add("severity", severity.wireName())
                .add("title", title)
                .add("publishedBy", publishedBy);
        if (body != null) {
            d.add("body", body);
        }
        if (expiresAt != null) {
            d.add("expiresAt", expiresAt.toEpochMilli());
        }
        return d.build();
    }
}
