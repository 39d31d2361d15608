package dev.tocsin.envelope.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

    // RFC 4231 section 4.2, test case 1.
    static final byte[] KEY_1 = HexFormat.of().parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    static final byte[] DATA_1 = "Hi There".getBytes(StandardCharsets.US_ASCII);
    static final byte[] MAC_1 = HexFormat.of().parseHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

    @Test
    void eachCallUsesItsOwnKeyOnAThreadThatComputedUnderAnother() {
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(MAC, HmacSha256.mac(KEY, DATA));
            assertArrayEquals(MAC_1, HmacSha256.mac(KEY_1, DATA_1));
        }
    }

    @Test
    void threadsComputingAtOnceGetTheirOwnResults() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                boolean first = t % 2 == 0;
                results.add(threads.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        boolean right = first ? Arrays.equals(MAC, HmacSha256.mac(KEY, DATA))
                                : Arrays.equals(MAC_1, HmacSha256.mac(KEY_1, DATA_1));
                        if (!right) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get(30, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
