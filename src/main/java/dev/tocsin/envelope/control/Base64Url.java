package dev.tocsin.envelope.control;

import java.util.Base64;

/** base64url without padding (RFC 4648 section 5), the encoding of every key and signature on the wire. */
public final class Base64Url {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Base64Url() {
    }

    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /** @throws IllegalArgumentException if {@code text} is not base64url */
    public static byte[] decode(String text) {
        return DECODER.decode(text);
    }
}
