package org.loomnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.loomnet.connection.ParcelTraffic;
import org.loomnet.wire.MessageSplitter;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.WireLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node-wide counters by parcel type and the handshake histogram, on two real nodes over loopback. */
class NodeTrafficTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<Node> nodes = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
    }

    /** Only the special peer, no pings during the test: the parcels on the wire are exactly the ones we cause. */
    private Node node(String host, Node peer) {
        Node.Builder b = Node.builder().network("traffic-test").listen(host, 0).dataDir(null)
                .exclusive(true, false).keepAlive(Duration.ofHours(1), Duration.ofHours(2));
        if (peer != null) {
            b.specialPeer(peer.listenAddress());
        }
        Node n = b.build();
        nodes.add(n);
        return n.start();
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

    private static long wireBytes(List<Parcel> parcels) {
        return parcels.stream().mapToLong(Parcel::wireSize).sum();
    }

    @Test
    void perTypeCountersMatchTheParcelsEachSideSent() throws Exception {
        Node b = node("127.0.0.2", null);
        Node a = node("127.0.0.3", b);
        AtomicInteger delivered = new AtomicInteger();
        b.subscribe("count", m -> delivered.incrementAndGet());
        await(() -> a.peers().contains(b.id()) && b.peers().contains(a.id()), "both sides are online");

        // 20 small messages and one big enough to be split into parts.
        int small = 20;
        byte[] big = new byte[WireLimits.DEFAULT_MAX_FRAME * 2 + 100];
        long messageBytes = 0;
        for (int i = 0; i < small; i++) {
            byte[] payload = ("message " + i).getBytes();
            messageBytes += wireBytes(MessageSplitter.split(0, "count", payload, WireLimits.DEFAULTS));
            assertThat(a.send(b.id(), "count", payload).get()).isEqualTo(1);
        }
        List<Parcel> parts = MessageSplitter.split(0, "count", big, WireLimits.DEFAULTS);
        assertThat(parts).hasSizeGreaterThan(1).allMatch(p -> p.type() == ParcelType.MESSAGE_PART);
        assertThat(a.send(b.id(), "count", big).get()).isEqualTo(1);
        await(() -> delivered.get() == small + 1, "every message is delivered");

        ParcelTraffic sent = a.counters().traffic();
        ParcelTraffic received = b.counters().traffic();
        await(() -> sent.parcelsSent(ParcelType.MESSAGE_PART) == parts.size()
                && received.parcelsReceived(ParcelType.PEER_REQUEST) == 1
                && sent.parcelsReceived(ParcelType.PEER_RESPONSE) == 1, "the sender has counted its last write");

        assertThat(sent.parcelsSent(ParcelType.MESSAGE)).isEqualTo(small);
        assertThat(received.parcelsReceived(ParcelType.MESSAGE)).isEqualTo(small);
        assertThat(sent.bytesSent(ParcelType.MESSAGE)).isEqualTo(messageBytes);
        assertThat(received.bytesReceived(ParcelType.MESSAGE)).isEqualTo(messageBytes);
        assertThat(received.parcelsReceived(ParcelType.MESSAGE_PART)).isEqualTo(parts.size());
        assertThat(sent.bytesSent(ParcelType.MESSAGE_PART)).isEqualTo(wireBytes(parts));
        assertThat(received.bytesReceived(ParcelType.MESSAGE_PART)).isEqualTo(wireBytes(parts));
        // Nothing flowed the other way.
        assertThat(received.parcelsSent(ParcelType.MESSAGE) + received.parcelsSent(ParcelType.MESSAGE_PART)).isZero();
        assertThat(sent.parcelsReceived(ParcelType.MESSAGE)).isZero();

        // One HELLO each way; the dialer asked for peers once and got one answer.
        for (ParcelTraffic t : List.of(sent, received)) {
            assertThat(t.parcelsSent(ParcelType.HELLO)).isEqualTo(1);
            assertThat(t.parcelsReceived(ParcelType.HELLO)).isEqualTo(1);
        }
        assertThat(sent.parcelsSent(ParcelType.PEER_REQUEST)).isEqualTo(1);
        await(() -> received.parcelsSent(ParcelType.PEER_RESPONSE) == 1, "the answer is counted as sent");
        assertThat(sent.bytesReceived(ParcelType.PEER_RESPONSE)).isEqualTo(received.bytesSent(ParcelType.PEER_RESPONSE));

        // The node-wide counters by type add up to the connection's own totals.
        ConnectionInfo c = a.connections().get(0);
        long parcelsOut = 0;
        long bytesOut = 0;
        for (ParcelType t : ParcelType.values()) {
            parcelsOut += sent.parcelsSent(t);
            bytesOut += sent.bytesSent(t);
        }
        assertThat(c.parcelsSent()).isEqualTo(parcelsOut);
        assertThat(c.bytesSent()).isEqualTo(bytesOut);
        assertThat(c.messagesSent()).isEqualTo(small + 1);
    }

    @Test
    void eachSuccessfulHandshakeIsTimedOnBothSides() throws Exception {
        Node b = node("127.0.0.4", null);
        Node a = node("127.0.0.5", b);
        await(() -> a.peers().contains(b.id()) && b.peers().contains(a.id()), "both sides are online");
        for (Node n : List.of(a, b)) {
            DurationHistogram.Snapshot s = n.counters().handshakeDurations().snapshot();
            assertThat(s.count()).isEqualTo(1);
            assertThat(s.sumSeconds()).isPositive().isLessThan(TIMEOUT.toSeconds());
            assertThat(s.cumulativeCount(s.upperBounds().length)).isEqualTo(1);
        }
    }

    @Test
    void theAddressBookSizesArePublished() throws Exception {
        Node b = node("127.0.0.6", null);
        Node a = node("127.0.0.7", b);
        // a's special peer is a special entry in its book; published at the start and every tick.
        await(() -> a.counters().addressBookSpecial() == 1, "the special entry is published");
        assertThat(a.counters().addressBookBans()).isZero();
        a.banAddress(java.net.InetAddress.getByName("127.0.0.99"), null).get();
        await(() -> a.counters().addressBookBans() == 1, "the ban is published at the next tick");
    }
}
