package org.loomnet.wire;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Joins MESSAGE_PART parcels from one peer back into whole messages.
 *
 * <p>Factom keyed reassembly by a string the sender chose and never bounded it, so a peer could
 * make it hold any amount of memory forever. Here:
 * <ul>
 *   <li>the key is the message id within this one connection: one reassembler per connection,
 *       so no peer can touch another's partial messages;</li>
 *   <li>a connection holds at most {@code maxPartials} partial messages and {@code maxBytes}
 *       bytes in them; over either, its oldest partial message is evicted (counted) — a
 *       well-behaved sender has at most one message in flight, but a send queue that dropped a
 *       part leaves a hole that is never filled;</li>
 *   <li>all connections together hold at most the shared {@link ReassemblyBudget}; when it is
 *       exhausted the connection first evicts its own older partial messages, and if that is not
 *       enough the part is dropped and counted (its message can then never complete, and expires),
 *       and the budget becomes contested: for one timeout every connection is held to a fair
 *       share of it, so that peers holding the budget between them make room for the others;</li>
 *   <li>a partial message older than the timeout is dropped by {@link #expire(long)}, which the
 *       reader calls when parcels arrive (at least every ping interval on a live connection;
 *       a silent one is closed by the idle timeout, which frees everything);</li>
 *   <li>parts may arrive in any order; a duplicate part, a part number out of range or a part
 *       count that differs from the first part's is a protocol violation.</li>
 * </ul>
 * Confined to the connection's reader thread; not thread-safe.
 */
public final class Reassembler {

    private final WireLimits limits;
    private final ReassemblyBudget budget;
    private final int maxPartials;
    private final long maxBytes;
    private final long timeoutMillis;
    /** Partial messages by id, oldest first. */
    private final LinkedHashMap<Long, Partial> partials = new LinkedHashMap<>();
    private long heldBytes;
    /** Refused for want of room in the budget while holding nothing, and nothing since: counted by the budget. */
    private boolean waiting;
    private long waitingSinceMillis;
    private long evicted;
    private long expired;
    private long droppedNoRoom;

    /**
     * @param limits        frame and message limits
     * @param budget        memory shared by all connections of the node
     * @param maxPartials   partial messages this connection may hold at once
     * @param maxBytes      bytes this connection may hold in partial messages
     * @param timeoutMillis how long a partial message may wait for its remaining parts
     */
    public Reassembler(WireLimits limits, ReassemblyBudget budget, int maxPartials, long maxBytes, long timeoutMillis) {
        this.limits = limits;
        this.budget = budget;
        this.maxPartials = maxPartials;
        this.maxBytes = maxBytes;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Takes one part and, when it completes its message, joins the parts into one array.
     *
     * @param part      a MESSAGE_PART parcel that passed {@link ParcelReader}'s checks
     * @param nowMillis the current time, for expiry
     * @return the whole encoded message when this part completed it, else {@code null}
     * @throws ProtocolException if the part contradicts earlier parts or the message grows too large
     */
    public byte[] accept(Parcel part, long nowMillis) throws ProtocolException {
        Parcel[] parts = acceptPart(part, nowMillis);
        return parts == null ? null : join(parts);
    }

    /**
     * @param parts parcels in order
     * @return their payloads, one after the other, in a new array
     * @throws ProtocolException {@link DisconnectReason#MESSAGE_TOO_LARGE} if they could not fit one array
     */
    static byte[] join(Parcel[] parts) throws ProtocolException {
        long total = 0;
        for (Parcel piece : parts) {
            total += piece.length();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new ProtocolException(DisconnectReason.MESSAGE_TOO_LARGE, "message of " + total + " bytes");
        }
        byte[] whole = new byte[(int) total];
        int off = 0;
        for (Parcel piece : parts) {
            System.arraycopy(piece.payload(), piece.offset(), whole, off, piece.length());
            off += piece.length();
        }
        return whole;
    }

    /**
     * Takes one part and, when it completes its message, hands back all the parts in order
     * without joining them: {@link AppMessage#decode(Parcel[], int)} copies them straight into
     * the application's payload, which saves a copy of the whole message.
     *
     * @param part      a MESSAGE_PART parcel that passed {@link ParcelReader}'s checks
     * @param nowMillis the current time, for expiry
     * @return every part of the message, by part number, when this part completed it, else {@code null}
     * @throws ProtocolException if the part contradicts earlier parts or the message grows too large
     */
    public Parcel[] acceptPart(Parcel part, long nowMillis) throws ProtocolException {
        Partial p = partials.get(part.messageId());
        if (p == null) {
            p = new Partial(part.partCount(), nowMillis);
            partials.put(part.messageId(), p);
        } else if (p.parts.length != part.partCount()) {
            throw new ProtocolException(DisconnectReason.BAD_PART, "message " + Long.toUnsignedString(part.messageId(), 16)
                    + " announced " + p.parts.length + " parts, now " + part.partCount());
        }
        if (p.parts[part.partNumber()] != null) {
            throw new ProtocolException(DisconnectReason.BAD_PART, "duplicate part " + part.partNumber()
                    + " of message " + Long.toUnsignedString(part.messageId(), 16));
        }
        if (p.bytes + part.length() > limits.maxEncodedMessage()) {
            throw new ProtocolException(DisconnectReason.MESSAGE_TOO_LARGE,
                    "split message grows past " + limits.maxMessageSize() + " bytes");
        }
        if (!makeRoom(part.messageId(), part.length(), nowMillis)) {
            droppedNoRoom++;
            budget.droppedNoRoom.incrementAndGet();
            if (p.received == 0) {
                partials.remove(part.messageId());
            }
            return null;
        }
        p.parts[part.partNumber()] = part;
        p.received++;
        p.bytes += part.length();
        addHeld(part.length());
        if (p.received < p.parts.length) {
            return null;
        }
        partials.remove(part.messageId());
        release(p);
        return p.parts;
    }

    /**
     * Drops partial messages that waited longer than the timeout, and, while the node's budget is
     * contested, the oldest ones over this connection's fair share ({@link ReassemblyBudget}).
     *
     * @param nowMillis the current time
     * @return how many were dropped
     */
    public int expire(long nowMillis) {
        int n = 0;
        for (Iterator<Partial> it = partials.values().iterator(); it.hasNext(); ) {
            Partial p = it.next();
            if (nowMillis - p.startedMillis >= timeoutMillis) {
                it.remove();
                release(p);
                n++;
            }
        }
        expired += n;
        budget.expired.addAndGet(n);
        if (waiting && nowMillis - waitingSinceMillis >= timeoutMillis) {
            stopWaiting(); // refused long ago and silent since: no longer in line
        }
        // While the budget is contested, give back what is over this connection's fair share.
        long share = budget.share(nowMillis);
        while (heldBytes > share) {
            evictOldest();
        }
        return n;
    }

    /** Frees everything; called when the connection closes. */
    public void releaseAll() {
        stopWaiting();
        for (Partial p : partials.values()) {
            release(p);
        }
        partials.clear();
    }

    /**
     * Evicts this connection's oldest partials until one more part of {@code bytes} fits: within
     * the connection's own bounds, its fair share of the budget while that is contested, and the
     * budget itself.
     */
    private boolean makeRoom(long messageId, int bytes, long nowMillis) {
        long cap = Math.min(maxBytes, budget.share(nowMillis));
        while (true) {
            boolean budgetFull = false;
            if (partials.size() <= maxPartials && heldBytes + bytes <= cap) {
                if (budget.tryReserve(bytes)) {
                    return true;
                }
                budgetFull = true;
            }
            if (partials.keySet().iterator().next() == messageId) {
                // Only the message this part belongs to is left: it cannot grow.
                if (budgetFull) {
                    // Others hold the budget: ask them for their share. A connection holding
                    // nothing yet counts as one more in line for it (one holding some is
                    // counted among the holders already).
                    budget.refused(nowMillis, timeoutMillis);
                    if (heldBytes == 0) {
                        if (!waiting) {
                            waiting = true;
                            budget.waiting(true);
                        }
                        waitingSinceMillis = nowMillis;
                    }
                }
                return false;
            }
            evictOldest();
        }
    }

    private void stopWaiting() {
        if (waiting) {
            waiting = false;
            budget.waiting(false);
        }
    }

    private void evictOldest() {
        Iterator<Partial> it = partials.values().iterator();
        Partial oldest = it.next();
        it.remove();
        release(oldest);
        evicted++;
        budget.evicted.incrementAndGet();
    }

    private void release(Partial p) {
        addHeld(-p.bytes);
        budget.release(p.bytes);
        p.bytes = 0;
    }

    /** Changes the bytes held, telling the budget when this connection starts or stops holding any. */
    private void addHeld(long delta) {
        boolean was = heldBytes > 0;
        heldBytes += delta;
        if (was != heldBytes > 0) {
            if (!was) {
                stopWaiting(); // a holder now, counted as such
            }
            budget.holding(!was);
        }
    }

    /** @return partial messages held now */
    public int partialCount() {
        return partials.size();
    }

    /** @return bytes held now */
    public long heldBytes() {
        return heldBytes;
    }

    /** @return partial messages evicted to make room */
    public long evictedCount() {
        return evicted;
    }

    /** @return partial messages dropped by the timeout */
    public long expiredCount() {
        return expired;
    }

    /** @return parts dropped because no room could be made: the connection's bytes or the node-wide budget */
    public long droppedNoRoomCount() {
        return droppedNoRoom;
    }

    private static final class Partial {
        final Parcel[] parts;
        final long startedMillis;
        int received;
        long bytes;

        Partial(int count, long startedMillis) {
            this.parts = new Parcel[count];
            this.startedMillis = startedMillis;
        }
    }
}
