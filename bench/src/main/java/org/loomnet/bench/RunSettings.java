package org.loomnet.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings of one run of the benchmarks.
 *
 * @param smoke      a short run with tiny counts: proves that each benchmark works, measures little
 * @param warmup     warm-up iterations, or -1 for each benchmark's own default
 * @param iterations measured iterations, or -1 for each benchmark's own default
 * @param daemonJar  the daemon's runnable jar ({@code daemon/target/node.jar}), for #4 connections and #7 startup
 * @param serverJvmArgs more JVM options for the server processes of the connections benchmark (to
 *                   profile the node, for example), after its own; empty for none
 * @param progress   where progress lines go (stderr); results go to the table and the JSON file
 */
public record RunSettings(boolean smoke, int warmup, int iterations, Path daemonJar, List<String> serverJvmArgs,
                          PrintStream progress) {

    /**
     * @param full  the benchmark's default for a full run
     * @param smoke its default for a smoke run
     * @return the warm-up iterations to do
     */
    int warmup(int full, int smoke) {
        return warmup >= 0 ? warmup : smoke() ? smoke : full;
    }

    /**
     * @param full  the benchmark's default for a full run
     * @param smoke its default for a smoke run
     * @return the measured iterations to do, at least 1
     */
    int iterations(int full, int smoke) {
        return Math.max(1, iterations > 0 ? iterations : smoke() ? smoke : full);
    }

    /**
     * @param full  the count for a full run
     * @param smoke the count for a smoke run
     * @return the one that applies
     */
    int count(int full, int smoke) {
        return smoke() ? smoke : full;
    }

    /**
     * @return the daemon's runnable jar
     * @throws IllegalStateException if it is missing, with the command that builds it
     */
    Path requireDaemonJar() {
        if (daemonJar == null || !Files.isRegularFile(daemonJar)) {
            throw new IllegalStateException("the daemon jar " + daemonJar + " is missing: build it first with "
                    + "`mvn -B -q -pl daemon -am package -DskipTests`, or name it with --daemon-jar");
        }
        return daemonJar;
    }

    /**
     * @param name a program of the JDK, e.g. {@code java} or {@code jcmd}
     * @return its path in the JDK that runs the benchmarks, so that every process is started and
     *         inspected by the same JDK
     */
    static Path jdkTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name);
    }

    /** Prints one progress line. */
    void log(String format, Object... args) {
        progress.println(String.format(java.util.Locale.ROOT, format, args));
        progress.flush();
    }
}
