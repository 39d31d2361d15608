package dev.tocsin.sessions.control;

import dev.tocsin.envelope.control.EnvelopeParser;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.ProtocolException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;

/** Typed reads of a frame's {@code d}, refusing wrong types with {@code INVALID_ENVELOPE}. */
final class DataFields {

    private DataFields() {
    }

    static String requiredString(JsonObject d, String field) {
        String value = d == null ? null : optionalString(d, field);
        if (value == null || value.isEmpty()) {
            throw new ProtocolException(ErrorCode.INVALID_ENVELOPE, "d." + field + " must be a non-empty string");
        }
        return value;
    }

    static String optionalString(JsonObject d, String field) {
        if (d == null || !d.containsKey(field) || d.isNull(field)) {
            return null;
        }
        if (!(d.get(field) instanceof JsonString s)) {
            throw new ProtocolException(ErrorCode.INVALID_ENVELOPE, "d." + field + " must be a string");
        }
        return s.getString();
    }

    static Long optionalLong(JsonObject d, String field) {
        if (d == null || !d.containsKey(field) || d.isNull(field)) {
            return null;
        }
        if (!(d.get(field) instanceof JsonNumber n) || !n.isIntegral() || n.bigIntegerValue().bitLength() > EnvelopeParser.MAX_EXACT_BITS) {
            throw new ProtocolException(ErrorCode.INVALID_ENVELOPE, "d." + field + " must be an integer below 2^53");
        }
        return n.longValue();
    }
}
