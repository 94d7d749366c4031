package org.loomnet.bench;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.loomnet.dht.DhtConfig;
import org.loomnet.dht.DhtId;
import org.loomnet.dht.DhtNode;
import org.loomnet.dht.LookupResult;
import org.loomnet.dht.NodeInfo;

/**
 * #6: the Kademlia DHT at scale. 1,000 {@link DhtNode}s in this JVM, each on its own loopback
 * address (127.6.x.y), join through a few seed nodes and settle; then lookups of random targets
 * from random nodes. For each lookup: its rounds (the longest chain of answers followed), the
 * queries it sent, its time, and whether it returned the true k closest nodes, checked against a
 * brute-force sort of every node's id.
 *
 * <p>Baselines, measured in the same run: for time, one round trip of a small datagram between two
 * plain {@link DatagramSocket}s on virtual threads (a lookup's time is then read as "this many bare
 * round trips"); for rounds, queries and correctness, an oracle that knows every node and asks the
 * k closest directly (1 round, k queries, always right), so those ratios read as "times the
 * minimum" and "fraction correct".
 */
public final class DhtLookups implements Benchmark {

    private static final int K = 8;
    private static final int SEEDS = 4;
    private static final int CONCURRENT_LOOKUPS = 4;
    private static final int CONCURRENT_JOINS = 32;
    private static final long WAIT_SECONDS = 60;

    @Override
    public String name() {
        return "dht";
    }

    @Override
    public int number() {
        return 6;
    }

    @Override
    public String title() {
        return "1,000 DHT nodes on loopback: lookup rounds, queries, time, correctness";
    }

    @Override
    public List<Result> run(RunSettings run) throws Exception {
        int count = run.count(1_000, 60);
        int lookups = run.count(200, 10);
        int warmup = run.warmup(1, 0);
        int iterations = run.iterations(5, 1);
        List<DhtNode> nodes = new ArrayList<>();
        try (UdpEcho echo = new UdpEcho()) {
            long started = System.nanoTime();
            join(run, nodes, count);
            run.log("%s: %d nodes joined and refreshed in %.1f s", name(), count, (System.nanoTime() - started) / 1e9);
            SplittableRandom random = new SplittableRandom(6);
            int[] exact = new int[2]; // [exact lookups, all lookups], over the measured iterations
            int[] done = {0};
            Measure.Samples s = Measure.interleaved(run, "lookups",
                    new String[] {"ms per lookup", "rounds", "queries", "% exact"}, warmup, iterations,
                    () -> {
                        double[] figures = lookups(nodes, lookups, random, exact, done[0] >= warmup);
                        done[0]++;
                        return figures;
                    },
                    () -> new double[] {echo.medianRoundTripMillis(lookups * 4), 1, K, 100});
            String how = String.format(Locale.ROOT, "%d nodes on 127.6.x.y, k = %d, alpha = 3, joined through %d seeds"
                            + " and one refresh lookup each; %d lookups of random targets per iteration, %d at a time;"
                            + " exact in %d of %d measured lookups (the brute-force sort of all ids is the reference)",
                    count, K, SEEDS, lookups, CONCURRENT_LOOKUPS, exact[0], exact[1]);
            return List.of(
                    new Result(name(), number(), "time per lookup (median)", "time", "ms", s.loomnet(0), s.baseline(0),
                            null, how + "; baseline: the median round trip of a small datagram between two plain"
                            + " DatagramSockets on virtual threads"),
                    new Result(name(), number(), "rounds per lookup (median)", "rounds", "rounds", s.loomnet(1),
                            s.baseline(1), new Target("median ≤ 4 rounds", Target.Kind.BELOW, 4.0001),
                            "baseline: an oracle that asks the k closest directly (1 round)"),
                    new Result(name(), number(), "queries per lookup (mean)", "queries", "queries", s.loomnet(2),
                            s.baseline(2), null, "baseline: the oracle's k queries"),
                    // Over all measured lookups, not a median of iterations: one wrong lookup must show.
                    new Result(name(), number(), "lookups returning the true k closest", "correctness", "%",
                            Stats.of(100.0 * exact[0] / exact[1]), Stats.of(100),
                            new Target("every lookup", Target.Kind.RATIO_AT_LEAST, 1.0),
                            "over all measured lookups; baseline: the oracle, always right (100%)"));
        } finally {
            nodes.forEach(DhtNode::close);
        }
    }

    /** Starts the nodes, lets each join, then has each refresh its neighbourhood once. */
    private static void join(RunSettings run, List<DhtNode> nodes, int count) throws Exception {
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            DhtConfig.Builder config = DhtConfig.builder().bind(address(i), 0).k(K)
                    .queryTimeout(Duration.ofSeconds(2)).saveInterval(Duration.ofDays(1));
            if (i >= SEEDS) {
                config.bootstrap(seeds);
            } else if (i > 0) {
                config.bootstrap(List.copyOf(seeds));
            }
            DhtNode node = DhtNode.create(config.build()).start();
            nodes.add(node);
            if (i < SEEDS) {
                seeds.add(node.localAddress());
            }
            if (i % CONCURRENT_JOINS == CONCURRENT_JOINS - 1) {
                awaitJoined(nodes.subList(0, i + 1)); // a few dozen joins at a time, as nodes come up in life
            }
        }
        awaitJoined(nodes);
        // The first nodes met only the few that were there; a lookup of each node's own id (what a
        // bucket refresh does over the first 15 minutes of a live network) tells its neighbours about it.
        List<CompletableFuture<LookupResult>> refresh = new ArrayList<>();
        for (DhtNode n : nodes) {
            refresh.add(n.findNode(n.id()));
            if (refresh.size() == CONCURRENT_JOINS) {
                waitAll(refresh);
            }
        }
        waitAll(refresh);
        run.log("  routing tables: %s nodes each (min/median/max)", tableSizes(nodes));
    }

    private static void awaitJoined(List<DhtNode> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!nodes.stream().allMatch(n -> n.counters().lookupsCompleted() >= 1 && n.counters().activeLookups() == 0)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("DHT nodes did not join within " + WAIT_SECONDS + " s");
            }
            Thread.sleep(20);
        }
    }

    private static void waitAll(List<CompletableFuture<LookupResult>> futures) throws Exception {
        for (CompletableFuture<LookupResult> f : futures) {
            f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        futures.clear();
    }

    private static String tableSizes(List<DhtNode> nodes) {
        int[] sizes = nodes.stream().mapToInt(n -> n.counters().routingTableSize()).sorted().toArray();
        return sizes[0] + "/" + sizes[sizes.length / 2] + "/" + sizes[sizes.length - 1];
    }

    /**
     * One iteration: lookups of random targets from random nodes, a few at a time.
     *
     * @return {median ms, median rounds, mean queries, % exact}
     */
    private static double[] lookups(List<DhtNode> nodes, int count, SplittableRandom random, int[] exact,
                                    boolean measured) throws Exception {
        double[] millis = new double[count];
        double[] rounds = new double[count];
        long queries = 0;
        int right = 0;
        for (int first = 0; first < count; first += CONCURRENT_LOOKUPS) {
            int n = Math.min(CONCURRENT_LOOKUPS, count - first);
            DhtNode[] askers = new DhtNode[n];
            List<CompletableFuture<LookupResult>> running = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                askers[i] = nodes.get(random.nextInt(nodes.size()));
                running.add(askers[i].findNode(DhtId.random(random)));
            }
            for (int i = 0; i < n; i++) {
                LookupResult r = running.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS);
                millis[first + i] = r.duration().toNanos() / 1e6;
                rounds[first + i] = r.rounds();
                queries += r.queriesSent();
                if (r.closest().stream().map(NodeInfo::id).toList().equals(trueClosest(nodes, r.target(), askers[i]))) {
                    right++;
                }
            }
        }
        if (measured) {
            exact[0] += right;
            exact[1] += count;
        }
        return new double[] {median(millis), median(rounds), (double) queries / count, 100.0 * right / count};
    }

    /** The brute-force answer: every node's id sorted by XOR distance to the target, the asker left out. */
    private static List<DhtId> trueClosest(List<DhtNode> nodes, DhtId target, DhtNode asker) {
        return nodes.stream().filter(n -> n != asker).map(DhtNode::id).sorted(target.closestFirst()).limit(K).toList();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return Stats.percentile(sorted, 50);
    }

    /** @return node {@code i}'s address: 127.6.x.y, 200 nodes per x */
    static String address(int i) {
        return "127.6." + (i / 200) + "." + (i % 200 + 1);
    }

    /** The baseline: a datagram echo on a virtual thread, and the benchmark's thread timing round trips. */
    private static final class UdpEcho implements AutoCloseable {
        private final DatagramSocket server;
        private final DatagramSocket client;
        private final Thread echo;

        UdpEcho() throws SocketException {
            server = new DatagramSocket(new InetSocketAddress("127.6.250.1", 0));
            client = new DatagramSocket(new InetSocketAddress("127.6.250.2", 0));
            client.setSoTimeout(2_000);
            echo = Thread.ofVirtual().name("udp-echo").start(() -> {
                byte[] buf = new byte[1500];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    while (true) {
                        p.setLength(buf.length);
                        server.receive(p);
                        server.send(p);
                    }
                } catch (java.io.IOException e) {
                    // closed: the benchmark is over
                }
            });
        }

        /** @return the median of {@code rounds} round trips of a 100-byte datagram (the size of a find_node), ms */
        double medianRoundTripMillis(int rounds) throws java.io.IOException {
            byte[] out = new byte[100];
            byte[] in = new byte[1500];
            DatagramPacket send = new DatagramPacket(out, out.length, server.getLocalSocketAddress());
            DatagramPacket receive = new DatagramPacket(in, in.length);
            double[] millis = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                long t = System.nanoTime();
                client.send(send);
                try {
                    receive.setLength(in.length);
                    client.receive(receive);
                } catch (SocketTimeoutException e) {
                    throw new IllegalStateException("the loopback echo did not answer within 2 s", e);
                }
                millis[i] = (System.nanoTime() - t) / 1e6;
            }
            return median(millis);
        }

        @Override
        public void close() throws InterruptedException {
            server.close();
            client.close();
            echo.join(2_000);
        }
    }
}
