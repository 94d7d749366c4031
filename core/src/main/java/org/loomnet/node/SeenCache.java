package org.loomnet.node;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gossip message ids a node has already handled, so each message is delivered and forwarded
 * once. Bounded: at most {@code capacity} ids, each kept for {@code ttlMillis}; when full, the
 * oldest id is evicted (counted). An evicted id's message would be accepted again if it came back,
 * which the timestamp window in {@link GossipRules} limits to messages younger than the TTL.
 * Each id is kept until the caller's expiry: for gossip, until its timestamp leaves the window.
 *
 * <p>Ids usually expire in insertion order; one remembered longer (a timestamp ahead of our
 * clock) only delays the purge of the ids behind it, never past the capacity bound.
 *
 * <p>Owned by the processing thread; not thread-safe.
 */
final class SeenCache {

    private final int capacity;
    /** id -> expiry, in insertion order. */
    private final LinkedHashMap<ByteBuffer, Long> ids = new LinkedHashMap<>();
    private long evicted;

    SeenCache(int capacity) {
        this.capacity = capacity;
    }

    /** @return true if {@code id} was seen and has not expired */
    boolean contains(byte[] id, long now) {
        Long expiry = ids.get(ByteBuffer.wrap(id));
        return expiry != null && expiry > now;
    }

    /**
     * Records an id until {@code expiry}, dropping expired ids at the head and, if still full,
     * the oldest.
     */
    void add(byte[] id, long expiry, long now) {
        for (Iterator<Map.Entry<ByteBuffer, Long>> it = ids.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() > now) {
                break;
            }
            it.remove();
        }
        ids.put(ByteBuffer.wrap(id.clone()), expiry);
        while (ids.size() > capacity) {
            Iterator<ByteBuffer> it = ids.keySet().iterator();
            it.next();
            it.remove();
            evicted++;
        }
    }

    int size() {
        return ids.size();
    }

    long evicted() {
        return evicted;
    }
}
