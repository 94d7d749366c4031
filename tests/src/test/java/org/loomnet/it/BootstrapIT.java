package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomnet.node.Node;
import org.loomnet.node.PeerAddress;
import org.loomnet.wire.DisconnectReason;

/** Seed URLs, DNS seeds, exclusive modes and reloading special peers, over real sockets. */
class BootstrapIT {

    private static Node.Builder discovering(String host, int target) {
        return TestNodes.builder(host).targetOutgoing(target).peerExchange(Duration.ofMillis(200), 32);
    }

    @Test
    void aNodeFindsItsPeersThroughASeedUrl() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.34.0.1"); // distinct /16 groups: one outgoing connection per group
            Node b = net.start("127.35.0.1");
            HttpServer seeds = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            byte[] body = ("# LoomNet seeds\n" + hostPort(a) + "\nnot a peer\n" + hostPort(b) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            seeds.createContext("/peers.txt", x -> {
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
                x.close();
            });
            seeds.start();
            try {
                URI url = URI.create("http://127.0.0.1:" + seeds.getAddress().getPort() + "/peers.txt");
                Node newcomer = net.start(discovering("127.36.0.1", 2).seedUrl(url));
                Await.until("connected to both seeds", () -> newcomer.peers().containsAll(List.of(a.id(), b.id())));
            } finally {
                seeds.stop(0);
            }
        }
    }

    @Test
    void aNodeFindsItsPeersThroughADnsSeed() {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.0.1");
            Node newcomer = net.start(discovering("127.31.0.1", 2).dnsSeed("localhost:" + a.listenAddress().getPort()));
            Await.until("connected through the name", () -> newcomer.peers().contains(a.id()));
        }
    }

    @Test
    void exclusiveModeDialsOnlySpecialPeersAndExclusiveIncomingRefusesOthers() {
        try (TestNodes net = new TestNodes()) {
            Node special = net.start("127.32.1.1");
            Node other = net.start("127.32.2.1");
            // It learns `other` (from a DNS seed) but, exclusive, never dials it.
            Node exclusive = net.start(discovering("127.32.3.1", 4).exclusive(true, true)
                    .specialPeer(special.listenAddress()).dnsSeed(hostPort(other)));
            Await.until("connected to its special peer", () -> exclusive.peers().contains(special.id()));
            Await.until("learned the other address", () -> exclusive.counters().peersLearned() >= 1);
            assertThat(exclusive.peers()).containsExactly(special.id());

            Node stranger = net.start(TestNodes.builder("127.32.4.1").specialPeer(exclusive.listenAddress()));
            Await.until("stranger refused", () -> stranger.counters().disconnects(DisconnectReason.NOT_SPECIAL) >= 1);
            assertThat(exclusive.peers()).containsExactly(special.id());
        }
    }

    @Test
    void reloadingSpecialPeersDropsRemovedOnesAndKeepsTheRest() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node b = net.start("127.33.1.1");
            Node c = net.start("127.33.2.1");
            Node d = net.start("127.33.3.1");
            Node a = net.start(TestNodes.builder("127.33.4.1").specialPeer(b.listenAddress()).specialPeer(c.listenAddress()));
            Await.until("a connected to b and c", () -> a.peers().containsAll(List.of(b.id(), c.id())));
            long cConnection = a.connections().stream().filter(x -> c.id().equals(x.nodeId())).findFirst().orElseThrow().id();

            assertThat(a.setSpecialPeers(List.of(PeerAddress.of(c.listenAddress()), PeerAddress.of(d.listenAddress())))
                    .get()).isEqualTo(1);
            Await.until("b dropped, d dialed", () -> !a.peers().contains(b.id()) && a.peers().contains(d.id()));
            assertThat(a.connections().stream().filter(x -> c.id().equals(x.nodeId())).findFirst().orElseThrow().id())
                    .as("c's connection was kept, not redialed").isEqualTo(cConnection);
        }
    }

    private static String hostPort(Node n) {
        return n.listenAddress().getAddress().getHostAddress() + ":" + n.listenAddress().getPort();
    }

    @Test
    void seedPeersGoIntoTheAddressBookAndAreDialedFromThere() {
        try (TestNodes net = new TestNodes()) {
            Node seed = net.start("127.40.0.1");
            Node newcomer = net.start(discovering("127.41.0.1", 1).seedPeer(seed.listenAddress()));
            Await.until("connected to the seed", () -> newcomer.peers().contains(seed.id()));
            assertThat(newcomer.connections()).singleElement().satisfies(c -> assertThat(c.special()).isFalse());
        }
    }
}
