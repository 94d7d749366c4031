package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomnet.connection.TransportPreamble;
import org.loomnet.node.Node;
import org.loomnet.wire.DisconnectReason;

/** One address cannot take the node over; everyone else is unaffected. */
class IncomingLimitsIT {

    @Test
    void connectionsFloodingFromOneAddressAreCappedAndOthersAreUnaffected() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node node = net.start("127.0.15.1"); // defaults: 3 per address, 5 accepts per address per second
            Node good = net.start(TestNodes.builder("127.0.15.2").specialPeer(node.listenAddress()));
            Await.until("good peer connected", () -> node.peers().contains(good.id()));
            List<RawPeer> kept = new ArrayList<>();
            List<DisconnectReason> refusals = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    try {
                        RawPeer p = new RawPeer("127.0.15.9", node.listenAddress(), "it");
                        p.sendHello();
                        kept.add(p);
                    } catch (TransportPreamble.RefusedException e) {
                        refusals.add(e.goodbye().reason());
                    }
                }
                assertThat(kept).hasSize(3);
                assertThat(refusals).hasSize(7)
                        .containsOnly(DisconnectReason.TOO_MANY_FROM_ADDRESS, DisconnectReason.CONNECTING_TOO_FAST)
                        .startsWith(DisconnectReason.TOO_MANY_FROM_ADDRESS); // the 4th is within the rate: over the cap
                Await.until("three from the flooding address online", () -> node.peers().size() == 4);

                List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
                good.subscribe("m", m -> got.add(new String(m.payload())));
                node.send(good.id(), "m", "unaffected".getBytes()).get();
                Await.until("good peer still served", () -> got.contains("unaffected"));
            } finally {
                for (RawPeer p : kept) {
                    p.close();
                }
            }
        }
    }
}
