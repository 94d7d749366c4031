package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomnet.connection.ConnectionState;
import org.loomnet.connection.Direction;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Node;
import org.loomnet.peers.AddressBook;
import org.loomnet.wire.DisconnectReason;

/** Discovery, bans and the address book over real sockets, with nodes in distinct network groups. */
class PeersIT {

    private static Node.Builder discovering(String host, int target) {
        return TestNodes.builder(host).targetOutgoing(target).peerExchange(Duration.ofMillis(200), 32);
    }

    @Test
    void aNodeThatKnowsOneSeedFindsTheNetworkAndReachesItsTargetAcrossDistinctGroups() {
        try (TestNodes net = new TestNodes()) {
            Node seed = net.start(discovering("127.10.0.1", 8));
            for (int g = 1; g <= 6; g++) {
                net.start(discovering("127." + g + ".0.1", 0).specialPeer(seed.listenAddress()));
            }
            // The seed dials back the addresses its peers announced, so it can vouch for them.
            Await.until("seed reached its peers", () -> seed.addressBook().join().stream()
                    .filter(e -> e.lastSuccess() > 0 && !e.special()).count() >= 6);

            Node newcomer = net.start(discovering("127.20.0.1", 4).specialPeer(seed.listenAddress()));
            Await.until("newcomer has 4 outgoing connections from peer exchange",
                    () -> outgoingRegular(newcomer).size() >= 4);
            List<ConnectionInfo> out = outgoingRegular(newcomer);
            Set<String> groups = out.stream().map(c -> AddressBook.groupOf(c.remoteAddress().getAddress()))
                    .collect(Collectors.toSet());
            assertThat(groups).as("one outgoing connection per network group").hasSize(out.size());
            assertThat(newcomer.counters().peersLearned()).isGreaterThanOrEqualTo(4);
        }
    }

    private static List<ConnectionInfo> outgoingRegular(Node n) {
        return n.connections().stream().filter(c -> c.direction() == Direction.OUTBOUND && !c.special()
                && c.state() == ConnectionState.ONLINE).toList();
    }

    @Test
    void aBannedPeerCannotReconnectAlsoAfterTheBanningNodeRestarts(@TempDir Path dir) throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start(TestNodes.builder("127.21.0.1").dataDir(dir));
            InetSocketAddress aAddress = a.listenAddress();
            Node b = net.start(TestNodes.builder("127.22.0.1").specialPeer(aAddress));
            Await.until("connected", () -> a.peers().contains(b.id()));

            assertThat(a.ban(b.id(), Duration.ofHours(1)).get()).isEqualTo(1);
            Await.until("b told it is banned", () -> b.counters().disconnects(DisconnectReason.BANNED) >= 1);
            long refusalsBefore = b.counters().disconnects(DisconnectReason.BANNED);
            Await.until("b's redials are refused too",
                    () -> b.counters().disconnects(DisconnectReason.BANNED) > refusalsBefore);
            assertThat(a.peers()).doesNotContain(b.id());

            a.close();
            Node restarted = net.start(TestNodes.builder("127.21.0.1").listen(aAddress).dataDir(dir));
            long beforeRestart = b.counters().disconnects(DisconnectReason.BANNED);
            Await.until("still refused after the restart",
                    () -> b.counters().disconnects(DisconnectReason.BANNED) > beforeRestart);
            assertThat(restarted.peers()).doesNotContain(b.id());

            // A ban by address refuses at accept, before any handshake.
            assertThat(restarted.banAddress(InetAddress.getByName("127.23.0.1"), null).get()).isZero();
            Node c = net.start(TestNodes.builder("127.23.0.1").specialPeer(aAddress));
            Await.until("c refused by address", () -> c.counters().disconnects(DisconnectReason.BANNED) >= 1);
            assertThat(restarted.peers()).isEmpty();
        }
    }

    @Test
    void aCorruptBookGivesAWarningAndAWorkingNodeAndIsKeptAside(@TempDir Path dir) throws Exception {
        Path book = dir.resolve(Node.BOOK_FILE);
        Files.writeString(book, "{\"version\": 1, \"entries\": [ {broken");
        try (TestNodes net = new TestNodes()) {
            Node a = net.start(TestNodes.builder("127.24.0.1").dataDir(dir));
            Node b = net.start(TestNodes.builder("127.24.0.2").specialPeer(a.listenAddress()));
            Await.until("the node works", () -> a.peers().contains(b.id()));
        }
        List<Path> aside;
        try (var files = Files.list(dir)) {
            aside = files.filter(p -> p.getFileName().toString().startsWith(Node.BOOK_FILE + ".corrupt-")).toList();
        }
        assertThat(aside).hasSize(1);
        assertThat(Files.readString(aside.get(0))).isEqualTo("{\"version\": 1, \"entries\": [ {broken");
        assertThat(Files.readString(book)).startsWith("{"); // a fresh book was saved at close
    }

    @Test
    void aCrashDuringASaveLosesNothing(@TempDir Path dir) throws Exception {
        InetSocketAddress bAddress;
        try (TestNodes net = new TestNodes()) {
            Node b = net.start("127.25.0.2");
            bAddress = b.listenAddress();
            Node a = net.start(TestNodes.builder("127.25.0.1").dataDir(dir));
            a.dial(bAddress, false); // a regular peer: it goes into the tried table
            Await.until("connected", () -> a.peers().contains(b.id()));
        } // a saves its book at close
        // A crash in the middle of the next save leaves a half-written temp file next to the book.
        Files.writeString(dir.resolve(Node.BOOK_FILE + ".tmp"), "{\"version\": 1, \"entr");
        try (TestNodes net = new TestNodes()) {
            Node a = net.start(TestNodes.builder("127.25.0.1").dataDir(dir));
            assertThat(a.addressBook().get()).anySatisfy(e -> {
                assertThat(e.address()).isEqualTo(bAddress);
                assertThat(e.lastSuccess()).isPositive();
            });
        }
    }

    @Test
    void aNodeRefusedForBeingOverTheLimitLearnsAlternativesAndConnectsElsewhere() {
        try (TestNodes net = new TestNodes()) {
            Node p = net.start("127.26.0.1");
            Node full = net.start(TestNodes.builder("127.27.0.1").maxIncoming(1));
            full.dial(p.listenAddress(), false); // a regular peer: special peers are never shared
            Node q = net.start(TestNodes.builder("127.28.0.1").specialPeer(full.listenAddress()));
            Await.until("full has its one incoming peer and has reached p",
                    () -> full.peers().contains(q.id()) && full.peers().contains(p.id()));

            Node newcomer = net.start(discovering("127.29.0.1", 2));
            newcomer.dial(full.listenAddress(), false);
            Await.until("newcomer refused", () -> newcomer.counters().disconnects(DisconnectReason.TOO_MANY_INCOMING) >= 1);
            Await.until("newcomer connected to the alternative it was given", () -> newcomer.peers().contains(p.id()));
            assertThat(newcomer.peers()).doesNotContain(full.id());
        }
    }

    @Test
    void aPeerThatBreaksTheProtocolLeavesAPenaltyOnItsAddress() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node node = net.start("127.37.0.1");
            try (RawPeer raw = new RawPeer("127.37.0.9", node.listenAddress(), "it")) {
                raw.sendHello(org.loomnet.wire.ParcelWriter.PROTOCOL_VERSION, org.loomnet.wire.ParcelWriter.MIN_PROTOCOL_VERSION, 7777);
                raw.write(raw.header(200, 0, 0, 0, 0, 1, 1)); // no such parcel type
                assertThat(raw.awaitDisconnect().reason()).isEqualTo(DisconnectReason.UNKNOWN_PARCEL_TYPE);
            }
            InetSocketAddress announced = new InetSocketAddress("127.37.0.9", 7777);
            Await.until("penalty recorded", () -> node.addressBook().join().stream()
                    .anyMatch(e -> e.address().equals(announced) && e.quality() == -100));
        }
    }

    @Test
    void aDeadAddressIsNotRetriedBeforeItsBackoffDelay() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.38.0.1"))) {
            deadPort = s.getLocalPort(); // free it: nothing listens there any more
        }
        try (TestNodes net = new TestNodes()) {
            Node node = net.start(discovering("127.39.0.1", 1).dnsSeed("127.38.0.1:" + deadPort));
            InetSocketAddress dead = new InetSocketAddress("127.38.0.1", deadPort);
            Await.until("one failed attempt", () -> node.addressBook().join().stream()
                    .anyMatch(e -> e.address().equals(dead) && e.failures() == 1));
            var entry = node.addressBook().get().stream().filter(e -> e.address().equals(dead)).findFirst().orElseThrow();
            // Skycoin's (2^n - 1) * 5 s for n = 1, with +-20% jitter: the next try is 4 to 6 s away.
            assertThat(entry.nextAttemptAt() - entry.lastAttempt()).isBetween(4_000L, 6_000L);
            assertThat(entry.failures()).isEqualTo(1);
        }
    }

    @Test
    void aRepeatOffenderIsBannedByAddress() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node node = net.start(TestNodes.builder("127.42.0.1").incomingPerAddress(3, 100));
            for (int i = 0; i < 6; i++) {
                try (RawPeer raw = new RawPeer("127.42.0.9", node.listenAddress(), "it")) {
                    raw.sendHello(org.loomnet.wire.ParcelWriter.PROTOCOL_VERSION,
                            org.loomnet.wire.ParcelWriter.MIN_PROTOCOL_VERSION, 7777);
                    raw.write(raw.header(200, 0, 0, 0, 0, 1, 1)); // no such parcel type
                    assertThat(raw.awaitDisconnect().reason()).isEqualTo(DisconnectReason.UNKNOWN_PARCEL_TYPE);
                }
                int done = i + 1;
                Await.until("violation " + done + " recorded",
                        () -> node.counters().disconnects(DisconnectReason.UNKNOWN_PARCEL_TYPE) == done);
            }
            // -100 each: below -500 after six, and the address is banned before any handshake.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RawPeer("127.42.0.9", node.listenAddress(), "it"))
                    .isInstanceOfSatisfying(org.loomnet.connection.TransportPreamble.RefusedException.class,
                            e -> assertThat(e.goodbye().reason()).isEqualTo(DisconnectReason.BANNED));
        }
    }
}
