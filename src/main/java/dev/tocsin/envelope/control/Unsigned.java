package dev.tocsin.envelope.control;

import static dev.tocsin.envelope.control.JsonFactory.JSON;

import jakarta.json.JsonObject;

/** The bytes a signature covers: the canonical form of the envelope with its {@code s} member removed. */
public final class Unsigned {

    public static final String SIGNATURE = "s";

    private Unsigned() {
    }

    public static byte[] canonicalBytes(JsonObject envelope) {
        return CanonicalJson.utf8(JSON.createObjectBuilder(envelope).remove(SIGNATURE).build().toString());
    }
}
