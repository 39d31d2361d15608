package dev.tocsin.sessions.control;

import dev.tocsin.envelope.entity.CloseCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One connection's outbound frames: a bounded queue drained by one asynchronous send at a time, so
 * that a broadcast only enqueues and never waits for a client. Frames that queued up while a send
 * was in flight leave together in the next one (up to {@link #MAX_BATCH_CHARS}): one write, one
 * system call, for a connection that is behind. Tyrus has no write timeout of its own:
 * {@link #inFlightSinceNanos()} lets the heartbeat find a write that has hung.
 */
public final class Outbox {

    /** Frames queued beyond this many characters wait for the next send. */
    public static final int MAX_BATCH_CHARS = 32_768;

    /** A queue that held more entries than this is replaced by a small one once drained. */
    static final int KEPT_ENTRIES_AT_MOST = 64;

    /** Where frames go; the production one wraps a WebSocket session. */
    public interface Transport {
        /** Sends the frames in order, each its own WebSocket message; {@code done} is called exactly once, possibly before this method returns. */
        void send(List<Frame> frames, Consumer<Throwable> done);

        /** Sends a WebSocket ping; must not block on a peer that reads nothing. */
        void ping();

        void close(CloseCode code, String detail);

        /** Lets go of what only the connection's opening needed; called once, well after it opened. */
        default void settle() {
        }
    }

    /** A close queued behind frames; the queue's other entries are the frames themselves (no wrapper per recipient). */
    private record Close(CloseCode code, String detail) {
    }

    private final Transport transport;
    private final long maxBytes;
    // An array queue under a lock, not a linked one: a broadcast enqueues to every subscriber, and a
    // node per frame queued was 24 of the 84 bytes a delivery allocated (docs/performance.md). After
    // a burst (a replay) the drained queue is replaced, so that an idle connection keeps a small array.
    private final Object queueLock = new Object();
    private ArrayDeque<Object> queue = new ArrayDeque<>(1); // guarded by queueLock
    private int peak; // guarded by queueLock: the most entries since the queue was last replaced
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long inFlightSinceNanos;
    private final Object drained = new Object();
    private volatile int waiters;
    // The write in flight's: set by the holder of "sending" before its send, read by the completion.
    private final AtomicInteger handOff = new AtomicInteger();
    private final Consumer<Throwable> completion = this::completed;
    private volatile long inFlightChars;

    public Outbox(Transport transport, long maxBytes) {
        this.transport = transport;
        this.maxBytes = maxBytes;
    }

    /** A frame of this connection's own (a reply): {@link #offer(Frame)}. */
    public boolean offer(String text) {
        return offer(new Frame(text));
    }

    /**
     * Queues a frame and writes it, unless a write is in flight (the frame then leaves with the
     * next one). Over the byte limit the connection is closed as a slow consumer.
     *
     * @return false if the frame was not queued (outbox closed or over its limit)
     */
    public boolean offer(Frame frame) {
        if (!enqueue(frame)) {
            return false;
        }
        flush();
        return true;
    }

    /**
     * Queues a frame without writing it: it leaves with the next {@link #flush()} or the next
     * write of this outbox. Lets a broadcast enqueue to every subscriber before anything is
     * written, so that frames meeting in one outbox leave in one write. Same limit as {@link #offer}.
     */
    public boolean enqueue(Frame frame) {
        if (closed.get()) {
            return false;
        }
        if (queuedBytes.addAndGet(frame.length()) > maxBytes) {
            queuedBytes.addAndGet(-frame.length());
            closeNow(CloseCode.SLOW_CONSUMER, "outbound queue over " + maxBytes + " bytes");
            return false;
        }
        add(frame, null);
        return true;
    }

    private void add(Object entry, Object then) {
        synchronized (queueLock) {
            queue.addLast(entry);
            if (then != null) {
                queue.addLast(then);
            }
            peak = Math.max(peak, queue.size());
        }
    }

    /** Queues a frame, then a close once that frame is written: for errors that end the connection. */
    public void offerThenClose(String text, CloseCode code, String detail) {
        if (closed.get()) {
            return;
        }
        queuedBytes.addAndGet(text.length());
        add(new Frame(text), new Close(code, detail));
        flush();
    }

    /** Closes without waiting for queued frames (they are dropped). */
    public void closeNow(CloseCode code, String detail) {
        if (closed.compareAndSet(false, true)) {
            synchronized (queueLock) {
                queue = new ArrayDeque<>(1);
                peak = 0;
            }
            transport.close(code, detail);
            signalDrained();
        }
    }

    /** Pings unless a write is in flight: a peer that is not reading would not see it anyway. */
    public void ping() {
        if (!closed.get() && inFlightSinceNanos == 0) {
            transport.ping();
        }
    }

    /** Lets the transport let go of what only the opening needed ({@link Transport#settle()}), unless closed. */
    public void settle() {
        if (!closed.get()) {
            transport.settle();
        }
    }

    /**
     * Waits until at most {@code bytes} are queued: lets a replay feed the outbox no faster than
     * the client reads.
     *
     * @return false if the outbox closed or the time ran out first
     */
    public boolean awaitBelow(long bytes, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (drained) {
            waiters++;
            try {
                while (queuedBytes.get() > bytes && !closed.get()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    drained.wait(Math.max(1, left / 1_000_000));
                }
            } finally {
                waiters--;
            }
        }
        return !closed.get();
    }

    private void signalDrained() {
        if (waiters > 0) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** The limit of {@link #queuedBytes()}, in characters. */
    public long maxBytes() {
        return maxBytes;
    }

    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** 0 when no write is in progress. */
    public long inFlightSinceNanos() {
        return inFlightSinceNanos;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Writes what is queued, unless a write is in flight (its completion writes the rest). */
    public void flush() {
        if (!closed.get() && sending.compareAndSet(false, true)) {
            drain();
        }
    }

    /**
     * Writes batches while this thread holds "sending": returns once the queue is empty (released),
     * or once a write is still in flight when its send returned (its completion goes on draining).
     */
    private void drain() {
        while (!closed.get()) {
            Object taken = take();
            if (taken == null) {
                sending.set(false);
                if (isEmpty() || !sending.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            if (taken instanceof Close close) {
                closeNow(close.code(), close.detail());
                return;
            }
            @SuppressWarnings("unchecked")
            List<Frame> batch = (List<Frame>) taken;
            // Whichever of "send returned" and "send completed" comes second goes on draining, still
            // holding "sending": a completion inside send() must not recurse, one on another thread
            // must not be lost. The next write resets the hand-off only after both have passed it.
            handOff.set(0);
            inFlightSinceNanos = System.nanoTime();
            transport.send(batch, completion);
            if (handOff.getAndIncrement() == 0) {
                return;
            }
        }
    }

    /** The end of the write in flight: one per outbox, as at most one write is in flight. */
    private void completed(Throwable failure) {
        inFlightSinceNanos = 0;
        queuedBytes.addAndGet(-inFlightChars);
        signalDrained();
        if (failure != null) {
            closeNow(CloseCode.SEND_FAILED, "write failed");
            return;
        }
        if (handOff.getAndIncrement() == 1) {
            drain();
        }
    }

    /** The queue as it is now: lets a test see that a drained burst's queue was replaced. */
    Object queueInstance() {
        synchronized (queueLock) {
            return queue;
        }
    }

    private boolean isEmpty() {
        synchronized (queueLock) {
            return queue.isEmpty();
        }
    }

    /**
     * What the holder of "sending" writes next: null when the queue is empty, a {@link Close}, or
     * the frames at the head of the queue up to a close or the batch limit (at least one), whose
     * characters it counts into {@link #inFlightChars}.
     */
    private Object take() {
        synchronized (queueLock) {
            Object head = queue.pollFirst();
            if (head == null || head instanceof Close) {
                return head;
            }
            Frame first = (Frame) head;
            List<Frame> batch;
            long chars = first.length();
            if (!(queue.peekFirst() instanceof Frame next)) {
                batch = List.of(first);
            } else {
                batch = new ArrayList<>(4);
                batch.add(first);
                while (chars + next.length() <= MAX_BATCH_CHARS) {
                    queue.pollFirst();
                    batch.add(next);
                    chars += next.length();
                    if (!(queue.peekFirst() instanceof Frame following)) {
                        break;
                    }
                    next = following;
                }
            }
            inFlightChars = chars;
            if (queue.isEmpty() && peak > KEPT_ENTRIES_AT_MOST) {
                queue = new ArrayDeque<>(1);
                peak = 0;
            }
            return batch;
        }
    }
}
