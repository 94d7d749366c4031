package org.loomnet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a run was measured on, as the report states it.
 *
 * @param cpus   processors available to the JVM
 * @param cpu    the CPU model (/proc/cpuinfo), or "unknown"
 * @param memory total memory (/proc/meminfo), or "unknown"
 * @param os     operating system, version and architecture
 * @param java   the JVM: vendor, name and version
 * @param load   the load averages (1, 5, 15 min) when the run started, from /proc/loadavg: the
 *               machine may be shared, and a loaded machine moves every figure (less so the ratios)
 */
record Machine(int cpus, String cpu, String memory, String os, String java, String load) {

    static Machine describe() {
        return new Machine(Runtime.getRuntime().availableProcessors(),
                field(Path.of("/proc/cpuinfo"), "model name"),
                field(Path.of("/proc/meminfo"), "MemTotal"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.runtime.version"),
                loadAverage());
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String field(Path file, String name) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux, or not readable: say so
        }
        return "unknown";
    }

    @Override
    public String toString() {
        return cpus + " CPUs (" + cpu + "), " + memory + ", " + os + ", " + java + ", load average " + load;
    }
}
