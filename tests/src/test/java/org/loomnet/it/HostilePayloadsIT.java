package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.loomnet.connection.TransportPreamble;
import org.loomnet.crypto.Identity;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Message;
import org.loomnet.node.Node;
import org.loomnet.node.NodeId;
import org.loomnet.wire.Crc32Koopman;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.GossipEnvelope;
import org.loomnet.wire.MessageSplitter;
import org.loomnet.wire.NetworkId;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.ParcelWriter;
import org.loomnet.wire.PeerList;
import org.loomnet.wire.ReassemblyBudget;
import org.loomnet.wire.WireLimits;

/**
 * Hostile payloads from peers that completed the handshake: a peer-exchange answer with more
 * entries than a count can say, partial messages that never complete, contradictory parts, and
 * a flood of distinct gossip. Each is held to a limit the docs state; the victim keeps serving,
 * stays within its heap bound, and gives every thread back.
 *
 * <p>The message-sized tests shrink the wire limits (64 KiB frames, 2 MiB messages, 33 parts)
 * and the reassembly budget (8 MiB), so a flood many times the budget is a few tens of MiB.
 */
class HostilePayloadsIT {

    private static final long MIB = HostileHarness.MIB;
    private static final int FRAME = 64 << 10;
    private static final WireLimits SMALL = new WireLimits(FRAME, 2 << 20);
    /** The most parts a message may have under {@link #SMALL}: 33. */
    private static final int MAX_PARTS = SMALL.maxParts();
    private static final long BUDGET = 8 * MIB;
    private static final Duration REASSEMBLY_TIMEOUT = Duration.ofSeconds(2);

    private static String attacker(int test, int n) {
        return "127.34." + test + "." + n;
    }

    private static HostileHarness harness(int test, java.util.function.UnaryOperator<Node.Builder> victim) {
        return new HostileHarness("127.30." + (10 + test) + ".1", "127.30." + (10 + test) + ".2",
                b -> victim.apply(b.redial(Duration.ofMillis(200), Duration.ofSeconds(2), 0)), b -> b.limits(SMALL));
    }

    private static Node.Builder smallMessages(Node.Builder b) {
        return b.limits(SMALL).reassembly(4, REASSEMBLY_TIMEOUT, BUDGET);
    }

    // ---- peer exchange --------------------------------------------------------------------------

    @Test
    void aPeerExchangeAnswerWithAMillionEntriesIsNeverDecoded() throws Exception {
        try (HostileHarness h = harness(1, b -> b)) {
            Node victim = h.victim;
            h.recordBaseline();
            long learned = victim.counters().peersLearned();

            // 1. The victim dials the attacker and asks it for peers. The answer announces 65,535
            //    entries, the most a count can say, and carries them all: 458 KB in one frame.
            try (ServerSocket server = listen(attacker(1, 1))) {
                victim.dial((InetSocketAddress) server.getLocalSocketAddress(), false).get();
                try (RawPeer peer = RawPeer.accept(server, HostileHarness.NETWORK)) {
                    peer.sendHello();
                    peer.awaitParcel(ParcelType.PEER_REQUEST);
                    peer.send(Parcel.of(ParcelType.PEER_RESPONSE, 0, peerResponse(0xFFFF, 0xFFFF)));
                    Await.until("oversized answer ignored, at a cost of 25", () -> qualityOf(victim, peer) == -25);
                    assertThat(victim.counters().peerExchangeIgnored()).isEqualTo(1);
                    // A million entries do not fit a count; as a length they do not fit a frame.
                    peer.write(peer.header(ParcelType.PEER_RESPONSE.code(), 0, 2 + 7L * 1_000_000, 0, 0, 1, 0));
                    assertThat(peer.awaitDisconnect().reason()).isEqualTo(DisconnectReason.FRAME_TOO_LARGE);
                }
            }
            // 2. Answers nobody asked for, from a peer that dialed the victim: 10 points each,
            //    disconnected at the eleventh, before anything in them is decoded.
            try (RawPeer peer = new RawPeer(attacker(1, 2), victim.listenAddress(), HostileHarness.NETWORK)) {
                peer.sendHello();
                byte[] flood = peer.encode(Parcel.of(ParcelType.PEER_RESPONSE, 0, peerResponse(0xFFFF, 0xFFFF)));
                for (int i = 0; i < 11; i++) {
                    peer.write(flood);
                }
                assertThat(peer.awaitDisconnect().reason()).isEqualTo(DisconnectReason.LOW_QUALITY);
            }
            // 3. A refusal that offers as many alternatives as its 4 KiB frame holds (584) and
            //    announces 65,535: the victim takes 32.
            try (Socket s = HostileHarness.dialedBy(victim, attacker(1, 3))) {
                OutputStream out = s.getOutputStream();
                out.write(TransportPreamble.of(TransportPreamble.REFUSED));
                ParcelWriter writer = new ParcelWriter(out, NetworkId.of(HostileHarness.NETWORK));
                writer.write(Parcel.of(ParcelType.PEER_RESPONSE, 0, peerResponse(0xFFFF, (4096 - 2) / 7)));
                writer.write(Parcel.of(ParcelType.DISCONNECT, 0,
                        Goodbye.of(DisconnectReason.TOO_MANY_INCOMING, "").encode()));
                out.flush();
                s.shutdownOutput();
                s.getInputStream().readAllBytes(); // until the victim hangs up
            }
            Await.until("the refusal's alternatives learned", () -> victim.counters().peersLearned() > learned);
            victim.addressBook().get(); // one more command: the refusal's close has been handled in full
            assertThat(victim.counters().disconnects(DisconnectReason.TOO_MANY_INCOMING)).isEqualTo(1);
            assertThat(victim.counters().peersLearned() - learned).as("addresses taken from all three")
                    .isLessThanOrEqualTo(TransportPreamble.MAX_ALTERNATIVES);
            assertThat(victim.counters().peerExchangeIgnored()).isEqualTo(1 + 11);
            h.assertRecovered("the peer-exchange attacks");
        }
    }

    /** A PEER_RESPONSE payload announcing {@code announced} entries and carrying {@code entries} loopback addresses. */
    private static byte[] peerResponse(int announced, int entries) {
        ByteBuffer b = ByteBuffer.allocate(2 + entries * PeerList.IPV4_ENTRY).putShort((short) announced);
        for (int i = 0; i < entries; i++) {
            // 127.200-201.x.y: loopback, never dialed (the victim keeps no outgoing target)
            b.put((byte) 4).put((byte) 127).put((byte) (200 + i / 62_500)).put((byte) (i / 250 % 250))
                    .put((byte) (i % 250 + 1)).putShort((short) 7700);
        }
        return b.array();
    }

    private static int qualityOf(Node victim, RawPeer peer) {
        NodeId id = NodeId.of(peer.identity.nodeId());
        return victim.connections().stream().filter(c -> id.equals(c.nodeId())).mapToInt(ConnectionInfo::quality)
                .findFirst().orElseThrow();
    }

    private static ServerSocket listen(String host) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(host, 0));
        return server;
    }

    // ---- partial messages -----------------------------------------------------------------------

    @Test
    void aFloodOfPartialMessagesIsHeldToTheReassemblyBudget() throws Exception {
        int attackers = 16;
        int messagesEach = 2;
        try (HostileHarness h = harness(2, HostilePayloadsIT::smallMessages)) {
            Node victim = h.victim;
            ReassemblyBudget reassembly = victim.reassembly();
            List<Message> big = new CopyOnWriteArrayList<>();
            victim.subscribe("big", big::add);
            h.recordBaseline();
            // Each attacker sends every part but the last of two 33-part messages (2 MiB each):
            // 64 MiB offered, 8 times the budget, 2 times what 16 per-connection bounds would allow.
            List<RawPeer> peers = new ArrayList<>();
            try {
                List<Future<?>> sent = new ArrayList<>();
                try (ExecutorService pool = Executors.newThreadPerTaskExecutor(
                        Thread.ofVirtual().name("attacker-", 0).factory())) {
                    for (int a = 0; a < attackers; a++) {
                        RawPeer peer = new RawPeer(attacker(2, a + 1), victim.listenAddress(), HostileHarness.NETWORK);
                        peers.add(peer);
                        sent.add(pool.submit(() -> {
                            peer.sendHello();
                            byte[] chunk = new byte[FRAME];
                            for (int m = 1; m <= messagesEach; m++) {
                                for (int part = 0; part < MAX_PARTS - 1; part++) {
                                    peer.send(Parcel.part(ParcelType.MESSAGE_PART, m, part, MAX_PARTS, chunk, 0, FRAME));
                                }
                            }
                            roundTrip(peer); // every part has been through the victim's reader
                            return null;
                        }));
                    }
                    for (Future<?> f : sent) {
                        f.get();
                    }
                }
                assertThat(reassembly.used()).as("bytes held in partial messages").isLessThanOrEqualTo(BUDGET);
                assertThat(reassembly.evicted() + reassembly.droppedNoRoom()).as("evicted or dropped").isPositive();
                // The budget, plus per connection a frame being read and the Noise buffers (192 KiB).
                h.assertHeapGrowthAtMost("holding partial messages", BUDGET + attackers * 256 * 1024L + HostileHarness.SLACK);
                h.assertServing();

                // Partial messages that never complete are freed while their connections stay
                // open: the flood was refused room, so the budget is contested and each attacker
                // gives back what is over its fair share (8 MiB over the holders plus one: under
                // one 2 MiB message while four or more hold) at its next expiry check; what is
                // left expires after 2 s.
                long freedBefore = reassembly.evicted() + reassembly.expired();
                Await.until("every partial message freed", () -> {
                    for (RawPeer p : peers) {
                        ping(p); // the expiry check runs when a parcel arrives
                    }
                    return reassembly.used() == 0;
                }, Await.DEFAULT, Duration.ofMillis(200));
                assertThat(reassembly.evicted() + reassembly.expired()).isGreaterThan(freedBefore);
                // With the budget free again, a good peer's split message gets through.
                byte[] blob = new byte[(1 << 20) + 123];
                assertThat(h.good.send(victim.id(), "big", blob).get()).isEqualTo(1);
                Await.until("the good node's split message arrived", () -> big.size() == 1);
            } finally {
                for (RawPeer p : peers) {
                    p.close();
                }
            }
            h.assertRecovered("the partial-message flood");
        }
    }

    @Test
    void peersHoldingTheWholeBudgetMakeRoomForAnotherPeersSplitMessages() throws Exception {
        // A long reassembly timeout here, so that nothing expires during the test: the room the
        // good peer gets must come from the holders giving back all but a fair share.
        try (HostileHarness h = harness(3, b -> smallMessages(b).reassembly(4, Duration.ofMinutes(5), BUDGET))) {
            Node victim = h.victim;
            ReassemblyBudget reassembly = victim.reassembly();
            List<Message> big = new CopyOnWriteArrayList<>();
            victim.subscribe("big", big::add);
            h.recordBaseline();
            // Four connections hold 32 parts of 64 KiB each: exactly the 8 MiB budget. Nothing
            // in their behaviour is a violation: parts may come in any order, and late.
            List<RawPeer> holders = new ArrayList<>();
            try {
                byte[] chunk = new byte[FRAME];
                for (int a = 0; a < 4; a++) {
                    RawPeer peer = new RawPeer(attacker(3, a + 1), victim.listenAddress(), HostileHarness.NETWORK);
                    holders.add(peer);
                    peer.sendHello();
                    for (int part = 0; part < MAX_PARTS - 1; part++) {
                        peer.send(Parcel.part(ParcelType.MESSAGE_PART, 1, part, MAX_PARTS, chunk, 0, FRAME));
                    }
                    roundTrip(peer);
                }
                assertThat(reassembly.used()).isEqualTo(BUDGET);
                assertThat(reassembly.holders()).isEqualTo(4);
                // A good peer's split message finds no room: its parts are dropped and counted,
                // so that message is lost. Unsplit messages are not affected.
                byte[] blob = new byte[(1 << 20) + 123];
                int parts = MessageSplitter.split(1, "big", blob, SMALL).size();
                long dropped = reassembly.droppedNoRoom();
                assertThat(h.good.send(victim.id(), "big", blob).get()).isEqualTo(1);
                Await.until("all its parts dropped", () -> reassembly.droppedNoRoom() == dropped + parts);
                assertThat(big).isEmpty();
                h.assertServing();
                // The budget is now contested: each connection may hold 8 MiB / (4 holders + 1
                // waiting) = 1.6 MiB. The holders keep talking (PINGs here), and at their next
                // expiry check each evicts its 2 MiB partial message. Nothing expires.
                long evicted = reassembly.evicted();
                Await.until("the holders gave back what is over their share", () -> {
                    for (RawPeer p : holders) {
                        ping(p);
                    }
                    return reassembly.used() <= BUDGET - blob.length;
                }, Await.DEFAULT, Duration.ofMillis(200));
                assertThat(reassembly.evicted()).isGreaterThan(evicted);
                assertThat(reassembly.expired()).isZero();
                assertThat(h.good.send(victim.id(), "big", blob).get()).isEqualTo(1);
                Await.until("the good node's split message arrived", () -> big.size() == 1);
            } finally {
                for (RawPeer p : holders) {
                    p.close();
                }
            }
            h.assertRecovered("holding the budget");
        }
    }

    @Test
    void duplicateAndOutOfRangePartsAreViolationsAndFreeWhatWasHeld() throws Exception {
        try (HostileHarness h = harness(4, HostilePayloadsIT::smallMessages)) {
            Node victim = h.victim;
            h.recordBaseline();
            byte[] chunk = new byte[FRAME];
            // Frames as the attacker writes them: headers the Parcel record itself would refuse to build.
            record Case(DisconnectReason expected, List<byte[]> frames) { }
            List<Case> cases = List.of(
                    new Case(DisconnectReason.BAD_PART, List.of(part(9, 0, 3, chunk), part(9, 0, 3, chunk))),
                    new Case(DisconnectReason.BAD_PART, List.of(part(9, 5, 3, chunk))),
                    new Case(DisconnectReason.BAD_PART, List.of(part(9, 0, 3, chunk), part(9, 1, 4, chunk))),
                    new Case(DisconnectReason.BAD_PART, List.of(part(9, 0, 1, chunk))),
                    new Case(DisconnectReason.BAD_PART, List.of(frame(ParcelType.MESSAGE, 9, 1, 2, chunk))),
                    new Case(DisconnectReason.MESSAGE_TOO_LARGE, List.of(part(9, 0, MAX_PARTS + 1, chunk))),
                    // 33 full parts are more than a 2 MiB message: the last one is refused.
                    new Case(DisconnectReason.MESSAGE_TOO_LARGE, allParts(9, chunk)),
                    // A burst of the same duplicate: the first ends the connection, the rest are discarded.
                    new Case(DisconnectReason.BAD_PART, java.util.Collections.nCopies(1000, part(9, 2, 3, chunk))));
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                try (RawPeer peer = new RawPeer(attacker(4, i + 1), victim.listenAddress(), HostileHarness.NETWORK)) {
                    peer.sendHello();
                    // Two parts of an honest-looking message first: held until the connection ends.
                    peer.write(part(1, 0, 3, chunk));
                    peer.write(part(1, 1, 3, chunk));
                    CompletableFuture<Void> writing = HostileHarness.attack(() -> {
                        try {
                            for (byte[] frame : c.frames()) {
                                peer.write(frame);
                            }
                        } catch (IOException expected) {
                            // the victim stopped reading: the burst case
                        }
                        return null;
                    });
                    assertThat(peer.awaitDisconnect().reason()).as("case %d", i).isEqualTo(c.expected());
                    peer.close();
                    writing.get();
                }
            }
            h.awaitDisconnects(Map.of(DisconnectReason.BAD_PART, 6, DisconnectReason.MESSAGE_TOO_LARGE, 2));
            Await.until("everything held was released", () -> victim.reassembly().used() == 0);
            h.assertRecovered("bad parts");
        }
    }

    private static byte[] part(long id, int number, int count, byte[] chunk) {
        return frame(ParcelType.MESSAGE_PART, id, number, count, chunk);
    }

    /** A whole frame with any part fields, its checksum right: only the part rules can object. */
    private static byte[] frame(ParcelType type, long id, int number, int count, byte[] payload) {
        byte[] header = RawPeer.header(NetworkId.of(HostileHarness.NETWORK), type.code(), 0, payload.length,
                Crc32Koopman.compute(payload), number, count, id);
        byte[] frame = java.util.Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, frame, header.length, payload.length);
        return frame;
    }

    private static List<byte[]> allParts(long id, byte[] chunk) {
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < MAX_PARTS; i++) {
            parts.add(part(id, i, MAX_PARTS, chunk));
        }
        return parts;
    }

    /** PING, then wait for its PONG: the victim's reader has handled everything sent before. */
    private static void roundTrip(RawPeer peer) throws IOException {
        ping(peer);
        peer.awaitParcel(ParcelType.PONG);
    }

    private static void ping(RawPeer peer) {
        try {
            peer.send(Parcel.of(ParcelType.PING, 0, new byte[8]));
        } catch (IOException e) {
            throw new AssertionError("the victim dropped a peer that only sent partial messages", e);
        }
    }

    // ---- gossip -----------------------------------------------------------------------------------

    @Test
    void aGossipFloodOfDistinctIdsKeepsTheSeenCacheWithinItsBound() throws Exception {
        // Small, because every gossip costs an Ed25519 signature here and a verification at the
        // victim and at the good node (about 0.1 ms each on this machine).
        int seenCapacity = 64;
        int attackers = 3;
        int messagesEach = 400;
        try (HostileHarness h = harness(5, b -> b.limits(SMALL).gossip(16, seenCapacity, Duration.ofMinutes(5))
                .sendQueue(256, 4 * MIB).subscriberQueue(256))) {
            Node victim = h.victim;
            AtomicInteger delivered = new AtomicInteger();
            victim.subscribe("flood", m -> delivered.incrementAndGet());
            h.recordBaseline();
            byte[] payload = new byte[1024];
            List<RawPeer> peers = new ArrayList<>();
            List<List<GossipEnvelope>> sent = new ArrayList<>();
            try {
                for (int a = 0; a < attackers; a++) {
                    RawPeer peer = new RawPeer(attacker(5, a + 1), victim.listenAddress(), HostileHarness.NETWORK);
                    peers.add(peer);
                    peer.sendHello();
                    // Several origins per attacker, all signing validly, every message a new id.
                    List<Identity> origins = List.of(Identity.generate(), Identity.generate(), Identity.generate());
                    List<GossipEnvelope> batch = new ArrayList<>();
                    for (int i = 0; i < messagesEach; i++) {
                        batch.add(RawPeer.signedGossip(origins.get(i % origins.size()), i, "flood", payload));
                    }
                    sent.add(batch);
                }
                Await.until("all online", () -> victim.peers().size() == 1 + attackers);
                List<Future<?>> writes = new ArrayList<>();
                try (ExecutorService pool = Executors.newThreadPerTaskExecutor(
                        Thread.ofVirtual().name("attacker-", 0).factory())) {
                    for (int a = 0; a < attackers; a++) {
                        RawPeer peer = peers.get(a);
                        List<GossipEnvelope> batch = sent.get(a);
                        writes.add(pool.submit(() -> {
                            for (GossipEnvelope e : batch) {
                                peer.out.write(peer.encode(Parcel.of(ParcelType.GOSSIP, 0, e.encode())));
                            }
                            peer.out.flush();
                            return null;
                        }));
                    }
                    int maxSeen = 0;
                    int total = attackers * messagesEach;
                    long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
                    while (victim.counters().gossipDelivered() < total) {
                        maxSeen = Math.max(maxSeen, victim.counters().gossipSeenSize());
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("timed out waiting for every distinct id to be delivered");
                        }
                        Thread.sleep(5); // sampling interval, not a wait for an outcome
                    }
                    assertThat(maxSeen).as("ids remembered at once, while flooded").isLessThanOrEqualTo(seenCapacity);
                    for (Future<?> f : writes) {
                        f.get();
                    }
                }
                int total = attackers * messagesEach;
                assertThat(victim.counters().gossipSeenSize()).isEqualTo(seenCapacity);
                assertThat(victim.counters().gossipSeenEvicted()).isEqualTo(total - seenCapacity);
                assertThat(delivered.get()).as("delivered to the subscriber, less what its bounded queue dropped")
                        .isPositive();

                // The most recent ids are still remembered: replays of them are duplicates.
                RawPeer last = peers.get(0);
                List<GossipEnvelope> recent = new ArrayList<>();
                Identity origin = Identity.generate();
                for (int i = 0; i < 50; i++) {
                    recent.add(RawPeer.signedGossip(origin, i, "flood", payload));
                }
                writeAll(last, recent);
                Await.until("the fresh batch delivered", () -> victim.counters().gossipDelivered() == total + 50);
                long duplicates = victim.counters().gossipDuplicates();
                writeAll(last, recent);
                Await.until("the replay dropped as duplicates",
                        () -> victim.counters().gossipDuplicates() == duplicates + 50);
                // The flood pushed the first ids out: inside their timestamp window, those messages
                // are accepted again. The bound on memory is the cache's; the timestamp window
                // bounds how long a replay can work (docs/robustness.md).
                writeAll(last, sent.get(1).subList(0, 50));
                Await.until("evicted ids accepted again", () -> victim.counters().gossipDelivered() == total + 100);
                assertThat(victim.counters().gossipSeenSize()).isLessThanOrEqualTo(seenCapacity);
                h.assertServing();
            } finally {
                for (RawPeer p : peers) {
                    p.close();
                }
            }
            h.assertRecovered("the gossip flood");
        }
    }

    private static void writeAll(RawPeer peer, List<GossipEnvelope> envelopes) throws IOException {
        for (GossipEnvelope e : envelopes) {
            peer.out.write(peer.encode(Parcel.of(ParcelType.GOSSIP, 0, e.encode())));
        }
        peer.out.flush();
    }
}
