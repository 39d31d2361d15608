package dev.tocsin.sessions.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.http.io.InputBuffer;
import org.glassfish.grizzly.memory.Buffers;
import org.junit.jupiter.api.Test;

/** On Grizzly's own input buffer: what is let go, what is kept, and that later reads still arrive. */
class ConsumedInputTest {

    /** Grizzly's input buffer, given reads as its HTTP filter gives them. */
    static final class Input extends InputBuffer {
        void arrive(String bytes) {
            updateInputContentBuffer(Buffers.wrap(null, bytes.getBytes(StandardCharsets.US_ASCII)));
        }

        String readAll() throws Exception {
            byte[] into = new byte[available()];
            assertEquals(into.length, read(into, 0, into.length));
            return new String(into, StandardCharsets.US_ASCII);
        }
    }

    @Test
    void letsGoOfABufferThatHasBeenRead() throws Exception {
        Input input = new Input();
        input.arrive("frame one");
        Buffer read = content(input);
        input.readAll();

        assertTrue(ConsumedInput.release(input));

        assertSame(Buffers.EMPTY_BUFFER, content(input));
        assertFalse(read == content(input));
    }

    @Test
    void keepsABufferWithBytesStillToRead() throws Exception {
        Input input = new Input();
        input.arrive("frame one");
        Buffer read = content(input);

        assertFalse(ConsumedInput.release(input));

        assertSame(read, content(input));
        assertEquals("frame one", input.readAll());
    }

    @Test
    void keepsAMarkedBuffer() throws Exception {
        Input input = new Input();
        input.arrive("frame one");
        input.mark(100);
        input.readAll();
        Buffer read = content(input);

        assertFalse(ConsumedInput.release(input));

        assertSame(read, content(input));
    }

    @Test
    void theNextReadArrivesWhole() throws Exception {
        Input input = new Input();
        input.arrive("frame one");
        input.readAll();
        ConsumedInput.release(input);

        input.arrive("frame two");

        assertEquals("frame two", input.readAll());
        assertTrue(ConsumedInput.release(input));
        assertFalse(ConsumedInput.release(input), "the empty buffer is left as it is");
    }

    @Test
    void doesNothingWithoutTyrusServletWriter() {
        ConsumedInput none = new ConsumedInput(null);
        none.release();
        none.release();
        new ConsumedInput("not a writer").release();
    }

    private static Buffer content(InputBuffer input) throws ReflectiveOperationException {
        Field field = InputBuffer.class.getDeclaredField("inputContentBuffer");
        field.setAccessible(true);
        return (Buffer) field.get(input);
    }
}
