package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.loomnet.dht.DhtTestSupport.await;
import static org.loomnet.dht.DhtTestSupport.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.loomnet.dht.DhtTestSupport.RawSocket;
import org.loomnet.dht.DhtTestSupport.TestClock;
import org.loomnet.dht.KrpcMessage.FindNode;
import org.loomnet.dht.KrpcMessage.Ping;
import org.loomnet.dht.KrpcMessage.Query;
import org.loomnet.dht.KrpcMessage.Response;

/**
 * The processing thread keeps its buckets healthy on its own, driven by the injected clock:
 * questionable nodes are pinged before a newcomer replaces them, and stale buckets are refreshed.
 */
class DhtMaintenanceTest {

    private static final long WAIT = DhtTestSupport.DEADLINE.toSeconds();
    private static final DhtId US = DhtId.fromHex("00".repeat(20));
    private static final DhtId OLD = DhtId.fromHex("80" + "00".repeat(18) + "01");
    private static final DhtId NEW = DhtId.fromHex("c0" + "00".repeat(19));

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    /** A node with k = 1, so that a second node for the far half of the key space finds its bucket full. */
    private DhtNode tinyNode(TestClock clock) {
        return closeLater(DhtNode.create(config("127.0.0.2").nodeId(US).k(1).clock(clock).build())).start();
    }

    private static List<DhtId> tableIds(DhtNode node) throws Exception {
        return node.routingTable().get(WAIT, TimeUnit.SECONDS).nodes().stream().map(n -> n.info().id()).toList();
    }

    @Test
    void aSilentQuestionableNodeIsPingedTwiceThenReplaced() throws Exception {
        TestClock clock = new TestClock();
        DhtNode node = tinyNode(clock);
        RawSocket old = closeLater(new RawSocket("127.0.0.3"));
        RawSocket newcomer = closeLater(new RawSocket("127.0.0.4"));
        old.send(new Query(new byte[] {1}, OLD, new Ping(), false), node.localAddress());
        assertThat(old.receiveMessage()).isInstanceOf(Response.class);
        assertThat(tableIds(node)).containsExactly(OLD); // heard only its query: questionable

        // The newcomer's bucket is full of a questionable node: it waits, and the old one is pinged.
        newcomer.send(new Query(new byte[] {2}, NEW, new Ping(), false), node.localAddress());
        assertThat(newcomer.receiveMessage()).isInstanceOf(Response.class);
        Query check = (Query) old.receiveMessage();
        assertThat(check.method()).isEqualTo(new Ping());
        assertThat(tableIds(node)).containsExactly(OLD);

        clock.advance(Duration.ofSeconds(3)); // no answer: one failure, pinged again
        Query again = (Query) old.receiveMessage();
        assertThat(again.method()).isEqualTo(new Ping());
        assertThat(tableIds(node)).containsExactly(OLD);

        clock.advance(Duration.ofSeconds(3)); // two failures: bad, and the newcomer takes its place
        await(() -> node.counters().timeouts() == 2, "two pings timed out");
        assertThat(tableIds(node)).containsExactly(NEW);
    }

    @Test
    void aQuestionableNodeThatAnswersKeepsItsPlace() throws Exception {
        TestClock clock = new TestClock();
        DhtNode node = tinyNode(clock);
        RawSocket old = closeLater(new RawSocket("127.0.0.3"));
        RawSocket newcomer = closeLater(new RawSocket("127.0.0.4"));
        old.send(new Query(new byte[] {1}, OLD, new Ping(), false), node.localAddress());
        old.receiveMessage();
        newcomer.send(new Query(new byte[] {2}, NEW, new Ping(), false), node.localAddress());
        newcomer.receiveMessage();
        Query check = (Query) old.receiveMessage();
        old.send(Response.of(check.transactionId(), OLD), node.localAddress());
        await(() -> node.counters().responsesReceived() == 1, "the answer arrived");
        RoutingTableSnapshot table = node.routingTable().get(WAIT, TimeUnit.SECONDS);
        assertThat(table.nodes()).extracting(n -> n.info().id()).containsExactly(OLD);
        assertThat(table.nodes().get(0).status()).isEqualTo(NodeStatus.GOOD);
        assertThat(table.buckets().get(0).replacements()).extracting(n -> n.info().id()).containsExactly(NEW);
    }

    @Test
    void aStaleBucketIsRefreshedWithAFindNodeOfAnIdInItsRange() throws Exception {
        TestClock clock = new TestClock();
        DhtNode node = closeLater(DhtNode.create(config("127.0.0.2").nodeId(US).clock(clock).build())).start();
        RawSocket peer = closeLater(new RawSocket("127.0.0.3"));
        peer.send(new Query(new byte[] {1}, OLD, new Ping(), false), node.localAddress());
        assertThat(peer.receiveMessage()).isInstanceOf(Response.class);
        clock.advance(Duration.ofMinutes(16));
        Query refresh = (Query) peer.receiveMessage();
        assertThat(refresh.method()).isInstanceOf(FindNode.class);
        // One bucket so far: its range is the whole key space; the target is random.
        assertThat(((FindNode) refresh.method()).target()).isNotEqualTo(US);
        peer.send(new Response(refresh.transactionId(), OLD, List.of(), null, null), node.localAddress());
        await(() -> node.counters().lookupsCompleted() == 2, "the refresh lookup finished");
        RoutingTableSnapshot table = node.routingTable().get(WAIT, TimeUnit.SECONDS);
        assertThat(table.nodes().get(0).status()).isEqualTo(NodeStatus.GOOD); // it answered
    }
}
