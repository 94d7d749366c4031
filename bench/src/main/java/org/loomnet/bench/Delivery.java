package org.loomnet.bench;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.loomnet.node.Message;
import org.loomnet.node.Subscription;

/**
 * The receiving side of a throughput benchmark: a subscriber handler that counts messages and
 * gives the sender a credit back for each (in batches of a sixteenth of the window, so that a
 * sender waiting for credits is woken once per batch, not once per message), so that at most
 * {@code window} messages are ever in flight. The node drops the oldest parcels when a queue is full (send queue, subscriber mailbox);
 * with the window below every queue's capacity nothing is dropped, and a benchmark that counts only
 * delivered messages measures what really arrived. If a message is lost anyway, the sender runs out
 * of credits and the run stops with the node's drop counters, instead of reporting a number.
 */
final class Delivery implements Consumer<Message> {

    private static final Duration STALL = Duration.ofSeconds(15);

    private final Semaphore credits;
    /** Credits go back in batches of this many, so that a waiting sender is woken once per batch. */
    private final int batch;
    private final AtomicLong delivered = new AtomicLong();
    /**
     * Delivered messages whose credits went back. Written by the subscriber thread, and by
     * {@link #expect} between iterations (published to the subscriber by the sends that follow).
     */
    private long returned;
    /** Written by the sender before it sends; read by the subscriber thread. */
    private volatile long expected = Long.MAX_VALUE;
    private volatile Thread waiter;
    private Subscription subscription;

    /** @param window messages in flight at most */
    Delivery(int window) {
        this.credits = new Semaphore(window);
        this.batch = Math.max(1, window / 16);
    }

    /** @param s the subscription this handler was registered with, for its drop counter */
    void subscribed(Subscription s) {
        this.subscription = s;
    }

    @Override
    public void accept(Message m) {
        long c = delivered.incrementAndGet();
        long e = expected;
        if (c - returned >= batch || c == e) {
            credits.release((int) (c - returned));
            returned = c;
        }
        if (c == e) {
            LockSupport.unpark(waiter);
        }
    }

    /** Starts an iteration of {@code count} messages, waited for by the calling thread. */
    void expect(long count) {
        returned = 0;
        delivered.set(0);
        waiter = Thread.currentThread();
        expected = count;
    }

    /**
     * Takes one credit: waits while {@code window} messages are in flight.
     *
     * @param pair for the diagnostics if the credits never come back
     */
    void acquire(NodePair pair) throws InterruptedException {
        if (!credits.tryAcquire()) {
            if (!credits.tryAcquire(STALL.toNanos(), TimeUnit.NANOSECONDS)) {
                throw stalled(pair);
            }
        }
    }

    /** Waits until every expected message has arrived. */
    void awaitAll(NodePair pair) {
        long deadline = System.nanoTime() + STALL.toNanos();
        while (delivered.get() < expected) {
            if (System.nanoTime() > deadline) {
                throw stalled(pair);
            }
            LockSupport.parkNanos(this, 1_000_000);
        }
    }

    private IllegalStateException stalled(NodePair pair) {
        return new IllegalStateException("no progress for " + STALL.toSeconds() + " s: delivered " + delivered.get()
                + " of " + expected + "; dropped by the subscriber mailbox " + subscription.dropped()
                + ", by the send queue " + pair.queueDropsAtoB() + ", commands refused by the sender's node "
                + pair.a.counters().rejectedCommands());
    }
}
