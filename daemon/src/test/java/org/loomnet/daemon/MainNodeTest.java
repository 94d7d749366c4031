package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.loomnet.connection.CloseInfo;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Node;
import org.loomnet.node.NodeEvent;
import org.loomnet.node.NodeId;
import org.loomnet.wire.DisconnectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The node the command line builds, started in-process on loopback, talking to a plain core node. */
class MainNodeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<Node> nodes = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(Node::close);
    }

    private Node started(Node node) {
        nodes.add(node);
        return node.start();
    }

    /** What the daemon reported while building its nodes, as "LEVEL text". */
    private final List<String> reported = new CopyOnWriteArrayList<>();

    /** The node {@code node ARGS} would run, built as {@link Main#call()} builds it, not yet started. */
    private Node daemonNode(String... args) {
        return Main.parse(args).build((level, message) -> {
            reported.add(level + " " + message);
            LoggerFactory.getLogger(MainNodeTest.class).atLevel(level).log(message);
        });
    }

    private static String hostPort(Node node) {
        return HostPort.format(node.listenAddress());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aCoreNodeConnectsToTheDaemonsNode() throws Exception {
        Node daemon = started(daemonNode("--host", "127.0.0.1", "--port", "0", "--network", "daemon-test",
                "--name", "daemon-under-test"));
        List<NodeEvent> events = new CopyOnWriteArrayList<>();
        Node peer = Node.builder().network("daemon-test").listen("127.0.0.1", 0)
                .specialPeer(daemon.listenAddress()).build();
        peer.onEvent(events::add);
        started(peer);

        await(() -> daemon.peers().contains(peer.id()) && peer.peers().contains(daemon.id()), "both sides are online");
        ConnectionInfo seen = peer.connections().get(0);
        assertThat(seen.nodeName()).isEqualTo("daemon-under-test");
        assertThat(seen.remoteAddress()).isEqualTo(daemon.listenAddress());

        // What the shutdown hook does: the peer is told why.
        daemon.close();
        await(() -> events.stream().anyMatch(e -> e instanceof NodeEvent.Disconnected), "the peer sees the disconnect");
        CloseInfo why = events.stream().filter(e -> e instanceof NodeEvent.Disconnected)
                .map(e -> ((NodeEvent.Disconnected) e).why()).findFirst().orElseThrow();
        assertThat(why.reason()).isEqualTo(DisconnectReason.SHUTDOWN);
        assertThat(why.byRemote()).isTrue();
    }

    @Test
    void theDaemonsNodeDialsItsPeersFlag() throws Exception {
        Node peer = started(Node.builder().network("daemon-test").listen("127.0.0.1", 0).build());
        Node daemon = started(daemonNode("--host", "127.0.0.1", "--port", "0", "--network", "daemon-test",
                "--peers", HostPort.format(peer.listenAddress())));

        await(() -> daemon.peers().contains(peer.id()) && peer.peers().contains(daemon.id()), "both sides are online");
        assertThat(daemon.connections()).singleElement().satisfies(c -> assertThat(c.special()).isTrue());
    }

    @Test
    void twoDaemonNodesWithTheirOwnDataDirsConnectEncryptedAndKnowEachOthersId(@TempDir Path dirA, @TempDir Path dirB)
            throws Exception {
        Node a = started(daemonNode("--host", "127.0.3.1", "--port", "0", "--network", "daemon-test",
                "--data-dir", dirA.toString(), "--name", "a"));
        // b pins a: it must prove the id the operator copied from a's log.
        Node b = started(daemonNode("--host", "127.0.3.2", "--port", "0", "--network", "daemon-test",
                "--data-dir", dirB.toString(), "--peers", a.id() + "@" + hostPort(a)));

        await(() -> a.peers().contains(b.id()) && b.peers().contains(a.id()), "both sides are online");
        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(a.id().toString()).matches("[0-9a-f]{40}");
        assertThat(a.config().encryption()).isTrue();
        ConnectionInfo atA = a.connections().get(0);
        ConnectionInfo atB = b.connections().get(0);
        assertThat(atA.nodeId()).isEqualTo(b.id());
        assertThat(atB.nodeId()).isEqualTo(a.id());
        assertThat(atA.authenticated()).isTrue(); // the id was proven by the Noise handshake
        assertThat(atB.authenticated()).isTrue();
        assertThat(atB.special()).isTrue();
        assertThat(atB.nodeName()).isEqualTo("a");
        // Each key is where --data-dir said, and the daemon said so.
        assertThat(dirA.resolve("node.key")).isRegularFile();
        assertThat(dirB.resolve("node.key")).isRegularFile();
        assertThat(reported).contains("INFO new node key written to " + dirA.resolve("node.key"),
                "INFO new node key written to " + dirB.resolve("node.key"));
    }

    @Test
    void theSameDataDirGivesTheSameNodeIdAcrossRestarts(@TempDir Path dir) throws Exception {
        Node first = started(daemonNode("--host", "127.0.3.3", "--port", "0", "--data-dir", dir.toString()));
        NodeId id = first.id();
        first.close();

        Path key = dir.resolve("node.key");
        String saved = Files.readString(key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

        // Another start, another port, another network: the key decides the id.
        Node again = started(daemonNode("--host", "127.0.3.3", "--port", "0", "--network", "other",
                "--data-dir", dir.toString()));
        assertThat(again.id()).isEqualTo(id);
        assertThat(Files.readString(key)).isEqualTo(saved);
        assertThat(reported).containsSubsequence("INFO new node key written to " + key, "INFO node key loaded from " + key);

        // A node with a key of its own is another node.
        Node other = started(daemonNode("--host", "127.0.3.4", "--port", "0", "--data-dir", dir.resolve("b").toString()));
        assertThat(other.id()).isNotEqualTo(id);
    }

    @Test
    void aPlaintextNodeConnectsToAnotherPlaintextNode() throws Exception {
        Node a = started(daemonNode("--host", "127.0.3.5", "--port", "0", "--network", "daemon-test", "--plaintext"));
        Node b = started(daemonNode("--host", "127.0.3.6", "--port", "0", "--network", "daemon-test", "--plaintext",
                "--peers", hostPort(a)));

        await(() -> a.peers().contains(b.id()) && b.peers().contains(a.id()), "both sides are online");
        assertThat(a.config().encryption()).isFalse();
        assertThat(b.connections().get(0).authenticated()).isFalse(); // ids are only claimed
        assertThat(reported).anySatisfy(m -> assertThat(m).startsWith("WARN encryption is off (--plaintext)"));
    }

    @Test
    void aPlaintextNodeAndAnEncryptedNodeRefuseEachOther() throws Exception {
        Node encrypted = started(daemonNode("--host", "127.0.3.7", "--port", "0", "--network", "daemon-test"));
        Node plain = started(daemonNode("--host", "127.0.3.8", "--port", "0", "--network", "daemon-test", "--plaintext",
                "--peers", hostPort(encrypted)));

        await(() -> plain.counters().disconnects(DisconnectReason.TRANSPORT_MISMATCH) >= 1
                && encrypted.counters().disconnects(DisconnectReason.TRANSPORT_MISMATCH) >= 1, "both sides refused");
        assertThat(plain.peers()).isEmpty();
        assertThat(encrypted.peers()).isEmpty();
    }

    @Test
    void aPinnedPeerWithAnotherIdIsRefused() throws Exception {
        Node a = started(daemonNode("--host", "127.0.3.9", "--port", "0", "--network", "daemon-test"));
        String wrongId = "0123456789abcdef0123456789abcdef01234567";
        Node b = started(daemonNode("--host", "127.0.3.10", "--port", "0", "--network", "daemon-test",
                "--peers", wrongId + "@" + hostPort(a)));

        await(() -> b.counters().disconnects(DisconnectReason.PEER_ID_MISMATCH) >= 1, "b refused a");
        assertThat(b.peers()).isEmpty();
        assertThat(a.peers()).doesNotContain(b.id());
    }
}
