package org.loomnet.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded queue with its own virtual thread that feeds one application handler.
 *
 * <p>Bounded by item count and by bytes. The processing thread {@link #offer}s without ever
 * blocking; when the queue is full the
 * oldest item is dropped and counted, so a slow handler loses its own oldest items and delays
 * nobody else. A handler that throws is logged (not counted as delivered) and keeps receiving.
 * The thread takes up to {@value #BATCH} items at a time; those are past dropping, so at most
 * capacity + {@value #BATCH} items (and their bytes beyond the byte limit) are held at once.
 *
 * @param <T> what the handler receives
 */
final class Mailbox<T> implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);
    /** Most items taken off the queue at once. */
    private static final int BATCH = 64;

    private final ArrayBlockingQueue<T> queue;
    private final long maxBytes;
    private final java.util.function.ToLongFunction<? super T> sizeOf;
    /** Bytes of the items in the queue. */
    private final AtomicLong bytes = new AtomicLong();
    private final Consumer<? super T> handler;
    private final Consumer<Mailbox<T>> onClose;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private volatile boolean closed;
    /** Set at node shutdown: offers are refused, queued items are still handed over. */
    private volatile boolean draining;
    /** True while the thread is parked in take(). */
    private volatile boolean waiting;

    Mailbox(String name, int capacity, long maxBytes, java.util.function.ToLongFunction<? super T> sizeOf,
            Consumer<? super T> handler, Consumer<Mailbox<T>> onClose) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBytes = maxBytes;
        this.sizeOf = sizeOf;
        this.handler = handler;
        this.onClose = onClose;
        this.thread = Thread.ofVirtual().name(name).start(this::run);
    }

    /** Adds an item without blocking, dropping the oldest if full. Called by the processing thread. */
    void offer(T item) {
        if (closed || draining) {
            return;
        }
        long size = sizeOf.applyAsLong(item);
        while (bytes.get() + size > maxBytes && dropOldest()) {
            // made room by bytes
        }
        while (!queue.offer(item)) {
            dropOldest();
        }
        bytes.addAndGet(size);
    }

    private boolean dropOldest() {
        T old = queue.poll();
        if (old == null) {
            return false;
        }
        bytes.addAndGet(-sizeOf.applyAsLong(old));
        dropped.incrementAndGet();
        return true;
    }

    private void run() {
        // Items are taken in batches, so a busy handler costs one lock round and at most one
        // wake-up per batch rather than per item. A batch counts as out of the queue (its bytes
        // are released) only item by item, as each is handed over.
        List<T> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                // While draining, take only what is already queued; otherwise wait for more.
                if (!draining) {
                    waiting = true;
                    try {
                        batch.add(queue.take());
                    } finally {
                        waiting = false;
                    }
                }
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                continue; // drainAndStop() interrupted the wait: the next round polls
            }
            queue.drainTo(batch, BATCH - batch.size());
            if (batch.isEmpty() || closed) {
                return;
            }
            if (draining) {
                Thread.interrupted(); // a wake-up meant for take() must not reach the handler
            }
            for (T item : batch) {
                if (closed) {
                    return;
                }
                bytes.addAndGet(-sizeOf.applyAsLong(item));
                try {
                    handler.accept(item);
                    delivered.incrementAndGet();
                } catch (RuntimeException e) {
                    log.warn("{}: handler failed on {}", thread.getName(), item, e);
                }
            }
            batch.clear();
        }
    }

    /** Stops taking new items; the thread hands over what is queued, then ends. */
    void drainAndStop() {
        draining = true;
        if (waiting) {
            thread.interrupt(); // only a thread parked in take() needs waking; a busy handler is left alone
        }
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    @Override
    public long delivered() {
        return delivered.get();
    }

    /** @return the subscriber thread, for joins at shutdown */
    Thread thread() {
        return thread;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.accept(this);
            thread.interrupt();
            queue.clear();
        }
    }
}
