package org.loomnet.connection;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelType;

/**
 * The bounded queue between everyone who sends to one peer and that peer's writer thread.
 *
 * <p>Bounded by parcel count and by bytes. When a new parcel does not fit, the oldest
 * application parcel is dropped and counted (Factom's BlockFreeChannelSend): a slow peer loses
 * its oldest messages, and the sender — often the processing thread broadcasting to many
 * peers — never blocks. Dropping one part of a split message drops its queued siblings too,
 * since the message could never be completed. Control parcels (HELLO, PING, PONG, DISCONNECT,
 * peer exchange) are never dropped; if only they fill the queue the offer is refused and the
 * owner disconnects the peer as too slow.
 *
 * <p>The deque grows on demand, so an idle connection's queue costs a few dozen bytes, not its
 * capacity.
 *
 * <p>Thread safety: every field is guarded by {@link #lock}; {@link #notEmpty} is signalled when
 * a parcel is added or the queue is finished. The lock is never held across I/O, so it cannot pin
 * a virtual thread for long.
 */
public final class SendQueue {

    /** What {@link #offer(Parcel)} did. */
    public enum Offer {
        /** Queued, nothing dropped. */
        QUEUED,
        /** Queued after dropping older application parcels. */
        QUEUED_AFTER_DROP,
        /** Dropped itself: it is a part of a split message whose earlier part was already dropped. */
        DROPPED,
        /** Not queued: the queue is full of control parcels or already finished. */
        REFUSED
    }

    private final int maxParcels;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a parcel is added or {@link #finish} is called. */
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Parcel> parcels = new ArrayDeque<>(4);
    private long bytes;
    private long dropped;
    private boolean finished;
    /** Message id of the last split message a part was dropped from; its later parts are dropped too. */
    private long lastDroppedMessage = Long.MIN_VALUE;

    /**
     * @param maxParcels most parcels held
     * @param maxBytes   most payload bytes held
     */
    public SendQueue(int maxParcels, long maxBytes) {
        if (maxParcels < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("queue limits must be positive");
        }
        this.maxParcels = maxParcels;
        this.maxBytes = maxBytes;
    }

    /**
     * Adds a parcel without blocking, dropping old application parcels if needed.
     *
     * @param p the parcel
     * @return what happened
     */
    public Offer offer(Parcel p) {
        lock.lock();
        try {
            if (finished) {
                return Offer.REFUSED;
            }
            if (p.type() == ParcelType.MESSAGE_PART && p.messageId() == lastDroppedMessage) {
                dropped++; // an earlier part of this message was dropped: the rest is useless
                return Offer.DROPPED;
            }
            if (!fitsAfterDropping(p)) {
                return Offer.REFUSED; // refuse before dropping anything
            }
            boolean droppedSome = false;
            while (parcels.size() + 1 > maxParcels || bytes + p.length() > maxBytes) {
                if (!dropOldestApplicationParcel()) {
                    return Offer.REFUSED;
                }
                droppedSome = true;
            }
            if (p.type() == ParcelType.MESSAGE_PART && p.messageId() == lastDroppedMessage) {
                dropped++; // making room dropped this part's own siblings
                return Offer.DROPPED;
            }
            parcels.addLast(p);
            bytes += p.length();
            notEmpty.signal();
            return droppedSome ? Offer.QUEUED_AFTER_DROP : Offer.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the queue: {@code last} (if not null) is appended regardless of the limits, later
     * offers are refused, and the writer stops once it has taken everything.
     *
     * @param last a final parcel, normally DISCONNECT, or null
     * @return false if the queue was already finished (then {@code last} is not added)
     */
    public boolean finish(Parcel last) {
        lock.lock();
        try {
            if (finished) {
                return false;
            }
            finished = true;
            if (last != null) {
                parcels.addLast(last);
                bytes += last.length();
            }
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a batch for one write: blocks until at least one parcel is queued, then takes up to
     * the limits without blocking again.
     *
     * @param into       receives the parcels
     * @param maxCount   most parcels to take
     * @param maxBytes   stop after the batch reaches this many payload bytes
     * @param waitMillis how long to wait for the first parcel; {@link Long#MAX_VALUE} waits
     *                   without a timer (a parked writer then costs no entry in the JDK's timer queue)
     * @return false once the queue is finished and empty: the writer should stop
     * @throws InterruptedException if the writer is interrupted while waiting
     */
    public boolean takeBatch(List<Parcel> into, int maxCount, long maxBytes, long waitMillis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (parcels.isEmpty()) {
                if (finished) {
                    return false;
                }
                if (waitMillis == Long.MAX_VALUE) {
                    notEmpty.await();
                    continue;
                }
                if (nanos <= 0) {
                    return true;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            long taken = 0;
            while (!parcels.isEmpty() && into.size() < maxCount && taken < maxBytes) {
                Parcel p = parcels.pollFirst();
                bytes -= p.length();
                taken += p.length();
                into.add(p);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether dropping every application parcel would make room for {@code p}. */
    private boolean fitsAfterDropping(Parcel p) {
        if (parcels.size() + 1 <= maxParcels && bytes + p.length() <= maxBytes) {
            return true;
        }
        int controlCount = 0;
        long controlBytes = 0;
        for (Parcel q : parcels) {
            if (q.type().isControl()) {
                controlCount++;
                controlBytes += q.length();
            }
        }
        return controlCount + 1 <= maxParcels && controlBytes + p.length() <= maxBytes;
    }

    /** Drops the oldest application parcel and, if it is a part, the rest of its message. */
    private boolean dropOldestApplicationParcel() {
        for (Iterator<Parcel> it = parcels.iterator(); it.hasNext(); ) {
            Parcel p = it.next();
            if (p.type().isControl()) {
                continue;
            }
            it.remove();
            bytes -= p.length();
            dropped++;
            if (p.type() == ParcelType.MESSAGE_PART) {
                lastDroppedMessage = p.messageId();
                while (it.hasNext()) {
                    Parcel q = it.next();
                    if (q.type() == ParcelType.MESSAGE_PART && q.messageId() == p.messageId()) {
                        it.remove();
                        bytes -= q.length();
                        dropped++;
                    }
                }
            }
            return true;
        }
        return false;
    }

    /** @return parcels queued now */
    public int size() {
        lock.lock();
        try {
            return parcels.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return payload bytes queued now */
    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** @return parcels dropped because the queue was full, since it was created */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
