package org.loomnet.dht;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable copy of a routing table, for the API, metrics and the table file.
 *
 * <p>The table is a list of buckets. Bucket {@code i} holds the nodes whose ids share exactly
 * {@code i} leading bits with ours, except the last bucket, which holds every node sharing at least
 * as many bits as its index: the part of the key space around our own id. Only that last bucket
 * splits when it is full, so the table knows many nodes near us and fewer far away.
 *
 * @param self    our own id
 * @param idBits  the id width the table uses (160 in a node; fewer in tests)
 * @param buckets the buckets, farthest first
 */
public record RoutingTableSnapshot(DhtId self, int idBits, List<Bucket> buckets) {

    /** Copies the list. */
    public RoutingTableSnapshot {
        Objects.requireNonNull(self, "self");
        buckets = List.copyOf(buckets);
    }

    /**
     * One bucket.
     *
     * @param index        its position, 0 = farthest from us
     * @param prefixBits   how many leading bits its nodes share with our id (at least this many in
     *                     the last bucket)
     * @param containsSelf true for the last bucket, whose range contains our own id
     * @param lastChanged  when a node was last added, replaced, or answered in it
     * @param nodes        its nodes (at most k), oldest first
     * @param replacements candidates waiting for a bad node's place, newest last
     */
    public record Bucket(int index, int prefixBits, boolean containsSelf, Instant lastChanged, List<Node> nodes,
                         List<Node> replacements) {
        /** Copies the lists. */
        public Bucket {
            nodes = List.copyOf(nodes);
            replacements = List.copyOf(replacements);
        }
    }

    /**
     * One node.
     *
     * @param info         id and address
     * @param status       good, questionable or bad
     * @param lastResponse when it last answered one of our queries, or null if never
     * @param lastQuery    when it last sent us a query, or null if never
     * @param failures     queries it failed to answer in a row
     */
    public record Node(NodeInfo info, NodeStatus status, Instant lastResponse, Instant lastQuery, int failures) {
    }

    /** @return the number of nodes in the buckets (replacement candidates not counted) */
    public int size() {
        int n = 0;
        for (Bucket b : buckets) {
            n += b.nodes().size();
        }
        return n;
    }

    /** @return every node in the buckets, farthest bucket first */
    public List<Node> nodes() {
        List<Node> all = new ArrayList<>();
        for (Bucket b : buckets) {
            all.addAll(b.nodes());
        }
        return all;
    }
}
