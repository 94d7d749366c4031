package org.loomnet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * #7: start-up. {@code java -jar daemon/target/node.jar} until its "listening on" line appears on
 * stderr, in milliseconds from the process start, and then its resident memory (VmRSS from
 * /proc/PID/status) after a few seconds idle. Baseline: {@link TrivialServer}, a class that opens a
 * server socket and prints a line, started the same way by the same JVM binary. Each launch is a
 * new process with a fresh data directory (so the daemon writes a new node key, as on a first start).
 */
public final class StartUp implements Benchmark {

    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "startup";
    }

    @Override
    public int number() {
        return 7;
    }

    @Override
    public String title() {
        return "java -jar node.jar: time to \"listening on\", idle RSS";
    }

    @Override
    public List<Result> run(RunSettings run) throws Exception {
        Path jar = run.daemonJar();
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("the daemon jar " + jar + " is missing: build it first with "
                    + "`mvn -B -q -pl daemon -am package -DskipTests`, or name it with --daemon-jar");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path classes = Path.of(TrivialServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Duration idle = run.smoke() ? Duration.ofMillis(500) : Duration.ofSeconds(3);
        int warmup = run.warmup(1, 0);
        int iterations = run.iterations(5, 1);
        run.log("%s: %s -jar %s, %d launches, RSS after %d ms idle", name(), java, jar, iterations, idle.toMillis());
        Measure.Samples s = Measure.interleaved(run, "start-up", new String[] {"ms", "MB"}, warmup, iterations,
                () -> launch(List.of(java.toString(), "-jar", jar.toString(), "--host", "127.0.0.1", "--port", "0",
                        "--api", "127.0.0.1:0", "--no-dht", "--data-dir"), idle),
                () -> launch(List.of(java.toString(), "-cp", classes.toString(), TrivialServer.class.getName()), idle));
        String how = "java -jar node.jar --host 127.0.0.1 --port 0 --api 127.0.0.1:0 --no-dht --data-dir <new temp dir>"
                + "; baseline java -cp <bench classes> " + TrivialServer.class.getSimpleName()
                + "; no JVM flags; launches: " + iterations + " of each";
        return List.of(
                new Result(name(), number(), "to \"listening on\"", "start-up", "ms", s.loomnet(0), s.baseline(0),
                        new Target("< 1 s", Target.Kind.BELOW, 1000), how),
                new Result(name(), number(), "idle RSS", "memory", "MB", s.loomnet(1), s.baseline(1),
                        new Target("< 100 MB", Target.Kind.BELOW, 100),
                        String.format(Locale.ROOT, "VmRSS after %d ms idle; MB = 10^6 bytes", idle.toMillis())));
    }

    /**
     * Starts the command (a last argument "--data-dir" gets a new temporary directory), waits for
     * "listening on" on its stderr, lets it idle, reads its RSS and stops it.
     *
     * @return {milliseconds to "listening on", RSS in MB}
     */
    private static double[] launch(List<String> command, Duration idle) throws Exception {
        List<String> cmd = new ArrayList<>(command);
        Path dataDir = null;
        if (cmd.getLast().equals("--data-dir")) {
            dataDir = Files.createTempDirectory("loomnet-bench-");
            cmd.add(dataDir.toString());
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            CompletableFuture<Long> listening = new CompletableFuture<>();
            Deque<String> tail = new ConcurrentLinkedDeque<>();
            long start = System.nanoTime();
            Process p = pb.start();
            Thread drain = Thread.ofPlatform().daemon().name("stderr-" + p.pid()).start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (!listening.isDone() && line.contains("listening on")) {
                            listening.complete(System.nanoTime());
                        }
                        tail.addLast(line);
                        if (tail.size() > 20) {
                            tail.pollFirst();
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
                listening.completeExceptionally(new IllegalStateException(
                        "exited before \"listening on\": " + String.join(" | ", tail)));
            });
            try {
                long listenedAt;
                try {
                    listenedAt = listening.get(LISTEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("no \"listening on\" within " + LISTEN_TIMEOUT + ": " + cmd);
                }
                Thread.sleep(idle);
                if (!p.isAlive()) {
                    throw new IllegalStateException("exited while idle with " + p.exitValue() + ": " + cmd);
                }
                double rss = rssKib(p.pid()) * 1024 / 1e6;
                return new double[] {(listenedAt - start) / 1e6, rss};
            } finally {
                p.destroy();
                if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                }
                drain.join(STOP_TIMEOUT.toMillis());
            }
        } finally {
            if (dataDir != null) {
                deleteTree(dataDir);
            }
        }
    }

    /** @return VmRSS of the process in KiB (the kernel's "kB") */
    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring("VmRSS:".length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
