package dev.tocsin.sessions.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdleCheckSchedulerTest {

    /** Stands for Tyrus's idle check: the scheduler under test runs these here when due at once. */
    private static class Check implements Runnable {
        final BlockingQueue<Thread> ranOn = new ArrayBlockingQueue<>(1);

        @Override
        public void run() {
            ranOn.add(Thread.currentThread());
        }
    }

    private final IdleCheckScheduler scheduler = new IdleCheckScheduler(Executors.defaultThreadFactory(), task -> task instanceof Check);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void anIdleCheckDueAtOnceRunsOnTheCallingThreadBeforeScheduleReturns() {
        Check check = new Check();
        ScheduledFuture<?> future = scheduler.schedule(check, 0, TimeUnit.MILLISECONDS);
        assertSame(Thread.currentThread(), check.ranOn.poll());
        assertTrue(future.isDone());
        assertFalse(future.cancel(false), "nothing left to cancel");
        assertEquals(0, scheduler.getQueue().size());
        assertEquals(0, scheduler.getTaskCount(), "never handed to the pool");
    }

    @Test
    void anIdleCheckDueLaterRunsOnThePool() throws InterruptedException {
        Check check = new Check();
        scheduler.schedule(check, 1, TimeUnit.MILLISECONDS);
        Thread ran = check.ranOn.poll(5, TimeUnit.SECONDS);
        assertNotSame(Thread.currentThread(), ran);
        assertTrue(ran != null, "ran within 5 s");
    }

    @Test
    void anyOtherTaskDueAtOnceRunsOnThePool() throws InterruptedException {
        BlockingQueue<Thread> ranOn = new ArrayBlockingQueue<>(1);
        scheduler.schedule(() -> ranOn.add(Thread.currentThread()), 0, TimeUnit.MILLISECONDS);
        Thread ran = ranOn.poll(5, TimeUnit.SECONDS);
        assertTrue(ran != null, "ran within 5 s");
        assertNotSame(Thread.currentThread(), ran);
    }

    @Test
    void aFailingIdleCheckDoesNotReachTheCaller() {
        ScheduledFuture<?> future = scheduler.schedule(new Check() {
            @Override
            public void run() {
                throw new IllegalStateException("as a failing check would");
            }
        }, 0, TimeUnit.MILLISECONDS);
        assertTrue(future.isDone());
    }

    @Test
    void tyrusIdleCheckIsRecognisedInTheReleasePayaraShips() throws ReflectiveOperationException {
        Class<?> session = Class.forName("org.glassfish.tyrus.core.TyrusSession");
        Constructor<?> made = Class.forName(TyrusInternals.IDLE_CHECK).getDeclaredConstructor(session);
        made.setAccessible(true);
        assertTrue(TyrusInternals.isIdleCheck((Runnable) made.newInstance((Object) null)));
        assertFalse(TyrusInternals.isIdleCheck(new Check()));
        assertFalse(TyrusInternals.isIdleCheck(() -> { }));
    }
}
