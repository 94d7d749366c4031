package org.loomnet.dht;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One k-bucket: at most k nodes and a small cache of replacement candidates. Pure data: it never
 * does I/O and never reads a clock; the time comes in as an argument. Owned by one thread (the
 * DHT processing thread), so nothing here is synchronized.
 *
 * <p>The nodes are kept in the order they were added: old nodes first. Kademlia prefers nodes
 * that have been up a long time (they are likely to stay up), so a new node never pushes out a
 * node that still answers: it waits in the replacement cache until a node goes bad.
 */
final class KBucket {

    /** One node in a bucket or in its replacement cache. Mutable; owned by the table's thread. */
    static final class Entry {
        /** The time of something that never happened. */
        static final long NEVER = Long.MIN_VALUE;

        final DhtId id;
        InetSocketAddress address;
        /** When it entered the table (or the cache). */
        final long added;
        /** When it last answered one of our queries; {@link #NEVER} if never. */
        long lastResponse = NEVER;
        /** When it last sent us a query; {@link #NEVER} if never. */
        long lastQuery = NEVER;
        /** Queries it failed to answer in a row. */
        int failures;
        /** A ping is out to decide whether it keeps its place. */
        boolean verifying;

        Entry(DhtId id, InetSocketAddress address, long now) {
            this.id = id;
            this.address = address;
            this.added = now;
        }

        NodeStatus status(long now, long goodForMillis, int maxFailures) {
            if (failures >= maxFailures) {
                return NodeStatus.BAD;
            }
            if (lastResponse != NEVER && (now - lastResponse < goodForMillis
                    || (lastQuery != NEVER && now - lastQuery < goodForMillis))) {
                return NodeStatus.GOOD;
            }
            return NodeStatus.QUESTIONABLE;
        }

        long lastSeen() {
            return Math.max(added, Math.max(lastResponse, lastQuery));
        }

        NodeInfo info() {
            return new NodeInfo(id, address);
        }

        RoutingTableSnapshot.Node snapshot(long now, long goodForMillis, int maxFailures) {
            return new RoutingTableSnapshot.Node(info(), status(now, goodForMillis, maxFailures),
                    lastResponse == NEVER ? null : Instant.ofEpochMilli(lastResponse),
                    lastQuery == NEVER ? null : Instant.ofEpochMilli(lastQuery), failures);
        }
    }

    private final int capacity;
    private final int replacementCapacity;
    /** The bucket's nodes, oldest first. */
    final List<Entry> nodes;
    /** Replacement candidates, newest last; the oldest is dropped when full. */
    final ArrayDeque<Entry> replacements;
    /** When a node was last added, replaced or answered here (BEP 5's "last changed"). */
    long lastChanged;

    KBucket(int capacity, int replacementCapacity, long now) {
        this.capacity = capacity;
        this.replacementCapacity = replacementCapacity;
        this.nodes = new ArrayList<>(capacity);
        this.replacements = new ArrayDeque<>(replacementCapacity);
        this.lastChanged = now;
    }

    boolean isFull() {
        return nodes.size() >= capacity;
    }

    Entry find(DhtId id) {
        for (Entry e : nodes) {
            if (e.id.equals(id)) {
                return e;
            }
        }
        return null;
    }

    Entry findReplacement(DhtId id) {
        for (Entry e : replacements) {
            if (e.id.equals(id)) {
                return e;
            }
        }
        return null;
    }

    void add(Entry e, long now) {
        if (isFull()) {
            throw new IllegalStateException("bucket full");
        }
        nodes.add(e);
        lastChanged = now;
    }

    /** Puts a candidate at the newest end of the cache, dropping the oldest if full. */
    void cache(Entry e) {
        replacements.removeIf(r -> r.id.equals(e.id));
        if (replacementCapacity == 0) {
            return;
        }
        if (replacements.size() >= replacementCapacity) {
            replacements.pollFirst();
        }
        replacements.addLast(e);
    }

    /**
     * @return the bad node most worth dropping (most failures, then least recently seen), or null
     */
    Entry worstBad(long now, long goodForMillis, int maxFailures) {
        Entry worst = null;
        for (Entry e : nodes) {
            if (e.status(now, goodForMillis, maxFailures) == NodeStatus.BAD && (worst == null
                    || e.failures > worst.failures
                    || (e.failures == worst.failures && e.lastSeen() < worst.lastSeen()))) {
                worst = e;
            }
        }
        return worst;
    }

    /** Replaces {@code old} by {@code replacement} in place. */
    void replace(Entry old, Entry replacement, long now) {
        int i = nodes.indexOf(old);
        nodes.set(i, replacement);
        lastChanged = now;
    }

    /** Takes the newest replacement candidate that is not bad, or null. */
    Entry takeReplacement(long now, long goodForMillis, int maxFailures) {
        Iterator<Entry> it = replacements.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            it.remove();
            if (e.status(now, goodForMillis, maxFailures) != NodeStatus.BAD) {
                return e;
            }
        }
        return null;
    }

    int capacity() {
        return capacity;
    }

    int replacementCapacity() {
        return replacementCapacity;
    }
}
