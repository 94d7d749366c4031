package org.loomnet.node;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded queue with its own virtual thread that feeds one application handler.
 *
 * <p>The processing thread {@link #offer}s without ever blocking; when the queue is full the
 * oldest item is dropped and counted, so a slow handler loses its own oldest items and delays
 * nobody else. A handler that throws is logged and keeps receiving.
 *
 * @param <T> what the handler receives
 */
final class Mailbox<T> implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);

    private final ArrayBlockingQueue<T> queue;
    private final Consumer<? super T> handler;
    private final Consumer<Mailbox<T>> onClose;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private volatile boolean closed;

    Mailbox(String name, int capacity, Consumer<? super T> handler, Consumer<Mailbox<T>> onClose) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.handler = handler;
        this.onClose = onClose;
        this.thread = Thread.ofVirtual().name(name).start(this::run);
    }

    /** Adds an item without blocking, dropping the oldest if full. Called by the processing thread. */
    void offer(T item) {
        if (closed) {
            return;
        }
        while (!queue.offer(item)) {
            if (queue.poll() != null) {
                dropped.incrementAndGet();
            }
        }
    }

    private void run() {
        while (!closed) {
            T item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                handler.accept(item);
            } catch (RuntimeException e) {
                log.warn("{}: handler failed on {}", thread.getName(), item, e);
            }
            delivered.incrementAndGet();
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
