package dev.tocsin.envelope.control;

import jakarta.json.spi.JsonProvider;

/**
 * The one JSON-P provider, looked up once. {@code jakarta.json.Json}'s static methods look it up
 * on every call, and in Payara that lookup scans the class path (a ServiceLoader): it was a
 * measurable share of the CPU per connection in the benchmark.
 */
public final class JsonFactory {

    public static final JsonProvider JSON = JsonProvider.provider();

    private JsonFactory() {
    }
}
