package org.loomnet.node;

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
 *
 * @param <T> what the handler receives
 */
final class Mailbox<T> implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);

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
        while (true) {
            T item;
            try {
                // While draining, take only what is already queued; otherwise wait for more.
                if (draining) {
                    item = queue.poll();
                } else {
                    waiting = true;
                    try {
                        item = queue.take();
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
            if (item == null || closed) {
                return;
            }
            bytes.addAndGet(-sizeOf.applyAsLong(item));
            if (draining) {
                Thread.interrupted(); // a wake-up meant for take() must not reach the handler
            }
            try {
                handler.accept(item);
                delivered.incrementAndGet();
            } catch (RuntimeException e) {
                log.warn("{}: handler failed on {}", thread.getName(), item, e);
            }
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
