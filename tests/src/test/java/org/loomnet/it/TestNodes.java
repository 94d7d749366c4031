package org.loomnet.it;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.loomnet.node.Node;
import org.loomnet.node.NodeId;

/** Builds fast-ticking nodes on loopback and closes them all after a test. */
final class TestNodes implements AutoCloseable {

    final List<Node> nodes = new ArrayList<>();

    /** A builder with short timers, listening on the given loopback host, port 0. */
    static Node.Builder builder(String host) {
        return Node.builder()
                .network("it")
                .listen(host, 0)
                .tickInterval(Duration.ofMillis(50))
                .redial(Duration.ofMillis(200), Duration.ofSeconds(2), 5)
                .closeLinger(Duration.ofMillis(500))
                .dialTimeout(Duration.ofSeconds(2))
                .targetOutgoing(0); // most tests wire their topology by hand; PeersIT turns discovery on
    }

    Node start(Node.Builder b) {
        Node n = b.build();
        nodes.add(n);
        return n.start();
    }

    Node start(String host) {
        return start(builder(host));
    }

    static boolean connected(Node a, NodeId b) {
        return a.peers().contains(b);
    }

    static InetSocketAddress addr(Node n) {
        return n.listenAddress();
    }

    @Override
    public void close() {
        nodes.parallelStream().forEach(Node::close);
    }
}
