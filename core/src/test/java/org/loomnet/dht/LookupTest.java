package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The lookup state machine against a simulated network: no sockets, no clock. Each simulated node
 * answers from a real {@link RoutingTable} that knows every other node, so the k closest found
 * can be checked against a brute-force sort.
 */
class LookupTest {

    private static final int K = 8;
    private static final int ALPHA = 3;

    private record Network(List<NodeInfo> nodes, Map<DhtId, RoutingTable> tables) {
        static Network of(int size, long seed) {
            return of(size, seed, Set.of());
        }

        /** Tables know only live nodes, except that of {@code nodes.get(0)}, which knows the dead ones too. */
        static Network of(int size, long seed, Set<Integer> deadIndexes) {
            SplittableRandom random = new SplittableRandom(seed);
            List<NodeInfo> nodes = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                nodes.add(new NodeInfo(DhtId.random(random), new InetSocketAddress("127.0.0.1", 1000 + i)));
            }
            Map<DhtId, RoutingTable> tables = new HashMap<>();
            for (NodeInfo n : nodes) {
                RoutingTable t = new RoutingTable(n.id(), DhtId.BITS, K, K, Duration.ofMinutes(15), 2, 0);
                for (int i = 0; i < nodes.size(); i++) {
                    if (n == nodes.get(0) || !deadIndexes.contains(i)) {
                        t.heard(nodes.get(i), RoutingTable.Contact.RESPONSE, 0);
                    }
                }
                tables.put(n.id(), t);
            }
            return new Network(nodes, tables);
        }

        List<DhtId> trueClosest(DhtId target, DhtId except, Set<DhtId> dead) {
            return nodes.stream().map(NodeInfo::id).filter(id -> !id.equals(except) && !dead.contains(id))
                    .sorted(target.closestFirst()).limit(K).toList();
        }
    }

    /** Runs a lookup to the end, answering in the order queries were sent; returns the most in flight at once. */
    private static int run(Lookup lookup, Network net, Set<DhtId> dead) {
        List<NodeInfo> inFlight = new ArrayList<>();
        int most = 0;
        while (true) {
            inFlight.addAll(lookup.next());
            most = Math.max(most, lookup.inFlight());
            if (inFlight.isEmpty()) {
                break;
            }
            NodeInfo asked = inFlight.remove(0);
            if (dead.contains(asked.id())) {
                lookup.failed(asked.id());
            } else {
                List<NodeInfo> nodes = net.tables().get(asked.id()).closest(lookup.target, K, 0);
                lookup.answered(asked.id(), nodes, new byte[] {1}, null);
            }
        }
        return most;
    }

    @Test
    void findsTheTrueKClosestWithAlphaInFlight() {
        Network net = Network.of(400, 1);
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 30; i++) {
            NodeInfo me = net.nodes().get(random.nextInt(net.nodes().size()));
            DhtId target = DhtId.random(random);
            Lookup lookup = new Lookup(Lookup.Kind.FIND_NODE, target, me.id(), me.address(), K, ALPHA, 8 * K, 100);
            lookup.offer(net.tables().get(me.id()).closest(target, 2 * K, 0), 1);
            int most = run(lookup, net, Set.of());
            assertThat(most).isLessThanOrEqualTo(ALPHA);
            assertThat(lookup.finished()).isTrue();
            assertThat(lookup.closest()).extracting(NodeInfo::id)
                    .containsExactlyElementsOf(net.trueClosest(target, me.id(), Set.of()));
            assertThat(lookup.rounds()).isGreaterThanOrEqualTo(1);
            assertThat(lookup.queriesSent()).isLessThan(100);
        }
    }

    @Test
    void deadNodesDropOutAndTheNextClosestMoveIn() {
        SplittableRandom random = new SplittableRandom(4);
        Set<Integer> deadIndexes = new HashSet<>();
        for (int i = 1; i < 300; i++) {
            if (random.nextInt(4) == 0) {
                deadIndexes.add(i);
            }
        }
        Network net = Network.of(300, 3, deadIndexes);
        Set<DhtId> dead = new HashSet<>();
        for (int i : deadIndexes) {
            dead.add(net.nodes().get(i).id());
        }
        // Our table still lists the dead (we have not noticed yet); theirs do not.
        NodeInfo me = net.nodes().get(0);
        int failed = 0;
        for (int i = 0; i < 10; i++) {
            DhtId target = DhtId.random(random);
            Lookup lookup = new Lookup(Lookup.Kind.FIND_NODE, target, me.id(), me.address(), K, ALPHA, 8 * K, 100);
            lookup.offer(net.tables().get(me.id()).closest(target, 2 * K, 0), 1);
            run(lookup, net, dead);
            assertThat(lookup.closest()).extracting(NodeInfo::id)
                    .containsExactlyElementsOf(net.trueClosest(target, me.id(), dead));
            failed += lookup.queriesFailed();
        }
        assertThat(failed).isPositive();
    }

    @Test
    void neverQueriesItselfNorItsOwnAddressNorOneAddressTwice() {
        DhtId self = DhtId.ofTopBits(1, 8);
        InetSocketAddress home = new InetSocketAddress("127.0.0.1", 7701);
        InetSocketAddress other = new InetSocketAddress("127.0.0.2", 7701);
        Lookup lookup = new Lookup(Lookup.Kind.FIND_NODE, DhtId.ofTopBits(0, 8), self, home, K, ALPHA, 8 * K, 10);
        lookup.offer(List.of(
                new NodeInfo(self, other),
                new NodeInfo(DhtId.ofTopBits(2, 8), home),
                new NodeInfo(DhtId.ofTopBits(3, 8), other),
                new NodeInfo(DhtId.ofTopBits(4, 8), other), // same address, another id: a Sybil
                new NodeInfo(DhtId.ofTopBits(5, 8), new InetSocketAddress("127.0.0.3", 0)),
                new NodeInfo(DhtId.ofTopBits(6, 8), new InetSocketAddress("0.0.0.0", 5))), 1);
        assertThat(lookup.next()).extracting(NodeInfo::id).containsExactly(DhtId.ofTopBits(3, 8));
        assertThat(lookup.next()).isEmpty();
    }

    @Test
    void anEmptyLookupIsFinishedAtOnce() {
        Lookup lookup = new Lookup(Lookup.Kind.FIND_NODE, DhtId.ofTopBits(0, 8), DhtId.ofTopBits(1, 8), null, K,
                ALPHA, 8 * K, 10);
        assertThat(lookup.next()).isEmpty();
        assertThat(lookup.finished()).isTrue();
        assertThat(lookup.closest()).isEmpty();
    }

    @Test
    void candidatesAreBoundedKeepingTheClosest() {
        DhtId target = DhtId.ofTopBits(0, 16);
        Lookup lookup = new Lookup(Lookup.Kind.FIND_NODE, target, DhtId.ofTopBits(65535, 16), null, 2, 1, 4, 10);
        List<NodeInfo> many = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            many.add(new NodeInfo(DhtId.ofTopBits(i * 100, 16), new InetSocketAddress("127.0.0.1", i)));
        }
        lookup.offer(many, 1);
        // Only the closest four were kept; the first query goes to the closest.
        assertThat(lookup.next()).extracting(NodeInfo::id).containsExactly(DhtId.ofTopBits(100, 16));
        lookup.answered(DhtId.ofTopBits(100, 16), List.of(), null, null);
        assertThat(lookup.next()).extracting(NodeInfo::id).containsExactly(DhtId.ofTopBits(200, 16));
        lookup.answered(DhtId.ofTopBits(200, 16), List.of(), null, null);
        assertThat(lookup.finished()).isTrue();
        assertThat(lookup.queriesSent()).isEqualTo(2);
    }

    @Test
    void getPeersCollectsPeersAndTokensAndUnsendPutsACandidateBack() {
        DhtId target = DhtId.ofTopBits(0, 8);
        Lookup lookup = new Lookup(Lookup.Kind.GET_PEERS, target, DhtId.ofTopBits(255, 8), null, 2, 2, 16, 3);
        NodeInfo a = new NodeInfo(DhtId.ofTopBits(1, 8), new InetSocketAddress("127.0.0.1", 1));
        NodeInfo b = new NodeInfo(DhtId.ofTopBits(2, 8), new InetSocketAddress("127.0.0.1", 2));
        lookup.offer(List.of(a, b), 1);
        assertThat(lookup.next()).containsExactly(a, b);
        lookup.unsend(b.id());
        assertThat(lookup.inFlight()).isEqualTo(1);
        assertThat(lookup.next()).containsExactly(b);
        InetSocketAddress p1 = new InetSocketAddress("127.0.0.9", 6881);
        InetSocketAddress p2 = new InetSocketAddress("127.0.0.9", 6882);
        lookup.answered(a.id(), null, new byte[] {7}, List.of(p1, p2, p1, new InetSocketAddress("127.0.0.9", 0)));
        lookup.answered(b.id(), null, null, List.of(new InetSocketAddress("127.0.0.8", 1),
                new InetSocketAddress("127.0.0.8", 2)));
        assertThat(lookup.finished()).isTrue();
        assertThat(lookup.peers()).containsExactly(p1, p2, new InetSocketAddress("127.0.0.8", 1)); // at most 3
        assertThat(lookup.closestWithTokens()).hasSize(2);
        assertThat(lookup.closestWithTokens().get(0).getValue()).containsExactly(7);
        assertThat(lookup.closestWithTokens().get(1).getValue()).isNull();
        // Late or duplicate answers change nothing.
        lookup.answered(a.id(), List.of(new NodeInfo(DhtId.ofTopBits(0, 8), p1)), null, null);
        assertThat(lookup.finished()).isTrue();
    }
}
