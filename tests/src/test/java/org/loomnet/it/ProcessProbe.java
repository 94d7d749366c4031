package org.loomnet.it;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Measures one running JVM from outside, the way an operator would with {@code jcmd} and
 * {@code /proc}, without starting a process per measurement: resident memory, OS threads and open
 * file descriptors from {@code /proc/PID}; heap and virtual threads over JMX. The JMX agent is
 * started in the target through the Attach API at the first {@link #sample} ({@code jcmd PID
 * ManagementAgent.start_local} does the same), and adds a few threads and a socket of its own
 * there, the same at every later sample.
 *
 * <p>Heap: the heap used right after a full GC ({@link MemoryMXBean#gc}), that is the live data;
 * garbage waiting for a collection is not growth. Resident memory: read right after the C heap is
 * trimmed ({@code jcmd PID System.trim_native_heap}, here through the DiagnosticCommand MBean), for
 * the same reason: glibc's malloc keeps memory that the JVM has freed (the JIT compiler's arenas,
 * for one) in its own arenas, and resident memory then climbs in steps of megabytes with nothing
 * live behind them; a trim hands those pages back, and what stays resident is what is in use. On
 * a C library without trimming the command does nothing and the raw figure is read. Virtual threads: counted in a JSON thread dump
 * ({@link HotSpotDiagnosticMXBean#dumpThreads}, what {@code jcmd PID Thread.dump_to_file} writes),
 * which lists every thread the JVM tracks, virtual ones included.
 */
final class ProcessProbe implements AutoCloseable {

    /**
     * One measurement.
     *
     * @param heapBytes      heap used after a full GC
     * @param rssKib         VmRSS, after trimming the C heap
     * @param untrimmedRssKib VmRSS just before that trim, for the record
     * @param threads        OS threads (Threads: in /proc/PID/status)
     * @param virtualThreads virtual threads in a thread dump
     * @param fds            entries of /proc/PID/fd
     */
    record Sample(long heapBytes, long rssKib, long untrimmedRssKib, int threads, int virtualThreads,
                  int fds) {
    }

    private static final ObjectName DIAGNOSTIC_COMMANDS;

    static {
        try {
            DIAGNOSTIC_COMMANDS = new ObjectName("com.sun.management:type=DiagnosticCommand");
        } catch (MalformedObjectNameException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long pid;
    private final Path dumps;
    private JMXConnector jmx;
    private MemoryMXBean memory;
    private HotSpotDiagnosticMXBean diagnostics;
    private MBeanServerConnection server;
    private int dumpCount;

    /**
     * @param pid   the JVM's process id
     * @param dumps a directory for the thread dumps, each deleted once read
     */
    ProcessProbe(long pid, Path dumps) {
        this.pid = pid;
        this.dumps = dumps;
    }

    /**
     * @return the measurement
     * @throws IOException if the process is gone or does not answer
     */
    Sample sample() throws IOException {
        if (jmx == null) {
            connect();
        }
        memory.gc();
        long heap = memory.getHeapMemoryUsage().getUsed();
        long untrimmed = statusField("VmRSS:");
        trimNativeHeap();
        int virtual = virtualThreads();
        long rss = statusField("VmRSS:");
        int threads = (int) statusField("Threads:");
        int fds;
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = (int) s.count();
        }
        return new Sample(heap, rss, untrimmed, threads, virtual, fds);
    }

    private void connect() throws IOException {
        String address;
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (com.sun.tools.attach.AttachNotSupportedException e) {
            throw new IOException("cannot attach to " + pid + ": " + e.getMessage(), e);
        }
        jmx = JMXConnectorFactory.connect(new JMXServiceURL(address));
        server = jmx.getMBeanServerConnection();
        memory = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME,
                MemoryMXBean.class);
        diagnostics = ManagementFactory.newPlatformMXBeanProxy(server, "com.sun.management:type=HotSpotDiagnostic",
                HotSpotDiagnosticMXBean.class);
    }

    private void trimNativeHeap() throws IOException {
        try {
            server.invoke(DIAGNOSTIC_COMMANDS, "systemTrimNativeHeap", new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IOException("System.trim_native_heap in " + pid + " failed: " + e, e);
        }
    }

    private int virtualThreads() throws IOException {
        Path file = dumps.resolve("threads-" + pid + "-" + (++dumpCount) + ".json").toAbsolutePath();
        Files.deleteIfExists(file);
        diagnostics.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        try {
            JsonObject dump = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                    .getAsJsonObject().getAsJsonObject("threadDump");
            int count = 0;
            for (JsonElement container : dump.getAsJsonArray("threadContainers")) {
                for (JsonElement t : container.getAsJsonObject().getAsJsonArray("threads")) {
                    JsonElement virtual = t.getAsJsonObject().get("virtual");
                    if (virtual != null && virtual.getAsBoolean()) {
                        count++;
                    }
                }
            }
            return count;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A number field of /proc/PID/status, e.g. {@code VmRSS:  123456 kB}. */
    private long statusField(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + name + " in /proc/" + pid + "/status");
    }

    @Override
    public void close() {
        if (jmx != null) {
            try {
                jmx.close();
            } catch (IOException e) {
                // the process is gone: nothing to close on its side
            }
            jmx = null;
        }
    }
}
