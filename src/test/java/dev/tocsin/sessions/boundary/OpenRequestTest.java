package dev.tocsin.sessions.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OpenRequestTest {

    final OpenRequest open = new OpenRequest();

    @Test
    void whatRunsWhileOpenRunsAndAnswers() {
        assertTrue(open.whileOpen(() -> true));
        assertFalse(open.whileOpen(() -> false));
    }

    @Test
    void nothingRunsOnceTheCloseWasTold() {
        AtomicInteger runs = new AtomicInteger();
        open.closed();

        assertFalse(open.whileOpen(() -> runs.incrementAndGet() > 0));
        assertEquals(0, runs.get());
    }

    @Test
    void aCloseToldMeanwhileWaitsForWhatIsRunning() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<Boolean> trim = CompletableFuture.supplyAsync(() -> open.whileOpen(() -> {
            running.countDown();
            try {
                return finish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }));
        assertTrue(running.await(10, TimeUnit.SECONDS));

        CompletableFuture<Void> close = CompletableFuture.runAsync(open::closed);

        assertFalse(close.isDone() || awaits(close, 200), "the close returned while the trim was still writing");
        finish.countDown();
        assertTrue(trim.get(10, TimeUnit.SECONDS));
        close.get(10, TimeUnit.SECONDS);
        assertFalse(open.whileOpen(() -> true));
    }

    private static boolean awaits(CompletableFuture<?> future, long millis) {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
