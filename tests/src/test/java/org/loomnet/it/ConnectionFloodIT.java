package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.loomnet.connection.Direction;
import org.loomnet.connection.TransportPreamble;
import org.loomnet.node.Node;
import org.loomnet.node.NodeId;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.NetworkId;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelReader;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thousands of TCP connections from thousands of loopback addresses at once, far over the
 * victim's incoming limits. None of them gets past the first byte of the preamble, so each one
 * the victim keeps holds a slot until the handshake timeout. The victim must hold no more than
 * its limits allow, in connections and in threads, say why to everyone it turns away (or close
 * silently once 64 refusals are already running), keep serving its good peer throughout, and
 * afterwards give every slot, thread and byte back, and take a newcomer at once.
 */
class ConnectionFloodIT {

    private static final Logger log = LoggerFactory.getLogger(ConnectionFloodIT.class);

    /** Lowered from 64: the flood is 160 times the limit. */
    private static final int MAX_INCOMING = 32;
    /** {@code Refusal}'s bound on refusals in progress at once (ProcessingLoop.MAX_CONCURRENT_REFUSALS). */
    private static final int MAX_REFUSALS = 64;
    /** One connection from each: more addresses than the victim keeps accept windows for (4,096). */
    private static final int SINGLE_ADDRESSES = 4500;
    /** Six connections from each: over the per-address limits (3 open, 5 accepted per second). */
    private static final int REPEAT_ADDRESSES = 100;
    private static final int PER_ADDRESS = 6;
    private static final int CONNECTIONS = SINGLE_ADDRESSES + REPEAT_ADDRESSES * PER_ADDRESS;
    /** How long an accepted attacker holds its slot: long enough for the whole flood to connect meanwhile. */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(3);
    /**
     * Used heap while the flood holds its sockets: the victim's share is small (32 connections
     * without buffers, 64 refusals, the sockets waiting on its inbox), but this JVM also holds
     * the attackers' 5,100 sockets and virtual threads.
     */
    private static final long FLOOD_HEAP_BOUND = 64 * HostileHarness.MIB;

    /** What one attacking socket saw. */
    private enum Outcome { ACCEPTED, REFUSED_SILENTLY, REFUSED_WITH_REASON }

    @Test
    void thousandsOfConnectionsFromManyAddressesAreHeldToTheLimits() throws Exception {
        try (HostileHarness h = new HostileHarness("127.32.0.1", "127.32.0.2",
                b -> b.maxIncoming(MAX_INCOMING).handshakeTimeout(HANDSHAKE_TIMEOUT))) {
            Node victim = h.victim;
            // Both ends of every socket live in this JVM: up to about two descriptors per connection.
            if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.UnixOperatingSystemMXBean os) {
                assertThat(os.getMaxFileDescriptorCount()).as("open files allowed (ulimit -n)")
                        .isGreaterThanOrEqualTo(2L * CONNECTIONS + 1000);
            }
            h.recordBaseline();
            int network = NetworkId.of(HostileHarness.NETWORK);
            Map<DisconnectReason, AtomicInteger> reasons = new ConcurrentHashMap<>();
            AtomicInteger connected = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Outcome>> outcomes = new ArrayList<>();
            int maxIncomingSeen = 0;
            long maxRefusalThreads = 0;
            long maxNewReaders = 0;
            boolean checkedMidFlood = false;
            try (ExecutorService attackers = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("attacker-", 0).factory())) {
                for (int a = 0; a < SINGLE_ADDRESSES + REPEAT_ADDRESSES; a++) {
                    String from = "127.33." + (a / 250) + "." + (a % 250 + 1);
                    for (int i = 0; i < (a < SINGLE_ADDRESSES ? 1 : PER_ADDRESS); i++) {
                        outcomes.add(attackers.submit(() -> {
                            go.await();
                            return connectAndListen(from, victim.listenAddress(), network, reasons, connected);
                        }));
                    }
                }
                go.countDown(); // all at once
                // While the flood is on, look at what the victim holds.
                while (outcomes.stream().anyMatch(f -> !f.isDone())) {
                    int inbound = (int) victim.connections().stream()
                            .filter(c -> c.direction() == Direction.INBOUND).count();
                    maxIncomingSeen = Math.max(maxIncomingSeen, inbound);
                    ThreadCensus census = h.threadsNow();
                    maxRefusalThreads = Math.max(maxRefusalThreads, census.nodeThreadsNamed("refuse-"));
                    maxNewReaders = Math.max(maxNewReaders, census.startedSince(h.baselineThreads()).values().stream()
                            .filter(n -> n.startsWith("conn-")).count());
                    if (!checkedMidFlood && connected.get() == CONNECTIONS) {
                        // Every socket is connected; the accepted ones hold their slots until the
                        // handshake timeout. The good peer is served in the middle of it.
                        h.assertServing();
                        h.assertHeapGrowthAtMost("during the flood", FLOOD_HEAP_BOUND);
                        checkedMidFlood = true;
                    }
                    Thread.sleep(50); // sampling interval, not a wait for an outcome
                }
            }
            Map<Outcome, Integer> counts = new java.util.EnumMap<>(Outcome.class);
            for (Outcome o : Outcome.values()) {
                counts.put(o, 0);
            }
            for (Future<Outcome> f : outcomes) {
                counts.merge(f.get(), 1, Integer::sum);
            }
            int accepted = counts.get(Outcome.ACCEPTED);
            int silent = counts.get(Outcome.REFUSED_SILENTLY);
            int worded = counts.get(Outcome.REFUSED_WITH_REASON);
            log.info("flood of {}: {} accepted, {} refused with a reason {}, {} closed silently; at most {} inbound, "
                            + "{} refusal threads, {} new connection threads at once", CONNECTIONS, accepted, worded,
                    reasons, silent, maxIncomingSeen, maxRefusalThreads, maxNewReaders);

            assertThat(checkedMidFlood).as("all connected while accepted ones still held their slots").isTrue();
            assertThat(accepted + silent + worded).isEqualTo(CONNECTIONS);
            // The good peer holds one slot; attackers fill the others.
            assertThat(accepted).as("the first connections fill the slots").isGreaterThanOrEqualTo(MAX_INCOMING - 1);
            assertThat(worded).as("refusals say why while fewer than 64 run").isPositive();
            assertThat(reasons.keySet()).isSubsetOf(DisconnectReason.TOO_MANY_INCOMING,
                    DisconnectReason.TOO_MANY_FROM_ADDRESS, DisconnectReason.CONNECTING_TOO_FAST);
            assertThat(maxIncomingSeen).as("incoming connections held at once").isLessThanOrEqualTo(MAX_INCOMING);
            assertThat(maxRefusalThreads).as("refusal threads at once").isLessThanOrEqualTo(MAX_REFUSALS);
            assertThat(maxNewReaders).as("connection threads at once (readers only: no handshake, no writer)")
                    .isLessThanOrEqualTo(MAX_INCOMING - 1);
            // The victim's counts agree with what the attackers saw.
            try {
                Await.until("every connection accounted for", () -> victim.counters().refused() == silent + worded
                        && victim.counters().refusedSilently() == silent
                        && victim.counters().disconnects(DisconnectReason.HANDSHAKE_TIMEOUT) == accepted);
            } catch (AssertionError e) {
                Map<DisconnectReason, Long> closes = new java.util.EnumMap<>(DisconnectReason.class);
                for (DisconnectReason r : DisconnectReason.values()) {
                    if (victim.counters().disconnects(r) > 0) {
                        closes.put(r, victim.counters().disconnects(r));
                    }
                }
                throw new AssertionError(e.getMessage() + ": the victim counted " + victim.counters().refused()
                        + " refused, " + victim.counters().refusedSilently() + " of them silently, closes " + closes, e);
            }

            h.assertRecovered("the flood");
            // Every slot was given back, and a fresh address is not taken for a flooder: its first
            // connection is accepted at once, although more addresses than the victim tracks
            // connected moments ago.
            try (RawPeer fresh = new RawPeer("127.32.0.4", victim.listenAddress(), HostileHarness.NETWORK)) {
                fresh.sendHello();
                Await.until("a fresh address's first connection online",
                        () -> TestNodes.connected(victim, NodeId.of(fresh.identity.nodeId())));
            } catch (TransportPreamble.RefusedException e) {
                throw new AssertionError("a fresh address was refused after the flood: " + e.goodbye(), e);
            }
            Node newcomer = h.net.start(TestNodes.builder("127.32.0.3").specialPeer(victim.listenAddress()));
            Await.until("a new peer connects after the flood", () -> TestNodes.connected(victim, newcomer.id()));
        }
    }

    /**
     * Connects from {@code from} and listens to what the victim does: a REFUSED preamble and a
     * DISCONNECT with a reason, a silent close, or its own preamble (accepted), after which the
     * socket says nothing until the victim closes it at the handshake timeout.
     */
    private static Outcome connectAndListen(String from, InetSocketAddress victim, int network,
                                            Map<DisconnectReason, AtomicInteger> reasons, AtomicInteger connected)
            throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(victim, 20_000); // generous: thousands of SYNs at once may meet a full accept queue
            connected.incrementAndGet();
            s.setSoTimeout(20_000);
            // The first byte of a preamble, and never the rest. Some data is needed: when
            // thousands connect at once, the victim's accept queue (512) overflows and the kernel
            // drops the last ACK of some handshakes, or answers with a SYN cookie; such a socket
            // looks connected here, but only reaches the victim once a segment carrying data
            // does, retransmitted until there is room.
            s.getOutputStream().write('L');
            InputStream in = s.getInputStream();
            byte[] preamble;
            try {
                preamble = in.readNBytes(TransportPreamble.LENGTH);
            } catch (java.net.SocketException reset) {
                preamble = new byte[0]; // closed with our byte unread: a reset instead of an end of stream
            }
            if (preamble.length == 0) {
                return Outcome.REFUSED_SILENTLY;
            }
            assertThat(preamble).hasSize(TransportPreamble.LENGTH);
            if ((preamble[7] & 0xFF) == TransportPreamble.REFUSED) {
                ParcelReader reader = new ParcelReader(in, network, new WireLimits(4096, 4096),
                        ParcelReader.FrameListener.NONE);
                Parcel p = reader.read();
                if (p.type() == ParcelType.PEER_RESPONSE) {
                    p = reader.read(); // alternatives first, when the victim had some to give
                }
                DisconnectReason reason = Goodbye.decode(p).reason();
                reasons.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
                return Outcome.REFUSED_WITH_REASON;
            }
            assertThat(in.readAllBytes()).as("an accepted socket that never handshakes is closed without a word")
                    .isEmpty();
            return Outcome.ACCEPTED;
        }
    }
}
