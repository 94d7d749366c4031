package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.loomnet.connection.CloseInfo;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Node;
import org.loomnet.node.NodeEvent;
import org.loomnet.wire.DisconnectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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

    /** The node {@code node ARGS} would run, built as {@link Main#call()} builds it, not yet started. */
    private Node daemonNode(String... args) {
        return Main.parse(args).build(LoggerFactory.getLogger(MainNodeTest.class));
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
}
