package dev.tocsin.envelope.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HmacSha256Test {

    // RFC 4231 section 4.3, test case 2.
    static final byte[] KEY = "Jefe".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DATA = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
    static final byte[] MAC = HexFormat.of().parseHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    @Test
    void computesRfc4231TestCase2() {
        assertArrayEquals(MAC, HmacSha256.mac(KEY, DATA));
    }

    @Test
    void verifiesRfc4231TestCase2() {
        assertTrue(HmacSha256.verify(KEY, DATA, MAC));
    }

    @Test
    void rejectsAMacWithOneBitChanged() {
        byte[] changed = MAC.clone();
        changed[31] ^= 1;

        assertFalse(HmacSha256.verify(KEY, DATA, changed));
    }

    @Test
    void rejectsATruncatedMac() {
        assertFalse(HmacSha256.verify(KEY, DATA, Arrays.copyOf(MAC, 16)));
        assertFalse(HmacSha256.verify(KEY, DATA, new byte[0]));
    }

    @Test
    void rejectsTheMacUnderAnotherKeyOrMessage() {
        assertFalse(HmacSha256.verify("jefe".getBytes(StandardCharsets.US_ASCII), DATA, MAC));
        assertFalse(HmacSha256.verify(KEY, "what do ya want for nothing!".getBytes(StandardCharsets.US_ASCII), MAC));
    }
}
