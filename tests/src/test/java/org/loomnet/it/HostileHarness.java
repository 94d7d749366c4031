package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.loomnet.connection.TransportPreamble;
import org.loomnet.node.Message;
import org.loomnet.node.Node;
import org.loomnet.wire.DisconnectReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frame of every hostile-peer test: a victim node and a good node connected to it, a
 * baseline of heap and threads taken once both are settled, and the checks that follow an
 * attack: the victim still serves (a fresh message arrives each way), its heap stayed within a
 * stated bound, and every thread started since the baseline has ended.
 *
 * <p>Everything runs in this one JVM, so "heap" is the JVM's used heap after a full GC: the
 * victim's, the good node's and the attacker's. A bound is therefore what the victim may hold
 * under the attack plus a fixed slack ({@link #SLACK}) for everything else; the attackers' own
 * buffers are released before a measurement that counts.
 */
final class HostileHarness implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HostileHarness.class);
    static final long MIB = 1 << 20;
    /**
     * Heap that is nobody's attack: the test's own objects, JIT and logging noise, the good
     * node's buffers. Used heap after a full GC varies by a few MiB from one run to the next.
     */
    static final long SLACK = 16 * MIB;
    /** The network name every node and raw peer of these tests uses. */
    static final String NETWORK = "it";

    final TestNodes net = new TestNodes();
    final Node victim;
    final Node good;
    private final List<Message> atGood = new CopyOnWriteArrayList<>();
    private final List<Message> atVictim = new CopyOnWriteArrayList<>();
    private final AtomicInteger probes = new AtomicInteger();
    private long baselineHeap;
    private ThreadCensus baselineThreads;

    /**
     * Starts the victim and a good node that dials it as a special peer, and waits until they are
     * connected. Call {@link #recordBaseline()} once any other setup is done.
     *
     * @param victimHost loopback address of the victim
     * @param goodHost   loopback address of the good node
     * @param victimConfig changes to the victim's settings (timeouts, limits)
     * @param goodConfig changes to the good node's settings (the keep-alive must suit the victim's idle timeout)
     */
    HostileHarness(String victimHost, String goodHost, UnaryOperator<Node.Builder> victimConfig,
                   UnaryOperator<Node.Builder> goodConfig) {
        victim = net.start(victimConfig.apply(TestNodes.builder(victimHost)));
        good = net.start(goodConfig.apply(TestNodes.builder(goodHost).specialPeer(victim.listenAddress())));
        good.subscribe("probe", atGood::add);
        victim.subscribe("probe", atVictim::add);
        Await.until("good node connected to the victim", () -> TestNodes.connected(victim, good.id())
                && TestNodes.connected(good, victim.id()));
    }

    HostileHarness(String victimHost, String goodHost, UnaryOperator<Node.Builder> victimConfig) {
        this(victimHost, goodHost, victimConfig, UnaryOperator.identity());
    }

    /**
     * Waits until setup has settled (no dial or refusal still running), then notes the used heap
     * after a full GC and every live thread.
     */
    void recordBaseline() {
        Await.until("setup settled: no dial or refusal thread left", () -> {
            ThreadCensus now = ThreadCensus.take();
            return now.nodeThreadsNamed("dial-") == 0 && now.nodeThreadsNamed("refuse-") == 0;
        }, Await.DEFAULT, Duration.ofMillis(100));
        assertServing(); // the subscriber threads and both directions exist before the snapshot
        baselineHeap = usedHeapAfterGc();
        baselineThreads = ThreadCensus.take();
        log.info("baseline: heap {} MiB, {} node threads, {} other platform threads", baselineHeap / MIB,
                baselineThreads.node.size(), baselineThreads.platform.size());
    }

    /** A fresh message each way between the victim and the good node arrives. */
    void assertServing() {
        int n = probes.incrementAndGet();
        byte[] toGood = ("victim to good " + n).getBytes(StandardCharsets.UTF_8);
        byte[] toVictim = ("good to victim " + n).getBytes(StandardCharsets.UTF_8);
        try {
            assertThat(victim.send(good.id(), "probe", toGood).get()).as("victim queued a message for the good node")
                    .isEqualTo(1);
            assertThat(good.send(victim.id(), "probe", toVictim).get()).as("good node queued a message for the victim")
                    .isEqualTo(1);
        } catch (Exception e) {
            throw new AssertionError("the victim or the good node refused a send", e);
        }
        Await.until("probe " + n + " arrived both ways",
                () -> arrived(atGood, toGood) && arrived(atVictim, toVictim));
    }

    private static boolean arrived(List<Message> received, byte[] payload) {
        return received.stream().anyMatch(m -> java.util.Arrays.equals(m.payload(), payload));
    }

    /** @return how much the used heap after a full GC has grown since the baseline, in bytes */
    long heapGrowth() {
        return usedHeapAfterGc() - baselineHeap;
    }

    /**
     * @param when  what the test is measuring, for the message
     * @param bound the growth allowed, in bytes: what the attack may make the victim hold, plus {@link #SLACK}
     */
    void assertHeapGrowthAtMost(String when, long bound) {
        long growth = heapGrowth();
        log.info("heap {}: {} MiB over the baseline (bound {} MiB)", when, growth / MIB, bound / MIB);
        assertThat(growth).as("heap growth %s, in bytes (bound %d MiB)", when, bound / MIB).isLessThanOrEqualTo(bound);
    }

    /**
     * After an attack, everything a user would notice: the victim serves its good peer, its heap
     * is back within {@link #SLACK} of the baseline, and every thread the attack started has ended.
     *
     * @param attack what happened, for the messages
     */
    void assertRecovered(String attack) {
        assertServing();
        assertHeapGrowthAtMost("after " + attack, SLACK);
        assertThreadsBackToBaseline();
    }

    /**
     * Waits until the victim has counted exactly these disconnects (and says what it counted if not).
     *
     * @param expected how many connections must have ended with each reason
     */
    void awaitDisconnects(Map<DisconnectReason, Integer> expected) {
        try {
            Await.until("disconnects counted: " + expected, () -> expected.entrySet().stream()
                    .allMatch(e -> victim.counters().disconnects(e.getKey()) == e.getValue()));
        } catch (AssertionError e) {
            Map<DisconnectReason, Long> counted = new java.util.EnumMap<>(DisconnectReason.class);
            for (DisconnectReason r : DisconnectReason.values()) {
                if (victim.counters().disconnects(r) > 0) {
                    counted.put(r, victim.counters().disconnects(r));
                }
            }
            throw new AssertionError(e.getMessage() + "; counted: " + counted, e);
        }
    }

    /** Waits until every thread started since the baseline (node threads and platform threads) has ended. */
    void assertThreadsBackToBaseline() {
        AtomicReference<Map<Long, String>> left = new AtomicReference<>(Map.of());
        try {
            Await.until("threads back to the baseline", () -> {
                left.set(ThreadCensus.take().startedSince(baselineThreads));
                return left.get().isEmpty();
            }, Await.DEFAULT, Duration.ofMillis(100));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; still alive: " + left.get().values(), e);
        }
    }

    /** @return a census of threads now, to bound what an attack starts while it runs */
    ThreadCensus threadsNow() {
        return ThreadCensus.take();
    }

    /** @return the baseline census */
    ThreadCensus baselineThreads() {
        return baselineThreads;
    }

    /**
     * Runs one attacker's work on its own virtual thread, named so that a thread census never
     * mistakes it for the victim's.
     *
     * @param body the attack; what it returns, or throws, completes the future
     * @return completes when the attack ends
     */
    static <T> CompletableFuture<T> attack(Callable<T> body) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Thread.ofVirtual().name("attacker").start(() -> {
            try {
                done.complete(body.call());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * Makes {@code node} dial an attacker listening on {@code host} and hands the attacker the
     * accepted socket, the node's preamble already read: the attacker speaks next.
     *
     * @param node the node to dial out
     * @param host the attacker's loopback address
     * @return the attacker's end of the connection
     */
    static Socket dialedBy(Node node, String host) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(host, 0));
            assertThat(node.dial((InetSocketAddress) server.getLocalSocketAddress(), false).get()).isTrue();
            Socket s = server.accept();
            s.setSoTimeout(20_000);
            assertThat(s.getInputStream().readNBytes(TransportPreamble.LENGTH)).hasSize(TransportPreamble.LENGTH);
            return s;
        }
    }

    /** Used heap after two full collections: what is reachable, give or take a few MiB. */
    static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Override
    public void close() {
        net.close();
    }
}
