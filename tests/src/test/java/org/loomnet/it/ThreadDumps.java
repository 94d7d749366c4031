package org.loomnet.it;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Thread dumps that include virtual threads. {@code Thread.getAllStackTraces()} lists platform
 * threads only, and every thread of a node is virtual; the JDK's own dump
 * ({@code jcmd <pid> Thread.dump_to_file}, in process {@link HotSpotDiagnosticMXBean#dumpThreads})
 * lists them all, by name, with their stacks.
 *
 * <p>Only a hung test takes one: a dump walks every virtual thread's stack, and on JDK 25.0.3 a
 * dump taken while thousands of virtual threads mount and unmount once crashed the VM (see
 * {@link ThreadCensus}). Tests that merely count threads use {@link ThreadCensus}.
 */
final class ThreadDumps {

    private static final HotSpotDiagnosticMXBean DIAGNOSTIC =
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    private ThreadDumps() {
    }

    /**
     * Writes a dump of every thread, virtual ones included, to {@code dir/<label>-<time>.txt}, then
     * appends what that dump lacks: the locks platform threads hold and wait for, and any deadlock.
     *
     * @return the file
     */
    static Path write(Path dir, String label) throws IOException {
        Files.createDirectories(dir);
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss.SSS"));
        Path file = dir.resolve(label + "-" + time + ".txt").toAbsolutePath();
        DIAGNOSTIC.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        Files.writeString(file, locks(), StandardOpenOption.APPEND);
        return file;
    }

    /** Lock owners and deadlocks of platform threads, which the JDK's text dump leaves out. */
    private static String locks() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        StringBuilder sb = new StringBuilder("\n--- locks (platform threads) ---\n");
        long[] deadlocked = mx.findDeadlockedThreads();
        sb.append(deadlocked == null ? "no deadlock\n" : "DEADLOCK among thread ids " + java.util.Arrays.toString(deadlocked) + "\n");
        for (ThreadInfo t : mx.dumpAllThreads(true, true)) {
            if (t.getLockName() == null && t.getLockedSynchronizers().length == 0 && t.getLockedMonitors().length == 0) {
                continue;
            }
            sb.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                sb.append(", waiting for ").append(t.getLockName());
                if (t.getLockOwnerName() != null) {
                    sb.append(" held by \"").append(t.getLockOwnerName()).append('"');
                }
            }
            sb.append('\n');
            for (var m : t.getLockedMonitors()) {
                sb.append("    holds monitor ").append(m).append(" (locked at ").append(m.getLockedStackFrame()).append(")\n");
            }
            for (LockInfo l : t.getLockedSynchronizers()) {
                sb.append("    holds ").append(l).append('\n');
            }
        }
        return sb.toString();
    }
}
