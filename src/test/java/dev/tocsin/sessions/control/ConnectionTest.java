package dev.tocsin.sessions.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.envelope.entity.CloseCode;
import dev.tocsin.security.entity.Caller;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ConnectionTest {

    static final long SECOND = 1_000_000_000L;

    final Connection connection = new Connection("c1", new Outbox(new Outbox.Transport() {
        @Override
        public void send(List<Frame> frames, Consumer<Throwable> done) {
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(CloseCode code, String detail) {
        }
    }, 1 << 16), new ReplayGuard(1000), new RateLimiter(10, 10, 0));

    @Test
    void settlesOnceAfterTheHandshakeAndTheSettlingTime() {
        long opened = System.nanoTime();
        assertFalse(connection.settles(opened + 5 * SECOND, SECOND), "not before the handshake");

        connection.authenticate(new Caller("pat", Set.of(), Instant.now().plusSeconds(600)), new byte[32]);

        assertFalse(connection.settles(opened, SECOND), "not before the settling time");
        assertTrue(connection.settles(opened + 2 * SECOND, SECOND));
        assertFalse(connection.settles(opened + 3 * SECOND, SECOND), "only once");
    }
}
