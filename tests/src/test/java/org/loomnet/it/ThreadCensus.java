package org.loomnet.it;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The threads alive in this JVM, by thread id, taken from a JSON thread dump: the only view that
 * lists virtual threads, which is what a node's threads are. Two groups are kept apart:
 * <ul>
 *   <li><b>node threads</b>, recognised by the names docs/architecture.md §2 gives them
 *       ({@code conn-…-reader}, {@code refuse-…}, {@code dht-receiver}, ...), virtual or not;</li>
 *   <li><b>other platform threads</b>, whatever their name, except the JDK's own helpers that
 *       come and go by themselves (the virtual-thread scheduler's carriers, which a busy moment
 *       adds and which idle out after 30 s; the attach listener a {@code jcmd} starts).</li>
 * </ul>
 * Comparing two censuses by thread id says which threads were started in between and are
 * still alive, so a test can wait for exactly those to end.
 */
final class ThreadCensus {

    /** Every name a LoomNet node gives its threads (docs/architecture.md §2, DhtNode, DhtDiscovery). */
    private static final Pattern NODE_THREAD = Pattern.compile(
            "acceptor-\\d+|processing|ticker|conn-.+-(reader|writer)|dial-.+|refuse-.+|subscriber-.+|events"
                    + "|address-book|bootstrap|dht-.+");
    /** JDK helpers that no node starts and no test can wait for. */
    private static final Pattern JDK_HELPER = Pattern.compile("ForkJoinPool-\\d+-worker-\\d+|Attach Listener");

    /** Node threads, by thread id. */
    final Map<Long, String> node;
    /** Platform threads that are neither node threads nor JDK helpers, by thread id. */
    final Map<Long, String> platform;

    private ThreadCensus(Map<Long, String> node, Map<Long, String> platform) {
        this.node = node;
        this.platform = platform;
    }

    /** Takes a census now: one JSON thread dump (tens of milliseconds). */
    static ThreadCensus take() {
        Map<Long, String> node = new TreeMap<>();
        for (Map.Entry<Long, String> t : dump().entrySet()) {
            if (NODE_THREAD.matcher(t.getValue()).matches()) {
                node.put(t.getKey(), t.getValue());
            }
        }
        Map<Long, String> platform = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) { // platform threads only
            if (!NODE_THREAD.matcher(t.getName()).matches() && !JDK_HELPER.matcher(t.getName()).matches()) {
                platform.put(t.threadId(), t.getName());
            }
        }
        return new ThreadCensus(node, platform);
    }

    /** @return the node threads and platform threads of this census that {@code baseline} did not have */
    Map<Long, String> startedSince(ThreadCensus baseline) {
        Map<Long, String> added = new TreeMap<>();
        node.forEach((id, name) -> {
            if (!baseline.node.containsKey(id)) {
                added.put(id, name);
            }
        });
        platform.forEach((id, name) -> {
            if (!baseline.platform.containsKey(id)) {
                added.put(id, name + " (platform)");
            }
        });
        return added;
    }

    /**
     * @param prefix a thread-name prefix, e.g. {@code "refuse-"}
     * @return how many node threads of this census have it
     */
    long nodeThreadsNamed(String prefix) {
        return node.values().stream().filter(n -> n.startsWith(prefix)).count();
    }

    /** Every thread of the JVM, platform and virtual, by id, from HotSpot's JSON thread dump. */
    private static Map<Long, String> dump() {
        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        try {
            Path dir = Files.createTempDirectory("census");
            Path file = dir.resolve("threads.json"); // dumpThreads refuses to overwrite a file
            try {
                bean.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
                Map<Long, String> threads = new TreeMap<>();
                for (JsonElement container : root.getAsJsonObject("threadDump").getAsJsonArray("threadContainers")) {
                    for (JsonElement t : container.getAsJsonObject().getAsJsonArray("threads")) {
                        JsonObject thread = t.getAsJsonObject();
                        threads.put(thread.get("tid").getAsLong(), thread.get("name").getAsString());
                    }
                }
                return threads;
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("thread dump failed", e);
        }
    }
}
