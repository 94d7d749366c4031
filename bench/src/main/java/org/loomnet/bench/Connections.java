package org.loomnet.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.loomnet.crypto.Identity;
import org.loomnet.wire.NetworkId;

/**
 * #4: connection scale. One node, the daemon ({@code node.jar}) in a process of its own with its
 * connection limits raised by flags, takes {@value #FULL} encrypted connections that this JVM opens
 * from many loopback source addresses ({@link ClientFleet}), each a {@link BarePeer}: the real
 * preamble, Noise XX handshake and HELLO, then idle, answering the node's keep-alive PINGs. It
 * reports how fast the node takes them (handshakes per second, and the node's CPU time per
 * handshake), whether it holds them all, and what holding them costs it: heap and resident memory
 * per connection, OS threads and virtual threads.
 *
 * <p>Baseline: {@link HoldingServer}, a plain {@code java.net} server in a process of its own with
 * the same JVM options, a virtual thread per connection blocked in {@code read}, taking the same
 * number of plain TCP connections from the same source addresses, measured the same way.
 *
 * <p>One iteration of either side: start the server; open and close a first round of connections,
 * so that the JIT's code and the classes a connection loads are not counted as the cost of a
 * connection; once it holds none, idle, then measure it (a full GC with a class histogram of what
 * is live, VmRSS, OS threads); open the connections, timing the openings and the server's CPU time;
 * wait until the server itself reports them all; hold them idle for a while (longer than the node's
 * ping interval, so that every connection exchanges keep-alives); measure again; ask the server how
 * many it holds and probe every connection once (a PING to the node, a byte to the baseline's echo);
 * close everything. Per-connection figures are the difference of the two measurements divided by
 * the connections the server held.
 */
public final class Connections implements Benchmark {

    /** Connections of a full run. */
    static final int FULL = 10_000;
    /** Openings in flight at once (TCP connects not yet answered by a HELLO or a greeting). */
    static final int IN_FLIGHT = 64;
    /** Connections of a smoke run: a few seconds, and far below any CI machine's open-file limit. */
    static final int SMOKE = 150;
    /**
     * The JVM options of both server processes: a heap the figures can be read against, its
     * initial size equal to its maximum so that the full GC before a measurement never gives heap
     * back to the OS (G1 shrinks a heap above -Xms after a full GC, and RSS would fall with it).
     */
    static final List<String> SERVER_JVM = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC");
    /**
     * Open files a JVM of the benchmark needs beyond one per connection: its jars, the JDK's
     * modules, epoll and pipes, the API's and jcmd's sockets.
     */
    static final int OTHER_FILES = 256;
    /** The network name the node runs, and so the one the peers speak. */
    private static final String NETWORK = "bench";

    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration OPEN_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration COUNT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);
    /** Classes named per connection: in the notes, and in the progress lines. */
    private static final int NOTE_CLASSES = 8;
    private static final int LOGGED_CLASSES = 25;

    private static final String[] METRICS = {"conn/s", "CPU µs/conn", "held", "heap KiB/conn", "RSS KiB/conn",
        "OS threads", "virtual threads"};

    @Override
    public String name() {
        return "connections";
    }

    @Override
    public int number() {
        return 4;
    }

    @Override
    public String title() {
        return "10,000 idle encrypted connections on one node: handshakes/s, heap, RSS and threads per connection";
    }

    @Override
    public List<Result> run(RunSettings run) throws Exception {
        Path jar = run.requireDaemonJar();
        int wanted = run.count(FULL, SMOKE);
        // This JVM holds one end of every connection and the server the other; the servers inherit
        // this JVM's limit (which the JVM has already raised to the hard limit).
        long maxFiles = maxOpenFiles();
        int count = (int) Math.max(1, Math.min(wanted, maxFiles - OTHER_FILES));
        if (count < wanted) {
            run.log("%s: only %,d open files allowed (ulimit -n): %,d connections instead of %,d; "
                    + "raise the limit (ulimit -n %,d) for the full count", name(), maxFiles, count, wanted,
                    wanted + OTHER_FILES);
        }
        int firstRound = Math.min(count, run.count(1_000, 30));
        Duration idle = run.smoke() ? Duration.ofMillis(300) : Duration.ofSeconds(3);
        // Longer than the node's ping interval (15 s) plus a tick: every connection gets a PING.
        Duration hold = run.smoke() ? Duration.ofMillis(700) : Duration.ofSeconds(18);
        int warmup = run.warmup(0, 0);
        int iterations = run.iterations(3, 1);
        long t0 = System.nanoTime();
        List<Identity> identities = IntStream.range(0, count).parallel().mapToObj(i -> Identity.generate()).toList();
        run.log("%s: %,d identities for the peers in %.1f s; %,d connections per iteration from %d source addresses, "
                        + "%d openings in flight, held %.1f s", name(), count, (System.nanoTime() - t0) / 1e9, count,
                ClientFleet.sources(count), IN_FLIGHT, hold.toMillis() / 1e3);
        List<String> jvm = new ArrayList<>(SERVER_JVM);
        jvm.addAll(run.serverJvmArgs());
        Side node = new NodeSide(jvm, jar, count, identities);
        Side plain = new PlainSide(jvm);
        Plan plan = new Plan(count, firstRound, idle, hold);
        Trial loomnetTrial = new Trial(run, node, plan);
        Trial plainTrial = new Trial(run, plain, plan);
        Measure.Samples s = Measure.interleaved(run, name(), METRICS, warmup, iterations,
                loomnetTrial::run, plainTrial::run);
        String limit = count < wanted ? String.format(Locale.ROOT, " (%,d wanted; ulimit -n allowed %,d open files)",
                wanted, maxFiles) : "";
        return results(s, count, limit, plan, jvm, loomnetTrial, plainTrial);
    }

    private List<Result> results(Measure.Samples s, int count, String limit, Plan plan, List<String> jvm, Trial node,
                                 Trial plain) {
        String opening = String.format(Locale.ROOT, "%,d connections per iteration%s from %d source addresses "
                        + "127.44.x.y (%d each), at most %d openings in flight; LoomNet: TCP connect, preamble, Noise XX, "
                        + "HELLO both ways, until the node's HELLO arrived; baseline: TCP connect until the server's "
                        + "8-byte greeting arrived. The peers run in the benchmark JVM on the same CPUs and do as much "
                        + "cryptography per handshake as the node: the benchmark JVM used %s µs of CPU per LoomNet "
                        + "opening, %s µs per plain one; failed openings: LoomNet %s, baseline %s",
                count, limit, ClientFleet.sources(count), ClientFleet.PER_SOURCE, IN_FLIGHT, node.clientCpu(), plain.clientCpu(),
                node.failures(), plain.failures());
        String cpu = "CPU time (user + system) the server process used while the connections opened, per "
                + "connection opened; 10^6 / this is what one core of the node could take per second";
        String held = String.format(Locale.ROOT, "the server's own count after holding them %.1f s: the node's "
                        + "/api/node connections.online, the baseline's open sockets. Keep-alives: %s. "
                        + "Probed after the hold, answered: LoomNet %s (a PING each), baseline %s (one byte echoed)",
                plan.hold.toMillis() / 1e3, node.keepAlives(), node.probes(), plain.probes());
        String heap = String.format(Locale.ROOT, "live heap (jcmd GC.class_histogram, after its full GC) with "
                        + "the connections held minus the same with none, divided by the connections held; both servers "
                        + "run with %s; LoomNet per connection, the classes that grew most (bytes, instances): %s",
                String.join(" ", jvm), node.breakdown());
        String rss = "VmRSS (/proc/PID/status) right after the same full GC, difference divided by the "
                + "connections held; KiB = 1,024 bytes";
        String threads = String.format(Locale.ROOT, "Threads: in /proc/PID/status with the connections held "
                + "(with none: LoomNet %s, baseline %s)", node.threadsIdle(), plain.threadsIdle());
        String vthreads = "virtual threads in a thread dump (jcmd Thread.dump_to_file -format=json) with the "
                + "connections held: LoomNet has a reader and a writer per connection, the baseline one thread";
        return List.of(
                new Result(name(), number(), "handshakes", "opening rate", "conn/s", s.loomnet(0), s.baseline(0),
                        new Target("≥ 2,000 handshakes/s", Target.Kind.AT_LEAST, 2000), opening),
                new Result(name(), number(), "server CPU per connection", "CPU time", "µs", s.loomnet(1), s.baseline(1),
                        null, cpu),
                new Result(name(), number(), "connections held", "count", "conn", s.loomnet(2), s.baseline(2),
                        new Target(String.format(Locale.ROOT, "%,d held", FULL), Target.Kind.AT_LEAST, FULL), held),
                new Result(name(), number(), "heap per idle connection", "memory", "KiB", s.loomnet(3), s.baseline(3),
                        new Target("≤ 32 KiB", Target.Kind.AT_MOST, 32), heap),
                new Result(name(), number(), "RSS per idle connection", "memory", "KiB", s.loomnet(4), s.baseline(4),
                        null, rss),
                new Result(name(), number(), "OS threads", "threads", "threads", s.loomnet(5), s.baseline(5),
                        null, threads),
                new Result(name(), number(), "virtual threads", "threads", "threads", s.loomnet(6), s.baseline(6),
                        null, vthreads));
    }

    /** @return the open files this process may have (ulimit -n), or a large number where the JVM cannot tell */
    private static long maxOpenFiles() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os
                ? os.getMaxFileDescriptorCount() : Integer.MAX_VALUE;
    }

    /** @return the command line: the JDK's java, the servers' JVM options, then the rest */
    private static List<String> java(List<String> jvm, String... rest) {
        List<String> cmd = new ArrayList<>();
        cmd.add(RunSettings.jdkTool("java").toString());
        cmd.addAll(jvm);
        cmd.addAll(List.of(rest));
        return cmd;
    }

    /**
     * What one iteration does.
     *
     * @param count      connections held
     * @param firstRound connections of the first round, opened and closed before the idle measurement
     * @param idle       how long the server idles before the measurement without connections
     * @param hold       how long the connections are held idle before the measurement with them
     */
    private record Plan(int count, int firstRound, Duration idle, Duration hold) {
    }

    /** One side of the benchmark: how to start its server and open a connection to it. */
    private interface Side {
        String label();

        /** Starts the server process; returns once it listens. */
        Server start() throws Exception;

        /** Opens connection {@code index} of a round. */
        ClientFleet.Dialer dialer(InetSocketAddress server, BarePeer.Counters counters);
    }

    /** A running server and how to ask it about its connections. */
    private interface Server extends AutoCloseable {
        ServerProcess process();

        int port();

        /** @return the connections it holds and serves (for the node: online) */
        int held() throws Exception;

        /** @return every connection it has, in any state (for the node: handshake and closing too) */
        int total() throws Exception;

        @Override
        void close() throws IOException;
    }

    /** The process's footprint at one moment, right after a full GC. */
    private record Footprint(ClassHistogram live, long rssKib, int osThreads) {
        static Footprint of(long pid) throws IOException, InterruptedException {
            ClassHistogram live = ProcessProbe.liveHistogram(pid); // runs the full GC first
            return new Footprint(live, ProcessProbe.rssKib(pid), ProcessProbe.osThreads(pid));
        }
    }

    /** The iterations of one side, and what they saw beyond the figures. */
    private static final class Trial {
        private final RunSettings run;
        private final Side side;
        private final Plan plan;
        private final List<String> failures = new ArrayList<>();
        private final List<String> probes = new ArrayList<>();
        private final List<String> keepAlives = new ArrayList<>();
        private final List<Integer> threadsIdle = new ArrayList<>();
        private final List<String> clientCpu = new ArrayList<>();
        private String breakdown = "";

        Trial(RunSettings run, Side side, Plan plan) {
            this.run = run;
            this.side = side;
            this.plan = plan;
        }

        double[] run() throws Exception {
            try (Server server = side.start()) {
                long pid = server.process().pid();
                InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
                BarePeer.Counters counters = new BarePeer.Counters();
                try (ClientFleet first = new ClientFleet()) {
                    ClientFleet.Opening o = first.open(plan.firstRound, IN_FLIGHT, side.dialer(address, counters),
                            OPEN_TIMEOUT);
                    if (o.opened() == 0) {
                        throw new IllegalStateException(side.label() + ": no connection opened in the first round: "
                                + o.errors() + "; server: " + server.process().tail());
                    }
                }
                awaitCount(server, "no connections", () -> server.total() == 0);
                Thread.sleep(plan.idle);
                Footprint none = Footprint.of(pid);
                counters = new BarePeer.Counters();
                try (ClientFleet fleet = new ClientFleet()) {
                    long cpuBefore = ProcessProbe.cpuNanos(pid);
                    long ownCpuBefore = ProcessProbe.cpuNanos(ProcessHandle.current().pid());
                    ClientFleet.Opening o = fleet.open(plan.count, IN_FLIGHT, side.dialer(address, counters),
                            OPEN_TIMEOUT);
                    long cpu = ProcessProbe.cpuNanos(pid) - cpuBefore;
                    long ownCpu = ProcessProbe.cpuNanos(ProcessHandle.current().pid()) - ownCpuBefore;
                    failures.add(o.failed() == 0 ? "0" : o.failed() + " " + o.errors());
                    if (o.opened() == 0) {
                        throw new IllegalStateException(side.label() + ": no connection opened: " + o.errors()
                                + "; server: " + server.process().tail());
                    }
                    awaitCount(server, o.opened() + " held", () -> server.held() >= o.opened());
                    Thread.sleep(plan.hold);
                    server.process().checkAlive();
                    Footprint full = Footprint.of(pid);
                    int held = server.held();
                    int virtual = ProcessProbe.virtualThreads(pid);
                    int answered = fleet.probeAll(PROBE_TIMEOUT);
                    probes.add(answered + " of " + fleet.snapshot().size());
                    keepAlives.add(String.format(Locale.ROOT, "%,d PINGs of the node answered, by %,d peers; %,d lost",
                            counters.pingsAnswered().sum(), counters.pingedPeers().sum(), counters.lost().sum()));
                    threadsIdle.add(none.osThreads());
                    clientCpu.add(Table.number(ownCpu / 1e3 / Math.max(1, o.opened())));
                    int per = Math.max(1, held);
                    breakdown = full.live().perConnection(none.live(), per, NOTE_CLASSES);
                    run.log("  %s: %,d opened in %.2f s, %,d held; live heap %,d -> %,d B; RSS %,d -> %,d KiB; "
                                    + "OS threads %d -> %d; virtual threads %,d; probes answered %,d",
                            side.label(), o.opened(), o.seconds(), held, none.live().bytes(), full.live().bytes(),
                            none.rssKib(), full.rssKib(), none.osThreads(), full.osThreads(), virtual, answered);
                    run.log("  %s per connection: %s", side.label(),
                            full.live().perConnection(none.live(), per, LOGGED_CLASSES));
                    return new double[] {
                        o.rate(),
                        cpu / 1e3 / o.opened(),
                        held,
                        (full.live().bytes() - none.live().bytes()) / 1024.0 / per,
                        (double) (full.rssKib() - none.rssKib()) / per,
                        full.osThreads(),
                        virtual};
                }
            }
        }

        private void awaitCount(Server server, String what, Check check) throws Exception {
            long deadline = System.nanoTime() + COUNT_TIMEOUT.toNanos();
            while (!check.holds()) {
                server.process().checkAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(side.label() + ": the server did not report " + what + " within "
                            + COUNT_TIMEOUT + " (held " + server.held() + ", total " + server.total() + ")");
                }
                Thread.sleep(100);
            }
        }

        String failures() {
            return String.join(", ", failures);
        }

        String probes() {
            return String.join(", ", probes);
        }

        String keepAlives() {
            return String.join("; ", keepAlives);
        }

        String threadsIdle() {
            return threadsIdle.toString();
        }

        String clientCpu() {
            return String.join(", ", clientCpu);
        }

        String breakdown() {
            return breakdown;
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    /** The daemon, its limits raised, and {@link BarePeer}s with identities made beforehand. */
    private static final class NodeSide implements Side {
        private static final Pattern API = Pattern.compile("API and dashboard on (http://\\S+?)/? ");

        private final List<String> jvm;
        private final Path jar;
        private final int count;
        private final List<Identity> identities;
        private final int networkId = NetworkId.of(NETWORK);

        NodeSide(List<String> jvm, Path jar, int count, List<Identity> identities) {
            this.jvm = jvm;
            this.jar = jar;
            this.count = count;
            this.identities = identities;
        }

        @Override
        public String label() {
            return "LoomNet";
        }

        @Override
        public Server start() throws Exception {
            List<String> cmd = java(jvm, "-jar", jar.toString(), "--host", "127.0.0.1", "--port", "0",
                    "--network", NETWORK, "--api", "127.0.0.1:0", "--no-dht", "--target-outgoing", "0",
                    "--max-incoming", Integer.toString(count), "--max-incoming-per-ip", Integer.toString(count),
                    "--accepts-per-ip-per-second", Integer.toString(count), ServerProcess.NEW_DATA_DIR);
            CompletableFuture<URI> api = new CompletableFuture<>();
            ServerProcess p = ServerProcess.start(cmd, line -> {
                Matcher m = API.matcher(line);
                if (m.find()) {
                    api.complete(URI.create(m.group(1) + "/api/node"));
                }
            }, false);
            try {
                int port = p.awaitListening(LISTEN_TIMEOUT).port();
                URI node = api.get(LISTEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return new NodeServer(p, port, node);
            } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
                p.close();
                throw e instanceof TimeoutException
                        ? new IllegalStateException("no API line from the daemon: " + p.tail()) : e;
            }
        }

        @Override
        public ClientFleet.Dialer dialer(InetSocketAddress server, BarePeer.Counters counters) {
            return (index, source) -> BarePeer.open(source, server, identities.get(index), networkId, CONNECT_TIMEOUT,
                    counters);
        }
    }

    /** The running daemon; counts come from its API. */
    private record NodeServer(ServerProcess process, int port, URI api, HttpClient http) implements Server {

        NodeServer(ServerProcess process, int port, URI api) {
            this(process, port, api, HttpClient.newBuilder().connectTimeout(QUERY_TIMEOUT).build());
        }

        private JsonObject connections() throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(api).timeout(QUERY_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("GET " + api + ": " + r.statusCode() + " " + r.body());
            }
            return JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("connections");
        }

        @Override
        public int held() throws IOException, InterruptedException {
            return connections().get("online").getAsInt();
        }

        @Override
        public int total() throws IOException, InterruptedException {
            return connections().get("total").getAsInt();
        }

        @Override
        public void close() throws IOException {
            http.close();
            process.close();
        }
    }

    /** {@link HoldingServer} and plain sockets that read its greeting. */
    private static final class PlainSide implements Side {
        private static final Pattern OPEN = Pattern.compile("open connections: (\\d+)");

        private final List<String> jvm;

        PlainSide(List<String> jvm) {
            this.jvm = jvm;
        }

        @Override
        public String label() {
            return "plain";
        }

        @Override
        public Server start() throws Exception {
            Path classes = Path.of(HoldingServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> cmd = java(jvm, "-cp", classes.toString(), HoldingServer.class.getName());
            BlockingQueue<Integer> counts = new LinkedBlockingQueue<>();
            ServerProcess p = ServerProcess.start(cmd, line -> {
                Matcher m = OPEN.matcher(line);
                if (m.find()) {
                    counts.add(Integer.parseInt(m.group(1)));
                }
            }, true);
            try {
                return new PlainServer(p, p.awaitListening(LISTEN_TIMEOUT).port(), counts);
            } catch (InterruptedException | RuntimeException e) {
                p.close();
                throw e;
            }
        }

        @Override
        public ClientFleet.Dialer dialer(InetSocketAddress server, BarePeer.Counters counters) {
            return (index, source) -> PlainConnection.open(source, server);
        }
    }

    /** The running baseline server; it tells its count when asked on its stdin. */
    private record PlainServer(ServerProcess process, int port, BlockingQueue<Integer> counts) implements Server {

        @Override
        public int held() throws IOException, InterruptedException {
            counts.clear();
            process.tell("count");
            Integer n = counts.poll(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (n == null) {
                throw new IOException("the holding server did not answer 'count': " + process.tail());
            }
            return n;
        }

        @Override
        public int total() throws IOException, InterruptedException {
            return held();
        }

        @Override
        public void close() throws IOException {
            process.close();
        }
    }

    /** A plain client socket that has read the holding server's greeting; no thread of its own. */
    private static final class PlainConnection implements ClientFleet.Held {
        private final Socket socket;

        private PlainConnection(Socket socket) {
            this.socket = socket;
        }

        static PlainConnection open(InetAddress source, InetSocketAddress server) throws IOException {
            Socket s = ClientFleet.connect(source, server, CONNECT_TIMEOUT);
            try {
                byte[] greeting = s.getInputStream().readNBytes(HoldingServer.GREETING.length);
                if (!Arrays.equals(greeting, HoldingServer.GREETING)) {
                    throw new IOException("expected the holding server's greeting, got " + greeting.length + " bytes");
                }
                return new PlainConnection(s);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        @Override
        public void probe() throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write('?');
            out.flush();
        }

        @Override
        public boolean probeAnswered(long deadlineNanos) throws IOException {
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            try {
                InputStream in = socket.getInputStream();
                return in.read() == '?';
            } catch (SocketTimeoutException e) {
                return false;
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
