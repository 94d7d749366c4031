package org.loomnet.wire;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all connections of a node may hold in partly received messages, together, and
 * node-wide counts of what reassembly had to throw away.
 * Each connection's {@link Reassembler} reserves bytes here before it keeps a part and releases
 * them when the message completes, expires or the connection closes. Thread-safe, lock-free.
 *
 * <p><b>Fair shares.</b> Peers that break no rule can still hold the whole budget between them
 * (each within its own per-connection bound), and then every other peer's split messages find no
 * room. So when a part is refused because the budget is full, the budget is <em>contested</em>
 * for one reassembly timeout: during it every connection may hold at most a fair share, the
 * limit divided by the connections holding partial messages plus one if any is waiting for room
 * (refused while holding none, and holding none since), and a connection over its share evicts its own oldest partial messages when its next part
 * arrives, or at its next expiry check. A connection cannot touch another's partial messages
 * (each belongs to its reader thread), so the room is made by the holders themselves, on their
 * own threads, within about a second of their next parcel.
 */
public final class ReassemblyBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    final AtomicLong evicted = new AtomicLong();
    final AtomicLong expired = new AtomicLong();
    final AtomicLong droppedNoRoom = new AtomicLong();
    /** Connections holding at least one byte of a partial message. */
    private final AtomicInteger holders = new AtomicInteger();
    /** Connections refused for want of room while holding nothing, and holding nothing since. */
    private final AtomicInteger waiters = new AtomicInteger();
    /** Until when the budget is contested: a reassembly timeout after a part last found it full. */
    private volatile long contestedUntilMillis = Long.MIN_VALUE;

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

    /** A connection started ({@code true}) or stopped holding partial messages. */
    void holding(boolean started) {
        holders.addAndGet(started ? 1 : -1);
    }

    /** A connection started ({@code true}) or stopped waiting for room. */
    void waiting(boolean started) {
        waiters.addAndGet(started ? 1 : -1);
    }

    /**
     * A part was refused because the budget was full: the budget is contested from now.
     *
     * @param nowMillis    the current time (the clock the reassemblers are given)
     * @param windowMillis how long it stays contested (the reassembly timeout)
     */
    void refused(long nowMillis, long windowMillis) {
        contestedUntilMillis = nowMillis + windowMillis;
    }

    /**
     * @param nowMillis the current time
     * @return the most one connection may hold: a fair share while the budget is contested,
     *         else {@link Long#MAX_VALUE} (only the connection's own bound applies)
     */
    long share(long nowMillis) {
        if (nowMillis >= contestedUntilMillis) {
            return Long.MAX_VALUE;
        }
        // Waiting connections count as one, however many: they compete for one share of room
        // between them, and one that was refused and then went quiet cannot shrink everyone's share.
        return limit / Math.max(1, holders.get() + Math.min(1, waiters.get()));
    }

    /** @return connections holding partial messages now */
    public int holders() {
        return holders.get();
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
