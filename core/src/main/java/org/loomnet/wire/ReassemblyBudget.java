package org.loomnet.wire;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all connections of a node may hold in partly received messages, together.
 * Each connection's {@link Reassembler} reserves bytes here before it keeps a part and releases
 * them when the message completes, expires or the connection closes. Thread-safe, lock-free.
 */
public final class ReassemblyBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /** @param limit total bytes of partial messages the node may hold */
    public ReassemblyBudget(long limit) {
        this.limit = limit;
    }

    /**
     * @param bytes bytes to reserve
     * @return true if reserved; false (and nothing reserved) if that would pass the limit
     */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** @return bytes currently held in partial messages by all connections */
    public long used() {
        return used.get();
    }

    /** @return the limit */
    public long limit() {
        return limit;
    }
}
