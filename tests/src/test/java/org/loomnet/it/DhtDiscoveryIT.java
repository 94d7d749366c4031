package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomnet.dht.DhtConfig;
import org.loomnet.dht.DhtId;
import org.loomnet.dht.DhtNode;
import org.loomnet.node.Node;
import org.loomnet.peers.PeerEntry;
import org.loomnet.peers.PeerSource;

/**
 * The DHT as a discovery source: nodes that share nothing but a DHT bootstrap node find each
 * other under SHA-1("loomnet:" + network) and connect over TCP.
 */
class DhtDiscoveryIT {

    private static DhtConfig dht(String host, InetSocketAddress bootstrap) {
        return DhtConfig.builder().bind(host, 0).bootstrap(List.of(bootstrap)).queryTimeout(Duration.ofMillis(500))
                .build();
    }

    private static Node.Builder discovering(String host, InetSocketAddress bootstrap) {
        return TestNodes.builder(host).targetOutgoing(2).dht(dht(host, bootstrap))
                .dhtIntervals(Duration.ofMinutes(15), Duration.ofMillis(300));
    }

    /** A get_peers lookup from the bootstrap node: what the DHT holds under an info-hash. */
    private static List<InetSocketAddress> peersOf(DhtNode dht, DhtId infoHash) {
        try {
            return dht.getPeers(infoHash).get().peers();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void twoNodesThatShareOnlyADhtBootstrapNodeFindEachOtherAndConnect(@TempDir Path dir) throws Exception {
        // The bootstrap node is a bare DHT node: it knows no LoomNet node and runs no TCP at all.
        try (DhtNode boot = DhtNode.create(DhtConfig.builder().bind("127.0.0.1", 0).build()).start();
             TestNodes net = new TestNodes()) {
            InetSocketAddress bootAddress = boot.localAddress();
            Node a = net.start(discovering("127.61.0.1", bootAddress).dataDir(dir.resolve("a")));
            Node b = net.start(discovering("127.62.0.1", bootAddress));

            Await.until("a and b connected over TCP", () -> a.peers().contains(b.id()) && b.peers().contains(a.id()));
            // Whoever dialed found the other in the DHT.
            List<PeerEntry> bookA = a.addressBook().get();
            List<PeerEntry> bookB = b.addressBook().get();
            assertThat(java.util.stream.Stream.concat(bookA.stream(), bookB.stream()))
                    .anySatisfy(e -> assertThat(e.sources()).contains(PeerSource.DHT));
            // Both are announced under the network's info-hash, with their TCP ports.
            DhtId network = DhtId.infoHashOf("loomnet:" + a.config().network());
            Await.until("both announced", () -> peersOf(boot, network).containsAll(List.of(TestNodes.addr(a),
                    TestNodes.addr(b))));
            assertThat(a.dht()).isNotNull();
            assertThat(a.dht().counters().routingTableSize()).isPositive();
        }
        // The DHT's routing table was saved next to the address book.
        assertThat(Files.exists(dir.resolve("a").resolve(DhtNode.TABLE_FILE))).isTrue();
    }

    @Test
    void aNodeWhoseOnlyBootstrapIsAnotherNodesDhtFindsIt() throws Exception {
        // The daemon's case: node b is started with --dht-bootstrap pointing at node a's DHT, and
        // nothing else. Each one's announce lands on the other; lookups include the local store.
        try (TestNodes net = new TestNodes()) {
            Node a = net.start(TestNodes.builder("127.65.0.1").targetOutgoing(2)
                    .dht(DhtConfig.builder().bind("127.65.0.1", 0).queryTimeout(Duration.ofMillis(500)).build())
                    .dhtIntervals(Duration.ofMinutes(15), Duration.ofMillis(300)));
            Node b = net.start(discovering("127.66.0.1", a.dht().localAddress()));
            Await.until("a and b connected over TCP", () -> a.peers().contains(b.id()) && b.peers().contains(a.id()));
        }
    }

    @Test
    void nodesOfAnotherNetworkAreNotFound() throws Exception {
        try (DhtNode boot = DhtNode.create(DhtConfig.builder().bind("127.0.0.1", 0).build()).start();
             TestNodes net = new TestNodes()) {
            Node a = net.start(discovering("127.63.0.1", boot.localAddress()).network("one"));
            Node b = net.start(discovering("127.64.0.1", boot.localAddress()).network("two"));
            DhtId one = DhtId.infoHashOf("loomnet:one");
            Await.until("a announced", () -> peersOf(boot, one).contains(TestNodes.addr(a)));
            Await.until("b announced", () -> peersOf(boot, DhtId.infoHashOf("loomnet:two")).contains(TestNodes.addr(b)));
            assertThat(peersOf(boot, one)).doesNotContain(TestNodes.addr(b));
            assertThat(a.addressBook().get()).noneSatisfy(e -> assertThat(e.address()).isEqualTo(TestNodes.addr(b)));
        }
    }
}
