package org.loomnet.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.loomnet.connection.CloseInfo;
import org.loomnet.it.FaultProxy.Fault;
import org.loomnet.it.FaultProxy.Flow;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Node;
import org.loomnet.node.NodeConfig;
import org.loomnet.node.NodeEvent;
import org.loomnet.peers.PeerEntry;
import org.loomnet.wire.DisconnectReason;

/**
 * Network faults between real nodes: every connection under test runs through a {@link FaultProxy},
 * and the nodes' timers are lowered so that each fault resolves in a few seconds.
 *
 * <p>Each test injects one fault and checks what docs/robustness.md ("Network faults") promises:
 * which side notices, by which timer and with which reason; what happened to the messages sent
 * during the fault (delivered, or lost, and whether anything counts them); that after the fault
 * the special peer is redialed and a new message arrives; and that no thread of a dead connection
 * is left behind. A {@link Watchdog} dumps every thread if a test hangs, and after each test every
 * node and proxy thread it started must be gone.
 *
 * <p>Addresses: test {@code t} uses 127.40.t.x, nodes at .1 to .6, proxies from .9 on.
 */
class NetworkFaultsIT {

    @RegisterExtension
    final Watchdog watchdog = new Watchdog(Duration.ofSeconds(60));

    /** Pings keep a healthy link busy well inside the idle timeout, even on a loaded machine. */
    static final Duration PING = Duration.ofMillis(300);
    static final Duration IDLE = Duration.ofSeconds(3);
    static final Duration HANDSHAKE = Duration.ofSeconds(2);
    /** Shorter than the idle timeout, so a peer that stops reading is caught by the writer's timer. */
    static final Duration WRITE = Duration.ofSeconds(1);
    static final String TYPE = "fault";

    /** {@link TestNodes#builder} (50 ms ticks, 500 ms linger) with every timer a fault can trip lowered. */
    static Node.Builder builder(String host) {
        return TestNodes.builder(host)
                .keepAlive(PING, IDLE)
                .handshakeTimeout(HANDSHAKE)
                .writeTimeout(WRITE)
                .frameTimeout(Duration.ofSeconds(2))
                .redial(Duration.ofMillis(200), Duration.ofSeconds(1), 5);
    }

    private static String host(int test, int n) {
        return "127.40." + test + "." + n;
    }

    // ---- no thread left behind ------------------------------------------------------------------

    /** Threads every node has, whose names carry no address: their number must come back down. */
    private static final Predicate<String> NODE_THREAD = n -> n.equals("processing") || n.equals("ticker")
            || n.equals("events") || n.startsWith("subscriber-") || n.startsWith("acceptor-");
    private long nodeThreadsBefore;

    @BeforeEach
    void countThreads() {
        nodeThreadsBefore = ThreadCensus.allNames().stream().filter(NODE_THREAD).count();
    }

    @AfterEach
    void noThreadLeft() {
        // Connection, dial, refusal and proxy threads are named after 127.40.x.y addresses.
        awaitThreads("every thread of the test's nodes and proxies ended",
                names -> names.stream().noneMatch(n -> n.contains("127.40."))
                        && names.stream().filter(NODE_THREAD).count() <= nodeThreadsBefore);
    }

    private static void awaitThreads(String what, Predicate<List<String>> ok) {
        try {
            Await.until(what, () -> ok.test(ThreadCensus.allNames()));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; threads now: " + ThreadCensus.allNames(), e);
        }
    }

    /**
     * Waits until the connection threads through the proxy are those of {@code live} connections:
     * a reader and a writer on each side (the dialer's are named after the proxy's listen address,
     * the target's after the proxy's address and its source port). A reader or writer of a dead
     * connection that did not end would stay in this count.
     */
    private static void awaitOnlyLiveConnectionThreads(FaultProxy proxy, int live) {
        String prefix = "conn-" + proxy.address().getAddress().getHostAddress() + ":";
        awaitThreads("threads of " + live + " live connection(s) through " + proxy.address() + ", none of dead ones",
                names -> names.stream().filter(n -> n.startsWith(prefix)).count() == 4L * live);
    }

    // ---- two nodes through one proxy ------------------------------------------------------------

    /**
     * Node a dials node b as a special peer through a proxy. b keeps the label of every message it
     * receives; both keep the reason of every connection they lose.
     */
    private static final class Pair implements AutoCloseable {
        final Node a;
        final Node b;
        final FaultProxy proxy;
        final List<String> atB = new CopyOnWriteArrayList<>();
        final List<CloseInfo> lostAtA = new CopyOnWriteArrayList<>();
        final List<CloseInfo> lostAtB = new CopyOnWriteArrayList<>();

        Pair(TestNodes net, int test, Node.Builder forA, Node.Builder forB) throws Exception {
            b = net.start(forB);
            b.subscribe(TYPE, m -> atB.add(label(m.payload())));
            b.onEvent(e -> record(e, lostAtB));
            proxy = new FaultProxy(host(test, 9), b.listenAddress());
            a = net.start(forA.specialPeer(proxy.address()));
            a.onEvent(e -> record(e, lostAtA));
            awaitConnected();
        }

        Pair(TestNodes net, int test) throws Exception {
            this(net, test, builder(host(test, 1)), builder(host(test, 2)));
        }

        private static void record(NodeEvent e, List<CloseInfo> into) {
            if (e instanceof NodeEvent.Disconnected d) {
                into.add(d.why());
            }
        }

        void awaitConnected() {
            Await.until("a and b connected through the proxy",
                    () -> a.peers().contains(b.id()) && b.peers().contains(a.id()));
        }

        /** @return what Node.send's future says: 1 if queued for b, 0 if not */
        int send(String label, int size) {
            return sendAsync(label, size).join();
        }

        CompletableFuture<Integer> sendAsync(String label, int size) {
            return a.send(b.id(), TYPE, payload(label, size));
        }

        void awaitDelivered(String label) {
            Await.until(label + " delivered to b", () -> atB.contains(label));
        }

        /** @return the reason of the first connection a lost */
        CloseInfo lossAtA() {
            return Await.value("a noticed the fault", () -> lostAtA.isEmpty() ? null : lostAtA.get(0));
        }

        CloseInfo lossAtB() {
            return Await.value("b noticed the fault", () -> lostAtB.isEmpty() ? null : lostAtB.get(0));
        }

        ConnectionInfo connectionAtA() {
            return a.connections().stream().filter(c -> b.id().equals(c.nodeId())).findFirst().orElseThrow();
        }

        /**
         * After a fault that cost the connection: the special peer is redialed and a new message
         * arrives; b has received exactly {@code before} and that message (whatever the fault took
         * stays lost); only the live connection's threads are left.
         */
        void reconnectsAndDeliversAgain(String... before) {
            awaitConnected();
            assertThat(send("after", 10)).isEqualTo(1);
            awaitDelivered("after");
            List<String> expected = new ArrayList<>(List.of(before));
            expected.add("after");
            assertThat(atB).containsExactlyElementsOf(expected);
            awaitOnlyLiveConnectionThreads(proxy, 1);
        }

        long disconnects(Node n) {
            return Arrays.stream(DisconnectReason.values()).mapToLong(r -> n.counters().disconnects(r)).sum();
        }

        /** Nodes first, so that their goodbyes still pass the proxy; then the proxy. */
        @Override
        public void close() throws Exception {
            a.close();
            b.close();
            proxy.close();
        }
    }

    /** A message whose payload starts with its label, padded with zeros to {@code size}. */
    static byte[] payload(String label, int size) {
        byte[] text = label.getBytes(UTF_8);
        return Arrays.copyOf(text, Math.max(size, text.length));
    }

    static String label(byte[] payload) {
        int end = 0;
        while (end < payload.length && payload[end] != 0) {
            end++;
        }
        return new String(payload, 0, end, UTF_8);
    }

    // ---- the faults -----------------------------------------------------------------------------

    @Test
    void latencyBelowTheIdleTimeoutKeepsTheConnectionAndLosesNothing() throws Exception {
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 1)) {
            long connection = p.connectionAtA().id();
            p.proxy.setBoth(Fault.delay(Duration.ofMillis(100)));
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add("slow-" + i);
                assertThat(p.send("slow-" + i, 200)).isEqualTo(1);
            }
            Await.until("all 20 delivered", () -> p.atB.size() == 20);
            assertThat(p.atB).containsExactlyElementsOf(sent); // in order, once each
            p.proxy.heal();
            p.send("after", 10);
            p.awaitDelivered("after");
            assertThat(p.connectionAtA().id()).isEqualTo(connection);
            assertThat(p.disconnects(p.a) + p.disconnects(p.b)).isZero();
        }
    }

    @Test
    void aLinkTooSlowToCarryOneFrameWithinTheFrameTimeoutIsDropped() throws Exception {
        // a's write timeout is long here: a batch that crawls out of a's socket would trip it too.
        Node.Builder forA = builder(host(11, 1)).writeTimeout(Duration.ofSeconds(30));
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 11, forA, builder(host(11, 2)))) {
            // At most 64 KiB every 300 ms: a 900 KB frame needs over 4 s, the frame timeout is 2 s.
            p.proxy.set(Flow.TO_TARGET, Fault.delay(Duration.ofMillis(300)));
            assertThat(p.send("too-big-for-the-link", 900_000)).isEqualTo(1);
            // Normally the frame timer (started by the frame's first byte) fires first; on a badly
            // stalled machine the idle timer (nothing complete received) may beat it.
            assertThat(p.lossAtB().reason()).isIn(DisconnectReason.READ_TIMEOUT, DisconnectReason.IDLE_TIMEOUT);
            assertThat(p.lossAtB().byRemote()).isFalse();
            p.lossAtA();
            p.proxy.heal();
            p.reconnectsAndDeliversAgain();
        }
    }

    @Test
    void aPartitionShorterThanTheTimeoutsIsRiddenOutWithNothingLost() throws Exception {
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 2)) {
            long connection = p.connectionAtA().id();
            long writtenBefore = p.connectionAtA().messagesSent();
            p.proxy.setBoth(Fault.STALL); // nothing moves either way; the bytes wait in socket buffers
            for (int i = 0; i < 5; i++) {
                assertThat(p.send("held-" + i, 1000)).isEqualTo(1);
            }
            Await.until("a wrote all five into its socket", () -> p.connectionAtA().messagesSent() == writtenBefore + 5);
            assertThat(p.atB).isEmpty();

            p.proxy.heal();
            Await.until("all five delivered", () -> p.atB.size() == 5);
            assertThat(p.atB).containsExactly("held-0", "held-1", "held-2", "held-3", "held-4");
            assertThat(p.connectionAtA().id()).isEqualTo(connection);
            assertThat(p.disconnects(p.a) + p.disconnects(p.b)).isZero();
        }
    }

    @Test
    void aBlackHoleIsNoticedByTheIdleTimeoutOnBothSidesAndWhatWentIntoItIsLost() throws Exception {
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 3)) {
            p.send("before", 10);
            p.awaitDelivered("before");
            int links = p.proxy.acceptedLinks();

            p.proxy.setBoth(Fault.BLACK_HOLE);
            assertThat(p.send("into-the-void", 1000)).isEqualTo(1); // queued: the connection still looks fine
            // Neither side hears the other any more, not even its DISCONNECT: each notices by its own timer.
            for (CloseInfo loss : List.of(p.lossAtA(), p.lossAtB())) {
                assertThat(loss.reason()).isEqualTo(DisconnectReason.IDLE_TIMEOUT);
                assertThat(loss.byRemote()).isFalse();
            }
            // a redials its special peer; the attempt disappears into the hole and gives up at the handshake timeout.
            Await.until("a redial into the black hole timed out",
                    () -> p.a.counters().disconnects(DisconnectReason.HANDSHAKE_TIMEOUT) >= 1);
            assertThat(p.proxy.acceptedLinks()).isGreaterThan(links);
            assertThat(p.b.counters().disconnects(DisconnectReason.HANDSHAKE_TIMEOUT)).isZero(); // b never saw it

            p.proxy.heal();
            p.reconnectsAndDeliversAgain("before"); // no retransmission
            assertThat(p.a.counters().queueDrops()).isZero(); // lost in the network, not in a queue: nothing counts it
        }
    }

    @Test
    void bytesLostInTheMiddleOfAStreamAreDetectedAndNothingAfterThemIsDelivered() throws Exception {
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 4)) {
            p.proxy.set(Flow.TO_TARGET, Fault.BLACK_HOLE);
            assertThat(p.send("swallowed", 1000)).isEqualTo(1);
            Await.until("the message went into the hole", () -> p.proxy.swallowedBytes() >= 1000);
            p.proxy.heal(); // the connection lives on, with a gap in a's stream to b
            // More than one largest Noise message, so b's reader certainly gets to decrypt past the gap.
            assertThat(p.send("after-the-gap", 256 * 1024)).isEqualTo(1);

            // The AEAD of the next Noise message fails: b closes, and tells a why.
            assertThat(p.lossAtB().reason()).isEqualTo(DisconnectReason.DECRYPTION_FAILED);
            assertThat(p.lossAtB().byRemote()).isFalse();
            assertThat(p.lossAtA().reason()).isEqualTo(DisconnectReason.DECRYPTION_FAILED);
            assertThat(p.lossAtA().byRemote()).isTrue();
            p.reconnectsAndDeliversAgain();
        }
    }

    @Test
    void aTruncatedConnectionIsLostOnBothSidesAndTheSpecialPeerIsRedialed() throws Exception {
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 5)) {
            p.proxy.truncate(Flow.TO_TARGET, 100);
            assertThat(p.send("cut-short", 64 * 1024)).isEqualTo(1);
            assertThat(p.lossAtB().reason()).isEqualTo(DisconnectReason.CONNECTION_LOST); // end of stream inside it
            assertThat(p.lossAtA().reason()).isEqualTo(DisconnectReason.CONNECTION_LOST);
            p.reconnectsAndDeliversAgain();
        }
    }

    @Test
    void aResetLosesOneContiguousRunOfMessagesAndNeverReordersOrDuplicates() throws Exception {
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 6)) {
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                futures.add(p.sendAsync("m" + i, 512));
                if (i == 100) {
                    p.proxy.reset(); // in the middle of the traffic
                }
            }
            assertThat(p.lossAtA().reason()).isEqualTo(DisconnectReason.CONNECTION_LOST);
            assertThat(p.lossAtB().reason()).isEqualTo(DisconnectReason.CONNECTION_LOST);
            p.awaitConnected();
            for (int i = 300; i < 400; i++) {
                futures.add(p.sendAsync("m" + i, 512));
            }
            p.awaitDelivered("m399");

            List<Integer> delivered = p.atB.stream().map(s -> Integer.parseInt(s.substring(1))).toList();
            assertThat(delivered).isSorted().doesNotHaveDuplicates();
            List<Integer> queued = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                if (futures.get(i).join() == 1) {
                    queued.add(i);
                }
            }
            assertThat(queued).containsAll(delivered); // what a refused send (0) names never arrives
            // Of the queued messages, the lost ones are one run: the tail of what the dead connection
            // held in its queue and its sockets. Everything before arrived, everything after did too.
            List<Integer> lostPositions = new ArrayList<>();
            for (int k = 0; k < queued.size(); k++) {
                if (!delivered.contains(queued.get(k))) {
                    lostPositions.add(k);
                }
            }
            if (!lostPositions.isEmpty()) {
                assertThat(lostPositions.get(lostPositions.size() - 1) - lostPositions.get(0) + 1)
                        .as("lost messages %s form one run", lostPositions).isEqualTo(lostPositions.size());
            }
            assertThat(delivered).containsAll(queued.stream().filter(i -> i >= 300).toList());
            awaitOnlyLiveConnectionThreads(p.proxy, 1);
        }
    }

    @Test
    void aHostThatGoesDownIsRedialedUntilItIsBack() throws Exception {
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 7)) {
            p.send("before", 10);
            p.awaitDelivered("before");
            int links = p.proxy.acceptedLinks();
            p.proxy.reset(); // the host crashed...
            p.proxy.refuse(); // ...and nothing listens there any more

            assertThat(p.lossAtA().reason()).isEqualTo(DisconnectReason.CONNECTION_LOST);
            assertThat(p.lossAtB().reason()).isEqualTo(DisconnectReason.CONNECTION_LOST);
            assertThat(p.send("while-down", 10)).isZero(); // not connected: refused at once, not kept for later
            Await.until("a's dials were refused twice and it keeps trying", () -> bookEntry(p.a, p.proxy).failures() >= 2);
            assertThat(p.proxy.acceptedLinks()).isEqualTo(links);

            p.proxy.heal();
            p.reconnectsAndDeliversAgain("before");
            assertThat(bookEntry(p.a, p.proxy).failures()).isZero(); // a handshake resets the count
        }
    }

    /** What n's address book says about the proxy's address. */
    private static PeerEntry bookEntry(Node n, FaultProxy proxy) {
        return n.addressBook().join().stream().filter(e -> e.address().equals(proxy.address())).findFirst().orElseThrow();
    }

    @Test
    void aPeerThatStopsReadingIsDroppedByTheWriteTimeoutAndTheQueueDropsItsOldest() throws Exception {
        Node.Builder forA = builder(host(8, 1)).sendQueue(128, NodeConfig.DEFAULTS.sendQueueBytes());
        // b's idle timeout is longer here, so that a's write timeout certainly acts first.
        Node.Builder forB = builder(host(8, 2)).keepAlive(PING, IDLE.multipliedBy(2));
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 8, forA, forB)) {
            p.proxy.set(Flow.TO_TARGET, Fault.STALL); // b reads nothing more from a; b to a still flows
            AtomicInteger bulk = new AtomicInteger();
            Await.until("a's writer blocked and its send queue overflowed", () -> {
                for (int i = 0; i < 16; i++) {
                    assertThat(p.send("bulk-" + bulk.getAndIncrement(), 64 * 1024)).isEqualTo(1);
                }
                return !p.a.connections().isEmpty() && p.connectionAtA().queueDrops() > 0;
            });
            assertThat(p.a.counters().queueDrops()).isPositive();

            assertThat(p.lossAtA().reason()).isEqualTo(DisconnectReason.WRITE_TIMEOUT);
            // b hears of it when its next PING meets a's closed socket, or else by its idle timeout.
            assertThat(p.lossAtB().reason()).isIn(DisconnectReason.CONNECTION_LOST, DisconnectReason.IDLE_TIMEOUT);

            p.proxy.heal();
            p.reconnectsAndDeliversAgain(); // every bulk message was lost or dropped
        }
    }

    @Test
    void aSpecialPeerBehindAFaultThatLastsIsNeverBannedAndReconnectsWhenItEnds() throws Exception {
        // Tiny timers, so that in a few seconds a's redials time out more often (30 times) than the
        // 26 timeouts after which a regular peer's address is banned as a repeat offender.
        Node.Builder forA = builder(host(10, 1)).tickInterval(Duration.ofMillis(20))
                .handshakeTimeout(Duration.ofMillis(200)).closeLinger(Duration.ofMillis(50))
                .redial(Duration.ofMillis(20), Duration.ofMillis(50), 5);
        try (TestNodes net = new TestNodes(); Pair p = new Pair(net, 10, forA, builder(host(10, 2)))) {
            p.proxy.setBoth(Fault.BLACK_HOLE);
            Await.until("30 redials of the special peer timed out in the black hole",
                    () -> p.a.counters().disconnects(DisconnectReason.HANDSHAKE_TIMEOUT) >= 30, Duration.ofSeconds(40));
            assertThat(p.a.bans().join()).as("bans at a").isEmpty();
            assertThat(bookEntry(p.a, p.proxy).quality()).isZero(); // the timeouts were not held against it

            p.proxy.heal();
            p.reconnectsAndDeliversAgain();
        }
    }

    @Test
    void aPartitionOfSixNodesHealsAndGossipReachesEveryNodeAgain() throws Exception {
        int test = 9;
        try (TestNodes net = new TestNodes()) {
            List<Node> nodes = new ArrayList<>();
            List<Map<String, AtomicInteger>> gossip = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                Node n = net.start(builder(host(test, i)));
                Map<String, AtomicInteger> got = new ConcurrentHashMap<>();
                n.subscribe("news", m -> got.computeIfAbsent(new String(m.payload(), UTF_8), k -> new AtomicInteger())
                        .incrementAndGet());
                nodes.add(n);
                gossip.add(got);
            }
            // Two triangles, {0,1,2} and {3,4,5}, joined by three links that each run through a proxy.
            for (int g = 0; g < 6; g += 3) {
                for (int i = 0; i < 3; i++) {
                    nodes.get(g + i).dial(nodes.get(g + (i + 1) % 3).listenAddress(), true);
                }
            }
            List<FaultProxy> across = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    FaultProxy proxy = new FaultProxy(host(test, 9 + i), nodes.get(3 + i).listenAddress());
                    across.add(proxy);
                    nodes.get(i).dial(proxy.address(), true);
                }
                FaultProxy.Partition partition = new FaultProxy.Partition(across);
                Await.until("every node has its three links", () -> nodes.stream().allMatch(n -> n.peers().size() == 3));
                nodes.get(0).gossip("news", "before".getBytes(UTF_8));
                Await.until("before reached all five others", () -> reached(gossip, "before") == 5);

                partition.cut();
                // Each side by its own idle timer (counted once the closing connection is gone).
                Await.until("every node noticed that its link across is dead", () -> nodes.stream().allMatch(
                        n -> n.counters().disconnects(DisconnectReason.IDLE_TIMEOUT) >= 1 && n.peers().size() == 2));
                assertThat(nodes.get(0).gossip("news", "during".getBytes(UTF_8)).join()).isEqualTo(2);
                Await.until("during reached the rest of its side",
                        () -> gossip.get(1).containsKey("during") && gossip.get(2).containsKey("during"));
                Await.until("each dialer's redial across timed out in the partition", () -> nodes.subList(0, 3).stream()
                        .allMatch(n -> n.counters().disconnects(DisconnectReason.HANDSHAKE_TIMEOUT) >= 1));

                partition.heal();
                Await.until("every node has its three links again", () -> nodes.stream().allMatch(n -> n.peers().size() == 3));
                nodes.get(3).gossip("news", "after".getBytes(UTF_8));
                Await.until("after reached all five others", () -> reached(gossip, "after") == 5);
                for (int i = 0; i < 6; i++) {
                    Map<String, AtomicInteger> got = gossip.get(i);
                    if (i != 0) {
                        assertThat(got.get("before").get()).as("before at node %d", i).isEqualTo(1);
                    }
                    if (i != 3) {
                        assertThat(got.get("after").get()).as("after at node %d", i).isEqualTo(1);
                    }
                    // Gossip is not re-sent when a partition heals: the other side never gets it.
                    assertThat(got.containsKey("during")).as("during at node %d", i).isEqualTo(i == 1 || i == 2);
                }
                for (FaultProxy proxy : across) {
                    awaitOnlyLiveConnectionThreads(proxy, 1);
                }
            } finally {
                for (FaultProxy proxy : across) {
                    proxy.close();
                }
            }
        }
    }

    private static long reached(List<Map<String, AtomicInteger>> gossip, String key) {
        return gossip.stream().filter(g -> g.containsKey(key)).count();
    }
}
