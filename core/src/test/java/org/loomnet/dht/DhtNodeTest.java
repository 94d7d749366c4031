package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.loomnet.dht.DhtTestSupport.await;
import static org.loomnet.dht.DhtTestSupport.config;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.loomnet.dht.DhtTestSupport.RawSocket;
import org.loomnet.dht.DhtTestSupport.TestClock;
import org.loomnet.dht.KrpcMessage.AnnouncePeer;
import org.loomnet.dht.KrpcMessage.ErrorMessage;
import org.loomnet.dht.KrpcMessage.FindNode;
import org.loomnet.dht.KrpcMessage.GetPeers;
import org.loomnet.dht.KrpcMessage.Ping;
import org.loomnet.dht.KrpcMessage.Query;
import org.loomnet.dht.KrpcMessage.Response;

/** One or two real nodes on loopback, driven by hand-made packets where the wire matters. */
class DhtNodeTest {

    private static final long WAIT = DhtTestSupport.DEADLINE.toSeconds();
    private static final DhtId REMOTE = DhtId.fromHex("6d6e6f707172737475767778797a313233343536");
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private DhtNode node(DhtConfig config) {
        DhtNode n = DhtNode.create(config);
        toClose.add(n);
        return n.start();
    }

    private RawSocket raw(String ip) throws Exception {
        RawSocket r = new RawSocket(ip);
        toClose.add(r);
        return r;
    }

    private static byte[] t(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Throwable cause(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(WAIT, TimeUnit.SECONDS);
            throw new AssertionError("completed normally");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("did not complete", e);
        }
    }

    @Test
    void aLookupIncludesThePeersAnnouncedToThisNodeItself() throws Exception {
        // Two nodes alone: each one's announce lands on the other, so only the local store can
        // tell each where the other is.
        DhtNode a = node(config("127.0.0.2").build());
        DhtNode b = node(config("127.0.0.3").bootstrap(List.of(a.localAddress())).build());
        await(() -> a.counters().routingTableSize() == 1 && b.counters().routingTableSize() == 1, "they know each other");
        DhtId swarm = DhtId.infoHashOf("loomnet:two");
        assertThat(a.announce(swarm, 7001, false).get(WAIT, TimeUnit.SECONDS).accepted()).isEqualTo(1);
        assertThat(b.announce(swarm, 7002, false).get(WAIT, TimeUnit.SECONDS).lookup().peers())
                .containsExactly(new InetSocketAddress("127.0.0.2", 7001)); // a's, stored at b itself
        assertThat(a.getPeers(swarm).get(WAIT, TimeUnit.SECONDS).peers()) // b's from a's own store, a's from b's
                .containsExactlyInAnyOrder(new InetSocketAddress("127.0.0.3", 7002), new InetSocketAddress("127.0.0.2", 7001));
    }

    @Test
    void twoNodesPingAndLearnEachOther() throws Exception {
        DhtNode a = node(config("127.0.0.2").build());
        DhtNode b = node(config("127.0.0.3").build());
        NodeInfo answer = a.ping(b.localAddress()).get(WAIT, TimeUnit.SECONDS);
        assertThat(answer).isEqualTo(new NodeInfo(b.id(), b.localAddress()));
        RoutingTableSnapshot ta = a.routingTable().get(WAIT, TimeUnit.SECONDS);
        assertThat(ta.nodes()).extracting(n -> n.info()).containsExactly(answer);
        assertThat(ta.nodes().get(0).status()).isEqualTo(NodeStatus.GOOD);
        await(() -> b.counters().routingTableSize() == 1, "b learned a from its query");
        RoutingTableSnapshot tb = b.routingTable().get(WAIT, TimeUnit.SECONDS);
        // b only heard a query from a: questionable until a answers one of b's queries.
        assertThat(tb.nodes().get(0).status()).isEqualTo(NodeStatus.QUESTIONABLE);
        assertThat(a.counters().queriesSent()).isGreaterThanOrEqualTo(1);
        assertThat(b.counters().pingsReceived()).isGreaterThanOrEqualTo(1);
        assertThat(a.counters().bytesOut()).isPositive();
        assertThat(b.counters().bytesIn()).isPositive();
    }

    @Test
    void servesEveryQueryAsBep5Says() throws Exception {
        DhtNode node = node(config("127.0.0.2").build());
        RawSocket peer = raw("127.0.0.3");
        InetSocketAddress to = node.localAddress();

        peer.send(new Query(t("aa"), REMOTE, new Ping(), false), to);
        assertThat(peer.receiveMessage()).isEqualTo(Response.of(t("aa"), node.id()));

        peer.send(new Query(t("ab"), REMOTE, new FindNode(REMOTE), false), to);
        Response found = (Response) peer.receiveMessage();
        // The node knows only us (from our queries): it tells us about ourselves, nobody else.
        assertThat(found.nodes()).containsExactly(new NodeInfo(REMOTE, peer.address()));

        DhtId infoHash = DhtId.infoHashOf("loomnet:test");
        peer.send(new Query(t("ac"), REMOTE, new GetPeers(infoHash), false), to);
        Response none = (Response) peer.receiveMessage();
        assertThat(none.token()).isNotNull();
        assertThat(none.values()).isNull();
        assertThat(none.nodes()).isNotNull();

        peer.send(new Query(t("ad"), REMOTE, new AnnouncePeer(infoHash, 6881, none.token(), false), false), to);
        assertThat(peer.receiveMessage()).isEqualTo(Response.of(t("ad"), node.id()));
        peer.send(new Query(t("ae"), REMOTE, new AnnouncePeer(infoHash, 0, none.token(), true), false), to);
        assertThat(peer.receiveMessage()).isEqualTo(Response.of(t("ae"), node.id()));

        peer.send(new Query(t("af"), REMOTE, new GetPeers(infoHash), false), to);
        Response values = (Response) peer.receiveMessage();
        assertThat(values.values()).containsExactlyInAnyOrder(new InetSocketAddress("127.0.0.3", 6881),
                peer.address()); // implied_port: the UDP source port
        assertThat(values.nodes()).isNull();

        peer.send(new Query(t("ag"), REMOTE, new AnnouncePeer(infoHash, 6881, t("badtoken"), null), false), to);
        ErrorMessage bad = (ErrorMessage) peer.receiveMessage();
        assertThat(bad.code()).isEqualTo(203);
        assertThat(bad.transactionId()).isEqualTo(t("ag"));

        // A token is bound to the address it was given to.
        RawSocket thief = raw("127.0.0.4");
        thief.send(new Query(t("ah"), REMOTE, new AnnouncePeer(infoHash, 6881, none.token(), false), false), to);
        assertThat(((ErrorMessage) thief.receiveMessage()).code()).isEqualTo(203);

        peer.send(KrpcCapture.packet("query TO bittorrent-dht: unknown method \"foo\""), to);
        ErrorMessage unknown = (ErrorMessage) peer.receiveMessage();
        assertThat(unknown.code()).isEqualTo(204);
        assertThat(unknown.transactionId()).isEqualTo(t("ah"));

        DhtCounters c = node.counters();
        assertThat(c.pingsReceived()).isEqualTo(1);
        assertThat(c.findNodesReceived()).isEqualTo(1);
        assertThat(c.getPeersReceived()).isEqualTo(2);
        assertThat(c.announcesReceived()).isEqualTo(4);
        assertThat(c.unknownMethodsReceived()).isEqualTo(1);
        await(() -> c.errorsSent() == 3, "three errors counted"); // counted just after the send
        await(() -> c.peersStored() == 2, "two peers stored");
    }

    @Test
    void aFullPeerStoreRefusesNewInfoHashesWithError202() throws Exception {
        DhtNode node = node(config("127.0.0.2").maxInfoHashes(1).build());
        RawSocket peer = raw("127.0.0.3");
        DhtId first = DhtId.infoHashOf("first");
        DhtId second = DhtId.infoHashOf("second");
        peer.send(new Query(t("g1"), REMOTE, new GetPeers(first), false), node.localAddress());
        byte[] token = ((Response) peer.receiveMessage()).token();
        peer.send(new Query(t("a1"), REMOTE, new AnnouncePeer(first, 1000, token, false), false), node.localAddress());
        assertThat(peer.receiveMessage()).isInstanceOf(Response.class);
        peer.send(new Query(t("a2"), REMOTE, new AnnouncePeer(second, 1000, token, false), false), node.localAddress());
        ErrorMessage full = (ErrorMessage) peer.receiveMessage();
        assertThat(full.code()).isEqualTo(202);
        assertThat(full.message()).contains("full");
        // A re-announce of what is stored still works.
        peer.send(new Query(t("a3"), REMOTE, new AnnouncePeer(first, 1000, token, false), false), node.localAddress());
        assertThat(peer.receiveMessage()).isInstanceOf(Response.class);
    }

    @Test
    void readOnlyQueriersAreServedButNotAdded() throws Exception {
        DhtNode node = node(config("127.0.0.2").build());
        RawSocket peer = raw("127.0.0.3");
        peer.send(new Query(t("aa"), REMOTE, new Ping(), true), node.localAddress());
        assertThat(peer.receiveMessage()).isInstanceOf(Response.class);
        assertThat(node.routingTable().get(WAIT, TimeUnit.SECONDS).size()).isZero();
        peer.send(new Query(t("ab"), REMOTE, new Ping(), false), node.localAddress());
        assertThat(peer.receiveMessage()).isInstanceOf(Response.class);
        assertThat(node.routingTable().get(WAIT, TimeUnit.SECONDS).size()).isEqualTo(1);
    }

    @Test
    void garbageIsIgnoredOrAnswered203AndTheNodeKeepsServing() throws Exception {
        DhtNode node = node(config("127.0.0.2").build());
        RawSocket attacker = raw("127.0.0.3");
        InetSocketAddress to = node.localAddress();

        // A query whose id is an integer: the transaction id is readable, so it gets a 203.
        attacker.send(t("d1:ad2:idi42ee1:q4:ping1:t2:zz1:y1:qe"), to);
        ErrorMessage e = (ErrorMessage) attacker.receiveMessage();
        assertThat(e.code()).isEqualTo(203);
        assertThat(e.transactionId()).isEqualTo(t("zz"));
        assertThat(e.message()).contains("`id` must be a 20-byte string");

        // A thousand bad packets, in batches the loopback buffer holds.
        List<byte[]> garbage = garbage(1000);
        int malformed = 0;
        for (byte[] g : garbage) {
            try {
                KrpcCodec.decode(g, Bencode.Limits.DEFAULTS);
                throw new AssertionError("garbage generator made a valid packet");
            } catch (KrpcException x) {
                malformed += x.errorCode() == 204 ? 0 : 1;
            }
        }
        long before = node.counters().packetsIn();
        for (int i = 0; i < garbage.size(); i++) {
            attacker.send(garbage.get(i), to);
            if (i % 50 == 49) {
                long sent = i + 1;
                await(() -> node.counters().packetsIn() >= before + sent, sent + " garbage packets received");
            }
        }
        int expectedMalformed = malformed + 1;
        await(() -> node.counters().malformedPackets() == expectedMalformed, "all garbage counted");

        // Another address is served at once; the node is fine.
        RawSocket honest = raw("127.0.0.4");
        honest.send(new Query(t("ok"), REMOTE, new Ping(), false), to);
        KrpcMessage reply;
        do {
            reply = honest.receiveMessage();
        } while (!(reply instanceof Response));
        assertThat(reply).isEqualTo(Response.of(t("ok"), node.id()));
        assertThat(node.ping(attacker.address()).isDone()).isFalse(); // the API still takes requests
        // The attacker's error replies stayed within its rate limit (burst 50, 20/s).
        assertThat(node.counters().errorsSent()).isLessThan(200);
    }

    /** Bad packets of every kind: random bytes, truncations, huge lengths, deep nesting, wrong types. */
    private static List<byte[]> garbage(int count) {
        SplittableRandom random = new SplittableRandom(7);
        byte[] valid = KrpcCodec.encode(new Query(t("gg"), REMOTE, new AnnouncePeer(REMOTE, 1, t("tok"), true), false));
        List<String> fixed = List.of("99999999999:", "d1:t2:aa1:y1:q" + "l".repeat(100) + "e", "l".repeat(3000),
                "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q", "d1:t2:aa1:y1:re",
                "d1:ad2:id20:abcdefghij01234567896:targeti1ee1:q9:find_node1:t2:aa1:y1:qe",
                "d1:rd2:id20:abcdefghij01234567895:nodes3:abce1:t2:aa1:y1:re", "i1e", "",
                "d1:t2:aa1:y1:q1:t2:bbe", "d1:ai0e1:q4:ping1:t2:aa1:y1:qe");
        List<byte[]> out = new ArrayList<>();
        while (out.size() < count) {
            int kind = out.size() % 4;
            byte[] g;
            if (kind == 0) {
                g = t(fixed.get(random.nextInt(fixed.size())));
            } else if (kind == 1) {
                g = Arrays.copyOf(valid, random.nextInt(valid.length));
            } else if (kind == 2) {
                g = new byte[1 + random.nextInt(200)];
                random.nextBytes(g);
            } else {
                g = valid.clone();
                g[random.nextInt(g.length)] = (byte) "xl:e9-".charAt(random.nextInt(6));
            }
            try {
                KrpcCodec.decode(g, Bencode.Limits.DEFAULTS);
            } catch (KrpcException bad) {
                out.add(g);
            }
        }
        return out;
    }

    @Test
    void aQueryFloodFromOneAddressIsRateLimited() throws Exception {
        TestClock clock = new TestClock();
        DhtNode node = node(config("127.0.0.2").clock(clock).queryBurstPerIp(5).queriesPerSecondPerIp(1).build());
        RawSocket flood = raw("127.0.0.3");
        for (int i = 0; i < 20; i++) {
            flood.send(new Query(new byte[] {0, (byte) i}, REMOTE, new Ping(), false), node.localAddress());
        }
        await(() -> node.counters().rateLimitedPackets() == 15, "15 pings dropped");
        assertThat(node.counters().pingsReceived()).isEqualTo(5);
        for (int i = 0; i < 5; i++) {
            assertThat(flood.receiveMessage()).isInstanceOf(Response.class);
        }
        clock.advance(Duration.ofSeconds(1)); // one more token
        flood.send(new Query(t("x1"), REMOTE, new Ping(), false), node.localAddress());
        assertThat(flood.receiveMessage().transactionId()).isEqualTo(t("x1"));
    }

    @Test
    void aQueryWithoutAnswerTimesOutOnTheInjectedClock() throws Exception {
        TestClock clock = new TestClock();
        DhtNode node = node(config("127.0.0.2").clock(clock).build());
        RawSocket silent = raw("127.0.0.3");
        CompletableFuture<NodeInfo> ping = node.ping(silent.address());
        assertThat(silent.receiveMessage()).isInstanceOf(Query.class); // it was sent
        await(() -> node.counters().pendingTransactions() == 1, "one query pending");
        assertThat(ping.isDone()).isFalse();
        clock.advance(Duration.ofSeconds(3));
        assertThat(cause(ping)).isInstanceOf(TimeoutException.class).hasMessageContaining("no answer from");
        assertThat(node.counters().timeouts()).isEqualTo(1);
        await(() -> node.counters().pendingTransactions() == 0, "nothing pending");
    }

    @Test
    void aResponseMustComeFromTheAddressTheQueryWentTo() throws Exception {
        DhtNode node = node(config("127.0.0.2").build());
        RawSocket target = raw("127.0.0.3");
        RawSocket spoofer = raw("127.0.0.4");
        CompletableFuture<NodeInfo> ping = node.ping(target.address());
        Query q = (Query) target.receiveMessage();
        spoofer.send(Response.of(q.transactionId(), DhtId.infoHashOf("spoof")), node.localAddress());
        await(() -> node.counters().unmatchedResponses() == 1, "the spoofed response was not matched");
        assertThat(ping.isDone()).isFalse();
        target.send(Response.of(q.transactionId(), REMOTE), node.localAddress());
        assertThat(ping.get(WAIT, TimeUnit.SECONDS)).isEqualTo(new NodeInfo(REMOTE, target.address()));
        // The same response again matches nothing.
        target.send(Response.of(q.transactionId(), REMOTE), node.localAddress());
        await(() -> node.counters().unmatchedResponses() == 2, "a replayed response was not matched");
    }

    @Test
    void anErrorReplyFailsThePing() throws Exception {
        DhtNode node = node(config("127.0.0.2").build());
        RawSocket grumpy = raw("127.0.0.3");
        CompletableFuture<NodeInfo> ping = node.ping(grumpy.address());
        Query q = (Query) grumpy.receiveMessage();
        grumpy.send(new ErrorMessage(q.transactionId(), 201, "A Generic Error Ocurred"), node.localAddress());
        assertThat(cause(ping)).isInstanceOfSatisfying(KrpcException.class, x -> {
            assertThat(x.errorCode()).isEqualTo(201);
            assertThat(x.getMessage()).contains("A Generic Error Ocurred");
        });
        assertThat(node.counters().errorsReceived()).isEqualTo(1);
    }

    @Test
    void newQueriesAreRefusedWhenTooManyArePending() throws Exception {
        TestClock clock = new TestClock(); // frozen: nothing times out
        DhtNode node = node(config("127.0.0.2").clock(clock).maxPendingTransactions(2).build());
        RawSocket silent = raw("127.0.0.3");
        CompletableFuture<NodeInfo> first = node.ping(silent.address());
        CompletableFuture<NodeInfo> second = node.ping(silent.address());
        CompletableFuture<NodeInfo> third = node.ping(silent.address());
        assertThat(cause(third)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("maxPendingTransactions");
        CompletableFuture<LookupResult> lookup = node.findNode(REMOTE);
        assertThat(cause(lookup)).isInstanceOf(RejectedExecutionException.class);
        assertThat(node.counters().refusedBusy()).isGreaterThanOrEqualTo(2);
        assertThat(first.isDone()).isFalse();
        assertThat(second.isDone()).isFalse();
        node.close();
        // Closing fails what was outstanding, and refuses what comes after.
        assertThat(cause(first)).isInstanceOf(RejectedExecutionException.class);
        assertThat(cause(node.ping(silent.address()))).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void lookupsWithAnEmptyTableFinishEmpty() throws Exception {
        DhtNode node = node(config("127.0.0.2").build());
        LookupResult r = node.findNode(REMOTE).get(WAIT, TimeUnit.SECONDS);
        assertThat(r.closest()).isEmpty();
        PeersResult p = node.getPeers(REMOTE).get(WAIT, TimeUnit.SECONDS);
        assertThat(p.peers()).isEmpty();
        AnnounceResult a = node.announce(REMOTE, 7700, false).get(WAIT, TimeUnit.SECONDS);
        assertThat(a.asked()).isZero();
    }

    @Test
    void aNodeListingOurOwnIdIsNeverAskedAboutIt() throws Exception {
        DhtNode node = node(config("127.0.0.2").build());
        RawSocket helper = raw("127.0.0.3");
        RawSocket decoy = raw("127.0.0.4");
        CompletableFuture<NodeInfo> added = node.addNode(helper.address());
        Query ping = (Query) helper.receiveMessage();
        helper.send(Response.of(ping.transactionId(), REMOTE), node.localAddress());
        added.get(WAIT, TimeUnit.SECONDS);
        // The table was small, so the node looks up its own id through the helper.
        Query findSelf = (Query) helper.receiveMessage();
        assertThat(findSelf.method()).isEqualTo(new FindNode(node.id()));
        DhtId other = DhtId.infoHashOf("other");
        helper.send(new Response(findSelf.transactionId(), REMOTE, List.of(
                new NodeInfo(node.id(), decoy.address()),       // ourselves: dropped
                new NodeInfo(other, helper.address())), null, null), node.localAddress()); // same address: dropped
        // Two own-id lookups: one at start, with an empty table (finished at once), and this one.
        await(() -> node.counters().lookupsCompleted() == 2, "the own-id lookup through the helper finished");
        assertThat(node.counters().queriesSent()).isEqualTo(2);
        assertThat(node.routingTable().get(WAIT, TimeUnit.SECONDS).nodes()).extracting(n -> n.info().id())
                .containsExactly(REMOTE);
    }

    @Test
    void invalidArgumentsAreRefusedAtOnce() {
        DhtNode node = DhtNode.create(config("127.0.0.2").build());
        toClose.add(node);
        assertThatThrownBy(() -> node.ping(InetSocketAddress.createUnresolved("example.org", 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node.announce(REMOTE, 0, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DhtConfig.builder().bind("::1", 0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(node::localAddress).isInstanceOf(IllegalStateException.class);
        assertThat(node.findNode(REMOTE)).isCompletedExceptionally(); // not started
    }
}
