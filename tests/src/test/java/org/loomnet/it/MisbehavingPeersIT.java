package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loomnet.node.Message;
import org.loomnet.node.Node;
import org.loomnet.wire.AppMessage;
import org.loomnet.wire.Crc32Koopman;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelType;

/**
 * Peers that break the protocol are disconnected with the right coded reason, the reason is
 * counted, and the node keeps serving its well-behaved peer throughout. The raw peers complete
 * the Noise handshake first, so the bad frames reach the decoder behind the decryption.
 */
class MisbehavingPeersIT {

    private TestNodes net;
    private Node node;
    private Node good;
    private final List<Message> goodReceived = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        net = new TestNodes();
        node = net.start(TestNodes.builder("127.0.0.20").handshakeTimeout(Duration.ofMillis(500)));
        good = net.start(TestNodes.builder("127.0.0.21").specialPeer(node.listenAddress()));
        good.subscribe("ping", goodReceived::add);
        Await.until("good peer connected", () -> TestNodes.connected(node, good.id()));
    }

    @AfterEach
    void tearDown() {
        net.close();
    }

    /** The node still delivers to its good peer. */
    private void assertStillServing() throws Exception {
        int before = goodReceived.size();
        assertThat(node.send(good.id(), "ping", "still here".getBytes(StandardCharsets.UTF_8)).get()).isEqualTo(1);
        Await.until("message to the good peer", () -> goodReceived.size() == before + 1);
        assertThat(node.peers()).contains(good.id());
    }

    private Goodbye disconnectFor(RawPeer peer) throws Exception {
        Goodbye bye = peer.awaitDisconnect();
        assertThat(peer.closedByNode()).isTrue();
        return bye;
    }

    @Test
    void randomBytesAreRefusedWithAReason() throws Exception {
        try (RawPeer peer = new RawPeer("127.0.1.1", node.listenAddress(), "it")) {
            byte[] garbage = new byte[4096];
            new Random(42).nextBytes(garbage);
            peer.write(garbage);
            // Random bytes almost surely carry another network id in the first four bytes.
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.WRONG_NETWORK);
        }
        Await.until("counted", () -> node.counters().disconnects(DisconnectReason.WRONG_NETWORK) == 1);
        assertStillServing();
    }

    @Test
    void garbageInsteadOfAHandshakeIsDroppedAndCounted() throws Exception {
        try (java.net.Socket raw = new java.net.Socket()) {
            raw.bind(new java.net.InetSocketAddress("127.0.1.13", 0));
            raw.connect(node.listenAddress());
            byte[] garbage = new byte[4096];
            new Random(7).nextBytes(garbage);
            raw.getOutputStream().write(garbage);
            raw.setSoTimeout(20_000);
            // The node reads the preamble, finds no LoomNet peer, and closes.
            byte[] sink = new byte[1024];
            while (raw.getInputStream().read(sink) >= 0) {
                // our own preamble from the node, then end of stream
            }
        } catch (java.net.SocketException reset) {
            // a reset is as good as a close here
        }
        Await.until("counted", () -> node.counters().disconnects(DisconnectReason.HANDSHAKE_FAILED) == 1);
        assertStillServing();
    }

    @Test
    void oversizedLengthIsRefusedBeforeAnyAllocation() throws Exception {
        try (RawPeer peer = new RawPeer("127.0.1.2", node.listenAddress(), "it")) {
            peer.sendHello();
            // 2 GiB announced; the payload never comes. The node must answer from the header alone.
            peer.write(peer.header(ParcelType.MESSAGE.code(), 0, 0x8000_0000L, 0, 0, 1, 1));
            Goodbye bye = disconnectFor(peer);
            assertThat(bye.reason()).isEqualTo(DisconnectReason.FRAME_TOO_LARGE);
            assertThat(bye.detail()).contains("2147483648");
        }
        assertStillServing();
    }

    @Test
    void noHelloWithinTheTimeoutIsDisconnected() throws Exception {
        try (RawPeer peer = new RawPeer("127.0.1.3", node.listenAddress(), "it")) {
            // Connect and say nothing.
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.HANDSHAKE_TIMEOUT);
        }
        assertStillServing();
    }

    @Test
    void messageBeforeHelloIsAProtocolViolation() throws Exception {
        try (RawPeer peer = new RawPeer("127.0.1.4", node.listenAddress(), "it")) {
            peer.send(Parcel.of(ParcelType.MESSAGE, 1, AppMessage.encode("ping", new byte[3])));
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.PROTOCOL_VIOLATION);
        }
        assertStillServing();
    }

    @Test
    void badChecksumIsRefusedOnAPlaintextConnection() throws Exception {
        Node plain = net.start(TestNodes.builder("127.0.0.22").encryption(false));
        try (RawPeer peer = new RawPeer("127.0.1.5", plain.listenAddress(), "it", false)) {
            peer.sendHello();
            byte[] payload = AppMessage.encode("ping", "x".getBytes(StandardCharsets.UTF_8));
            peer.write(peer.header(ParcelType.MESSAGE.code(), 0, payload.length, Crc32Koopman.compute(payload) ^ 1, 0, 1, 7));
            peer.write(payload);
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.BAD_CHECKSUM);
        }
    }

    @Test
    void underNoiseTheChecksumFieldIsNotChecked() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        node.subscribe("unchecked", received::add);
        try (RawPeer peer = new RawPeer("127.0.1.5", node.listenAddress(), "it")) {
            peer.sendHello();
            Await.until("raw peer online", () -> node.peers().contains(org.loomnet.node.NodeId.of(peer.identity.nodeId())));
            byte[] payload = AppMessage.encode("unchecked", "x".getBytes(StandardCharsets.UTF_8));
            // The AEAD tag of the Noise message already authenticates these bytes; the field is not read.
            peer.write(peer.header(ParcelType.MESSAGE.code(), 0, payload.length, 0x5EED_F00D, 0, 1, 7));
            peer.write(payload);
            Await.until("delivered despite the checksum field", () -> received.size() == 1);
            assertThat(received.get(0).payload()).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
            assertThat(node.counters().disconnects(DisconnectReason.BAD_CHECKSUM)).isZero();
        }
        assertStillServing();
    }

    @Test
    void unknownParcelTypeIsRefused() throws Exception {
        try (RawPeer peer = new RawPeer("127.0.1.6", node.listenAddress(), "it")) {
            peer.sendHello();
            peer.write(peer.header(200, 0, 0, Crc32Koopman.compute(new byte[0]), 0, 1, 7));
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.UNKNOWN_PARCEL_TYPE);
        }
        assertStillServing();
    }

    @Test
    void partOutOfRangeIsRefused() throws Exception {
        try (RawPeer peer = new RawPeer("127.0.1.7", node.listenAddress(), "it")) {
            peer.sendHello();
            peer.write(peer.header(ParcelType.MESSAGE_PART.code(), 0, 0, Crc32Koopman.compute(new byte[0]), 5, 3, 7));
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.BAD_PART);
        }
        assertStillServing();
    }

    @Test
    void duplicatePartIsRefused() throws Exception {
        try (RawPeer peer = new RawPeer("127.0.1.8", node.listenAddress(), "it")) {
            peer.sendHello();
            byte[] chunk = new byte[100];
            peer.send(Parcel.part(ParcelType.MESSAGE_PART, 9, 0, 3, chunk, 0, chunk.length));
            peer.send(Parcel.part(ParcelType.MESSAGE_PART, 9, 0, 3, chunk, 0, chunk.length));
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.BAD_PART);
        }
        assertStillServing();
    }

    @Test
    void secondHelloIsAProtocolViolation() throws Exception {
        try (RawPeer peer = new RawPeer("127.0.1.9", node.listenAddress(), "it")) {
            peer.sendHello();
            peer.sendHello();
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.PROTOCOL_VIOLATION);
        }
        assertStillServing();
    }

    @Test
    void versionTooOldIsRefused() throws Exception {
        try (RawPeer peer = new RawPeer("127.0.1.10", node.listenAddress(), "it")) {
            peer.sendHello(0, 0);
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.VERSION_TOO_OLD);
        }
        try (RawPeer peer = new RawPeer("127.0.1.11", node.listenAddress(), "it")) {
            peer.sendHello(9, 9); // the peer requires a version we do not speak
            assertThat(disconnectFor(peer).reason()).isEqualTo(DisconnectReason.VERSION_TOO_OLD);
        }
        assertStillServing();
    }

    @Test
    void selfConnectionIsDetectedAndNotRedialed() throws Exception {
        node.dial(node.listenAddress(), false).get();
        Await.until("self connection detected on both ends",
                () -> node.counters().disconnects(DisconnectReason.SELF_CONNECTION) == 2);
        assertThat(node.peers()).containsExactly(good.id());
        assertStillServing();
    }

    @Test
    void nodeOfAnotherNetworkIsRefused() throws Exception {
        Node stranger = net.start(TestNodes.builder("127.0.0.22").network("other").specialPeer(node.listenAddress()));
        // The network id is in the Noise prologue: the handshake itself fails, on both sides.
        Await.until("handshake failed on both sides",
                () -> node.counters().disconnects(DisconnectReason.HANDSHAKE_FAILED) >= 1
                        && stranger.counters().disconnects(DisconnectReason.HANDSHAKE_FAILED) >= 1);
        assertThat(node.peers()).doesNotContain(stranger.id());
        assertStillServing();
    }

    @Test
    void peerThatNeverReadsLosesOldMessagesThenIsDroppedWithoutStallingOthers() throws Exception {
        Node n = net.start(TestNodes.builder("127.0.0.23").sendQueue(96, 2L * (64 << 20) + (1 << 20))
                .writeTimeout(Duration.ofSeconds(1)));
        Node ok = net.start(TestNodes.builder("127.0.0.24").specialPeer(n.listenAddress()));
        List<Message> okReceived = new CopyOnWriteArrayList<>();
        ok.subscribe("bulk", okReceived::add);
        try (RawPeer sink = new RawPeer("127.0.1.12", n.listenAddress(), "it")) {
            sink.socket.setReceiveBufferSize(4096);
            sink.sendHello(); // then never read again
            Await.until("both peers online", () -> n.peers().size() == 2);
            byte[] payload = new byte[16 * 1024];
            // Rounds that fit the good peer's queue: it gets every message, while the slow peer's
            // queue overflows and drops. One slow peer never blocks a send to everyone.
            for (int round = 1; round <= 20; round++) {
                for (int i = 0; i < 20; i++) {
                    assertThat(n.sendToAll("bulk", payload).get()).isBetween(1, 2);
                }
                int expected = round * 20;
                Await.until("good peer received round", () -> okReceived.size() == expected);
            }
            Await.until("slow peer dropped for not reading",
                    () -> n.counters().disconnects(DisconnectReason.WRITE_TIMEOUT) == 1);
            assertThat(n.counters().queueDrops()).isPositive();
        }
    }
}
