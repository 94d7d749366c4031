package org.loomnet.bench;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import org.loomnet.node.Node;
import org.loomnet.node.PeerAddress;

/**
 * #5: gossip through a network. 100 nodes in this JVM on 127.5.0.x, each dialing 4 others chosen
 * at random as special peers, so each has 8 connections on average (a random graph: a few hops
 * across). One node gossips a 128-byte message; the time until the last of the other 99 nodes has
 * delivered it to its subscriber, p50 and p99 over many messages sent one at a time from random
 * nodes. Then sustained gossip: many messages in flight (a window of them), messages fully spread
 * per second.
 *
 * <p>Baseline, same run: the same graph of plain TCP connections between 100 "nodes" of plain
 * sockets, each forwarding a message it has not seen to all its neighbours but the sender
 * (length-prefixed records, a reader virtual thread per connection, a lock per outgoing stream,
 * a flush per message): the same flood with no encryption, no signatures, no protocol.
 */
public final class Gossip implements Benchmark {

    private static final String TYPE = "bench-gossip";
    private static final int SIZE = 128;
    private static final int DIALS_PER_NODE = 4;
    private static final long WAIT_SECONDS = 30;

    @Override
    public String name() {
        return "gossip";
    }

    @Override
    public int number() {
        return 5;
    }

    @Override
    public String title() {
        return "100 nodes, 8 connections each: time until the last node has a gossip, p50 and p99; gossip/s";
    }

    @Override
    public List<Result> run(RunSettings run) throws Exception {
        int count = run.count(100, 16);
        int singles = run.count(200, 20);
        int sustained = run.count(2_000, 100);
        int window = 32;
        int warmup = run.warmup(1, 0);
        int iterations = run.iterations(5, 1);
        int[][] edges = randomGraph(count, new SplittableRandom(5));
        try (LoomNetFlood loomnet = new LoomNetFlood(count, edges);
             PlainFlood plain = new PlainFlood(count, edges)) {
            run.log("%s: %d nodes, %d connections, %d singles and %d sustained (window %d) per iteration",
                    name(), count, edges.length, singles, sustained, window);
            SplittableRandom random = new SplittableRandom(55);
            Measure.Samples s = Measure.interleaved(run, "gossip",
                    new String[] {"p50 ms", "p99 ms", "gossip/s"}, warmup, iterations,
                    () -> trial(loomnet, singles, sustained, window, random),
                    () -> trial(plain, singles, sustained, window, random));
            String how = String.format(Locale.ROOT, "%d nodes on 127.5.0.x, each dialing %d random others (%d connections,"
                            + " %.1f per node), encrypted, fan-out 16 (all peers); %d-byte payloads; %d messages one at a"
                            + " time from random nodes per iteration, then %d with %d in flight; baseline: the same graph"
                            + " of plain sockets flooding length-prefixed records", count, DIALS_PER_NODE, edges.length,
                    2.0 * edges.length / count, SIZE, singles, sustained, window);
            return List.of(
                    new Result(name(), number(), "time to the last node, p50", "latency", "ms", s.loomnet(0),
                            s.baseline(0), null, how),
                    new Result(name(), number(), "time to the last node, p99", "latency", "ms", s.loomnet(1),
                            s.baseline(1), new Target("p99 < 50 ms", Target.Kind.BELOW, 50), ""),
                    new Result(name(), number(), "sustained, messages fully spread per second", "throughput",
                            "gossip/s", s.loomnet(2), s.baseline(2), null, ""));
        }
    }

    /** One iteration on either network: {p50 ms, p99 ms, gossip/s}. */
    private static double[] trial(Flood flood, int singles, int sustained, int window, SplittableRandom random)
            throws Exception {
        double[] millis = new double[singles];
        for (int i = 0; i < singles; i++) {
            int id = flood.newMessage();
            long start = System.nanoTime();
            flood.send(random.nextInt(flood.size()), id);
            flood.awaitEverywhere(id);
            millis[i] = (flood.completedAt(id) - start) / 1e6;
        }
        Arrays.sort(millis);
        Semaphore inFlight = new Semaphore(window);
        flood.onComplete(inFlight::release);
        long start = System.nanoTime();
        int last = -1;
        for (int i = 0; i < sustained; i++) {
            if (!inFlight.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a gossip did not reach every node within " + WAIT_SECONDS + " s");
            }
            last = flood.newMessage();
            flood.send(random.nextInt(flood.size()), last);
        }
        if (!inFlight.tryAcquire(window, WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the last gossips did not reach every node within " + WAIT_SECONDS + " s");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        flood.onComplete(null);
        return new double[] {Stats.percentile(millis, 50), Stats.percentile(millis, 99), sustained / seconds};
    }

    /** Each node dials {@value #DIALS_PER_NODE} random others; a pair is connected once. */
    static int[][] randomGraph(int count, SplittableRandom random) {
        Set<Long> pairs = new HashSet<>();
        List<int[]> edges = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int dialed = 0;
            for (int tries = 0; dialed < Math.min(DIALS_PER_NODE, count - 1) && tries < 100; tries++) {
                int j = random.nextInt(count);
                if (j != i && pairs.add((long) Math.min(i, j) << 32 | Math.max(i, j))) {
                    edges.add(new int[] {i, j});
                    dialed++;
                }
            }
        }
        return edges.toArray(int[][]::new);
    }

    static String host(int i) {
        return "127.5." + (i / 250) + "." + (i % 250 + 1);
    }

    /**
     * A network that floods messages, numbered 0, 1, 2, ... Each node counts the messages it
     * delivered; a message is complete when every node but its origin has it.
     */
    abstract static class Flood implements AutoCloseable {
        private static final int MAX_MESSAGES = 1 << 16;
        private final int size;
        private final AtomicIntegerArray deliveries = new AtomicIntegerArray(MAX_MESSAGES);
        private final AtomicLongArray completedAt = new AtomicLongArray(MAX_MESSAGES);
        private final CountDownLatch[] done = new CountDownLatch[MAX_MESSAGES];
        private volatile Runnable onComplete;
        private int next;

        Flood(int size) {
            this.size = size;
        }

        int size() {
            return size;
        }

        /** @return a new message number */
        int newMessage() {
            if (next == MAX_MESSAGES) {
                throw new IllegalStateException("more than " + MAX_MESSAGES + " gossips in one run");
            }
            int id = next++;
            deliveries.set(id, 0);
            completedAt.set(id, 0);
            done[id] = new CountDownLatch(1);
            return id;
        }

        abstract void send(int origin, int id) throws Exception;

        /** Called by a node when it delivers message {@code id} to its application. */
        final void delivered(int id) {
            if (deliveries.incrementAndGet(id) == size - 1) {
                completedAt.set(id, System.nanoTime());
                done[id].countDown();
                Runnable r = onComplete;
                if (r != null) {
                    r.run();
                }
            }
        }

        void awaitEverywhere(int id) throws InterruptedException {
            if (!done[id].await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gossip " + id + " reached " + deliveries.get(id) + " of "
                        + (size - 1) + " nodes within " + WAIT_SECONDS + " s");
            }
        }

        long completedAt(int id) {
            return completedAt.get(id);
        }

        void onComplete(Runnable r) {
            onComplete = r;
        }

        static byte[] payload(int id) {
            return ByteBuffer.allocate(SIZE).putInt(id).array();
        }

        static int idOf(byte[] payload) {
            return ByteBuffer.wrap(payload).getInt();
        }
    }

    /** LoomNet nodes, connected as the graph says, gossiping through {@link Node#gossip}. */
    static final class LoomNetFlood extends Flood {
        private final List<Node> nodes = new ArrayList<>();

        LoomNetFlood(int count, int[][] edges) throws Exception {
            super(count);
            try {
                for (int i = 0; i < count; i++) {
                    Node n = Node.builder().network("bench").listen(host(i), 0).targetOutgoing(0).dht(null)
                            .nodeName("g" + i).build().start();
                    n.subscribe(TYPE, m -> delivered(idOf(m.payload())));
                    nodes.add(n);
                }
                List<List<PeerAddress>> dials = new ArrayList<>();
                nodes.forEach(n -> dials.add(new ArrayList<>()));
                for (int[] e : edges) {
                    dials.get(e[0]).add(PeerAddress.of(nodes.get(e[1]).listenAddress()));
                }
                for (int i = 0; i < count; i++) {
                    nodes.get(i).setSpecialPeers(dials.get(i)).get(WAIT_SECONDS, TimeUnit.SECONDS);
                }
                int[] degree = new int[count];
                for (int[] e : edges) {
                    degree[e[0]]++;
                    degree[e[1]]++;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int i = 0; i < count; i++) {
                    while (nodes.get(i).peers().size() < degree[i]) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("node " + i + " has " + nodes.get(i).peers().size()
                                    + " of its " + degree[i] + " connections after 60 s");
                        }
                        Thread.sleep(10);
                    }
                }
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        @Override
        void send(int origin, int id) {
            nodes.get(origin).gossip(TYPE, payload(id));
        }

        @Override
        public void close() {
            List<Thread> closing = new ArrayList<>();
            for (Node n : nodes) {
                closing.add(Thread.ofVirtual().start(n::close));
            }
            for (Thread t : closing) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The baseline: the same graph of plain TCP connections, flooding length-prefixed records. */
    static final class PlainFlood extends Flood {
        private final List<PlainNode> nodes = new ArrayList<>();

        PlainFlood(int count, int[][] edges) throws IOException {
            super(count);
            try {
                for (int i = 0; i < count; i++) {
                    nodes.add(new PlainNode(i));
                }
                for (int[] e : edges) {
                    PlainNode a = nodes.get(e[0]);
                    PlainNode b = nodes.get(e[1]);
                    Socket s = new Socket();
                    s.bind(new InetSocketAddress(host(e[0]), 0));
                    s.connect(b.server.getLocalSocketAddress());
                    Socket accepted = b.server.accept();
                    a.link(s);
                    b.link(accepted);
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        void send(int origin, int id) throws IOException {
            nodes.get(origin).originate(id);
        }

        @Override
        public void close() {
            nodes.forEach(PlainNode::close);
        }

        /** One plain node: its links, and which messages it has seen. */
        final class PlainNode {
            final ServerSocket server;
            final List<Link> links = new ArrayList<>();
            private final BitSet seen = new BitSet();

            PlainNode(int i) throws IOException {
                server = new ServerSocket();
                server.bind(new InetSocketAddress(host(i), 0));
            }

            void link(Socket socket) throws IOException {
                socket.setTcpNoDelay(true);
                Link link = new Link(socket);
                links.add(link);
                Thread.ofVirtual().name("plain-gossip-reader").start(() -> read(link));
            }

            private boolean firstTime(int id) {
                synchronized (seen) { // held for a bit flip only, never across I/O
                    if (seen.get(id)) {
                        return false;
                    }
                    seen.set(id);
                    return true;
                }
            }

            void originate(int id) throws IOException {
                firstTime(id);
                byte[] p = payload(id);
                for (Link l : links) {
                    l.write(p);
                }
            }

            private void read(Link from) {
                try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(from.socket.getInputStream()))) {
                    byte[] p = new byte[SIZE];
                    while (true) {
                        int length = in.readInt();
                        in.readFully(p, 0, length);
                        int id = idOf(p);
                        if (firstTime(id)) {
                            delivered(id);
                            for (Link l : links) {
                                if (l != from) {
                                    l.write(p);
                                }
                            }
                        }
                    }
                } catch (IOException e) {
                    // closed: the benchmark is over
                }
            }

            void close() {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                links.forEach(Link::close);
            }
        }

        /** One direction of a connection: a lock per stream, so forwarding threads do not interleave records. */
        static final class Link {
            final Socket socket;
            private final ReentrantLock lock = new ReentrantLock();
            private final DataOutputStream out;

            Link(Socket socket) throws IOException {
                this.socket = socket;
                OutputStream raw = socket.getOutputStream();
                this.out = new DataOutputStream(new BufferedOutputStream(raw, SIZE + 4));
            }

            void write(byte[] p) {
                lock.lock();
                try {
                    out.writeInt(p.length);
                    out.write(p);
                    out.flush();
                } catch (IOException e) {
                    // the peer is gone; the benchmark will notice the message never completes
                } finally {
                    lock.unlock();
                }
            }

            void close() {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
