package org.loomnet.it;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The threads alive in this JVM, by thread id, virtual ones included. Two groups are kept apart:
 * <ul>
 *   <li><b>node threads</b>, recognised by the names docs/architecture.md §2 gives them
 *       ({@code conn-…-reader}, {@code refuse-…}, {@code dht-receiver}, ...), virtual or not;</li>
 *   <li><b>other platform threads</b>, whatever their name, except the JDK's own helpers that
 *       come and go by themselves (the virtual-thread scheduler's carriers, which a busy moment
 *       adds and which idle out after 30 s; the attach listener a {@code jcmd} starts).</li>
 * </ul>
 * Comparing two censuses by thread id says which threads were started in between and are
 * still alive, so a test can wait for exactly those to end.
 *
 * <p>No public API lists virtual threads but the thread dump, and a JSON thread dump
 * ({@code HotSpotDiagnosticMXBean.dumpThreads}) taken while thousands of virtual threads mount
 * and unmount crashed the JDK 25.0.3 VM (SIGSEGV in {@code Continuation::is_continuation_entry_frame},
 * under {@code ThreadSnapshot.create}, during {@code ConnectionFloodIT}). The census therefore
 * reads the same thread containers the dump reads ({@code jdk.internal.vm.ThreadContainers}),
 * names and ids only, without walking any stack. That package must be exported to the tests:
 * the tests' pom runs failsafe with {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}.
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

    /** Takes a census now. */
    static ThreadCensus take() {
        Map<Long, String> node = new TreeMap<>();
        Map<Long, String> platform = new TreeMap<>();
        for (Thread t : allThreads()) {
            String name = t.getName();
            if (NODE_THREAD.matcher(name).matches()) {
                node.put(t.threadId(), name);
            } else if (!t.isVirtual() && !JDK_HELPER.matcher(name).matches()) {
                platform.put(t.threadId(), name);
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

    /** @return the names of every live thread, platform and virtual (a name may appear more than once) */
    static List<String> allNames() {
        List<String> names = new ArrayList<>();
        allThreads().forEach(t -> names.add(t.getName()));
        return names;
    }

    /** Every live thread, platform and virtual: the root thread container and all below it. */
    private static Iterable<Thread> allThreads() {
        try {
            Class<?> containers = Class.forName("jdk.internal.vm.ThreadContainers");
            Class<?> container = Class.forName("jdk.internal.vm.ThreadContainer");
            Method threads = container.getMethod("threads");
            Method children = container.getMethod("children");
            List<Thread> all = new ArrayList<>();
            Deque<Object> todo = new ArrayDeque<>();
            todo.add(containers.getMethod("root").invoke(null));
            while (!todo.isEmpty()) {
                Object c = todo.poll();
                ((Stream<?>) threads.invoke(c)).forEach(t -> all.add((Thread) t));
                ((Stream<?>) children.invoke(c)).forEach(todo::add);
            }
            return all;
        } catch (ReflectiveOperationException | IllegalAccessError e) {
            throw new AssertionError("cannot list virtual threads: run with "
                    + "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED (the tests' pom does)", e);
        }
    }
}
