package org.loomnet.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs the benchmarks: {@code bench [--smoke] [--json FILE] [BENCHMARK...]}. Each benchmark does
 * the same work with LoomNet and with plain sockets in this JVM, and reports both figures and their
 * ratio; the results are printed as a Markdown table on stdout and written as JSON. The exit code
 * is 0 whatever the numbers are; 1 only if a benchmark could not run at all, 2 for a bad command
 * line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Runs LoomNet's benchmarks against plain java.net sockets in the same JVM and run.",
            "Benchmarks: 1 small-messages, 2 large-messages, 3 latency, 4 connections, 5 gossip, 6 dht, 7 startup."})
public final class Bench implements Callable<Integer> {

    /** Every benchmark, in the order they run. */
    static final List<Benchmark> ALL = List.of(new SmallMessages(), new LargeMessages(), new Latency(), new Connections(),
            new Gossip(), new DhtLookups(), new StartUp());

    @Parameters(paramLabel = "BENCHMARK", arity = "0..*",
            description = "Names or numbers of the benchmarks to run (default: all).")
    List<String> selected = new ArrayList<>();

    @Option(names = "--smoke", description = "A short run with tiny counts: proves each benchmark runs; "
            + "its numbers mean little.")
    boolean smoke;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Where to write the results as JSON (default: bench/target/bench-results.json, "
                    + "or target/bench-results.json inside bench/).")
    Path json;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up iterations (default: each benchmark's own).")
    int warmup = -1;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Measured iterations (default: each benchmark's own).")
    int iterations = -1;

    @Option(names = "--daemon-jar", paramLabel = "FILE",
            description = "The daemon's jar, for the connections and startup benchmarks "
                    + "(default: daemon/target/node.jar, or ../daemon/target/node.jar).")
    Path daemonJar;

    @Option(names = "--server-jvm-args", paramLabel = "ARGS",
            description = "More JVM options for the server processes that #4 starts (the node and its baseline), "
                    + "space-separated, e.g. -XX:StartFlightRecording=filename=node.jfr (default: none).")
    String serverJvmArgs = "";

    @Option(names = "--list", description = "List the benchmarks and exit.")
    boolean list;

    private List<String> args = List.of();
    private List<Result> results = List.of();

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        // The nodes' INFO lines (connected, listening) would bury the table.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(execute(args));
    }

    /**
     * Runs the command line in this JVM.
     *
     * @param args the command line
     * @return the exit code
     */
    public static int execute(String... args) {
        Bench bench = new Bench();
        bench.args = List.of(args);
        return new CommandLine(bench).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (list) {
            for (Benchmark b : ALL) {
                out.printf("%d  %-15s %s%n", b.number(), b.name(), b.title());
            }
            return 0;
        }
        List<Benchmark> chosen = choose(selected);
        Machine machine = Machine.describe();
        RunSettings run = new RunSettings(smoke, warmup, iterations, daemonJar != null ? daemonJar : findDaemonJar(),
                serverJvmArgs.isBlank() ? List.of() : List.of(serverJvmArgs.trim().split("\\s+")), System.err);
        run.log("machine: %s", machine);
        List<Result> done = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Benchmark b : chosen) {
            run.log("== %d %s: %s%s", b.number(), b.name(), b.title(), smoke ? " (smoke)" : "");
            long start = System.nanoTime();
            try {
                done.addAll(b.run(run));
            } catch (Exception e) {
                // A benchmark that cannot run is reported and the others still run; a number never fails.
                failures.add(b.name() + ": " + e);
                run.log("%s could not run: %s", b.name(), e);
                e.printStackTrace(run.progress());
            }
            run.log("   %s took %.1f s", b.name(), (System.nanoTime() - start) / 1e9);
        }
        results = List.copyOf(done);
        out.println();
        out.println("Machine: " + machine);
        out.println();
        out.print(Table.render(done, smoke));
        for (String f : failures) {
            out.println("FAILED TO RUN: " + f);
        }
        Path file = json != null ? json : defaultJson();
        JsonReport.write(file, machine, args, smoke, done, failures);
        out.println();
        out.println("JSON: " + file.toAbsolutePath().normalize());
        out.flush();
        return failures.isEmpty() ? 0 : 1;
    }

    /** @return the results of the last {@link #call()} */
    List<Result> results() {
        return results;
    }

    private static List<Benchmark> choose(List<String> names) {
        if (names.isEmpty() || names.contains("all")) {
            return ALL;
        }
        Set<Benchmark> chosen = new LinkedHashSet<>();
        for (String n : names) {
            Benchmark found = ALL.stream()
                    .filter(b -> b.name().equals(n) || Integer.toString(b.number()).equals(n))
                    .findFirst()
                    .orElseThrow(() -> new CommandLine.ParameterException(new CommandLine(new Bench()),
                            "unknown benchmark '" + n + "'; known: "
                                    + ALL.stream().map(b -> b.number() + " " + b.name()).toList()));
            chosen.add(found);
        }
        return ALL.stream().filter(chosen::contains).toList(); // in the order of ALL
    }

    private static Path findDaemonJar() {
        String configured = System.getProperty("loomnet.bench.daemonJar");
        if (configured != null) {
            return Path.of(configured);
        }
        for (String candidate : new String[] {"daemon/target/node.jar", "../daemon/target/node.jar"}) {
            Path p = Path.of(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return Path.of("daemon/target/node.jar");
    }

    private static Path defaultJson() {
        return Files.isDirectory(Path.of("bench")) ? Path.of("bench/target/bench-results.json")
                : Path.of("target/bench-results.json");
    }
}
