package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.loomnet.dht.AnnounceResult;
import org.loomnet.dht.DhtConfig;
import org.loomnet.dht.DhtCounters;
import org.loomnet.dht.DhtId;
import org.loomnet.dht.DhtNode;
import org.loomnet.dht.LookupResult;
import org.loomnet.dht.NodeInfo;
import org.loomnet.dht.PeersResult;
import org.loomnet.dht.RoutingTableSnapshot;

/**
 * Our DHT against another BEP 5 implementation: the npm package {@code bittorrent-dht} (the exact
 * version pinned in {@code src/test/dht-interop/package.json}), run by Node.js as
 * {@code src/test/dht-interop/peer.mjs} on 127.0.0.1 with {@code bootstrap: false}, so that it
 * knows only our nodes. The build installs it ({@code npm ci}, tests/pom.xml); without node or
 * its {@code node_modules} this test fails and says how to install them: it never skips.
 *
 * <p>Each test checks one KRPC method in both directions: what we send, the other node must
 * understand and answer (and its stderr log shows that our query arrived), and what it sends, we
 * must understand and answer (and our {@link DhtCounters} show that its query arrived).
 *
 * <pre>
 *   ours    127.0.0.1   the DhtNode under test
 *   others  127.0.0.2/3 LoomNet nodes bootstrapped from ours, so that ours has nodes to return
 *   its     127.0.0.1   bittorrent-dht, told about ours with addNode
 * </pre>
 */
class BittorrentDhtInteropIT {

    /**
     * Loopback answers in milliseconds and no node here is dead, so no check waits for it; shorter
     * than the default 2 s so that a lost packet costs little, long enough for a loaded machine.
     */
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);
    /** The ports announced as peers: data only; nothing listens or connects there. */
    private static final int ITS_PEER_PORT = 6881;
    private static final int OUR_PEER_PORT = 51413;

    private DhtNode ours;
    private final List<DhtNode> others = new ArrayList<>();
    private final List<DhtNode> extra = new ArrayList<>(); // started by a test, closed with the rest
    private NpmDht its;

    /** A failing check carries the other node's stderr: the queries it received and its warnings. */
    @RegisterExtension
    final WithNodeLog withNodeLog = new WithNodeLog();

    @BeforeEach
    void start() {
        ours = started("127.0.0.1", List.of());
        others.add(started("127.0.0.2", List.of(ours.localAddress())));
        others.add(started("127.0.0.3", List.of(ours.localAddress())));
        Await.until("our node has the other LoomNet nodes in its routing table",
                () -> tableOf(ours).containsAll(infos(others)));

        its = NpmDht.start();
        its.call("addNode", at(ours.localAddress())); // it pings us and keeps us when we answer
        Await.until("its routing table holds our node", () -> its.tableIds().contains(ours.id().hex()));
    }

    @AfterEach
    void stop() {
        try {
            if (its != null) {
                its.close(); // first: the process must never outlive the test
            }
        } finally {
            extra.forEach(DhtNode::close);
            others.forEach(DhtNode::close);
            if (ours != null) {
                ours.close();
            }
        }
    }

    @Test
    void pingInBothDirectionsAnswersWithTheNodeId() {
        // Ours pings it: the response's id is its id, from its address.
        NodeInfo pong = get("our ping of it", ours.ping(its.address()));
        assertThat(pong.id().hex()).as("id in its ping response").isEqualTo(its.id());
        assertThat(pong.address()).isEqualTo(its.address());
        Await.until("its log shows our ping, with our id",
                () -> its.received("ping", ours, q -> ours.id().hex().equals(str(q, "id"))));

        // It pings ours: the response's id is our id, and our counters saw a ping.
        long pingsBefore = ours.counters().pingsReceived();
        JsonObject reply = its.call("ping", at(ours.localAddress()));
        assertThat(str(reply, "id")).as("id in our ping response").isEqualTo(ours.id().hex());
        assertThat(str(reply, "from")).isEqualTo(hostPort(ours.localAddress()));
        assertThat(ours.counters().pingsReceived()).as("pings our node received").isGreaterThan(pingsBefore);
    }

    @Test
    void findNodeInBothDirectionsReturnsTheNodesEachKnows() {
        // It asks ours for the nodes closest to our id: the LoomNet nodes ours knows, ids and
        // addresses exactly (BEP 5 compact node info as it decodes them).
        long findNodesBefore = ours.counters().findNodesReceived();
        JsonObject reply = its.call("find_node", at(ours.localAddress()), "target", ours.id().hex());
        assertThat(str(reply, "id")).isEqualTo(ours.id().hex());
        List<NodeInfo> returned = nodes(reply.getAsJsonArray("nodes"));
        assertThat(returned).as("nodes in our find_node response").containsAll(infos(others))
                .isSubsetOf(tableOf(ours)).doesNotHaveDuplicates();
        assertThat(ours.counters().findNodesReceived()).as("find_node queries our node received")
                .isGreaterThan(findNodesBefore);

        // A LoomNet node that only it knows: ours can find it only through its find_node response.
        DhtNode hidden = started("127.0.0.4", List.of());
        extra.add(hidden);
        NodeInfo hiddenInfo = new NodeInfo(hidden.id(), hidden.localAddress());
        its.call("addNode", at(hidden.localAddress()));
        Await.until("its routing table holds the hidden node", () -> its.tableIds().contains(hidden.id().hex()));
        assertThat(tableOf(ours)).as("precondition: our node does not know the hidden node")
                .doesNotContain(hiddenInfo);
        for (DhtNode o : others) {
            assertThat(tableOf(o)).as("precondition: no other LoomNet node knows the hidden node")
                    .doesNotContain(hiddenInfo);
        }

        LookupResult found = get("our find_node lookup", ours.findNode(hidden.id()));
        assertThat(found.closest()).as("our lookup's closest nodes").contains(hiddenInfo, its.info());
        Await.until("its log shows our find_node for the hidden node's id",
                () -> its.received("find_node", ours, q -> hidden.id().hex().equals(str(q, "target"))));
    }

    @Test
    void itsAnnounceReachesOursAndOurGetPeersFindsWhatItStores() {
        // It announces: a get_peers lookup (ours gives it a token), then announce_peer to ours.
        DhtId infoHash = DhtId.infoHashOf("loomnet interop: announced by bittorrent-dht");
        DhtCounters c = ours.counters();
        long getPeersBefore = c.getPeersReceived();
        long announcesBefore = c.announcesReceived();
        long storedBefore = c.peersAnnouncedToUs();
        JsonObject announced = its.call("announce", "infoHash", infoHash.hex(), "port", ITS_PEER_PORT);
        assertThat(announced.get("hits").getAsInt()).as("nodes that answered its announce_peer").isPositive();
        assertThat(c.getPeersReceived()).as("get_peers queries our node received").isGreaterThan(getPeersBefore);
        assertThat(c.announcesReceived()).as("announce_peer queries our node received")
                .isGreaterThan(announcesBefore);
        assertThat(c.peersAnnouncedToUs()).as("announces our node accepted (valid token)")
                .isGreaterThan(storedBefore);

        // Ours stored it (and so did the other LoomNet nodes, which it learned of from ours).
        PeersResult peers = get("our get_peers lookup", ours.getPeers(infoHash));
        assertThat(peers.peers()).as("peers our lookup found")
                .contains(new InetSocketAddress("127.0.0.1", ITS_PEER_PORT));

        // A peer only it stores (no announce_peer went anywhere): ours can find it only in the
        // `values` of its get_peers response.
        DhtId onlyThere = DhtId.infoHashOf("loomnet interop: stored only by bittorrent-dht");
        InetSocketAddress storedPeer = new InetSocketAddress("127.0.0.1", ITS_PEER_PORT + 1);
        its.call("store", "infoHash", onlyThere.hex(), "host", "127.0.0.1", "port", storedPeer.getPort());
        PeersResult fromIt = get("our get_peers lookup", ours.getPeers(onlyThere));
        assertThat(fromIt.peers()).as("peers our lookup found in its values").containsExactly(storedPeer);
        Await.until("its log shows our get_peers",
                () -> its.received("get_peers", ours, q -> onlyThere.hex().equals(str(q, "infoHash"))));
    }

    @Test
    void ourAnnounceReachesItAndItsLookupFindsUs() {
        DhtId infoHash = DhtId.infoHashOf("loomnet interop: announced by LoomNet");
        AnnounceResult result = get("our announce", ours.announce(infoHash, OUR_PEER_PORT, false));
        assertThat(result.accepted()).as("nodes that accepted our announce_peer: it and the other LoomNet nodes")
                .isEqualTo(result.asked()).isGreaterThanOrEqualTo(1 + others.size());
        Await.until("its log shows our get_peers and announce_peer, with our port", () ->
                its.received("get_peers", ours, q -> infoHash.hex().equals(str(q, "infoHash")))
                        && its.received("announce_peer", ours, q -> infoHash.hex().equals(str(q, "infoHash"))
                        && q.has("port") && q.get("port").getAsInt() == OUR_PEER_PORT));

        // Its lookup: from its own store (it accepted our announce_peer), and from the `values` of
        // the get_peers responses of our nodes (which it learned of from ours' `nodes`).
        List<JsonObject> found = its.lookup(infoHash);
        Predicate<JsonObject> us = p -> "127.0.0.1".equals(str(p, "host")) && p.get("port").getAsInt() == OUR_PEER_PORT;
        assertThat(found).as("peers its lookup found").anyMatch(us.and(p -> p.get("from").isJsonNull()));
        Set<String> loomnet = new HashSet<>();
        loomnet.add(hostPort(ours.localAddress()));
        others.forEach(o -> loomnet.add(hostPort(o.localAddress())));
        assertThat(found).as("peers its lookup found in the values of a LoomNet node's get_peers response")
                .anyMatch(us.and(p -> loomnet.contains(str(p, "from"))));

        // implied_port: it stores the UDP port it sees our query come from.
        DhtId implied = DhtId.infoHashOf("loomnet interop: implied port");
        assertThat(get("our announce with implied_port", ours.announce(implied, 0, true)).accepted()).isPositive();
        Await.until("its log shows our announce_peer with implied_port = 1", () -> its.received("announce_peer",
                ours, q -> implied.hex().equals(str(q, "infoHash")) && q.has("impliedPort")
                        && q.get("impliedPort").getAsInt() == 1));
        assertThat(its.lookup(implied)).as("peers its lookup found under implied_port")
                .anyMatch(p -> p.get("from").isJsonNull() && "127.0.0.1".equals(str(p, "host"))
                        && p.get("port").getAsInt() == ours.localAddress().getPort());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static DhtNode started(String host, List<InetSocketAddress> bootstrap) {
        return DhtNode.create(DhtConfig.builder().bind(host, 0).bootstrap(bootstrap).queryTimeout(QUERY_TIMEOUT)
                .build()).start();
    }

    private static List<NodeInfo> infos(List<DhtNode> nodes) {
        return nodes.stream().map(n -> new NodeInfo(n.id(), n.localAddress())).toList();
    }

    private static List<NodeInfo> tableOf(DhtNode n) {
        RoutingTableSnapshot s = get("routing table", n.routingTable());
        return s.nodes().stream().map(RoutingTableSnapshot.Node::info).toList();
    }

    /** Waits for a future of ours with a deadline; a failure carries what went wrong. */
    private static <T> T get(String what, CompletableFuture<T> f) {
        try {
            return f.get(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not complete within " + Await.DEFAULT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static Object[] at(InetSocketAddress a) {
        return new Object[] {"host", a.getAddress().getHostAddress(), "port", a.getPort()};
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static List<NodeInfo> nodes(JsonArray array) {
        List<NodeInfo> out = new ArrayList<>();
        for (JsonElement e : array) {
            JsonObject n = e.getAsJsonObject();
            out.add(new NodeInfo(DhtId.fromHex(str(n, "id")),
                    new InetSocketAddress(str(n, "host"), n.get("port").getAsInt())));
        }
        return out;
    }

    /** Appends the node script's stderr to any failure of a test or its set-up. */
    final class WithNodeLog implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
        @Override
        public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
            throw withLog(t);
        }

        @Override
        public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t)
                throws Throwable {
            throw withLog(t);
        }

        private Throwable withLog(Throwable t) {
            if (its == null) {
                return t;
            }
            AssertionError e = new AssertionError((t instanceof AssertionError ? t.getMessage() : t.toString())
                    + "\n--- bittorrent-dht node, stderr (last lines) ---\n" + its.log(), t);
            e.setStackTrace(t.getStackTrace());
            return e;
        }
    }

    /**
     * The bittorrent-dht node: a {@code node peer.mjs} process, commands as JSON lines on its
     * stdin, one reply line each on its stdout, and a log of the queries it received on its stderr.
     */
    static final class NpmDht implements AutoCloseable {

        private static final String HOW_TO_INSTALL = "install Node.js 18+ and npm (Debian: sudo apt-get install "
                + "nodejs npm, or bin/install-test-tools npm), then let the build install the package: "
                + "mvn -pl tests verify runs `npm ci` in src/test/dht-interop (or run it there by hand)";
        private static final int LOG_LINES_SHOWN = 200;

        private final Process process;
        private final Writer stdin;
        private final BlockingQueue<JsonObject> replies = new LinkedBlockingQueue<>();
        private final List<String> stderr = new CopyOnWriteArrayList<>();
        private final String id;
        private final InetSocketAddress address;
        private int nextCommand = 1;

        private NpmDht(Process process) {
            this.process = process;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread.ofVirtual().name("bittorrent-dht-stdout").start(() -> readLines(process.getInputStream(), line -> {
                try {
                    replies.add(JsonParser.parseString(line).getAsJsonObject());
                } catch (JsonParseException | IllegalStateException e) {
                    stderr.add("(stdout, not a JSON object) " + line);
                }
            }));
            Thread.ofVirtual().name("bittorrent-dht-stderr").start(() -> readLines(process.getErrorStream(),
                    stderr::add));
            JsonObject ready = next(r -> "ready".equals(str(r, "event")), "its ready line");
            this.id = str(ready, "id");
            this.address = new InetSocketAddress("127.0.0.1", ready.get("port").getAsInt());
        }

        /** Starts {@code node peer.mjs}; fails (never skips) when node or the package is missing. */
        static NpmDht start() {
            Path dir = Path.of(System.getProperty("loomnet.dhtInterop.dir", "src/test/dht-interop")).toAbsolutePath();
            Path node = onPath("node");
            if (node == null) {
                node = onPath("nodejs"); // older Debian packages
            }
            if (node == null) {
                fail("node is not on the PATH (" + System.getenv("PATH") + "): " + HOW_TO_INSTALL);
            }
            if (!Files.isRegularFile(dir.resolve("node_modules/bittorrent-dht/package.json"))) {
                fail("the npm package bittorrent-dht is not installed in " + dir + "/node_modules: " + HOW_TO_INSTALL);
            }
            Process p;
            try {
                p = new ProcessBuilder(node.toString(), "peer.mjs").directory(dir.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("cannot start " + node + " peer.mjs in " + dir + ": " + e, e);
            }
            try {
                return new NpmDht(p); // waits for its ready line
            } catch (RuntimeException | Error e) {
                kill(p);
                throw e;
            }
        }

        private static Path onPath(String name) {
            String path = System.getenv("PATH");
            if (path == null) {
                return null;
            }
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    Path p = Path.of(dir, name);
                    if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                        return p;
                    }
                }
            }
            return null;
        }

        private static void readLines(InputStream in, Consumer<String> sink) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process ended or was killed: nothing more to read
            }
        }

        String id() {
            return id;
        }

        InetSocketAddress address() {
            return address;
        }

        NodeInfo info() {
            return new NodeInfo(DhtId.fromHex(id), address);
        }

        /**
         * Sends a command and waits for its reply.
         *
         * @param args alternating names and values; an {@code Object[]} is spliced in
         * @return the reply
         * @throws AssertionError if it answers {@code ok: false}, or not in time
         */
        JsonObject call(String cmd, Object... args) {
            JsonObject c = new JsonObject();
            int n = nextCommand++;
            c.addProperty("n", n);
            c.addProperty("cmd", cmd);
            List<Object> flat = new ArrayList<>();
            for (Object a : args) {
                if (a instanceof Object[] more) {
                    flat.addAll(List.of(more));
                } else {
                    flat.add(a);
                }
            }
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                String key = (String) flat.get(i);
                Object v = flat.get(i + 1);
                if (v instanceof Number num) {
                    c.addProperty(key, num);
                } else {
                    c.addProperty(key, String.valueOf(v));
                }
            }
            try {
                stdin.write(c + "\n");
                stdin.flush();
            } catch (IOException e) {
                throw new AssertionError("cannot send " + c + " to the node process: " + e, e);
            }
            JsonObject reply = next(r -> r.has("n") && r.get("n").getAsInt() == n, "its reply to " + c);
            if (!reply.get("ok").getAsBoolean()) {
                throw new AssertionError("its " + cmd + " failed: " + str(reply, "error") + " (command " + c + ")");
            }
            return reply;
        }

        /** Its lookup of an info-hash: the peers found, each with where from (null: its own store). */
        List<JsonObject> lookup(DhtId infoHash) {
            List<JsonObject> peers = new ArrayList<>();
            call("lookup", "infoHash", infoHash.hex()).getAsJsonArray("peers")
                    .forEach(e -> peers.add(e.getAsJsonObject()));
            return peers;
        }

        List<String> tableIds() {
            List<String> ids = new ArrayList<>();
            call("table").getAsJsonArray("nodes").forEach(e -> ids.add(str(e.getAsJsonObject(), "id")));
            return ids;
        }

        /** Whether its log shows a query of that method from that node, matching {@code more}. */
        boolean received(String method, DhtNode from, Predicate<JsonObject> more) {
            String sender = hostPort(from.localAddress());
            for (String line : stderr) {
                if (!line.startsWith("{")) {
                    continue;
                }
                JsonObject e;
                try {
                    e = JsonParser.parseString(line).getAsJsonObject();
                } catch (JsonParseException | IllegalStateException ex) {
                    continue;
                }
                if ("query".equals(str(e, "event")) && method.equals(str(e, "q")) && sender.equals(str(e, "from"))
                        && from.id().hex().equals(str(e, "id")) && more.test(e)) {
                    return true;
                }
            }
            return false;
        }

        String log() {
            List<String> lines = List.copyOf(stderr);
            int from = Math.max(0, lines.size() - LOG_LINES_SHOWN);
            return (from > 0 ? "(" + from + " earlier lines left out)\n" : "")
                    + lines.subList(from, lines.size()).stream().collect(Collectors.joining("\n"))
                    + (process.isAlive() ? "" : "\n(process exited with " + process.exitValue() + ")");
        }

        private JsonObject next(Predicate<JsonObject> wanted, String what) {
            long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
            while (true) {
                JsonObject r;
                try {
                    r = replies.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for " + what);
                }
                if (r != null) {
                    if (wanted.test(r)) {
                        return r;
                    }
                    stderr.add("(stdout, unexpected) " + r);
                } else if (!process.isAlive() && replies.isEmpty()) {
                    throw new AssertionError("the node process exited with " + process.exitValue()
                            + " while waiting for " + what + "\n" + log());
                } else if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + Await.DEFAULT.toSeconds() + " s waiting for "
                            + what + "\n" + log());
                }
            }
        }

        /** Ends the process and anything it started: stdin closed (it exits), then killed regardless. */
        @Override
        public void close() {
            List<ProcessHandle> descendants = process.descendants().toList();
            try {
                stdin.close();
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                // already gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                descendants.forEach(ProcessHandle::destroyForcibly);
                kill(process);
            }
        }

        private static void kill(Process p) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
