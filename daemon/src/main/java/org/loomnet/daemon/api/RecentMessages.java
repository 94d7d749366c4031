package org.loomnet.daemon.api;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.loomnet.node.Message;

/**
 * The most recent messages the node received, for {@code GET /api/messages}: a ring of at most
 * {@code capacity} messages, the oldest forgotten first, each payload kept up to
 * {@code maxPayload} bytes (longer ones are cut and marked truncated). Memory is bounded by
 * {@code capacity * maxPayload}.
 *
 * <p>Fed by one subscriber thread ({@link org.loomnet.node.Node#subscribeAll}), read by API
 * threads; a lock held for a copy, never across I/O.
 */
final class RecentMessages {

    /** One received message as the API shows it. */
    record Entry(Instant receivedAt, String from, long connectionId, String type, int size, byte[] payload,
                 boolean truncated) {
    }

    private final int capacity;
    private final int maxPayload;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}; newest last. */
    private final ArrayDeque<Entry> ring;
    /** Guarded by {@link #lock}. */
    private long seen;

    RecentMessages(int capacity, int maxPayload) {
        this.capacity = capacity;
        this.maxPayload = maxPayload;
        this.ring = new ArrayDeque<>(Math.min(capacity, 64));
    }

    void add(Message m, Instant at) {
        byte[] p = m.payload();
        boolean cut = p.length > maxPayload;
        Entry e = new Entry(at, m.from() == null ? null : m.from().toString(), m.connectionId(), m.type(), p.length,
                cut ? Arrays.copyOf(p, maxPayload) : p, cut);
        lock.lock();
        try {
            if (ring.size() == capacity) {
                ring.removeFirst();
            }
            ring.addLast(e);
            seen++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param type  only this type, or null for all
     * @param limit at most this many
     * @return the newest matching messages, newest first
     */
    List<Entry> newest(String type, int limit) {
        List<Entry> out = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<Entry> it = ring.descendingIterator(); it.hasNext() && out.size() < limit; ) {
                Entry e = it.next();
                if (type == null || type.equals(e.type())) {
                    out.add(e);
                }
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    /** @return messages recorded since start, including those already forgotten */
    long seen() {
        lock.lock();
        try {
            return seen;
        } finally {
            lock.unlock();
        }
    }

    int capacity() {
        return capacity;
    }
}
