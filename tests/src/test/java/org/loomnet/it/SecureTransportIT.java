package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Message;
import org.loomnet.node.Node;
import org.loomnet.node.NodeId;
import org.loomnet.node.PeerAddress;
import org.loomnet.wire.DisconnectReason;

/** Noise XX on real sockets: identity, pinning, tampering, and refusing plaintext. */
class SecureTransportIT {

    @Test
    void nodesConnectEncryptedAndKnowEachOthersProvenIds() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.11.1");
            Node b = net.start(TestNodes.builder("127.0.11.2").specialPeer(a.listenAddress()));
            List<Message> atA = new CopyOnWriteArrayList<>();
            a.subscribe("secret", atA::add);
            Await.until("connected", () -> a.peers().contains(b.id()) && b.peers().contains(a.id()));
            ConnectionInfo seenByA = a.connections().get(0);
            assertThat(seenByA.authenticated()).isTrue();
            assertThat(seenByA.nodeId()).isEqualTo(NodeId.of(b.identity().nodeId()));
            assertThat(b.id().toString()).hasSize(40);

            b.send(a.id(), "secret", "over noise".getBytes());
            Await.until("delivered", () -> atA.size() == 1);
            assertThat(atA.get(0).from()).isEqualTo(b.id());
        }
    }

    @Test
    void theIdentityPersistsInTheDataDirectoryWithOwnerOnlyPermissions(@TempDir Path dir) throws Exception {
        NodeId first;
        try (Node n = TestNodes.builder("127.0.11.3").dataDir(dir).build().start()) {
            first = n.id();
        }
        try (Node n = TestNodes.builder("127.0.11.3").dataDir(dir).build().start()) {
            assertThat(n.id()).isEqualTo(first);
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("node.key")))).isEqualTo("rw-------");
    }

    @Test
    void aPinnedPeerThatCannotProveItsIdIsRefused() {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.11.4");
            Node impostorPin = net.start("127.0.11.5"); // its id is not a's
            Node c = net.start("127.0.11.6");
            c.dial(new PeerAddress(a.listenAddress(), impostorPin.id()), true);
            Await.until("pin mismatch", () -> c.counters().disconnects(DisconnectReason.PEER_ID_MISMATCH) >= 1);
            assertThat(c.peers()).isEmpty();
            assertThat(a.peers()).doesNotContain(c.id());

            Node d = net.start("127.0.11.7");
            d.dial(new PeerAddress(a.listenAddress(), a.id()), true); // the right pin
            Await.until("pinned peer connected", () -> d.peers().contains(a.id()));
        }
    }

    @Test
    void aFlippedByteOnTheWayClosesTheConnectionAndNothingIsDelivered() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.11.8");
            List<Message> atA = new CopyOnWriteArrayList<>();
            a.subscribe("data", atA::add);
            try (FaultProxy mitm = new FaultProxy("127.0.11.9", a.listenAddress())) {
                Node b = net.start(TestNodes.builder("127.0.11.10").specialPeer(mitm.address()));
                // Both ends: b's send finds no route until b has accepted a's HELLO too.
                Await.until("connected through the proxy",
                        () -> a.peers().contains(b.id()) && b.peers().contains(a.id()));
                assertThat(b.send(a.id(), "data", "clean".getBytes()).get()).isEqualTo(1);
                Await.until("clean message delivered", () -> atA.size() == 1);

                mitm.flipNextByte(FaultProxy.Flow.TO_TARGET);
                assertThat(b.send(a.id(), "data", new byte[1000]).get()).isEqualTo(1);
                Await.until("tampering detected", () -> a.counters().disconnects(DisconnectReason.DECRYPTION_FAILED) >= 1);
                assertThat(mitm.flips()).isEqualTo(1);
                assertThat(atA).hasSize(1); // the tampered message never reached the application
            }
        }
    }

    @Test
    void plaintextAndEncryptedNodesRefuseEachOtherWithAClearReason() {
        try (TestNodes net = new TestNodes()) {
            Node encrypted = net.start("127.0.11.11");
            Node plain = net.start(TestNodes.builder("127.0.11.12").encryption(false)
                    .specialPeer(encrypted.listenAddress()));
            Await.until("both sides named the mismatch",
                    () -> encrypted.counters().disconnects(DisconnectReason.TRANSPORT_MISMATCH) >= 1
                            && plain.counters().disconnects(DisconnectReason.TRANSPORT_MISMATCH) >= 1);
            assertThat(plain.peers()).isEmpty();

            Node plain2 = net.start(TestNodes.builder("127.0.11.13").encryption(false)
                    .specialPeer(plain.listenAddress()));
            Await.until("two plaintext nodes connect", () -> plain2.peers().contains(plain.id()));
            assertThat(plain2.connections().get(0).authenticated()).isFalse();
        }
    }
}
