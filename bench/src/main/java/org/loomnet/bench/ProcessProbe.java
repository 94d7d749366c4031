package org.loomnet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmarks read about another JVM process: from {@code /proc/PID/status} (resident
 * memory, OS threads), its CPU time, and through {@code jcmd} of the JDK running the benchmarks
 * (a full GC with a class histogram of what is live, a thread dump that counts virtual threads).
 * Linux only, as the benchmarks are.
 */
final class ProcessProbe {

    private static final Duration JCMD_TIMEOUT = Duration.ofMinutes(2);

    private ProcessProbe() {
    }

    /**
     * A numeric field of {@code /proc/PID/status}, e.g. {@code Threads}.
     *
     * @param pid   the process
     * @param field the field name, without the colon
     * @return its first number
     * @throws IOException if the process is gone or has no such field
     */
    static long status(long pid, String field) throws IOException {
        String prefix = field + ":";
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid + "/status");
    }

    /**
     * @param pid the process
     * @return its resident memory now (VmRSS), in KiB (the kernel's "kB")
     * @throws IOException if the process is gone
     */
    static long rssKib(long pid) throws IOException {
        return status(pid, "VmRSS");
    }

    /**
     * @param pid the process
     * @return its OS threads now (platform threads, carriers of virtual threads, the JVM's own)
     * @throws IOException if the process is gone
     */
    static int osThreads(long pid) throws IOException {
        return (int) status(pid, "Threads");
    }

    /**
     * @param pid the process
     * @return the CPU time it has used so far, user and system, in nanoseconds (the kernel counts in
     *         ticks of usually 10 ms)
     * @throws IllegalStateException if the process is gone
     */
    static long cpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException("no CPU time for process " + pid))
                .toNanos();
    }

    /**
     * Runs a full GC in the process and takes the histogram of what is still live
     * ({@code jcmd PID GC.class_histogram}).
     *
     * @param pid the process
     * @return the histogram
     * @throws IOException if jcmd fails
     */
    static ClassHistogram liveHistogram(long pid) throws IOException, InterruptedException {
        return ClassHistogram.parse(jcmd(pid, "GC.class_histogram"));
    }

    /**
     * Counts the process's virtual threads in a thread dump ({@code jcmd PID Thread.dump_to_file
     * -format=json}), which lists every thread, virtual ones included.
     *
     * @param pid the process
     * @return its virtual threads
     * @throws IOException if jcmd fails
     */
    static int virtualThreads(long pid) throws IOException, InterruptedException {
        Path dump = Files.createTempFile("loomnet-bench-threads-", ".json");
        try {
            jcmd(pid, "Thread.dump_to_file", "-format=json", "-overwrite", dump.toString());
            int n = 0;
            try (BufferedReader r = Files.newBufferedReader(dump, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains("\"virtual\": true")) {
                        n++;
                    }
                }
            }
            return n;
        } finally {
            Files.deleteIfExists(dump);
        }
    }

    /**
     * Runs one jcmd command against the process.
     *
     * @param pid     the process
     * @param command the command and its arguments
     * @return what jcmd printed
     * @throws IOException if jcmd cannot run, fails, or takes longer than 2 minutes
     */
    static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(RunSettings.jdkTool("jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        Path out = Files.createTempFile("loomnet-bench-jcmd-", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("jcmd took longer than " + JCMD_TIMEOUT + ": " + cmd);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("jcmd failed with " + p.exitValue() + ": " + cmd + ": " + text.strip());
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
