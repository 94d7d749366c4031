package org.loomnet.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.loomnet.node.NodeId;
import org.loomnet.node.Subscription;

/**
 * #3: request and reply through the application API. Node a sends "ping" to b, b's subscriber
 * answers "pong", a's subscriber hands it to the waiting caller: the round trip in microseconds,
 * p50 and p99 of each iteration's round trips, encrypted and plaintext. Baseline: a plain-socket
 * ping-pong of the same small records (4-byte length, 4-byte payload), one blocking write and a
 * blocking read on each side, platform threads and TCP_NODELAY. The same ping-pong with both ends on
 * virtual threads is measured in the same iterations and reported on lines of its own, to separate
 * the cost of virtual-thread scheduling from the cost of the node.
 */
public final class Latency implements Benchmark {

    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "pong".getBytes(StandardCharsets.US_ASCII);
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public int number() {
        return 3;
    }

    @Override
    public String title() {
        return "request/reply through Node.send and subscribers: round trip p50 and p99";
    }

    @Override
    public List<Result> run(RunSettings run) throws Exception {
        int rounds = run.count(5_000, 200);
        int warmup = run.warmup(2, 1);
        int iterations = run.iterations(9, 1);
        List<Result> results = new ArrayList<>();
        for (boolean encryption : new boolean[] {true, false}) {
            results.addAll(runCase(run, encryption, rounds, warmup, iterations));
        }
        return results;
    }

    private List<Result> runCase(RunSettings run, boolean encryption, int rounds, int warmup, int iterations)
            throws Exception {
        String variant = encryption ? "encrypted" : "plaintext";
        run.log("%s, %s: %d round trips per iteration", name(), variant, rounds);
        try (NodePair pair = NodePair.start(encryption, UnaryOperator.identity());
             NodePingPong nodes = new NodePingPong(pair);
             PlainPingPong platform = new PlainPingPong(false);
             PlainPingPong virtual = new PlainPingPong(true)) {
            // The baseline trial runs both plain ping-pongs, platform threads then virtual threads; the
            // node's figures are repeated so that each pair of columns compares like with like.
            String[] metrics = {"p50 µs", "p99 µs", "p50 µs (plain on virtual threads)", "p99 µs (plain on virtual threads)"};
            Measure.Samples s = Measure.interleaved(run, variant, metrics, warmup, iterations,
                    () -> {
                        double[] n = nodes.trial(rounds);
                        return new double[] {n[0], n[1], n[0], n[1]};
                    },
                    () -> {
                        double[] p = platform.trial(rounds);
                        double[] v = virtual.trial(rounds);
                        return new double[] {p[0], p[1], v[0], v[1]};
                    });
            String notes = String.format(Locale.ROOT,
                    "%,d round trips per iteration, percentiles of each iteration's round trips; "
                            + "plain socket: one blocking write and read per side, platform threads; the lines "
                            + "'vs plain on virtual threads' compare the same LoomNet figures with the same ping-pong "
                            + "with both ends on virtual threads (what the node adds beyond virtual-thread "
                            + "scheduling); dropped: %d",
                    rounds, nodes.drops());
            Target target = new Target("p50 ≤ 3× plain socket", Target.Kind.RATIO_AT_MOST, 3.0);
            return List.of(
                    new Result(name(), number(), variant + " p50", "round trip", "µs", s.loomnet(0), s.baseline(0),
                            target, notes),
                    new Result(name(), number(), variant + " p99", "round trip", "µs", s.loomnet(1), s.baseline(1),
                            null, ""),
                    new Result(name(), number(), variant + " p50 vs plain on virtual threads", "round trip", "µs",
                            s.loomnet(2), s.baseline(2), null, ""),
                    new Result(name(), number(), variant + " p99 vs plain on virtual threads", "round trip", "µs",
                            s.loomnet(3), s.baseline(3), null, ""));
        }
    }

    /** p50 and p99 in microseconds of round-trip times in nanoseconds. */
    private static double[] percentiles(long[] nanos) {
        double[] sorted = Arrays.stream(nanos).mapToDouble(n -> n / 1e3).sorted().toArray();
        return new double[] {Stats.percentile(sorted, 50), Stats.percentile(sorted, 99)};
    }

    /** Ping-pong through two nodes: a's "pong" subscriber wakes the caller, b's "ping" subscriber replies. */
    private static final class NodePingPong implements AutoCloseable {
        private final NodePair pair;
        private final AtomicLong pongs = new AtomicLong();
        private volatile Thread caller;
        private final Subscription pingSub;
        private final Subscription pongSub;

        NodePingPong(NodePair pair) {
            this.pair = pair;
            pingSub = pair.b.subscribe("ping", m -> pair.b.send(m.from(), "pong", PONG));
            pongSub = pair.a.subscribe("pong", m -> {
                pongs.incrementAndGet();
                LockSupport.unpark(caller);
            });
        }

        double[] trial(int rounds) {
            caller = Thread.currentThread();
            NodeId to = pair.b.id();
            long[] rtt = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                long want = pongs.get() + 1;
                long start = System.nanoTime();
                pair.a.send(to, "ping", PING);
                while (pongs.get() < want) {
                    LockSupport.parkNanos(this, TIMEOUT_NANOS);
                    if (pongs.get() < want && System.nanoTime() - start > TIMEOUT_NANOS) {
                        throw new IllegalStateException("no pong within 15 s after " + i + " round trips; dropped: "
                                + drops());
                    }
                }
                rtt[i] = System.nanoTime() - start;
            }
            return percentiles(rtt);
        }

        long drops() {
            return pingSub.dropped() + pongSub.dropped() + pair.queueDropsAtoB() + pair.queueDropsBtoA();
        }

        @Override
        public void close() {
            pingSub.close();
            pongSub.close();
        }
    }

    /**
     * Ping-pong over a plain socket pair: an echo thread answers each record; the caller writes a
     * record and blocks until the answer is read.
     */
    private static final class PlainPingPong implements AutoCloseable {
        private final SocketPair sockets;
        private final boolean virtualThreads;
        private final Thread echo;
        private final DataInputStream in;
        private final OutputStream out;

        PlainPingPong(boolean virtualThreads) throws IOException {
            this.virtualThreads = virtualThreads;
            this.sockets = SocketPair.open();
            this.in = new DataInputStream(new BufferedInputStream(sockets.client.getInputStream(), 1024));
            this.out = sockets.client.getOutputStream();
            Thread.Builder threads = virtualThreads ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
            echo = threads.name("plain-echo").start(this::echo);
        }

        private void echo() {
            try {
                DataInputStream sin = new DataInputStream(new BufferedInputStream(sockets.server.getInputStream(), 1024));
                OutputStream sout = sockets.server.getOutputStream();
                byte[] buffer = new byte[64];
                byte[] reply = record(PONG);
                while (true) {
                    int length = sin.readInt();
                    sin.readFully(buffer, 0, length);
                    sout.write(reply);
                }
            } catch (IOException e) {
                // the socket was closed: the benchmark is over (EOFException or SocketException)
            }
        }

        private static byte[] record(byte[] payload) {
            return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
        }

        double[] trial(int rounds) throws Exception {
            Callable<double[]> work = () -> {
                byte[] request = record(PING);
                byte[] buffer = new byte[64];
                long[] rtt = new long[rounds];
                for (int i = 0; i < rounds; i++) {
                    long start = System.nanoTime();
                    out.write(request);
                    int length = in.readInt();
                    in.readFully(buffer, 0, length);
                    rtt[i] = System.nanoTime() - start;
                }
                return percentiles(rtt);
            };
            if (!virtualThreads) {
                return work.call();
            }
            FutureTask<double[]> task = new FutureTask<>(work);
            Thread.ofVirtual().name("plain-ping").start(task);
            try {
                return task.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        }

        @Override
        public void close() throws IOException {
            sockets.close();
            try {
                echo.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
