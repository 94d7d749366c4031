package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.loomnet.dht.Bencode;
import org.loomnet.dht.DhtConfig;
import org.loomnet.dht.DhtCounters;
import org.loomnet.dht.DhtId;
import org.loomnet.dht.DhtNode;
import org.loomnet.dht.KrpcCodec;
import org.loomnet.dht.KrpcException;
import org.loomnet.dht.KrpcMessage;
import org.loomnet.node.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP flood at the victim's DHT from hundreds of loopback addresses: queries far over each
 * address's rate limit, malformed packets of every kind, and announces of more info-hashes than
 * the peer store keeps. The DHT must keep answering a good DHT node, the TCP side must keep
 * serving its good peer, the stores must stay within their bounds, the heap within its bound,
 * and no thread may be left behind.
 */
class DhtFloodIT {

    private static final Logger log = LoggerFactory.getLogger(DhtFloodIT.class);

    private static final int ADDRESSES = 400;
    /** Per address, at once: past the burst of 50 (the rate is 20 a second). */
    private static final int QUERIES_EACH = 80;
    private static final int MALFORMED_EACH = 10;
    /** Addresses that fetch a token and announce two info-hashes each: 200, four times the store. */
    private static final int ANNOUNCERS = 100;
    private static final int MAX_INFO_HASHES = 50;
    private static final int MAX_STORED_PEERS = 200;
    /** The victim's per-address limits (DhtConfig defaults): a burst of 50, then 20 a second. */
    private static final int QUERY_BURST = 50;
    private static final int QUERY_RATE = 20;

    @Test
    void aFloodOfQueriesAndGarbageFromManyAddressesIsRateLimitedAndBounded() throws Exception {
        try (HostileHarness h = new HostileHarness("127.30.30.1", "127.30.30.2",
                b -> b.dht(DhtConfig.builder().bind("127.30.30.1", 0).maxInfoHashes(MAX_INFO_HASHES)
                        .maxStoredPeers(MAX_STORED_PEERS).build()));
             DhtNode goodDht = DhtNode.create(DhtConfig.builder().bind("127.30.30.3", 0).build()).start()) {
            Node victim = h.victim;
            InetSocketAddress target = victim.dht().localAddress();
            DhtCounters counters = victim.dht().counters();
            answered(goodDht, target);
            h.recordBaseline();

            // 1. Tokens, then announces of two fresh info-hashes per address: four times what the store keeps.
            AtomicInteger storeFull = new AtomicInteger();
            for (int a = 0; a < ANNOUNCERS; a++) {
                try (DatagramSocket s = socket(a)) {
                    byte[] token = ((KrpcMessage.Response) ask(s, target,
                            new KrpcMessage.GetPeers(DhtId.random()))).token();
                    for (int i = 0; i < 2; i++) {
                        KrpcMessage reply = ask(s, target, new KrpcMessage.AnnouncePeer(DhtId.random(), 7000, token, false));
                        if (reply instanceof KrpcMessage.ErrorMessage e) {
                            assertThat(e.code()).isEqualTo(KrpcMessage.ErrorMessage.SERVER_ERROR);
                            storeFull.incrementAndGet();
                        }
                    }
                }
            }
            assertThat(storeFull.get()).as("announces refused with 202 once the store is full")
                    .isEqualTo(2 * ANNOUNCERS - MAX_INFO_HASHES);
            assertThat(counters.infoHashesStored()).isLessThanOrEqualTo(MAX_INFO_HASHES);
            assertThat(counters.peersStored()).isLessThanOrEqualTo(MAX_STORED_PEERS);

            // 2. Every address at once (four sending threads): garbage, then a burst of queries.
            List<Flooder> flooders = new ArrayList<>();
            try {
                List<Future<List<Flooder>>> floods = new ArrayList<>();
                try (ExecutorService pool = Executors.newThreadPerTaskExecutor(
                        Thread.ofVirtual().name("attacker-", 0).factory())) {
                    for (int t = 0; t < 4; t++) {
                        int first = t;
                        floods.add(pool.submit(() -> {
                            List<Flooder> mine = new ArrayList<>();
                            for (int a = first; a < ADDRESSES; a += 4) {
                                mine.add(flood(a, target));
                            }
                            return mine;
                        }));
                    }
                    // In the middle of it, the good DHT node is still answered.
                    answered(goodDht, target);
                    for (Future<List<Flooder>> f : floods) {
                        flooders.addAll(f.get());
                    }
                }
                // The victim handles what arrives in order: once a ping sent after the flood is
                // answered, every reply to the flood has been sent and the counts are final.
                answered(goodDht, target);
                long handled = System.nanoTime();
                int mostAnswered = 0;
                for (Flooder f : flooders) {
                    int replies = f.drainReplies();
                    // Each address may be answered a burst at once and the rate after that, for
                    // as long as the victim may have been handling its packets: from the first
                    // one sent until everything was handled. (A slow machine loosens the bound;
                    // an unlimited node would answer all 82 that deserve an answer.)
                    double allowed = QUERY_BURST + QUERY_RATE * (handled - f.startedNanos()) / 1e9;
                    assertThat((double) replies).as("replies to %s", f.socket().getLocalAddress())
                            .isLessThanOrEqualTo(Math.ceil(allowed));
                    mostAnswered = Math.max(mostAnswered, replies);
                }
                log.info("DHT flood: at most {} of the {} packets from one address answered", mostAnswered,
                        QUERIES_EACH + MALFORMED_EACH);
            } finally {
                for (Flooder f : flooders) {
                    f.socket().close();
                }
            }
            long sent = (long) ADDRESSES * (QUERIES_EACH + MALFORMED_EACH);
            log.info("DHT flood: {} packets sent from {} addresses; {} in, {} dropped on a full queue; {}", sent, ADDRESSES,
                    counters.packetsIn(), counters.inboxDropped(), counters);
            assertThat(counters.rateLimitedPackets()).as("queries over their address's rate").isPositive();
            assertThat(counters.malformedPackets()).isPositive();
            assertThat(counters.errorsSent()).as("203 for garbage with a readable transaction id, 202 for a full store")
                    .isPositive();
            assertThat(counters.infoHashesStored()).isLessThanOrEqualTo(MAX_INFO_HASHES);
            assertThat(counters.peersStored()).isLessThanOrEqualTo(MAX_STORED_PEERS);

            h.assertRecovered("the DHT flood");
        }
    }

    private static DatagramSocket socket(int a) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.36." + (a / 250) + "." + (a % 250 + 1), 0));
        s.setSoTimeout(5000);
        return s;
    }

    /** Sends one query and returns the reply to it (the victim answers every query within the rate). */
    private static KrpcMessage ask(DatagramSocket s, InetSocketAddress to, KrpcMessage.Method method)
            throws IOException {
        byte[] t = {(byte) 0x7a, (byte) 0x7a};
        send(s, to, KrpcCodec.encode(new KrpcMessage.Query(t, DhtId.random(), method, false)));
        byte[] buffer = new byte[4096];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
            s.receive(p);
            return KrpcCodec.decode(buffer, 0, p.getLength(), Bencode.Limits.DEFAULTS);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the victim's DHT did not answer " + method, e);
        } catch (KrpcException e) {
            throw new AssertionError("the victim's DHT answered garbage", e);
        }
    }

    /** One flooding address: its socket (kept open for the replies) and when it started sending. */
    private record Flooder(DatagramSocket socket, long startedNanos) {
        /**
         * Counts the replies waiting in the socket; all of them have arrived (see the ping
         * above). Queries the victim's DHT sent to this address on its own (it may ping a node
         * it heard of) are not replies.
         */
        int drainReplies() throws IOException {
            socket.setSoTimeout(1);
            byte[] buffer = new byte[4096];
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            int n = 0;
            while (true) {
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException empty) {
                    return n;
                }
                try {
                    if (!(KrpcCodec.decode(buffer, 0, p.getLength(), Bencode.Limits.DEFAULTS) instanceof KrpcMessage.Query)) {
                        n++;
                    }
                } catch (KrpcException e) {
                    throw new AssertionError("the victim's DHT sent garbage", e);
                }
            }
        }
    }

    /**
     * From one address: malformed packets of several kinds, then a burst of queries over its rate
     * limit, as fast as it can send them. Replies are left in the socket until the flood is over.
     */
    private static Flooder flood(int address, InetSocketAddress to) throws IOException {
        Random random = new Random(address);
        DatagramSocket s = socket(address);
        List<byte[]> garbage = List.of(
                bytes(random, 100), // random bytes
                "d1:ad2:id20:".getBytes(StandardCharsets.US_ASCII), // bencode cut short
                bytes(random, 5000), // longer than a KRPC packet may be
                "d1:t2:aa1:y1:qe".getBytes(StandardCharsets.US_ASCII), // a query without a method: answerable, 203
                "d1:t2:aa1:y1:q1:q5:spame".getBytes(StandardCharsets.US_ASCII), // unknown method: 204
                "i1e".getBytes(StandardCharsets.US_ASCII), // not a dictionary
                "d1:t2:aa1:y1:r1:rd2:id3:abcee".getBytes(StandardCharsets.US_ASCII), // a response with a short id
                "l".repeat(100).getBytes(StandardCharsets.US_ASCII), // nested past the depth limit
                "d1:t2:aa1:y1:e1:eli201e4:oopsee".getBytes(StandardCharsets.US_ASCII), // an error nobody asked for
                new byte[0]);
        long start = System.nanoTime();
        for (int i = 0; i < MALFORMED_EACH; i++) {
            send(s, to, garbage.get(i % garbage.size()));
        }
        for (int i = 0; i < QUERIES_EACH; i++) {
            KrpcMessage.Method m = switch (i % 3) {
                case 0 -> new KrpcMessage.Ping();
                case 1 -> new KrpcMessage.FindNode(DhtId.random());
                default -> new KrpcMessage.GetPeers(DhtId.random());
            };
            byte[] t = {(byte) (i >>> 8), (byte) i};
            send(s, to, KrpcCodec.encode(new KrpcMessage.Query(t, DhtId.random(), m, false)));
        }
        return new Flooder(s, start);
    }

    /** Pings until the victim's DHT answers: a ping may be lost among the flood's packets. */
    private static void answered(DhtNode good, InetSocketAddress target) {
        Await.until("the good DHT node's ping answered", () -> {
            try {
                return good.ping(target).get().address().equals(target);
            } catch (Exception lost) {
                return false;
            }
        });
    }

    private static byte[] bytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    private static void send(DatagramSocket s, InetSocketAddress to, byte[] packet) throws IOException {
        s.send(new DatagramPacket(packet, packet.length, to));
    }
}
