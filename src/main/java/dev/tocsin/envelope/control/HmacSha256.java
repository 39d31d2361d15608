package dev.tocsin.envelope.control;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 for client frames; verification compares in constant time. Each thread keeps one
 * {@link Mac} and gives it the key of each call: {@code Mac.getInstance} looks the algorithm up
 * among the security providers every time, and with the provider chosen at a new {@code Mac}'s
 * first {@code init} that was 40% of the cost of an HMAC of a frame (docs/performance.md). A
 * {@code Mac} is not thread-safe, hence one per thread.
 */
public final class HmacSha256 {

    private static final String ALGORITHM = "HmacSHA256";
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(HmacSha256::newMac);

    private HmacSha256() {
    }

    public static byte[] mac(byte[] key, byte[] message) {
        Mac mac = MACS.get();
        try {
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 failed", e);
        }
        return mac.doFinal(message);
    }

    public static boolean verify(byte[] key, byte[] message, byte[] claimed) {
        return MessageDigest.isEqual(mac(key, message), claimed);
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance(ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HMAC-SHA256 in this JVM", e);
        }
    }
}
