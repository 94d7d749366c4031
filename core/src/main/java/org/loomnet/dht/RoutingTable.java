package org.loomnet.dht;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The Kademlia routing table of BEP 5: buckets of at most k nodes covering the id space, where only
 * the bucket whose range contains our own id splits. Pure data with time passed in; owned by one
 * thread (the DHT processing thread).
 *
 * <h2>Layout</h2>
 * Bucket {@code i} holds nodes whose ids share exactly {@code i} leading bits with ours; the last
 * bucket holds all nodes sharing at least as many bits as its index, our own neighbourhood. When
 * the last bucket is full and a node for it arrives, it splits: the nodes sharing one more bit move
 * to a new last bucket. With {@code idBits} bits there are at most {@code idBits} buckets. The id
 * width is a parameter so tests can use a key space of a few bits where every case is reachable;
 * ids then use only their first {@code idBits} bits.
 *
 * <h2>Who gets in</h2>
 * Only nodes we heard from directly: a node that answered our query ({@link Contact#RESPONSE}) or
 * sent us one ({@link Contact#QUERY}), and nodes reloaded from the table file
 * ({@link Contact#RESTORED}, questionable until they answer). Nodes merely named in others'
 * {@code nodes} lists are lookup candidates, never table entries, until they answer. Our own id
 * never gets in.
 *
 * <h2>A full bucket</h2>
 * If the bucket cannot split: a {@link NodeStatus#BAD bad} node is replaced at once; otherwise the
 * newcomer waits in the bucket's replacement cache ({@link Update#CACHED}), and the caller should
 * ping the bucket's least recently seen questionable node ({@link #verifyCandidate}). A node that
 * fails twice in a row is bad and gives its place to the newest candidate ({@link #failed}).
 */
final class RoutingTable {

    /** How we heard from a node. */
    enum Contact {
        /** It answered one of our queries: proven alive. */
        RESPONSE,
        /** It sent us a query: alive, but it has not answered us. */
        QUERY,
        /** Reloaded from the table file: unknown until it answers. */
        RESTORED
    }

    /** What {@link #heard} did. */
    enum Update {
        /** The node was new and got a place in a bucket. */
        ADDED,
        /** The node was known; its times were updated. */
        UPDATED,
        /** The node took the place of a bad node. */
        REPLACED_BAD,
        /** Its bucket is full of good or questionable nodes: it waits in the replacement cache. */
        CACHED,
        /** A restored node found no room: dropped. */
        DROPPED,
        /** It is our own id: never added. */
        SELF,
        /** A node we know at another address claims this id: ignored while the known one is not bad. */
        ADDRESS_CONFLICT
    }

    /** What {@link #failed} did. */
    enum Failure {
        /** The id is not in the table. */
        UNKNOWN,
        /** The failure was counted; the node is still questionable. */
        COUNTED,
        /** The node is now bad and stays until a candidate comes for its place. */
        BAD,
        /** The node was bad and a cached candidate took its place. */
        REPLACED,
        /** A candidate in a replacement cache failed and was dropped. */
        CANDIDATE_DROPPED
    }

    private final DhtId self;
    private final int idBits;
    private final int k;
    private final int replacementsPerBucket;
    private final long goodForMillis;
    private final int maxFailures;
    /** Farthest first; the last one contains our id. */
    private final List<KBucket> buckets = new ArrayList<>();
    private int size;
    /** Increases with every change: the owner saves the table when it moved. */
    private long version;

    /**
     * @param self                  our id
     * @param idBits                the id width, 1..160 (160 except in tests)
     * @param k                     bucket capacity (8)
     * @param replacementsPerBucket replacement cache capacity per bucket
     * @param goodFor               how long an answer keeps a node good (15 minutes)
     * @param maxFailures           failures in a row that make a node bad (2)
     * @param now                   the current time, epoch milliseconds
     */
    RoutingTable(DhtId self, int idBits, int k, int replacementsPerBucket, Duration goodFor, int maxFailures,
                 long now) {
        this.self = Objects.requireNonNull(self, "self");
        if (idBits < 1 || idBits > DhtId.BITS) {
            throw new IllegalArgumentException("idBits must be 1..160: " + idBits);
        }
        if (k < 1 || replacementsPerBucket < 0 || maxFailures < 1) {
            throw new IllegalArgumentException("k, replacements and maxFailures must be positive");
        }
        this.idBits = idBits;
        this.k = k;
        this.replacementsPerBucket = replacementsPerBucket;
        this.goodForMillis = goodFor.toMillis();
        this.maxFailures = maxFailures;
        buckets.add(new KBucket(k, replacementsPerBucket, now));
    }

    DhtId self() {
        return self;
    }

    /** @return the number of nodes in buckets (not counting replacement candidates) */
    int size() {
        return size;
    }

    int bucketCount() {
        return buckets.size();
    }

    long version() {
        return version;
    }

    private int prefixLength(DhtId id) {
        return Math.min(self.commonPrefixLength(id), idBits);
    }

    private int bucketIndex(DhtId id) {
        return Math.min(prefixLength(id), buckets.size() - 1);
    }

    /**
     * Records that we heard from a node.
     *
     * @param node    its id and the address the packet came from
     * @param contact how we heard from it
     * @param now     the current time
     * @return what happened
     */
    Update heard(NodeInfo node, Contact contact, long now) {
        DhtId id = node.id();
        if (prefixLength(id) >= idBits) {
            return Update.SELF;
        }
        while (true) {
            int index = bucketIndex(id);
            KBucket bucket = buckets.get(index);
            KBucket.Entry known = bucket.find(id);
            if (known != null) {
                return update(bucket, known, node, contact, now);
            }
            KBucket.Entry candidate = bucket.findReplacement(id);
            if (candidate != null && !candidate.address.equals(node.address())) {
                return Update.ADDRESS_CONFLICT;
            }
            if (!bucket.isFull()) {
                if (candidate != null) {
                    bucket.replacements.remove(candidate);
                }
                bucket.add(fresh(candidate, node, contact, now), now);
                size++;
                version++;
                return Update.ADDED;
            }
            if (index == buckets.size() - 1 && buckets.size() < idBits) {
                split();
                continue;
            }
            if (contact == Contact.RESTORED) {
                return Update.DROPPED;
            }
            KBucket.Entry bad = bucket.worstBad(now, goodForMillis, maxFailures);
            if (bad != null) {
                if (candidate != null) {
                    bucket.replacements.remove(candidate);
                }
                bucket.replace(bad, fresh(candidate, node, contact, now), now);
                version++;
                return Update.REPLACED_BAD;
            }
            KBucket.Entry waiting = candidate != null ? candidate : new KBucket.Entry(id, node.address(), now);
            touch(waiting, contact, now);
            bucket.cache(waiting);
            return Update.CACHED;
        }
    }

    private static KBucket.Entry fresh(KBucket.Entry candidate, NodeInfo node, Contact contact, long now) {
        KBucket.Entry e = new KBucket.Entry(node.id(), node.address(), now);
        if (candidate != null) {
            e.lastResponse = candidate.lastResponse;
            e.lastQuery = candidate.lastQuery;
        }
        touch(e, contact, now);
        return e;
    }

    private static void touch(KBucket.Entry e, Contact contact, long now) {
        switch (contact) {
            case RESPONSE -> {
                e.lastResponse = now;
                e.failures = 0;
                e.verifying = false;
            }
            case QUERY -> e.lastQuery = now;
            case RESTORED -> { }
        }
    }

    private Update update(KBucket bucket, KBucket.Entry known, NodeInfo node, Contact contact, long now) {
        if (!known.address.equals(node.address())) {
            // Someone else claiming a known id is ignored while the known node works; a node that
            // really moved answers from its new address once its old entry has gone bad.
            if (contact != Contact.RESPONSE
                    || known.status(now, goodForMillis, maxFailures) != NodeStatus.BAD) {
                return Update.ADDRESS_CONFLICT;
            }
            known.address = node.address();
        }
        touch(known, contact, now);
        if (contact == Contact.RESPONSE) {
            bucket.lastChanged = now;
            version++;
        }
        return Update.UPDATED;
    }

    /** Splits the last bucket: nodes sharing one more bit with us move to a new last bucket. */
    private void split() {
        int index = buckets.size() - 1;
        KBucket old = buckets.get(index);
        KBucket near = new KBucket(k, replacementsPerBucket, old.lastChanged);
        old.nodes.removeIf(e -> {
            if (prefixLength(e.id) > index) {
                near.nodes.add(e);
                return true;
            }
            return false;
        });
        old.replacements.removeIf(e -> {
            if (prefixLength(e.id) > index) {
                near.replacements.addLast(e);
                return true;
            }
            return false;
        });
        buckets.add(near);
        version++;
    }

    /**
     * Records that a node did not answer a query (or answered from elsewhere).
     *
     * @param id  the node
     * @param now the current time
     * @return what happened
     */
    Failure failed(DhtId id, long now) {
        if (prefixLength(id) >= idBits) {
            return Failure.UNKNOWN;
        }
        KBucket bucket = buckets.get(bucketIndex(id));
        KBucket.Entry e = bucket.find(id);
        if (e == null) {
            KBucket.Entry candidate = bucket.findReplacement(id);
            if (candidate != null) {
                bucket.replacements.remove(candidate);
                return Failure.CANDIDATE_DROPPED;
            }
            return Failure.UNKNOWN;
        }
        e.failures++;
        e.verifying = false;
        version++;
        if (e.status(now, goodForMillis, maxFailures) != NodeStatus.BAD) {
            return Failure.COUNTED;
        }
        KBucket.Entry replacement = bucket.takeReplacement(now, goodForMillis, maxFailures);
        if (replacement == null) {
            return Failure.BAD;
        }
        bucket.replace(e, replacement, now);
        return Failure.REPLACED;
    }

    /**
     * Picks the node to ping so that a waiting candidate may get a place in the bucket for
     * {@code id}: the least recently seen questionable node, unless one is already being pinged.
     * The node is marked as being verified until it answers or fails.
     *
     * @param id  an id in the bucket of interest
     * @param now the current time
     * @return the node to ping, or null if none should be pinged now
     */
    NodeInfo verifyCandidate(DhtId id, long now) {
        KBucket bucket = buckets.get(bucketIndex(id));
        KBucket.Entry pick = null;
        for (KBucket.Entry e : bucket.nodes) {
            if (e.verifying) {
                return null;
            }
            if (e.status(now, goodForMillis, maxFailures) == NodeStatus.QUESTIONABLE
                    && (pick == null || e.lastSeen() < pick.lastSeen())) {
                pick = e;
            }
        }
        if (pick == null || bucket.replacements.isEmpty()) {
            return null;
        }
        pick.verifying = true;
        return pick.info();
    }

    /** A verification ping for {@code id} could not be sent: another may be picked later. */
    void stopVerifying(DhtId id) {
        KBucket.Entry e = buckets.get(bucketIndex(id)).find(id);
        if (e != null) {
            e.verifying = false;
        }
    }

    /**
     * @param target an id
     * @param count  how many
     * @param now    the current time
     * @return up to {@code count} nodes that are not bad, closest to {@code target} first
     */
    List<NodeInfo> closest(DhtId target, int count, long now) {
        List<KBucket.Entry> all = new ArrayList<>(size);
        for (KBucket b : buckets) {
            for (KBucket.Entry e : b.nodes) {
                if (e.status(now, goodForMillis, maxFailures) != NodeStatus.BAD) {
                    all.add(e);
                }
            }
        }
        Comparator<DhtId> byDistance = target.closestFirst();
        all.sort((a, b) -> byDistance.compare(a.id, b.id));
        List<NodeInfo> out = new ArrayList<>(Math.min(count, all.size()));
        for (int i = 0; i < all.size() && i < count; i++) {
            out.add(all.get(i).info());
        }
        return out;
    }

    /**
     * @param id  a node id
     * @param now the current time
     * @return its status, or null if it is not in a bucket
     */
    NodeStatus status(DhtId id, long now) {
        KBucket.Entry e = buckets.get(bucketIndex(id)).find(id);
        return e == null ? null : e.status(now, goodForMillis, maxFailures);
    }

    /** @return true if {@code id} waits in a replacement cache */
    boolean isCandidate(DhtId id) {
        return buckets.get(bucketIndex(id)).findReplacement(id) != null;
    }

    /**
     * Finds the buckets nothing happened in for {@code staleAfter} and returns, for each, a random
     * id in its range: a {@code find_node} for it refreshes the bucket. The buckets count as
     * changed now, so the next call does not return them again while the refresh runs.
     *
     * @param now           the current time
     * @param staleAfterMillis how long without change makes a bucket stale (15 minutes)
     * @param random        the randomness for the targets
     * @return one target per stale bucket
     */
    List<DhtId> refreshTargets(long now, long staleAfterMillis, RandomGenerator random) {
        List<DhtId> targets = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
            KBucket b = buckets.get(i);
            if (now - b.lastChanged >= staleAfterMillis) {
                targets.add(randomIdIn(i, random));
                b.lastChanged = now;
            }
        }
        return targets;
    }

    /**
     * After joining: a random id in each bucket but the last, which the lookup of our own id has
     * just covered (the Kademlia paper, section 2.3: a joining node "refreshes all k-buckets
     * further away than its closest neighbor"). Without it, a node whose own-id lookup only met
     * nodes of its own half of the key space would know nobody in the other half. The buckets
     * count as changed now.
     *
     * @param now    the current time
     * @param random the randomness for the targets
     * @return one target per bucket but the last
     */
    List<DhtId> farBucketTargets(long now, RandomGenerator random) {
        List<DhtId> targets = new ArrayList<>();
        for (int i = 0; i < buckets.size() - 1; i++) {
            targets.add(randomIdIn(i, random));
            buckets.get(i).lastChanged = now;
        }
        return targets;
    }

    /**
     * @param index  a bucket index
     * @param random randomness
     * @return a random id in that bucket's range
     */
    DhtId randomIdIn(int index, RandomGenerator random) {
        byte[] b = new byte[DhtId.LENGTH];
        random.nextBytes(b);
        boolean last = index == buckets.size() - 1;
        for (int bit = 0; bit < DhtId.BITS; bit++) {
            int value;
            if (bit >= idBits) {
                value = 0;
            } else if (bit < index) {
                value = self.bit(bit);
            } else if (bit == index && !last) {
                value = 1 - self.bit(bit);
            } else {
                continue;
            }
            int mask = 0x80 >>> (bit & 7);
            b[bit >>> 3] = (byte) (value == 1 ? b[bit >>> 3] | mask : b[bit >>> 3] & ~mask);
        }
        return DhtId.wrap(b);
    }

    /**
     * @param now the current time, for the statuses
     * @return an immutable copy
     */
    RoutingTableSnapshot snapshot(long now) {
        List<RoutingTableSnapshot.Bucket> out = new ArrayList<>(buckets.size());
        for (int i = 0; i < buckets.size(); i++) {
            KBucket b = buckets.get(i);
            List<RoutingTableSnapshot.Node> nodes = new ArrayList<>(b.nodes.size());
            for (KBucket.Entry e : b.nodes) {
                nodes.add(e.snapshot(now, goodForMillis, maxFailures));
            }
            List<RoutingTableSnapshot.Node> cache = new ArrayList<>(b.replacements.size());
            for (KBucket.Entry e : b.replacements) {
                cache.add(e.snapshot(now, goodForMillis, maxFailures));
            }
            out.add(new RoutingTableSnapshot.Bucket(i, i, i == buckets.size() - 1, Instant.ofEpochMilli(b.lastChanged),
                    nodes, cache));
        }
        return new RoutingTableSnapshot(self, idBits, out);
    }
}
