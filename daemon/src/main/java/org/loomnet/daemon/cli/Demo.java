package org.loomnet.daemon.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.loomnet.daemon.api.ApiServer;
import org.loomnet.daemon.api.ApiToken;
import org.loomnet.dht.DhtConfig;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Node;

/**
 * A small LoomNet network in one process, on loopback: what {@code node demo} runs.
 *
 * <p>Node 1 starts first. The even nodes get node 1's TCP address as their only seed: they connect
 * to it, ask it for peers (peer exchange) and connect to the others. The odd ones get no seed at
 * all, only node 1's DHT address as their DHT bootstrap node: they find the network through the
 * DHT, where every node announces itself under SHA-1("loomnet:" + network). Each node listens on
 * its own loopback address in its own /16 ({@code 127.1.0.1}, {@code 127.2.0.1}, ...), because a
 * node keeps at most one outgoing connection per network group: on one address they would all
 * share a group and form a star. Every node has the HTTP API and dashboard; node 1's is on the
 * address asked for ({@code 127.0.0.1:6420} by default).
 *
 * <p>A sender thread makes a random node broadcast a chat message every interval, and gossip a
 * news message every fifth; every node counts what it receives. {@link #close()} stops it all.
 */
final class Demo implements AutoCloseable {

    /** Message types the demo sends. */
    static final String CHAT = "demo.chat";
    static final String NEWS = "demo.news";

    /** One demo node with its API and what it received. */
    record Member(int number, Node node, ApiServer api, AtomicLong chats, AtomicLong news) {
    }

    private final List<Member> members = new ArrayList<>();
    private final Duration interval;
    private final Path tokenDir;
    private final AtomicLong sent = new AtomicLong();
    private Thread sender;

    private Demo(Duration interval, Path tokenDir) {
        this.interval = interval;
        this.tokenDir = tokenDir;
    }

    /**
     * Starts the network.
     *
     * @param nodes    how many nodes (2 or more)
     * @param api      node 1's API address; if taken, a free port is used instead
     * @param interval time between sample messages
     * @param network  the network name
     * @param log      where to say what happens
     * @return the running demo
     * @throws IOException if a node or API cannot listen
     */
    static Demo start(int nodes, InetSocketAddress api, Duration interval, String network, PrintWriter log)
            throws IOException {
        Demo demo = new Demo(interval, Files.createTempDirectory("loomnet-demo-"));
        try {
            InetSocketAddress seed = null;
            InetSocketAddress dhtBootstrap = null;
            for (int i = 1; i <= nodes; i++) {
                String host = "127." + i + ".0.1";
                DhtConfig dht = DhtConfig.builder().bind(host, 0)
                        .bootstrap(dhtBootstrap == null ? List.of() : List.of(dhtBootstrap)).build();
                Node.Builder b = Node.builder().network(network).listen(host, 0).nodeName("demo-" + i)
                        .peerExchange(Duration.ofSeconds(2), 32)
                        .bootstrapInterval(Duration.ofSeconds(5))
                        .dht(dht).dhtIntervals(Duration.ofMinutes(15), Duration.ofSeconds(5));
                if (seed != null && i % 2 == 0) {
                    b.seedPeer(seed); // even nodes start from the seed; odd ones from the DHT alone
                }
                Node node = b.build().start();
                if (seed == null) {
                    seed = node.listenAddress();
                    dhtBootstrap = node.dht().localAddress();
                }
                demo.add(i, node, i == 1 ? api : new InetSocketAddress("127.0.0.1", 0), log);
            }
        } catch (IOException | RuntimeException e) {
            demo.close();
            throw e;
        }
        demo.sender = Thread.ofVirtual().name("demo-sender").start(demo::sendSamples);
        return demo;
    }

    private void add(int number, Node node, InetSocketAddress apiAddress, PrintWriter log) throws IOException {
        AtomicLong chats = new AtomicLong();
        AtomicLong news = new AtomicLong();
        node.subscribe(CHAT, m -> chats.incrementAndGet());
        node.subscribe(NEWS, m -> news.incrementAndGet());
        ApiToken token = ApiToken.create(tokenDir.resolve("node-" + number).resolve(ApiToken.FILE));
        ApiServer api;
        try {
            api = ApiServer.start(node, apiAddress, token);
        } catch (BindException e) {
            log.println("note: " + apiAddress + " is taken; node " + number + "'s API gets a free port");
            api = ApiServer.start(node, new InetSocketAddress(apiAddress.getAddress(), 0), token);
        }
        members.add(new Member(number, node, api, chats, news));
    }

    /** The sender thread: a random node broadcasts every interval, and gossips every fifth time. */
    private void sendSamples() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(interval);
                Member from = members.get(ThreadLocalRandom.current().nextInt(members.size()));
                long n = sent.incrementAndGet();
                String text = "hello #" + n + " from demo-" + from.number();
                if (n % 5 == 0) {
                    from.node().gossip(NEWS, ("news #" + n + " from demo-" + from.number()).getBytes(StandardCharsets.UTF_8));
                } else {
                    from.node().broadcast(CHAT, text.getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    /** @return the demo's nodes, node 1 first */
    List<Member> members() {
        return members;
    }

    /** @return sample messages sent so far */
    long sent() {
        return sent.get();
    }

    /** @return true when every node has a connection to every other node */
    boolean fullyConnected() {
        return members.stream().allMatch(m -> m.node().peers().size() == members.size() - 1);
    }

    /** The live summary: one line per node. */
    String summary() {
        TextTable t = new TextTable("NODE", "ADDRESS", "PEERS>", "OUT>", "IN>", "SENT>", "RECEIVED>", "CHAT>",
                "NEWS>", "API");
        for (Member m : members) {
            List<ConnectionInfo> conns = m.node().connections();
            long out = conns.stream().filter(c -> c.direction() == org.loomnet.connection.Direction.OUTBOUND).count();
            long bytesOut = conns.stream().mapToLong(ConnectionInfo::bytesSent).sum();
            long bytesIn = conns.stream().mapToLong(ConnectionInfo::bytesReceived).sum();
            t.row("demo-" + m.number(), org.loomnet.daemon.HostPort.format(m.node().listenAddress()),
                    m.node().peers().size(), out, conns.size() - out, ClientCommands.bytes(bytesOut),
                    ClientCommands.bytes(bytesIn), m.chats().get(), m.news().get(), m.api().url() + "/");
        }
        return t.toString();
    }

    /** Stops the sender, then every API and node, and removes the token files. */
    @Override
    public void close() {
        if (sender != null) {
            sender.interrupt();
        }
        for (Member m : members) {
            m.api().close();
            m.api().token().delete();
        }
        members.parallelStream().forEach(m -> m.node().close());
        try (var files = Files.walk(tokenDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system cleans it eventually
        }
    }
}
