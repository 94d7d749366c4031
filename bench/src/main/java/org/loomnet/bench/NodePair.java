package org.loomnet.bench;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Node;

/**
 * Two nodes in this JVM on loopback, {@code a} on 127.0.0.2 and {@code b} on 127.0.0.3, b dialing
 * a as its special peer: one connection between them. Discovery is off (no seeds, no outgoing
 * target, no DHT) so that nothing else shares the machine with the measured traffic.
 */
final class NodePair implements AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

    final Node a;
    final Node b;

    private NodePair(Node a, Node b) {
        this.a = a;
        this.b = b;
    }

    /**
     * Starts both nodes and waits until each has the other online.
     *
     * @param encryption Noise on (the default) or plaintext
     * @param tune       changes to both builders beyond the defaults, or {@code UnaryOperator.identity()}
     * @return the connected pair
     * @throws IllegalStateException if they did not connect within 20 s
     */
    static NodePair start(boolean encryption, UnaryOperator<Node.Builder> tune) throws InterruptedException {
        Node a = tune.apply(builder("127.0.0.2", encryption)).build().start();
        Node b = null;
        try {
            b = tune.apply(builder("127.0.0.3", encryption).specialPeer(a.listenAddress())).build().start();
            long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
            while (!(a.peers().contains(b.id()) && b.peers().contains(a.id()))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the two nodes did not connect within " + CONNECT_TIMEOUT);
                }
                Thread.sleep(5);
            }
            return new NodePair(a, b);
        } catch (RuntimeException | InterruptedException e) {
            a.close();
            if (b != null) {
                b.close();
            }
            throw e;
        }
    }

    private static Node.Builder builder(String host, boolean encryption) {
        return Node.builder()
                .network("bench")
                .listen(host, 0)
                .encryption(encryption)
                .targetOutgoing(0)
                .dht(null);
    }

    /** @return parcels dropped from a's send queue towards b so far */
    long queueDropsAtoB() {
        return a.connections().stream().filter(c -> b.id().equals(c.nodeId()))
                .mapToLong(ConnectionInfo::queueDrops).sum();
    }

    /** @return parcels dropped from b's send queue towards a so far */
    long queueDropsBtoA() {
        return b.connections().stream().filter(c -> a.id().equals(c.nodeId()))
                .mapToLong(ConnectionInfo::queueDrops).sum();
    }

    @Override
    public void close() {
        Thread t = Thread.ofVirtual().start(a::close);
        b.close();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
