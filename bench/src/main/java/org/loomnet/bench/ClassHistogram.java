package org.loomnet.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live objects of a JVM by class, as {@code jcmd PID GC.class_histogram} prints them after
 * its full GC: instances and bytes per class, and the total. Two of them, taken with and without
 * connections, tell what each connection keeps alive.
 *
 * <p>The GC's filler objects ({@code jdk.internal.vm.FillerObject} and arrays of
 * {@code FillerElement}), which plug dead space in heap regions and which nothing references, are
 * left out of both the classes and the total: they are not live data, and their size moves with
 * how the regions happen to be filled.
 *
 * @param classes instances and bytes by class name (module suffix dropped; lambda classes, whose
 *                names end in an address, joined under one name per declaring class)
 * @param bytes   the total of live bytes, fillers left out
 */
record ClassHistogram(Map<String, Entry> classes, long bytes) {

    /**
     * One class's line.
     *
     * @param instances live instances
     * @param bytes     their bytes, headers and padding included (shallow: what they reference is
     *                  counted under its own class)
     */
    record Entry(long instances, long bytes) {
    }

    /**
     * One class's share of the difference between two histograms.
     *
     * @param name      the class, as the JVM writes it ({@code [B} is {@code byte[]})
     * @param instances instances more in the second histogram
     * @param bytes     bytes more in the second histogram
     */
    record Change(String name, long instances, long bytes) {
    }

    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");
    private static final Pattern LAMBDA = Pattern.compile("\\$\\$Lambda[/$].*$");
    private static final Pattern FILLER = Pattern.compile("^\\[*L?jdk\\.internal\\.vm\\.Filler(Object|Element);?$");

    /**
     * @param text jcmd's output
     * @return the histogram
     * @throws IllegalArgumentException if there is no total line (jcmd printed something else)
     */
    static ClassHistogram parse(String text) {
        Map<String, Entry> classes = new HashMap<>();
        long live = 0;
        boolean complete = false;
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                if (FILLER.matcher(m.group(3)).matches()) {
                    continue;
                }
                String name = LAMBDA.matcher(m.group(3)).replaceFirst("\\$\\$Lambda");
                Entry e = new Entry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
                classes.merge(name, e, (a, b) -> new Entry(a.instances + b.instances, a.bytes + b.bytes));
                live += e.bytes;
            } else if (TOTAL.matcher(line).find()) {
                complete = true;
            }
        }
        if (!complete) {
            throw new IllegalArgumentException("not a class histogram: "
                    + text.substring(0, Math.min(200, text.length())));
        }
        return new ClassHistogram(Map.copyOf(classes), live);
    }

    /**
     * @param before the histogram to subtract
     * @return every class whose bytes changed, the largest growth first
     */
    List<Change> minus(ClassHistogram before) {
        Set<String> names = new HashSet<>(classes.keySet());
        names.addAll(before.classes.keySet());
        Entry none = new Entry(0, 0);
        List<Change> changes = new ArrayList<>();
        for (String n : names) {
            Entry a = classes.getOrDefault(n, none);
            Entry b = before.classes.getOrDefault(n, none);
            if (a.bytes != b.bytes) {
                changes.add(new Change(n, a.instances - b.instances, a.bytes - b.bytes));
            }
        }
        changes.sort(Comparator.comparingLong(Change::bytes).reversed().thenComparing(Change::name));
        return changes;
    }

    /**
     * The classes that grew most, per connection: "byte[] 2,345 B (3.0), StackChunk ...".
     *
     * @param before      the histogram without connections
     * @param connections the connections held when this one was taken
     * @param top         how many classes to name
     * @return one line, bytes and instances per connection for each class named
     */
    String perConnection(ClassHistogram before, int connections, int top) {
        List<Change> changes = minus(before);
        StringBuilder s = new StringBuilder();
        for (Change c : changes.subList(0, Math.min(top, changes.size()))) {
            if (!s.isEmpty()) {
                s.append(", ");
            }
            s.append(readable(c.name())).append(' ')
                    .append(String.format(Locale.ROOT, "%,.0f B (%.1f)", (double) c.bytes() / connections,
                            (double) c.instances() / connections));
        }
        return s.toString();
    }

    /** {@code [B} as {@code byte[]}, {@code [Ljava.lang.Object;} as {@code Object[]}, packages dropped. */
    static String readable(String jvmName) {
        int dims = 0;
        while (dims < jvmName.length() && jvmName.charAt(dims) == '[') {
            dims++;
        }
        String base = jvmName.substring(dims);
        if (dims > 0) {
            base = switch (base) {
                case "B" -> "byte";
                case "C" -> "char";
                case "I" -> "int";
                case "J" -> "long";
                case "S" -> "short";
                case "Z" -> "boolean";
                case "F" -> "float";
                case "D" -> "double";
                default -> base.startsWith("L") && base.endsWith(";") ? base.substring(1, base.length() - 1) : base;
            };
        }
        base = base.substring(base.lastIndexOf('.') + 1);
        return base + "[]".repeat(dims);
    }
}
