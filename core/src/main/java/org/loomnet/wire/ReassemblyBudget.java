package org.loomnet.wire;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all connections of a node may hold in partly received messages, together, and
 * node-wide counts of what reassembly had to throw away.
 * Each connection's {@link Reassembler} reserves bytes here before it keeps a part and releases
 * them when the message completes, expires or the connection closes. Thread-safe, lock-free.
 */
public final class ReassemblyBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    final AtomicLong evicted = new AtomicLong();
    final AtomicLong expired = new AtomicLong();
    final AtomicLong droppedNoRoom = new AtomicLong();

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

    /** @return partial messages evicted by any connection to make room */
    public long evicted() {
        return evicted.get();
    }

    /** @return partial messages dropped by the timeout, on any connection */
    public long expired() {
        return expired.get();
    }

    /** @return parts dropped because no room could be made, on any connection */
    public long droppedNoRoom() {
        return droppedNoRoom.get();
    }

    /** @return the limit */
    public long limit() {
        return limit;
    }
}
