package dev.tocsin.envelope.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.erdtman.jcs.JsonCanonicalizer;

/** RFC 8785 (JCS): the one byte form that signatures are computed over. */
public final class CanonicalJson {

    private CanonicalJson() {
    }

    /** @throws IllegalArgumentException if {@code json} is not valid JSON (duplicate keys included) */
    public static byte[] utf8(String json) {
        try {
            return new JsonCanonicalizer(json).getEncodedUTF8();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not canonicalizable JSON: " + e.getMessage(), e);
        }
    }

    public static String text(String json) {
        try {
            return new JsonCanonicalizer(json).getEncodedString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
