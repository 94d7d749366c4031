package org.loomnet.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.loomnet.node.Node;
import org.loomnet.node.NodeConfig;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.ParcelType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: two real nodes on loopback, their metrics scraped and parsed strictly. */
class NodeMetricsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<Node> nodes = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(Node::close);
    }

    private Node node(String host, Node peer) {
        Node.Builder b = Node.builder().network("metrics-test").listen(host, 0).dataDir(null).exclusive(true, false);
        if (peer != null) {
            b.specialPeer(peer.listenAddress());
        }
        Node n = b.build();
        nodes.add(n);
        return n.start();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void theMetricsPageParsesAsPrometheusTextAndShowsWhatHappened() throws Exception {
        Node b = node("127.0.0.2", null);
        Node a = node("127.0.0.3", b);
        NodeMetrics metricsA = new NodeMetrics(a);
        NodeMetrics metricsB = new NodeMetrics(b); // a second registry in the same JVM: no clash
        AtomicInteger delivered = new AtomicInteger();
        b.subscribe("chat", m -> delivered.incrementAndGet());
        await(() -> a.peers().contains(b.id()) && b.peers().contains(a.id()), "both sides are online");

        int sent = 10;
        for (int i = 0; i < sent; i++) {
            assertThat(a.send(b.id(), "chat", ("hello " + i).getBytes(StandardCharsets.UTF_8)).get()).isEqualTo(1);
        }
        assertThat(a.gossip("chat", "to everyone".getBytes(StandardCharsets.UTF_8)).get()).isEqualTo(1);
        await(() -> delivered.get() == sent + 1, "every message and the gossip are delivered");
        await(() -> a.counters().traffic().parcelsSent(ParcelType.GOSSIP) == 1, "the sender counted its writes");

        String pageB = metricsB.scrape();
        Exposition expB = Exposition.parse(pageB);
        assertThat(expB.families()).allSatisfy(name -> assertThat(name).startsWith("loomnet_"));

        assertThat(expB.value("loomnet_info", Map.of("node_id", b.id().toString(), "network", "metrics-test",
                "version", NodeConfig.VERSION))).isEqualTo(1);
        assertThat(expB.value("loomnet_uptime_seconds", Map.of())).isPositive();

        assertThat(expB.value("loomnet_connections", Map.of("state", "online", "direction", "inbound"))).isEqualTo(1);
        assertThat(expB.value("loomnet_connections", Map.of("state", "online", "direction", "outbound"))).isZero();
        assertThat(expB.sum("loomnet_connections")).isEqualTo(1);

        assertThat(expB.value("loomnet_parcels_received_total", Map.of("type", "message"))).isGreaterThanOrEqualTo(sent);
        assertThat(expB.value("loomnet_parcels_received_total", Map.of("type", "hello"))).isEqualTo(1);
        assertThat(expB.value("loomnet_parcels_received_total", Map.of("type", "gossip"))).isEqualTo(1);
        assertThat(expB.value("loomnet_bytes_received_total", Map.of("type", "message")))
                .isEqualTo((double) b.counters().traffic().bytesReceived(ParcelType.MESSAGE)).isPositive();
        assertThat(expB.value("loomnet_messages_received_total", Map.of())).isEqualTo(sent);
        assertThat(expB.value("loomnet_gossip_delivered_total", Map.of())).isEqualTo(1);
        assertThat(expB.value("loomnet_gossip_duplicates_total", Map.of())).isZero();
        assertThat(expB.value("loomnet_gossip_forged_total", Map.of())).isZero();
        assertThat(expB.value("loomnet_queue_drops_total", Map.of())).isZero();
        // The dialer asked for peers once; the answer went back.
        await(() -> a.counters().traffic().parcelsReceived(ParcelType.PEER_RESPONSE) == 1, "the peer-exchange answer arrived");
        Exposition expB2 = Exposition.parse(metricsB.scrape());
        assertThat(expB2.value("loomnet_peer_exchange_requests_received_total", Map.of())).isEqualTo(1);
        assertThat(expB2.value("loomnet_peer_exchange_responses_sent_total", Map.of())).isEqualTo(1);
        // One label value per reason, none missing, all lower case.
        Set<String> reasons = new HashSet<>();
        for (DisconnectReason r : DisconnectReason.values()) {
            reasons.add(r.name().toLowerCase(java.util.Locale.ROOT));
        }
        assertThat(expB.labelValues("loomnet_disconnects_total", "reason")).isEqualTo(reasons)
                .contains("protocol_violation");
        assertThat(expB.sum("loomnet_disconnects_total")).isZero();
        assertThat(expB.value("loomnet_handshake_duration_seconds_count", Map.of())).isEqualTo(1);
        assertThat(expB.value("loomnet_handshake_duration_seconds_sum", Map.of())).isPositive();
        assertThat(expB.value("loomnet_address_book_entries", Map.of("table", "special"))).isZero();

        Exposition expA = Exposition.parse(metricsA.scrape());
        assertThat(expA.value("loomnet_connections", Map.of("state", "online", "direction", "outbound"))).isEqualTo(1);
        assertThat(expA.value("loomnet_parcels_sent_total", Map.of("type", "message"))).isEqualTo(sent);
        assertThat(expA.value("loomnet_peer_exchange_requests_sent_total", Map.of())).isEqualTo(1);
        assertThat(expA.value("loomnet_handshake_duration_seconds_count", Map.of())).isEqualTo(1);
        assertThat(expA.value("loomnet_address_book_entries", Map.of("table", "special"))).isEqualTo(1);

        // The dialer goes away: the listener counts why, and the connection is gone from the gauge.
        a.close();
        await(() -> b.counters().disconnects(DisconnectReason.SHUTDOWN) == 1 && b.connections().isEmpty(),
                "the listener saw the shutdown");
        Exposition after = Exposition.parse(metricsB.scrape());
        assertThat(after.value("loomnet_disconnects_total", Map.of("reason", "shutdown"))).isEqualTo(1);
        assertThat(after.sum("loomnet_connections")).isZero();
    }

    @Test
    void writeToWritesWhatScrapeReturnsWithTheAdvertisedContentType() throws Exception {
        Node n = node("127.0.0.4", null);
        NodeMetrics metrics = new NodeMetrics(n);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.writeTo(out);
        Exposition written = Exposition.parse(out.toString(StandardCharsets.UTF_8));
        assertThat(written.families()).isEqualTo(Exposition.parse(metrics.scrape()).families());
        assertThat(NodeMetrics.CONTENT_TYPE).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void moreMetricsCanBeAddedButOnlyUnderTheLoomnetPrefix() throws Exception {
        Node n = node("127.0.0.5", null);
        NodeMetrics metrics = new NodeMetrics(n);
        AtomicInteger queries = new AtomicInteger(7);
        metrics.addCollector(CounterWithCallback.builder().name("loomnet_dht_queries_sent_total")
                .help("DHT queries sent").callback(cb -> cb.call(queries.get())).build());
        assertThat(Exposition.parse(metrics.scrape()).value("loomnet_dht_queries_sent_total", Map.of())).isEqualTo(7);

        assertThatThrownBy(() -> metrics.addCollector(CounterWithCallback.builder().name("dht_queries_total")
                .help("x").callback(cb -> cb.call(1)).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loomnet_");
        assertThatThrownBy(() -> metrics.addCollector(CounterWithCallback.builder().name("loomnet_messages_received_total")
                .help("again").callback(cb -> cb.call(1)).build()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- the parser must catch what it claims to catch ------------------------------------------

    @Test
    void theParserRejectsBrokenPages() {
        String ok = """
                # HELP x_total Things.
                # TYPE x_total counter
                x_total{a="1"} 3.0
                """;
        assertThat(Exposition.parse(ok).value("x_total", Map.of("a", "1"))).isEqualTo(3);

        assertThatThrownBy(() -> Exposition.parse("y 1\n")).hasMessageContaining("no # TYPE");
        assertThatThrownBy(() -> Exposition.parse("# TYPE y gauge\ny 1\n")).hasMessageContaining("no # HELP");
        assertThatThrownBy(() -> Exposition.parse("# HELP y h\n# TYPE y gauge\ny{a=1} 1\n")).hasMessageContaining("label");
        assertThatThrownBy(() -> Exposition.parse("# HELP y h\n# TYPE y gauge\ny{a=\"1\",a=\"2\"} 1\n"))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> Exposition.parse("# HELP y h\n# TYPE y gauge\ny one\n")).hasMessageContaining("value");
        assertThatThrownBy(() -> Exposition.parse("# HELP y h\n# TYPE y gauge\ny 1\ny 2\n")).hasMessageContaining("twice");
        assertThatThrownBy(() -> Exposition.parse("# HELP y h\n# TYPE y gauge\ny 1")).hasMessageContaining("newline");
        assertThatThrownBy(() -> Exposition.parse("# HELP y h\n# TYPE y counter\ny -1\n")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Exposition.parse("# HELP y h\n# TYPE y wobble\ny 1\n")).hasMessageContaining("type");
        String histogram = """
                # HELP h Durations.
                # TYPE h histogram
                h_bucket{le="0.1"} 2
                h_bucket{le="1.0"} %s
                h_bucket{le="+Inf"} 3
                h_count %s
                h_sum 0.5
                """;
        assertThat(Exposition.parse(histogram.formatted("3", "3")).value("h_count", Map.of())).isEqualTo(3);
        assertThatThrownBy(() -> Exposition.parse(histogram.formatted("1", "3"))).hasMessageContaining("cumulative");
        assertThatThrownBy(() -> Exposition.parse(histogram.formatted("3", "4"))).hasMessageContaining("+Inf");
        assertThatThrownBy(() -> Exposition.parse("# HELP h d\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n"))
                .hasMessageContaining("+Inf");
        assertThatThrownBy(() -> Exposition.parse(
                "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n"))
                .hasMessageContaining("not together");
    }

    /**
     * A strict reader of the Prometheus text format 0.0.4
     * (https://prometheus.io/docs/instrumenting/exposition_formats/): every sample belongs to a
     * family declared by exactly one {@code # HELP} and one {@code # TYPE} before it, a family's
     * samples are together, names and labels have the allowed syntax, no label or series appears
     * twice, values parse as Go floats, counters are not negative, and each histogram has
     * ascending, cumulative buckets ending with {@code +Inf} equal to {@code _count}, and a
     * {@code _sum}.
     */
    record Exposition(Map<String, String> types, Map<String, List<Sample>> samplesByFamily) {

        record Sample(String name, Map<String, String> labels, double value) {
        }

        private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
        private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
        private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (\\S+)");
        private static final Set<String> KNOWN_TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

        static Exposition parse(String text) {
            if (!text.isEmpty() && !text.endsWith("\n")) {
                throw new IllegalArgumentException("the page does not end with a newline");
            }
            Map<String, String> helps = new LinkedHashMap<>();
            Map<String, String> types = new LinkedHashMap<>();
            Map<String, List<Sample>> samples = new LinkedHashMap<>();
            Set<String> series = new HashSet<>();
            Set<String> closed = new HashSet<>();
            String current = null;
            int lineNo = 0;
            for (String line : text.split("\n", -1)) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
                String where = "line " + lineNo + " '" + line + "': ";
                if (line.startsWith("#")) {
                    Matcher h = HELP.matcher(line);
                    Matcher t = TYPE.matcher(line);
                    if (h.matches()) {
                        if (helps.put(h.group(1), h.group(2)) != null) {
                            throw new IllegalArgumentException(where + "# HELP twice for " + h.group(1));
                        }
                        checkHelpEscapes(h.group(2), where);
                    } else if (t.matches()) {
                        String family = t.group(1);
                        if (!KNOWN_TYPES.contains(t.group(2))) {
                            throw new IllegalArgumentException(where + "unknown type " + t.group(2));
                        }
                        if (types.put(family, t.group(2)) != null) {
                            throw new IllegalArgumentException(where + "# TYPE twice for " + family);
                        }
                        if (samples.containsKey(family)) {
                            throw new IllegalArgumentException(where + "# TYPE after samples of " + family);
                        }
                    } else if (line.startsWith("# HELP") || line.startsWith("# TYPE")) {
                        throw new IllegalArgumentException(where + "malformed HELP or TYPE line");
                    }
                    continue;
                }
                Sample s = sample(line, where);
                String family = familyOf(s.name(), types);
                if (family == null) {
                    throw new IllegalArgumentException(where + "no # TYPE declares the family of " + s.name());
                }
                if (!helps.containsKey(family)) {
                    throw new IllegalArgumentException(where + "no # HELP for " + family);
                }
                if (!family.equals(current)) {
                    if (current != null) {
                        closed.add(current);
                    }
                    if (closed.contains(family)) {
                        throw new IllegalArgumentException(where + "samples of " + family + " are not together");
                    }
                    current = family;
                }
                if (!series.add(s.name() + new java.util.TreeMap<>(s.labels()))) {
                    throw new IllegalArgumentException(where + "series appears twice");
                }
                if (types.get(family).equals("counter") && (s.value() < 0 || Double.isNaN(s.value()))) {
                    throw new IllegalArgumentException(where + "negative counter");
                }
                samples.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
            }
            types.forEach((family, type) -> {
                if (type.equals("histogram")) {
                    checkHistogram(family, samples.getOrDefault(family, List.of()));
                }
            });
            return new Exposition(types, samples);
        }

        /** The family a sample name belongs to: itself, or a histogram's or summary's by its suffix. */
        private static String familyOf(String name, Map<String, String> types) {
            if (types.containsKey(name)) {
                String type = types.get(name);
                return type.equals("histogram") ? null : name; // a histogram has no bare sample
            }
            for (String suffix : List.of("_bucket", "_count", "_sum")) {
                if (name.endsWith(suffix)) {
                    String base = name.substring(0, name.length() - suffix.length());
                    String type = types.get(base);
                    if ("histogram".equals(type) || "summary".equals(type) && !suffix.equals("_bucket")) {
                        return base;
                    }
                }
            }
            return null;
        }

        private static void checkHelpEscapes(String help, String where) {
            for (int i = 0; i < help.length(); i++) {
                if (help.charAt(i) == '\\') {
                    if (i + 1 >= help.length() || "\\n".indexOf(help.charAt(i + 1)) < 0) {
                        throw new IllegalArgumentException(where + "bad escape in HELP");
                    }
                    i++;
                }
            }
        }

        private static Sample sample(String line, String where) {
            Matcher name = NAME.matcher(line);
            if (!name.lookingAt()) {
                throw new IllegalArgumentException(where + "no metric name");
            }
            int i = name.end();
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    Matcher ln = LABEL_NAME.matcher(line).region(i, line.length());
                    if (!ln.lookingAt() || ln.end() >= line.length() || line.charAt(ln.end()) != '='
                            || ln.end() + 1 >= line.length() || line.charAt(ln.end() + 1) != '"') {
                        throw new IllegalArgumentException(where + "bad label syntax at " + i);
                    }
                    StringBuilder value = new StringBuilder();
                    int j = ln.end() + 2;
                    while (true) {
                        if (j >= line.length()) {
                            throw new IllegalArgumentException(where + "unterminated label value");
                        }
                        char c = line.charAt(j);
                        if (c == '"') {
                            break;
                        }
                        if (c == '\\') {
                            char e = j + 1 < line.length() ? line.charAt(j + 1) : ' ';
                            value.append(switch (e) {
                                case '\\' -> '\\';
                                case '"' -> '"';
                                case 'n' -> '\n';
                                default -> throw new IllegalArgumentException(where + "bad escape in label value");
                            });
                            j += 2;
                        } else {
                            value.append(c);
                            j++;
                        }
                    }
                    if (labels.put(ln.group(), value.toString()) != null) {
                        throw new IllegalArgumentException(where + "label " + ln.group() + " twice");
                    }
                    i = j + 1;
                    if (i < line.length() && line.charAt(i) == ',') {
                        i++;
                    } else if (i >= line.length() || line.charAt(i) != '}') {
                        throw new IllegalArgumentException(where + "bad label syntax after a value");
                    }
                }
                i++;
            }
            if (i >= line.length() || line.charAt(i) != ' ') {
                throw new IllegalArgumentException(where + "no space before the value");
            }
            String[] rest = line.substring(i + 1).split(" ", -1);
            if (rest.length > 2 || rest.length == 2 && !rest[1].matches("-?[0-9]+")) {
                throw new IllegalArgumentException(where + "expected a value and an optional timestamp");
            }
            return new Sample(name.group(), labels, number(rest[0], where));
        }

        private static double number(String s, String where) {
            switch (s) {
                case "+Inf":
                    return Double.POSITIVE_INFINITY;
                case "-Inf":
                    return Double.NEGATIVE_INFINITY;
                case "NaN":
                    return Double.NaN;
                default:
                    if (!s.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
                        throw new IllegalArgumentException(where + "value '" + s + "' is not a number");
                    }
                    return Double.parseDouble(s);
            }
        }

        private static void checkHistogram(String family, List<Sample> samples) {
            // Grouped by the labels other than le: one histogram per group.
            Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
            Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
            Set<Map<String, String>> sums = new HashSet<>();
            for (Sample s : samples) {
                Map<String, String> rest = new LinkedHashMap<>(s.labels());
                if (s.name().endsWith("_bucket")) {
                    if (rest.remove("le") == null) {
                        throw new IllegalArgumentException(family + ": a bucket without le");
                    }
                    buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
                } else if (s.name().endsWith("_count")) {
                    counts.put(rest, s.value());
                } else {
                    sums.add(rest);
                }
            }
            if (buckets.isEmpty()) {
                throw new IllegalArgumentException(family + ": a histogram without buckets");
            }
            buckets.forEach((labels, list) -> {
                double previousLe = Double.NEGATIVE_INFINITY;
                double previousCount = 0;
                for (Sample s : list) {
                    double le = number(s.labels().get("le"), family + ": ");
                    if (!(le > previousLe)) {
                        throw new IllegalArgumentException(family + ": bucket bounds do not ascend");
                    }
                    if (s.value() < previousCount) {
                        throw new IllegalArgumentException(family + ": bucket counts are not cumulative");
                    }
                    previousLe = le;
                    previousCount = s.value();
                }
                if (previousLe != Double.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException(family + ": the last bucket is not le=\"+Inf\"");
                }
                Double count = counts.get(labels);
                if (count == null || count != previousCount) {
                    throw new IllegalArgumentException(family + ": the +Inf bucket (" + previousCount
                            + ") differs from _count (" + count + ")");
                }
                if (!sums.contains(labels)) {
                    throw new IllegalArgumentException(family + ": no _sum");
                }
            });
        }

        Set<String> families() {
            return types.keySet();
        }

        /** The value of one series, which must exist. */
        double value(String name, Map<String, String> labels) {
            for (List<Sample> list : samplesByFamily.values()) {
                for (Sample s : list) {
                    if (s.name().equals(name) && s.labels().equals(labels)) {
                        return s.value();
                    }
                }
            }
            throw new AssertionError("no series " + name + labels + " in " + samplesByFamily.keySet());
        }

        /** The sum over every series of a family, which must exist. */
        double sum(String family) {
            List<Sample> list = samplesByFamily.get(family);
            if (list == null) {
                throw new AssertionError("no family " + family);
            }
            return list.stream().mapToDouble(Sample::value).sum();
        }

        Set<String> labelValues(String family, String label) {
            Set<String> out = new HashSet<>();
            samplesByFamily.getOrDefault(family, List.of()).forEach(s -> out.add(s.labels().get(label)));
            return out;
        }
    }
}
