package dev.tocsin.envelope.control;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * Ed25519 (RFC 8032) from the raw key bytes that JWKs carry. BouncyCastle's implementation, not
 * the JDK's: on Java 17 the JDK takes about 1.6 ms per signature on the benchmark machine,
 * BouncyCastle about 0.08 ms (docs/performance.md), and every welcome and every alert is signed.
 */
public final class Ed25519 {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int PURE = org.bouncycastle.math.ec.rfc8032.Ed25519.Algorithm.Ed25519;

    private Ed25519() {
    }

    /** A signing key from its 32-byte seed (JWK "d"); its public key is derived once, here. */
    public static Ed25519PrivateKeyParameters privateKey(byte[] seed) {
        if (seed.length != 32) {
            throw new IllegalArgumentException("an Ed25519 private key has 32 bytes, not " + seed.length);
        }
        return new Ed25519PrivateKeyParameters(seed, 0);
    }

    /** @param encoded the 32-byte RFC 8032 encoding: little-endian y, top bit the parity of x */
    public static Ed25519PublicKeyParameters publicKey(byte[] encoded) {
        if (encoded.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + encoded.length);
        }
        try {
            return new Ed25519PublicKeyParameters(encoded, 0);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    /** A new key pair as raw bytes: {@code [0]} the 32-byte seed (JWK "d"), {@code [1]} the public key (JWK "x"). */
    public static byte[][] generate() {
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(RANDOM);
        return new byte[][] {key.getEncoded(), key.generatePublicKey().getEncoded()};
    }

    public static byte[] sign(Ed25519PrivateKeyParameters key, byte[] message) {
        byte[] signature = new byte[Ed25519PrivateKeyParameters.SIGNATURE_SIZE];
        key.sign(PURE, null, message, 0, message.length, signature, 0);
        return signature;
    }

    public static boolean verify(Ed25519PublicKeyParameters key, byte[] message, byte[] signature) {
        return signature.length == Ed25519PrivateKeyParameters.SIGNATURE_SIZE
                && key.verify(PURE, null, message, 0, message.length, signature, 0);
    }
}
