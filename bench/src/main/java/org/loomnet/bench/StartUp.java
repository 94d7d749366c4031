package org.loomnet.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * #7: start-up. {@code java -jar daemon/target/node.jar} until its "listening on" line appears on
 * stderr, in milliseconds from the process start, and then its resident memory (VmRSS from
 * /proc/PID/status) after a few seconds idle. Baseline: {@link TrivialServer}, a class that opens a
 * server socket and prints a line, started the same way by the same JVM binary. Each launch is a
 * new process with a fresh data directory (so the daemon writes a new node key, as on a first start).
 */
public final class StartUp implements Benchmark {

    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);

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
        Path jar = run.requireDaemonJar();
        Path java = RunSettings.jdkTool("java");
        Path classes = Path.of(TrivialServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Duration idle = run.smoke() ? Duration.ofMillis(500) : Duration.ofSeconds(3);
        int warmup = run.warmup(1, 0);
        int iterations = run.iterations(5, 1);
        run.log("%s: %s -jar %s, %d launches, RSS after %d ms idle", name(), java, jar, iterations, idle.toMillis());
        Measure.Samples s = Measure.interleaved(run, "start-up", new String[] {"ms", "MB"}, warmup, iterations,
                () -> launch(List.of(java.toString(), "-jar", jar.toString(), "--host", "127.0.0.1", "--port", "0",
                        "--api", "127.0.0.1:0", "--no-dht", ServerProcess.NEW_DATA_DIR), idle),
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
        try (ServerProcess p = ServerProcess.start(command, line -> { }, false)) {
            long listenedAt = p.awaitListening(LISTEN_TIMEOUT).nanos();
            Thread.sleep(idle);
            p.checkAlive();
            double rss = ProcessProbe.rssKib(p.pid()) * 1024 / 1e6;
            return new double[] {(listenedAt - p.startedNanos()) / 1e6, rss};
        }
    }
}
