package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.loomnet.connection.ConnectionState;
import org.loomnet.connection.Direction;
import org.loomnet.connection.TransportPreamble;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Message;
import org.loomnet.node.Node;
import org.loomnet.node.NodeEvent;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.WireLimits;

/** Redial, duplicates, limits, keep-alive, large messages and shutdown, over real sockets. */
class ConnectionLifecycleIT {

    @Test
    void aSpecialPeerThatIsKilledAndRestartedIsRedialed() {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.4.1");
            InetSocketAddress aAddress = a.listenAddress();
            Node b = net.start(TestNodes.builder("127.0.4.2").specialPeer(aAddress));
            Node c = net.start("127.0.4.3");
            c.dial(aAddress, false); // a regular peer is redialed a bounded number of times
            Await.until("b and c connected to a", () -> b.peers().contains(a.id()) && c.peers().contains(a.id()));

            a.close();
            Await.until("b and c lost a", () -> b.peers().isEmpty() && c.peers().isEmpty());
            Node restarted = net.start(TestNodes.builder("127.0.4.1").listen(aAddress));
            Await.until("b and c redialed the restarted node",
                    () -> b.peers().contains(restarted.id()) && c.peers().contains(restarted.id()));
        }
    }

    @Test
    void ofTwoConnectionsBetweenTheSamePairExactlyOneSurvivesOnBothSides() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.5.1");
            Node b = net.start("127.0.5.2");
            List<NodeEvent> eventsAtA = new CopyOnWriteArrayList<>();
            a.onEvent(eventsAtA::add);
            // Both dial each other as special peers, at once.
            a.dial(b.listenAddress(), true);
            b.dial(a.listenAddress(), true);
            Await.until("one online connection each, nothing else open",
                    () -> settled(a) && settled(b) && a.peers().contains(b.id()) && b.peers().contains(a.id()));
            ConnectionInfo atA = a.connections().get(0);
            ConnectionInfo atB = b.connections().get(0);
            // The same TCP connection on both sides: opposite directions, matching ports.
            assertThat(atA.direction()).isNotEqualTo(atB.direction());
            ConnectionInfo outbound = atA.direction() == Direction.OUTBOUND ? atA : atB;
            ConnectionInfo inbound = outbound == atA ? atB : atA;
            assertThat(inbound.remoteAddress().getPort()).isNotEqualTo(0);
            // The survivor was dialed by the node with the smaller nonce (= id).
            Node dialer = outbound == atA ? a : b;
            Node other = dialer == a ? b : a;
            assertThat(dialer.id().compareTo(other.id())).isNegative();

            // And it stays that way: the losing dial target is not redialed while the pair is connected.
            long before = a.counters().disconnects(DisconnectReason.DUPLICATE_CONNECTION)
                    + b.counters().disconnects(DisconnectReason.DUPLICATE_CONNECTION);
            // Observe 30 timer rounds on both nodes (each checks for due dials): at 50 ms a tick that is
            // well past several redial delays (200 ms), however loaded the machine.
            long ticksA = a.counters().ticks();
            long ticksB = b.counters().ticks();
            Await.until("30 timer rounds on both nodes",
                    () -> a.counters().ticks() >= ticksA + 30 && b.counters().ticks() >= ticksB + 30);
            long after = a.counters().disconnects(DisconnectReason.DUPLICATE_CONNECTION)
                    + b.counters().disconnects(DisconnectReason.DUPLICATE_CONNECTION);
            assertThat(after).isEqualTo(before);
            assertThat(a.connections()).hasSize(1);
            // Every Connected the application saw is matched by one Disconnected, but the survivor's.
            long connected = eventsAtA.stream().filter(e -> e instanceof NodeEvent.Connected).count();
            long disconnected = eventsAtA.stream().filter(e -> e instanceof NodeEvent.Disconnected).count();
            assertThat(connected - disconnected).isEqualTo(1);
        }
    }

    private static boolean settled(Node n) {
        List<ConnectionInfo> cs = n.connections();
        return cs.size() == 1 && cs.get(0).state() == ConnectionState.ONLINE;
    }

    @Test
    void incomingConnectionsOverTheLimitGetADisconnectWithTheReason() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node node = net.start(TestNodes.builder("127.0.6.1").maxIncoming(2));
            Node p1 = net.start(TestNodes.builder("127.0.6.2").specialPeer(node.listenAddress()));
            Node p2 = net.start(TestNodes.builder("127.0.6.3").specialPeer(node.listenAddress()));
            Await.until("two peers in", () -> node.peers().size() == 2);
            // Refused before any handshake: the REFUSED preamble, then a plaintext DISCONNECT with the reason.
            assertThatThrownBy(() -> new RawPeer("127.0.6.4", node.listenAddress(), "it"))
                    .isInstanceOfSatisfying(TransportPreamble.RefusedException.class, e -> assertThat(
                            e.goodbye().reason()).isEqualTo(DisconnectReason.TOO_MANY_INCOMING));
            // A real node refused the same way records the peer's reason.
            Node fourth = net.start(TestNodes.builder("127.0.6.5").specialPeer(node.listenAddress()));
            Await.until("fourth node told why", () -> fourth.counters().disconnects(DisconnectReason.TOO_MANY_INCOMING) >= 1);
            assertThat(node.counters().refused()).isGreaterThanOrEqualTo(2);
            assertThat(node.peers()).containsExactlyInAnyOrder(p1.id(), p2.id());
        }
    }

    @Test
    void idleConnectionsAreKeptAliveByPingsAndMeasureRoundTrips() {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start(TestNodes.builder("127.0.7.1").keepAlive(Duration.ofMillis(100), Duration.ofMillis(600)));
            Node b = net.start(TestNodes.builder("127.0.7.2").keepAlive(Duration.ofMillis(100), Duration.ofMillis(600))
                    .specialPeer(a.listenAddress()));
            Await.until("connected", () -> a.peers().contains(b.id()));
            long connectionId = a.connections().get(0).id();
            // Many idle timeouts' worth of pings arrive; the same connection stays up.
            Await.until("20 pings received", () -> a.connections().get(0).parcelsReceived() >= 20);
            assertThat(a.connections()).singleElement().satisfies(c -> {
                assertThat(c.id()).isEqualTo(connectionId);
                assertThat(c.rtt()).isNotNull().isPositive();
            });
            assertThat(a.counters().disconnects(DisconnectReason.IDLE_TIMEOUT)).isZero();
        }
    }

    @Test
    void aPeerThatSendsNothingAfterHelloIsDroppedAsIdle() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start(TestNodes.builder("127.0.7.3").keepAlive(Duration.ofMillis(100), Duration.ofMillis(600)));
            try (RawPeer peer = new RawPeer("127.0.7.4", a.listenAddress(), "it")) {
                peer.sendHello();
                assertThat(peer.awaitDisconnect().reason()).isEqualTo(DisconnectReason.IDLE_TIMEOUT);
            }
        }
    }

    @Test
    void aFrameThatStallsHalfwayIsDroppedAfterTheFrameTimeout() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start(TestNodes.builder("127.0.7.5").frameTimeout(Duration.ofMillis(500)));
            try (RawPeer peer = new RawPeer("127.0.7.6", a.listenAddress(), "it")) {
                peer.sendHello();
                byte[] header = peer.header(6, 0, 100, 0, 0, 1, 1);
                peer.write(java.util.Arrays.copyOf(header, 10)); // slowloris: a third of a header, then silence
                assertThat(peer.awaitDisconnect().reason()).isEqualTo(DisconnectReason.READ_TIMEOUT);
            }
        }
    }

    @Test
    void largeMessagesAreSplitAndJoinedAcrossTheNetwork() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.8.1");
            Node b = net.start(TestNodes.builder("127.0.8.2").specialPeer(a.listenAddress()));
            List<Message> atB = new CopyOnWriteArrayList<>();
            b.subscribe("blob", atB::add);
            Await.until("connected", () -> a.peers().contains(b.id()));
            byte[] blob = new byte[5 * 1024 * 1024 + 123]; // six parts at the default 1 MiB frame
            new Random(7).nextBytes(blob);
            assertThat(a.send(b.id(), "blob", blob).get()).isEqualTo(1);
            Await.until("blob arrived", () -> atB.size() == 1);
            assertThat(atB.get(0).payload()).isEqualTo(blob);

            byte[] tooLarge = new byte[WireLimits.DEFAULT_MAX_MESSAGE + 1];
            assertThatThrownBy(() -> a.send(b.id(), "blob", tooLarge)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("over the limit");
        }
    }

    @Test
    void closeSendsShutdownToEveryPeerAndReturnsPromptly() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.9.1");
            List<NodeEvent> atA = new CopyOnWriteArrayList<>();
            a.onEvent(atA::add);
            Node b = net.start(TestNodes.builder("127.0.9.2").specialPeer(a.listenAddress()));
            Node c = net.start(TestNodes.builder("127.0.9.3").specialPeer(a.listenAddress()));
            List<NodeEvent> atB = new CopyOnWriteArrayList<>();
            CountDownLatch bDisconnected = new CountDownLatch(1);
            b.onEvent(e -> {
                atB.add(e);
                if (e instanceof NodeEvent.Disconnected) {
                    bDisconnected.countDown();
                }
            });
            Await.until("connected", () -> a.peers().size() == 2);
            Await.until("a's handler saw both connect", () -> atA.size() == 2);
            assertTimeoutPreemptively(Duration.ofSeconds(10), a::close);
            // close() hands the last events to a's own handler before stopping it
            assertThat(atA).filteredOn(e -> e instanceof NodeEvent.Disconnected).hasSize(2)
                    .allSatisfy(e -> assertThat(((NodeEvent.Disconnected) e).why().reason())
                            .isEqualTo(DisconnectReason.SHUTDOWN));
            assertThat(bDisconnected.await(20, TimeUnit.SECONDS)).isTrue();
            NodeEvent.Disconnected d = (NodeEvent.Disconnected) atB.stream()
                    .filter(e -> e instanceof NodeEvent.Disconnected).findFirst().orElseThrow();
            assertThat(d.why().reason()).isEqualTo(DisconnectReason.SHUTDOWN);
            assertThat(d.why().byRemote()).isTrue();
            Await.until("c saw it too", () -> c.counters().disconnects(DisconnectReason.SHUTDOWN) == 1);
            assertThat(a.connections()).isEmpty();
            assertThatThrownBy(() -> a.broadcast("x", new byte[0]).join())
                    .hasCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        }
    }
}
