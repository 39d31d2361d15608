package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameTest {

    @Test
    void itsBytesOnTheWireAreMadeOnceAndAreTheSameArrayEveryTime() {
        Frame frame = new Frame("{\"type\":\"alert\"}");

        byte[] wire = frame.wire();

        assertSame(wire, frame.wire());
        assertEquals(0x81, wire[0] & 0xFF, "FIN and opcode 1 (text)");
        assertEquals(16, wire[1], "unmasked, the payload's length");
        assertEquals("{\"type\":\"alert\"}", new String(wire, 2, 16, StandardCharsets.UTF_8));
    }

    @Test
    void anotherFrameOfAnEqualTextHasItsOwnEqualBytes() {
        Frame one = new Frame("{\"a\":1}");
        Frame other = new Frame(new String("{\"a\":1}".toCharArray()));

        assertNotSame(one.wire(), other.wire());
        assertArrayEquals(one.wire(), other.wire());
    }

    @Test
    void theOutboxLimitsCountItsCharactersNotItsBytes() {
        assertEquals(3, new Frame("é⚠x").length());
    }
}
