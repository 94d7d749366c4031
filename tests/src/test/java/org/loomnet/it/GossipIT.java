package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Message;
import org.loomnet.node.Node;
import org.loomnet.node.NodeId;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.GossipEnvelope;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelType;

/** Signed gossip flooding the network: once everywhere, forgeries stopped, the seen-cache bounded. */
class GossipIT {

    private static final int N = 50;

    @Test
    void oneGossipReachesEveryNodeOfASparseNetworkExactlyOnce() throws Exception {
        try (TestNodes net = new TestNodes()) {
            List<Node> nodes = new ArrayList<>();
            List<Map<String, AtomicInteger>> counts = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                Node n = net.start("127.0.12." + (i + 1));
                Map<String, AtomicInteger> c = new ConcurrentHashMap<>();
                n.subscribe("news", m -> c.computeIfAbsent(new String(m.payload()), k -> new AtomicInteger())
                        .incrementAndGet());
                nodes.add(n);
                counts.add(c);
            }
            // A ring with chords: every node dials two others; no node knows more than four.
            for (int i = 0; i < N; i++) {
                nodes.get(i).dial(nodes.get((i + 1) % N).listenAddress(), true);
                nodes.get(i).dial(nodes.get((i + 13) % N).listenAddress(), true);
            }
            Await.until("every node has its four links", () -> nodes.stream().allMatch(n -> n.peers().size() == 4));

            assertThat(nodes.get(0).gossip("news", "first".getBytes()).get()).isEqualTo(4);
            Await.until("first reached all others", () -> reached(counts, "first", 0) == N - 1);
            nodes.get(25).gossip("news", "second".getBytes());
            Await.until("second reached all others", () -> reached(counts, "second", 25) == N - 1);

            // Copies of "first" travelled many paths, but each node delivered it once.
            for (int i = 1; i < N; i++) {
                assertThat(counts.get(i).get("first").get()).as("node %d", i).isEqualTo(1);
            }
            assertThat(counts.get(0)).doesNotContainKey("first"); // the origin does not deliver to itself
            long duplicates = nodes.stream().mapToLong(n -> n.counters().gossipDuplicates()).sum();
            assertThat(duplicates).isPositive();
        }
    }

    private static long reached(List<Map<String, AtomicInteger>> counts, String key, int origin) {
        long n = 0;
        for (int i = 0; i < counts.size(); i++) {
            if (i != origin && counts.get(i).containsKey(key)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void forgedAndAlteredGossipIsDroppedAndItsSenderPenalised() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node node = net.start("127.0.13.1");
            Node good = net.start(TestNodes.builder("127.0.13.2").specialPeer(node.listenAddress()));
            List<Message> atNode = new CopyOnWriteArrayList<>();
            List<Message> atGood = new CopyOnWriteArrayList<>();
            node.subscribe("news", atNode::add);
            good.subscribe("news", atGood::add);
            Await.until("good connected", () -> node.peers().contains(good.id()));
            try (RawPeer raw = new RawPeer("127.0.13.3", node.listenAddress(), "it")) {
                raw.sendHello();
                Await.until("raw online", () -> node.peers().size() == 2);

                // Altered: signed, then the payload changed on the way.
                GossipEnvelope honest = sign(raw, 1, "honest words");
                GossipEnvelope altered = new GossipEnvelope(0, honest.originKey(), honest.sequence(),
                        honest.timestamp(), honest.type(), "altered words".getBytes(), honest.signature());
                raw.send(Parcel.of(ParcelType.GOSSIP, 1, altered.encode()));
                // Forged: claims the good node's key, signed by someone else.
                GossipEnvelope forged = new GossipEnvelope(0, good.identity().signingPublicKey(), 2,
                        System.currentTimeMillis(), "news", "fake".getBytes(), raw.identity.sign(new byte[] {1}));
                raw.send(Parcel.of(ParcelType.GOSSIP, 2, forged.encode()));
                // Then a genuine one: it arrives after the two bad ones on the same connection.
                raw.send(Parcel.of(ParcelType.GOSSIP, 3, sign(raw, 3, "genuine").encode()));

                Await.until("genuine delivered at node and forwarded to good",
                        () -> atNode.size() == 1 && atGood.size() == 1);
                assertThat(new String(atNode.get(0).payload())).isEqualTo("genuine");
                assertThat(new String(atGood.get(0).payload())).isEqualTo("genuine");
                assertThat(atNode.get(0).from()).isEqualTo(NodeId.of(raw.identity.nodeId()));
                assertThat(node.counters().gossipForged()).isEqualTo(2);
                ConnectionInfo rawConn = node.connections().stream()
                        .filter(c -> NodeId.of(raw.identity.nodeId()).equals(c.nodeId())).findFirst().orElseThrow();
                // Two forgeries cost 50 each; relaying its own message earns a peer nothing.
                assertThat(rawConn.quality()).isEqualTo(2 * -50);

                // One more forgery takes it below the threshold: disconnected for low quality.
                raw.send(Parcel.of(ParcelType.GOSSIP, 4, new GossipEnvelope(0, honest.originKey(), 9,
                        honest.timestamp(), "news", "x".getBytes(), new byte[64]).encode()));
                assertThat(raw.awaitDisconnect().reason()).isEqualTo(DisconnectReason.LOW_QUALITY);
            }
            assertThat(node.peers()).containsExactly(good.id());
        }
    }

    @Test
    void theSeenCacheStaysWithinItsBoundUnderAFloodOfDistinctIds() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node node = net.start(TestNodes.builder("127.0.14.1").gossip(16, 100, Duration.ofMinutes(5)));
            AtomicInteger delivered = new AtomicInteger();
            node.subscribe("flood", m -> delivered.incrementAndGet());
            try (RawPeer raw = new RawPeer("127.0.14.2", node.listenAddress(), "it")) {
                raw.sendHello();
                Await.until("raw online", () -> node.peers().size() == 1);
                for (int i = 0; i < 2000; i++) {
                    GossipEnvelope e = sign(raw, i, "flood", "m" + i);
                    raw.out.write(raw.encode(Parcel.of(ParcelType.GOSSIP, 0, e.encode())));
                }
                raw.out.flush();
                Await.until("all 2000 handled", () -> node.counters().gossipDelivered() == 2000);
                assertThat(node.counters().gossipSeenSize()).isLessThanOrEqualTo(100);
                assertThat(node.counters().gossipSeenEvicted()).isEqualTo(1900);
            }
        }
    }

    private static GossipEnvelope sign(RawPeer raw, long seq, String text) {
        return sign(raw, seq, "news", text);
    }

    private static GossipEnvelope sign(RawPeer raw, long seq, String type, String text) {
        return RawPeer.signedGossip(raw.identity, seq, type, text.getBytes());
    }
}
