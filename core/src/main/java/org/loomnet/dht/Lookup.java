package org.loomnet.dht;

import java.net.InetSocketAddress;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One iterative Kademlia lookup (BEP 5, and section 2.3 of the Kademlia paper), as a state machine
 * with no I/O and no clock: the processing thread asks it which nodes to query ({@link #next}),
 * sends the queries, and feeds back answers ({@link #answered}) and failures ({@link #failed});
 * timeouts are the processing thread's business. So a lookup never blocks anything.
 *
 * <h2>The algorithm</h2>
 * Candidates are kept sorted by XOR distance to the target. At any moment the lookup looks at the
 * {@code k} closest candidates that have not failed; among those it keeps up to {@code alpha}
 * queries in flight, always to the closest not yet asked. Each answer adds the nodes it names as
 * new candidates (our own id and addresses excepted). The lookup is finished when every one of the
 * k closest live candidates has answered: then no closer node can be learned from them, and those
 * k are the result. A failed candidate simply drops out, which lets the next one move into the
 * k closest.
 *
 * <h2>States of a candidate</h2>
 * <pre>
 *   NEW --next()--&gt; IN_FLIGHT --answered()--&gt; ANSWERED
 *    ^                  |
 *    +---unsend()-------+--failed()--&gt; FAILED
 * </pre>
 *
 * <h2>Bounds</h2>
 * At most {@code maxCandidates} candidates are kept (the farthest unasked ones are dropped first)
 * and at most {@code maxPeers} peers collected; one address never stands for two candidates.
 */
final class Lookup {

    /** What the lookup asks. */
    enum Kind {
        /** {@code find_node}: the nodes closest to an id. */
        FIND_NODE,
        /** {@code get_peers}: peers for an info-hash, and tokens to announce to the closest nodes. */
        GET_PEERS
    }

    private enum State { NEW, IN_FLIGHT, ANSWERED, FAILED }

    private static final class Candidate {
        final NodeInfo node;
        final int depth;
        State state = State.NEW;
        byte[] token;

        Candidate(NodeInfo node, int depth) {
            this.node = node;
            this.depth = depth;
        }
    }

    final Kind kind;
    final DhtId target;
    private final DhtId self;
    private final InetSocketAddress selfAddress;
    private final int k;
    private final int alpha;
    private final int maxCandidates;
    private final int maxPeers;
    private final TreeMap<DhtId, Candidate> candidates;
    private final Map<InetSocketAddress, DhtId> addresses = new HashMap<>();
    private final Set<InetSocketAddress> peers = new LinkedHashSet<>();
    private int inFlight;
    private int queriesSent;
    private int queriesFailed;
    private int rounds;

    /**
     * @param kind          what it asks
     * @param target        the id or info-hash sought
     * @param self          our id: never a candidate
     * @param selfAddress   our address: never a candidate (null if unknown)
     * @param k             how many closest nodes it finds (8)
     * @param alpha         queries in flight at once (3)
     * @param maxCandidates candidates kept at most
     * @param maxPeers      peers collected at most
     */
    Lookup(Kind kind, DhtId target, DhtId self, InetSocketAddress selfAddress, int k, int alpha, int maxCandidates,
           int maxPeers) {
        if (k < 1 || alpha < 1 || maxCandidates < k) {
            throw new IllegalArgumentException("k, alpha must be positive and maxCandidates at least k");
        }
        this.kind = kind;
        this.target = target;
        this.self = self;
        this.selfAddress = selfAddress;
        this.k = k;
        this.alpha = alpha;
        this.maxCandidates = maxCandidates;
        this.maxPeers = maxPeers;
        this.candidates = new TreeMap<>(target.closestFirst());
    }

    /**
     * Adds candidates: the starting nodes (depth 1), or nodes named in an answer.
     *
     * @param nodes the nodes
     * @param depth how many answers led to them (1 for starting nodes)
     */
    void offer(List<NodeInfo> nodes, int depth) {
        for (NodeInfo n : nodes) {
            if (n.id().equals(self) || n.address().equals(selfAddress) || n.address().getPort() == 0
                    || n.address().getAddress().isAnyLocalAddress() || n.address().getAddress().isMulticastAddress()
                    || candidates.containsKey(n.id()) || addresses.containsKey(n.address())) {
                continue;
            }
            candidates.put(n.id(), new Candidate(n, depth));
            addresses.put(n.address(), n.id());
        }
        prune();
    }

    private void prune() {
        Iterator<Candidate> farthest = candidates.descendingMap().values().iterator();
        while (candidates.size() > maxCandidates && farthest.hasNext()) {
            Candidate c = farthest.next();
            if (c.state == State.NEW || c.state == State.FAILED) {
                farthest.remove();
                addresses.remove(c.node.address());
            }
        }
    }

    /**
     * Picks the queries to send now and marks them in flight.
     *
     * @return the nodes to query: the closest not yet asked among the k closest live candidates,
     *         as many as keep {@code alpha} in flight
     */
    List<NodeInfo> next() {
        List<NodeInfo> out = new ArrayList<>();
        int live = 0;
        for (Candidate c : candidates.values()) {
            if (inFlight >= alpha || live >= k) {
                break;
            }
            if (c.state == State.FAILED) {
                continue;
            }
            live++;
            if (c.state == State.NEW) {
                c.state = State.IN_FLIGHT;
                inFlight++;
                queriesSent++;
                out.add(c.node);
            }
        }
        return out;
    }

    /**
     * A query returned by {@link #next} could not be sent now (too many transactions pending):
     * the candidate waits to be picked again.
     */
    void unsend(DhtId id) {
        Candidate c = candidates.get(id);
        if (c != null && c.state == State.IN_FLIGHT) {
            c.state = State.NEW;
            inFlight--;
            queriesSent--;
        }
    }

    /**
     * A candidate answered.
     *
     * @param id     the candidate
     * @param nodes  the {@code nodes} it returned (may be null)
     * @param token  its {@code token} (may be null)
     * @param values the peers it returned (may be null)
     */
    void answered(DhtId id, List<NodeInfo> nodes, byte[] token, List<InetSocketAddress> values) {
        Candidate c = candidates.get(id);
        if (c == null || c.state != State.IN_FLIGHT) {
            return;
        }
        c.state = State.ANSWERED;
        c.token = token;
        inFlight--;
        rounds = Math.max(rounds, c.depth);
        if (values != null) {
            for (InetSocketAddress peer : values) {
                if (peers.size() >= maxPeers) {
                    break;
                }
                if (peer.getPort() != 0) {
                    peers.add(peer);
                }
            }
        }
        if (nodes != null) {
            offer(nodes, c.depth + 1);
        }
    }

    /** A candidate did not answer, answered with an error, or answered with another id. */
    void failed(DhtId id) {
        Candidate c = candidates.get(id);
        if (c == null || c.state != State.IN_FLIGHT) {
            return;
        }
        c.state = State.FAILED;
        inFlight--;
        queriesFailed++;
    }

    /** @return true once each of the k closest live candidates has answered (or none is left) */
    boolean finished() {
        int live = 0;
        for (Candidate c : candidates.values()) {
            if (live >= k) {
                break;
            }
            if (c.state == State.FAILED) {
                continue;
            }
            live++;
            if (c.state != State.ANSWERED) {
                return false;
            }
        }
        return true;
    }

    /** @return the k closest candidates that answered, closest first */
    List<NodeInfo> closest() {
        List<NodeInfo> out = new ArrayList<>(k);
        for (Map.Entry<NodeInfo, byte[]> e : closestWithTokens()) {
            out.add(e.getKey());
        }
        return out;
    }

    /** @return the k closest candidates that answered with their tokens (null if they gave none) */
    List<Map.Entry<NodeInfo, byte[]>> closestWithTokens() {
        List<Map.Entry<NodeInfo, byte[]>> out = new ArrayList<>(k);
        for (Candidate c : candidates.values()) {
            if (out.size() >= k) {
                break;
            }
            if (c.state == State.ANSWERED) {
                out.add(new AbstractMap.SimpleImmutableEntry<>(c.node, c.token));
            }
        }
        return out;
    }

    /** @return the peers collected, in the order they arrived */
    List<InetSocketAddress> peers() {
        return List.copyOf(peers);
    }

    int inFlight() {
        return inFlight;
    }

    int queriesSent() {
        return queriesSent;
    }

    int queriesFailed() {
        return queriesFailed;
    }

    /** @return the longest chain of answers followed: 1 if only the starting nodes were asked */
    int rounds() {
        return rounds;
    }
}
