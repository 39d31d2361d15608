package dev.tocsin.security.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.security.entity.Caller;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenMemoryTest {

    static final Caller ALICE = new Caller("alice", Set.of(), Instant.now().plusSeconds(600));

    final TokenMemory memory = new TokenMemory(100);
    final ExecutorService threads = Executors.newFixedThreadPool(2);
    final CountDownLatch verifying = new CountDownLatch(1);
    final CountDownLatch fail = new CountDownLatch(1);
    final AtomicInteger verifications = new AtomicInteger();
    final AtomicReference<Thread> waiter = new AtomicReference<>();

    @AfterEach
    void stop() {
        fail.countDown();
        threads.shutdownNow();
    }

    @Test
    void aHandshakeWaitingOnAFailedVerificationGetsThatVerificationsOwnException() throws Exception {
        IllegalStateException failure = new IllegalStateException("key set unreadable");
        assertSame(failure, waiterSees(failure));
    }

    @Test
    void anErrorDuringAVerificationReachesTheWaitersInsteadOfLeavingThemWaitingForever() throws Exception {
        StackOverflowError failure = new StackOverflowError();
        assertSame(failure, waiterSees(failure));
    }

    @Test
    void aFailedVerificationIsNotRemembered() {
        Function<String, Caller> rejects = token -> {
            verifications.incrementAndGet();
            throw new TokenVerifier.InvalidTokenException("expired");
        };
        assertThrows(TokenVerifier.InvalidTokenException.class, () -> memory.verified("t", rejects));
        assertThrows(TokenVerifier.InvalidTokenException.class, () -> memory.verified("t", rejects));
        assertEquals(2, verifications.get());
        assertSame(ALICE, memory.verified("t", token -> ALICE));
    }

    /** A first handshake's verification fails with {@code failure} while a second one waits for it; what the second gets. */
    private Throwable waiterSees(Throwable failure) throws Exception {
        Future<Caller> first = threads.submit(() -> memory.verified("t", token -> {
            verifying.countDown();
            await(fail);
            throw sneaky(failure);
        }));
        assertTrue(verifying.await(5, TimeUnit.SECONDS));
        Future<Caller> second = threads.submit(() -> {
            waiter.set(Thread.currentThread());
            return memory.verified("t", token -> {
                verifications.incrementAndGet();
                return ALICE;
            });
        });
        awaitWaiting();
        fail.countDown();

        ExecutionException firstFailed = assertThrows(ExecutionException.class, () -> first.get(5, TimeUnit.SECONDS));
        assertSame(failure, firstFailed.getCause());
        ExecutionException secondFailed = assertThrows(ExecutionException.class, () -> second.get(5, TimeUnit.SECONDS));
        assertEquals(0, verifications.get(), "the waiting handshake did not verify the token itself");
        return secondFailed.getCause();
    }

    /** Until the second handshake is parked on the first one's verification. */
    private void awaitWaiting() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Thread thread = waiter.get();
            if (thread != null && thread.getState() == Thread.State.WAITING) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the second handshake never waited for the first one's verification");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
