package dev.tocsin.envelope.control;

import static dev.tocsin.envelope.control.JsonFactory.JSON;

import dev.tocsin.envelope.entity.Envelope;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.Inbound;
import dev.tocsin.envelope.entity.MessageType;
import dev.tocsin.envelope.entity.ProtocolVersion;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * Reads a client's text frame into an {@link Inbound}: size, JSON syntax, version, field types,
 * then the signed bytes. Checks that need the connection (signature, clock, replay, state) come after.
 */
public final class EnvelopeParser {

    public static final String BARE_PING = "ping";
    public static final int MAX_ID_LENGTH = 128;
    /** RFC 8785 writes numbers as doubles: integers above 2^53 would not be signed exactly. */
    public static final int MAX_EXACT_BITS = 53;

    private EnvelopeParser() {
    }

    public static Inbound parse(String text, int maxFrameBytes) {
        if (exceeds(text, maxFrameBytes)) {
            return Inbound.rejected(ErrorCode.FRAME_TOO_LARGE, "frame larger than " + maxFrameBytes + " bytes", null);
        }
        if (BARE_PING.equals(text.strip())) {
            return Inbound.barePing();
        }
        JsonObject object;
        try (JsonParser parser = JSON.createParser(new StringReader(text))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                return Inbound.rejected(ErrorCode.MALFORMED_FRAME, "a frame is one JSON object", null);
            }
            object = parser.getObject();
            if (parser.hasNext()) {
                return Inbound.rejected(ErrorCode.MALFORMED_FRAME, "text after the JSON object", null);
            }
        } catch (JsonParsingException e) {
            return Inbound.rejected(ErrorCode.MALFORMED_FRAME, "invalid JSON at " + e.getLocation(), null);
        } catch (JsonException | IllegalStateException e) {
            return Inbound.rejected(ErrorCode.MALFORMED_FRAME, "invalid JSON", null);
        }
        return read(object);
    }

    static Inbound read(JsonObject object) {
        String ref = object.get("id") instanceof JsonString id ? clip(id.getString()) : null;
        if (!(object.get("v") instanceof JsonNumber v) || !v.isIntegral()) {
            return Inbound.rejected(ErrorCode.INVALID_ENVELOPE, "v must be an integer", ref);
        }
        if (v.bigIntegerValue().bitLength() > 31 || !ProtocolVersion.supported(v.intValue())) {
            return Inbound.rejected(ErrorCode.UNSUPPORTED_VERSION, "this server speaks v " + supported(), ref);
        }
        if (!(object.get("type") instanceof JsonString typeName)) {
            return Inbound.rejected(ErrorCode.INVALID_ENVELOPE, "type must be a string", ref);
        }
        MessageType type = MessageType.fromWire(typeName.getString()).filter(MessageType::sentByClients).orElse(null);
        if (type == null) {
            return Inbound.rejected(ErrorCode.UNKNOWN_TYPE, "clients may send " + clientTypes(), ref);
        }
        if (ref == null || ref.isEmpty() || object.getString("id").length() > MAX_ID_LENGTH) {
            return Inbound.rejected(ErrorCode.INVALID_ENVELOPE, "id must be a string of 1 to " + MAX_ID_LENGTH + " characters", ref);
        }
        if (!(object.get("ts") instanceof JsonNumber ts) || !ts.isIntegral() || ts.bigIntegerValue().bitLength() > MAX_EXACT_BITS) {
            return Inbound.rejected(ErrorCode.INVALID_ENVELOPE, "ts must be an integer (epoch milliseconds) below 2^53", ref);
        }
        String error = optional(object, "topic", JsonValue.ValueType.STRING)
                + optional(object, "d", JsonValue.ValueType.OBJECT)
                + optional(object, "kid", JsonValue.ValueType.STRING)
                + optional(object, "s", JsonValue.ValueType.STRING);
        if (!error.isEmpty()) {
            return Inbound.rejected(ErrorCode.INVALID_ENVELOPE, error.strip(), ref);
        }
        Envelope envelope = new Envelope(v.intValue(), type.wireName(), ref, ts.longValueExact(),
                stringOrNull(object, "topic"), object.containsKey("d") ? object.getJsonObject("d") : null,
                stringOrNull(object, "kid"), stringOrNull(object, "s"));
        return Inbound.accepted(envelope, type, Unsigned.canonicalBytes(object));
    }

    private static boolean exceeds(String text, int maxBytes) {
        // A char is at most 3 UTF-8 bytes; count exactly only near the limit.
        return (long) text.length() * 3 > maxBytes && text.getBytes(StandardCharsets.UTF_8).length > maxBytes;
    }

    private static String optional(JsonObject object, String field, JsonValue.ValueType expected) {
        JsonValue value = object.get(field);
        if (value == null || value.getValueType() == expected) {
            return "";
        }
        return field + " must be " + (expected == JsonValue.ValueType.OBJECT ? "an object" : "a string") + " when present. ";
    }

    private static String stringOrNull(JsonObject object, String field) {
        return object.containsKey(field) ? object.getString(field) : null;
    }

    private static String clip(String id) {
        return id.length() > MAX_ID_LENGTH ? id.substring(0, MAX_ID_LENGTH) : id;
    }

    private static String supported() {
        return ProtocolVersion.SUPPORTED.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static String clientTypes() {
        return java.util.Arrays.stream(MessageType.values()).filter(MessageType::sentByClients)
                .map(MessageType::wireName).collect(Collectors.joining(", "));
    }
}
