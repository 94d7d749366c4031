package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.loomnet.node.Node;
import org.loomnet.node.NodeId;

/** Twenty nodes in one JVM, joined through special peers. */
class ManyNodesIT {

    @Test
    void twentyNodesJoinedThroughSpecialPeersAllReceiveASendToAll() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node hub = net.start("127.0.2.1");
            List<Node> leaves = new ArrayList<>();
            Map<NodeId, AtomicInteger> received = new ConcurrentHashMap<>();
            for (int i = 2; i <= 20; i++) {
                Node leaf = net.start(TestNodes.builder("127.0.2." + i).specialPeer(hub.listenAddress()));
                AtomicInteger count = new AtomicInteger();
                received.put(leaf.id(), count);
                leaf.subscribe("news", m -> count.incrementAndGet());
                leaves.add(leaf);
            }
            Await.until("all 19 leaves connected to the hub", () -> hub.peers().size() == 19);

            assertThat(hub.sendToAll("news", new byte[] {1}).get()).isEqualTo(19);
            Await.until("every leaf received it", () -> received.values().stream().allMatch(c -> c.get() == 1));

            // broadcast goes to the fan-out (16), not to everyone
            assertThat(hub.broadcast("news", new byte[] {2}).get()).isEqualTo(16);
            Await.until("16 leaves received the broadcast",
                    () -> received.values().stream().filter(c -> c.get() == 2).count() == 16);
            assertThat(received.values().stream().filter(c -> c.get() == 1).count()).isEqualTo(3);
        }
    }

    @Test
    void broadcastAlwaysIncludesSpecialPeers() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node special = net.start("127.0.3.1");
            Node sender = net.start(TestNodes.builder("127.0.3.2").fanout(1).specialPeer(special.listenAddress()));
            AtomicInteger atSpecial = new AtomicInteger();
            special.subscribe("b", m -> atSpecial.incrementAndGet());
            for (int i = 3; i <= 7; i++) {
                // regular peers of the sender: they dial it, so they are not special to it
                net.start(TestNodes.builder("127.0.3." + i).specialPeer(sender.listenAddress()));
            }
            Await.until("sender has 6 peers", () -> sender.peers().size() == 6);
            for (int i = 0; i < 10; i++) {
                // fan-out 1, but the special peer is always included
                assertThat(sender.broadcast("b", new byte[0]).get()).isEqualTo(1);
            }
            Await.until("special peer got all 10", () -> atSpecial.get() == 10);
        }
    }
}
