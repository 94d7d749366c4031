package org.loomnet.it;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * The soak run: 20 daemons ({@code node.jar} processes) on loopback for ten minutes, with churn,
 * steady messages and gossip, sampling every node's heap, resident memory, threads and file
 * descriptors, and failing if any of them keeps growing ({@link Growth}). Not a test: the
 * {@code soak} profile of the tests module runs it (README: "Crashes and the soak run"), and
 * {@code mvn verify} never does.
 *
 * <ul>
 *   <li>Nodes: node-00 ... node-19 on 127.101.0.1 ... 127.120.0.1, one /16 each, so that every
 *       node may keep an outgoing connection to every other (the outgoing target takes one per
 *       network group). node-00 is every other node's seed and DHT bootstrap node. Each restart
 *       keeps the node's data directory and its TCP and UDP ports.</li>
 *   <li>JVMs: {@code -Xms64m -Xmx64m -XX:+UseSerialGC -XX:+AlwaysPreTouch}: a small fixed heap,
 *       touched at start, so that resident memory measures everything but the Java heap's first
 *       use.</li>
 *   <li>Churn: every 30 s one of the odd-numbered nodes, in turn, is stopped (SIGTERM and SIGKILL
 *       alternately) and started again. The even-numbered ones run from start to end, while their
 *       peers come and go: the lifetimes a leak in connection handling would show most.</li>
 *   <li>Traffic: through the HTTP APIs, a 512-byte broadcast every 200 ms, a message to all peers
 *       every second and a gossip message every second, each from a random running node.</li>
 *   <li>Samples: every 10 s, of every running node ({@link ProcessProbe}: heap after a full GC,
 *       resident memory after trimming the C heap); in runs shorter than
 *       6 minutes more often (36 per run, at most every 3 s), so that a 2-minute run while
 *       developing is judged too. Each process lifetime is judged on its own, if it has at least
 *       {@value Growth#MIN_SAMPLES} samples.</li>
 * </ul>
 * Gossip ids are remembered for 1 minute ({@code --gossip-ttl 1m}, default 5) so that the seen
 * cache reaches its steady size within the warm-up third of the run.
 */
final class Soak {

    private static final int NODES = 20;
    private static final Duration CHURN_EVERY = Duration.ofSeconds(30);
    private static final Duration START = Duration.ofSeconds(60);
    private static final List<String> JVM = List.of("-Xms64m", "-Xmx64m", "-XX:+UseSerialGC", "-XX:+AlwaysPreTouch");
    private static final String NETWORK = "soak";

    /** The metrics judged, with their margins (see {@link Growth}). */
    private static final Map<String, Metric> METRICS = new LinkedHashMap<>();

    static {
        METRICS.put("heap_mib", new Metric(s -> s.heapBytes() / 1048576.0, new Growth(2, 0.10)));
        METRICS.put("rss_mib", new Metric(s -> s.rssKib() / 1024.0, new Growth(16, 0.10)));
        METRICS.put("threads", new Metric(s -> s.threads(), new Growth(4, 0.10)));
        METRICS.put("virtual_threads", new Metric(s -> s.virtualThreads(), new Growth(10, 0.15)));
        METRICS.put("fds", new Metric(s -> s.fds(), new Growth(8, 0.15)));
    }

    private record Metric(ToDoubleFunction<ProcessProbe.Sample> value, Growth rule) {
    }

    /** One sample of one process lifetime, with the node's view of the network at that moment. */
    private record Row(double t, String node, long pid, int life, ProcessProbe.Sample s, int online, long received) {
    }

    /** A node slot: its fixed address, data directory and ports, and the process now running in it. */
    private final class Slot {
        final int index;
        final String name;
        final String host;
        final Path data;
        String port = "0";
        String dhtPort = "0";
        int life;
        volatile DaemonProcess process;
        ProcessProbe probe;

        Slot(int index) {
            this.index = index;
            this.name = String.format(Locale.ROOT, "node-%02d", index);
            this.host = "127." + (101 + index) + ".0.1";
            this.data = out.resolve("data").resolve(name);
        }

        void start() throws IOException {
            List<String> args = new ArrayList<>(List.of("--host", host, "--port", port, "--dht-port", dhtPort,
                    "--network", NETWORK, "--data-dir", data.toString(), "--api", "127.0.0.1:0",
                    "--gossip-ttl", "1m"));
            if (index == 0) {
                args.addAll(List.of("--peers-file", "none"));
            } else {
                args.addAll(List.of("--peers-file", peersFile.toString(), "--dht-bootstrap", seedDht));
            }
            life++;
            DaemonProcess p = DaemonProcess.start(name, out.resolve("logs").resolve(name + "-" + life + ".log"), JVM, args);
            started.add(p);
            p.awaitReady(START);
            port = p.listenAddress().replaceAll("^.*:", "");
            dhtPort = p.lines().stream().filter(l -> l.contains("INFO Node - DHT node ")).findFirst().orElseThrow()
                    .replaceAll("^.* on udp [0-9.]+:(\\d+) .*$", "$1");
            probe = new ProcessProbe(p.pid(), out.resolve("dumps"));
            process = p;
        }

        /** SIGTERM or SIGKILL; returns the exit code. */
        int stop(boolean kill) throws InterruptedException {
            DaemonProcess p = process;
            process = null;
            probe.close();
            return kill ? p.kill() : p.stop(Duration.ofSeconds(30));
        }
    }

    private final Path out;
    private final Duration length;
    private final Duration sampleEvery;
    private final List<DaemonProcess> started = new CopyOnWriteArrayList<>();
    private final List<Slot> slots = new ArrayList<>();
    private final List<Row> rows = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    /** Nodes that ended on their own, or did not stop cleanly at the end. */
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicLong posted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private Path peersFile;
    private String seedDht;
    private long t0;
    private String loadAtStart;

    private Soak(Path out, Duration length) {
        this.out = out;
        this.length = length;
        long millis = Math.clamp(length.toMillis() / 36, 3_000, 10_000);
        this.sampleEvery = Duration.ofMillis(millis);
    }

    /**
     * @param args {@code [OUTPUT_DIR]}, default {@code target/soak}; the length is the system
     *             property {@code soak.minutes} (default 10)
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/soak").toAbsolutePath();
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "10"));
        Soak soak = new Soak(out, Duration.ofMillis((long) (minutes * 60_000)));
        Runtime.getRuntime().addShutdownHook(new Thread(soak::killAll, "soak-cleanup"));
        int status;
        try {
            status = soak.run();
        } finally {
            soak.killAll();
        }
        System.exit(status);
    }

    private int run() throws Exception {
        deleteTree(out);
        Files.createDirectories(out.resolve("dumps"));
        loadAtStart = loadAverage();
        log("soak: %d nodes for %s, churn every %ds, samples every %.1fs, output in %s", NODES, length,
                CHURN_EVERY.toSeconds(), sampleEvery.toMillis() / 1000.0, out);
        t0 = System.nanoTime();
        for (int i = 0; i < NODES; i++) {
            slots.add(new Slot(i));
        }
        Slot seed = slots.get(0);
        seed.start();
        peersFile = Files.writeString(out.resolve("peers.json"),
                "{\"networks\": {\"" + NETWORK + "\": [\"" + seed.process.listenAddress() + "\"]}}");
        seedDht = seed.host + ":" + seed.dhtPort;
        startAll(slots.subList(1, NODES));
        log("all %d nodes up", NODES);

        Thread traffic = Thread.ofVirtual().name("traffic").start(this::traffic);
        Thread churn = Thread.ofVirtual().name("churn").start(this::churn);
        // The length counts from here: starting 20 JVMs on a small machine takes a while.
        long end = System.nanoTime() + length.toNanos();
        long next = System.nanoTime();
        while (next < end) {
            sampleAll();
            next += sampleEvery.toNanos();
            long wait = Math.min(next, end) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait)); // the sampling period, not a wait for an outcome
            }
        }
        churn.interrupt();
        traffic.interrupt();
        churn.join();
        traffic.join();
        noteDeaths();
        for (Slot s : slots) {
            if (s.process != null) {
                int exit = s.stop(false);
                if (exit != 0) {
                    problems.add(s.name + " stopped with exit code " + exit + " on SIGTERM");
                }
            }
        }
        return report(problems);
    }

    private void startAll(List<Slot> some) throws InterruptedException {
        List<Thread> starting = new ArrayList<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        for (Slot s : some) {
            starting.add(Thread.ofVirtual().name("start-" + s.name).start(() -> {
                try {
                    s.start();
                } catch (IOException | RuntimeException | Error e) {
                    failures.add(s.name + ": " + e.getMessage());
                }
            }));
        }
        for (Thread t : starting) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("nodes did not start: " + failures);
        }
    }

    private double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "%7.1fs  %s%n", t0 == 0 ? 0.0 : seconds(), String.format(Locale.ROOT, format, args));
    }

    // ---- churn and traffic -------------------------------------------------------------------

    private void churn() {
        List<Slot> churned = slots.stream().filter(s -> s.index % 2 == 1).toList();
        try {
            for (int round = 0; ; round++) {
                Thread.sleep(CHURN_EVERY); // the churn period
                Slot s = churned.get(round % churned.size());
                boolean kill = round % 2 == 1;
                if (s.process == null) {
                    continue; // it died on its own: a problem already noted, not restarted
                }
                long pid = s.process.pid();
                int exit = s.stop(kill);
                s.start();
                String e = String.format(Locale.ROOT, "%s %s (pid %d, exit %d), started again as pid %d", s.name,
                        kill ? "SIGKILL" : "SIGTERM", pid, exit, s.process.pid());
                events.add(String.format(Locale.ROOT, "%.0fs %s", seconds(), e));
                log("churn: %s", e);
            }
        } catch (InterruptedException e) {
            // the run is over
        } catch (IOException | RuntimeException | Error e) {
            events.add(String.format(Locale.ROOT, "%.0fs churn failed: %s", seconds(), e));
            log("churn failed: %s", e);
        }
    }

    private void traffic() {
        String text = "m".repeat(512);
        try {
            for (long tick = 0; ; tick++) {
                Thread.sleep(200); // the traffic rate
                post("broadcast", "chat", text + tick);
                if (tick % 5 == 0) {
                    post("all", "chat", "to everyone " + tick);
                }
                if (tick % 5 == 2) {
                    post("gossip", "news", "gossip " + tick + " " + Instant.now());
                }
            }
        } catch (InterruptedException e) {
            // the run is over
        }
    }

    private void post(String target, String type, String payload) {
        Slot s = slots.get(ThreadLocalRandom.current().nextInt(slots.size()));
        DaemonProcess p = s.process;
        if (p == null) {
            return; // being restarted
        }
        JsonObject body = new JsonObject();
        body.addProperty("type", type);
        body.addProperty("payload", payload);
        body.addProperty("target", target);
        try {
            p.post("/api/messages", body);
            posted.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            refused.incrementAndGet(); // a node going down between the check and the request
        }
    }

    // ---- sampling ----------------------------------------------------------------------------

    /** A node whose process ended without the churn stopping it is a problem, and is left down. */
    private void noteDeaths() {
        for (Slot s : slots) {
            DaemonProcess p = s.process;
            if (p != null && !p.alive() && s.process == p) {
                s.process = null;
                s.probe.close();
                String e = String.format(Locale.ROOT, "%s (pid %d) ended on its own with exit code %d; its log: %s",
                        s.name, p.pid(), p.exitCode(), p.log());
                problems.add(e);
                log("PROBLEM: %s", e);
            }
        }
    }

    private void sampleAll() throws InterruptedException {
        noteDeaths();
        double t = seconds();
        List<Thread> probes = new ArrayList<>();
        for (Slot s : slots) {
            DaemonProcess p = s.process;
            ProcessProbe probe = s.probe;
            int life = s.life;
            if (p == null) {
                continue;
            }
            probes.add(Thread.ofVirtual().name("probe-" + s.name).start(() -> {
                try {
                    ProcessProbe.Sample sample = probe.sample();
                    JsonObject node = p.get("/api/node");
                    rows.add(new Row(t, s.name, p.pid(), life, sample,
                            node.getAsJsonObject("connections").get("online").getAsInt(),
                            node.getAsJsonObject("counters").get("messages_received").getAsLong()));
                } catch (IOException | RuntimeException e) {
                    // stopped by the churn meanwhile: this lifetime has one sample fewer
                }
            }));
        }
        for (Thread th : probes) {
            th.join();
        }
    }

    // ---- the verdict -------------------------------------------------------------------------

    private record Lifetime(String node, long pid, int life, List<Row> rows) {
    }

    private int report(List<String> deaths) throws IOException {
        List<Lifetime> lifetimes = new ArrayList<>();
        rows.stream().sorted(Comparator.comparing(Row::node).thenComparingInt(Row::life).thenComparingDouble(Row::t))
                .forEach(r -> {
                    Lifetime last = lifetimes.isEmpty() ? null : lifetimes.getLast();
                    if (last == null || !last.node.equals(r.node) || last.life != r.life) {
                        last = new Lifetime(r.node, r.pid, r.life, new ArrayList<>());
                        lifetimes.add(last);
                    }
                    last.rows.add(r);
                });
        writeCsv();
        StringWriter table = new StringWriter();
        PrintWriter w = new PrintWriter(table);
        w.printf(Locale.ROOT, "%-8s %8s %5s %11s %7s  %-15s %-15s %-11s %-11s %-11s %5s  %s%n", "NODE", "PID", "LIFE",
                "SECONDS", "SAMPLES", "HEAP MiB", "RSS MiB", "THREADS", "VTHREADS", "FDS", "PEERS", "VERDICT");
        List<String> growing = new ArrayList<>();
        List<Map<String, Object>> json = new ArrayList<>();
        int judged = 0;
        for (Lifetime l : lifetimes) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("node", l.node);
            j.put("pid", l.pid);
            j.put("life", l.life);
            j.put("from_s", l.rows.getFirst().t);
            j.put("to_s", l.rows.getLast().t);
            j.put("samples", l.rows.size());
            List<String> cells = new ArrayList<>();
            List<String> grew = new ArrayList<>();
            boolean judgedOne = false;
            for (Map.Entry<String, Metric> m : METRICS.entrySet()) {
                List<Double> values = l.rows.stream().map(r -> m.getValue().value.applyAsDouble(r.s)).toList();
                Growth.Verdict v = m.getValue().rule.judge(values);
                Map<String, Object> mj = new LinkedHashMap<>();
                mj.put("min", values.stream().mapToDouble(Double::doubleValue).min().orElse(0));
                mj.put("max", values.stream().mapToDouble(Double::doubleValue).max().orElse(0));
                if (v == null) {
                    cells.add("-");
                } else {
                    judgedOne = true;
                    mj.put("middle_median", v.middle());
                    mj.put("last_median", v.last());
                    mj.put("allowed_rise", v.allowed());
                    mj.put("growing", v.growing());
                    cells.add(fmt(v.middle()) + "→" + fmt(v.last()) + (v.growing() ? "!" : ""));
                    if (v.growing()) {
                        grew.add(m.getKey());
                    }
                }
                j.put(m.getKey(), mj);
            }
            judged += judgedOne ? 1 : 0;
            int peersMin = l.rows.subList(l.rows.size() * 2 / 3, l.rows.size()).stream().mapToInt(Row::online).min()
                    .orElse(0);
            j.put("peers_min_last_third", peersMin);
            String verdict = !judgedOne ? "too short to judge" : grew.isEmpty() ? "ok" : "GROWING: " + String.join(", ", grew);
            j.put("verdict", verdict);
            json.add(j);
            if (!grew.isEmpty()) {
                growing.add(l.node + " (pid " + l.pid + "): " + String.join(", ", grew));
            }
            w.printf(Locale.ROOT, "%-8s %8d %5d %5.0f-%-5.0f %7d  %-15s %-15s %-11s %-11s %-11s %5d  %s%n", l.node, l.pid,
                    l.life, l.rows.getFirst().t, l.rows.getLast().t, l.rows.size(), cells.get(0), cells.get(1),
                    cells.get(2), cells.get(3), cells.get(4), peersMin, verdict);
        }
        w.flush();
        System.out.println();
        System.out.print(table);
        System.out.println();
        String rule = "keeps growing: median of the last third of a lifetime's samples above the median of the middle"
                + " third by " + METRICS.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().rule)
                .reduce((a, b) -> a + "; " + b).orElse("") + "; the first third is warm-up";
        System.out.println(rule);
        System.out.printf(Locale.ROOT, "traffic: %d API requests accepted, %d refused (nodes restarting)%n", posted.get(),
                refused.get());
        System.out.printf(Locale.ROOT, "machine: %s; load average %s at start, %s at end%n", machine(), loadAtStart,
                loadAverage());
        events.forEach(e -> System.out.println("event: " + e));
        deaths.forEach(d -> System.out.println("PROBLEM: " + d));
        growing.forEach(g -> System.out.println("GROWING: " + g));

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("date", Instant.now().toString());
        summary.put("minutes", length.toMillis() / 60_000.0);
        summary.put("nodes", NODES);
        summary.put("jvm_options", JVM);
        summary.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        summary.put("cpus", Runtime.getRuntime().availableProcessors());
        summary.put("machine", machine());
        summary.put("load_average_at_start", loadAtStart);
        summary.put("load_average_at_end", loadAverage());
        summary.put("rule", rule);
        summary.put("requests_accepted", posted.get());
        summary.put("requests_refused", refused.get());
        summary.put("events", events);
        summary.put("problems", deaths);
        summary.put("lifetimes_judged", judged);
        summary.put("lifetimes", json);
        summary.put("passed", deaths.isEmpty() && growing.isEmpty() && judged > 0);
        Files.writeString(out.resolve("soak-result.json"),
                new GsonBuilder().setPrettyPrinting().create().toJson(summary), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("soak-table.txt"), table.toString(), StandardCharsets.UTF_8);
        if (judged == 0) {
            System.out.println("FAILED: no lifetime had " + Growth.MIN_SAMPLES + " samples: run for at least 2 minutes");
            return 1;
        }
        boolean passed = deaths.isEmpty() && growing.isEmpty();
        System.out.println((passed ? "PASSED" : "FAILED") + ": results in " + out);
        return passed ? 0 : 1;
    }

    /** The CPU model, memory and kernel, for the record of the run. */
    private static String machine() {
        String cpu = "?";
        String memory = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.replaceAll("^[^:]*:\\s*", "")).findFirst().orElse("?");
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB").findFirst().orElse("?");
        } catch (IOException e) {
            // not Linux: the rest of the record stands
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), " + memory + " RAM, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    /** The 1, 5 and 15 minute load averages: other work on the machine shows here. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private void writeCsv() throws IOException {
        StringBuilder csv = new StringBuilder("t_s,node,pid,life,heap_bytes,rss_kib,untrimmed_rss_kib,threads,"
                + "virtual_threads,fds,peers_online,messages_received\n");
        rows.stream().sorted(Comparator.comparingDouble(Row::t).thenComparing(Row::node)).forEach(r -> csv.append(
                String.format(Locale.ROOT, "%.1f,%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d%n", r.t, r.node, r.pid, r.life,
                        r.s.heapBytes(), r.s.rssKib(), r.s.untrimmedRssKib(), r.s.threads(), r.s.virtualThreads(),
                        r.s.fds(), r.online, r.received)));
        Files.writeString(out.resolve("soak-samples.csv"), csv, StandardCharsets.UTF_8);
    }

    // ---- cleaning up -------------------------------------------------------------------------

    /** Every daemon this run started ends with it, also on Ctrl-C. */
    private void killAll() {
        for (DaemonProcess p : started) {
            if (p.alive()) {
                try {
                    p.kill();
                } catch (InterruptedException | RuntimeException | Error e) {
                    // keep killing the others
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
