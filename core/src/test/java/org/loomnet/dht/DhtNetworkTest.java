package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.loomnet.dht.DhtTestSupport.await;
import static org.loomnet.dht.DhtTestSupport.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two hundred DHT nodes on loopback, each on its own address 127.1.0.x (BEP 42 is not enforced,
 * so any id on any address is fine), all bootstrapped from the first one. Lookups of random
 * targets must return exactly the k closest of all 200 ids, as a brute-force sort finds them, and
 * an announce must be found by another node's get_peers.
 */
class DhtNetworkTest {

    private static final int NODES = 200;
    private static final int K = 8;
    private static final long WAIT = DhtTestSupport.DEADLINE.toSeconds();

    private final List<DhtNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(DhtNode::close);
    }

    private static List<DhtId> bruteForceClosest(List<DhtNode> all, DhtId target, DhtId except) {
        return all.stream().map(DhtNode::id).filter(id -> !id.equals(except)).sorted(target.closestFirst())
                .limit(K).toList();
    }

    @Test
    void lookupsFindTheTrueClosestAndAnnouncesAreFound() throws Exception {
        DhtNode seed = DhtNode.create(config("127.1.0.1").build()).start();
        nodes.add(seed);
        List<InetSocketAddress> bootstrap = List.of(seed.localAddress());
        for (int i = 1; i < NODES; i++) {
            nodes.add(DhtNode.create(config("127.1.0." + (i + 1)).bootstrap(bootstrap).build()).start());
        }
        // Each node joins by itself: a ping to the seed, a lookup of its own id, then one lookup in
        // each farther bucket.
        await(() -> nodes.stream().allMatch(n -> n.counters().lookupsCompleted() >= 1
                && n.counters().activeLookups() == 0), "every node joined");
        // A node that joined early met only the few nodes there were, and the nodes that joined
        // later near its id may never have heard of it. In a live network the bucket refresh
        // (every 15 minutes) repairs that; here each node does it once by hand.
        List<CompletableFuture<LookupResult>> refresh = new ArrayList<>();
        for (DhtNode n : nodes) {
            refresh.add(n.findNode(n.id()));
        }
        for (CompletableFuture<LookupResult> f : refresh) {
            f.get(WAIT, TimeUnit.SECONDS);
        }
        SplittableRandom random = new SplittableRandom(20);
        List<CompletableFuture<LookupResult>> lookups = new ArrayList<>();
        List<DhtNode> askers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            DhtNode asker = nodes.get(random.nextInt(NODES));
            askers.add(asker);
            lookups.add(asker.findNode(DhtId.random(random)));
        }
        for (int i = 0; i < lookups.size(); i++) {
            LookupResult r = lookups.get(i).get(WAIT, TimeUnit.SECONDS);
            assertThat(r.closest()).as("lookup %d of %s", i, r.target()).extracting(NodeInfo::id)
                    .containsExactlyElementsOf(bruteForceClosest(nodes, r.target(), askers.get(i).id()));
            assertThat(r.queriesFailed()).isZero();
        }
        // Lookups of existing ids find the node itself first.
        DhtNode wanted = nodes.get(123);
        LookupResult exact = nodes.get(7).findNode(wanted.id()).get(WAIT, TimeUnit.SECONDS);
        assertThat(exact.closest().get(0)).isEqualTo(new NodeInfo(wanted.id(), wanted.localAddress()));

        // Announce a TCP port under a network key; another node finds it.
        DhtId key = DhtId.infoHashOf("loomnet:test-network");
        DhtNode announcer = nodes.get(42);
        AnnounceResult announced = announcer.announce(key, 7700, false).get(WAIT, TimeUnit.SECONDS);
        assertThat(announced.asked()).isEqualTo(K);
        assertThat(announced.accepted()).isEqualTo(K);
        PeersResult found = nodes.get(150).getPeers(key).get(WAIT, TimeUnit.SECONDS);
        assertThat(found.peers()).containsExactly(new InetSocketAddress(announcer.localAddress().getAddress(), 7700));
        assertThat(found.lookup().closest()).extracting(NodeInfo::id)
                .containsExactlyElementsOf(bruteForceClosest(nodes, key, nodes.get(150).id()));

        // With implied_port the nodes store the announcer's UDP port.
        DhtNode natted = nodes.get(77);
        assertThat(natted.announce(key, 0, true).get(WAIT, TimeUnit.SECONDS).accepted()).isEqualTo(K);
        PeersResult both = nodes.get(3).getPeers(key).get(WAIT, TimeUnit.SECONDS);
        assertThat(both.peers()).containsExactlyInAnyOrder(
                new InetSocketAddress(announcer.localAddress().getAddress(), 7700), natted.localAddress());

        // Each of the k closest stores both peers (the gauge follows each node's processing).
        await(() -> nodes.stream().mapToInt(n -> n.counters().peersStored()).sum() == 2 * K, "16 peers stored");
        long malformed = nodes.stream().mapToLong(n -> n.counters().malformedPackets()).sum();
        assertThat(malformed).isZero();
    }
}
