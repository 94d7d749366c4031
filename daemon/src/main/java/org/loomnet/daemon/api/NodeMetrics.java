package org.loomnet.daemon.api;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.loomnet.connection.ConnectionState;
import org.loomnet.connection.Direction;
import org.loomnet.connection.ParcelTraffic;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.DurationHistogram;
import org.loomnet.node.Node;
import org.loomnet.node.NodeConfig;
import org.loomnet.node.NodeCounters;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.ParcelType;

/**
 * A node's Prometheus metrics, {@code loomnet_*}, for {@code GET /metrics}, built on the official
 * Prometheus Java client.
 *
 * <p>Nothing is counted here: every metric is a callback that reads the node's own counters
 * ({@link Node#counters()}, {@link Node#connections()}, {@link Node#uptime()}) when Prometheus
 * scrapes, so the core stays free of any metrics library and a scrape costs no work on the node's
 * threads: the connection list is the copy the processing thread publishes, the address-book sizes
 * are published at each timer round, and nothing waits for the processing thread.
 *
 * <p>Each instance has a registry of its own, not the client's default registry: several nodes
 * may run in one JVM (the demo, the tests), each with its own {@code /metrics}.
 *
 * <h2>Metrics</h2>
 * <pre>
 *   loomnet_info{node_id,network,version}                     1
 *   loomnet_uptime_seconds                                    gauge
 *   loomnet_connections{state,direction}                      gauge; state handshake|online|closing|closed,
 *                                                             direction inbound|outbound
 *   loomnet_send_queue_parcels                                gauge, over all connections
 *   loomnet_parcels_sent_total{type}, _received_total{type}   type hello|ping|...|gossip (lower case)
 *   loomnet_bytes_sent_total{type}, _received_total{type}     header plus payload, before encryption
 *   loomnet_queue_drops_total                                 counter
 *   loomnet_disconnects_total{reason}                         reason = DisconnectReason name, lower case
 *   loomnet_handshake_duration_seconds                        histogram, successful handshakes
 *   loomnet_incoming_refused_total, loomnet_incoming_refused_silently_total
 *   loomnet_messages_received_total, loomnet_sends_unroutable_total, loomnet_commands_rejected_total
 *   loomnet_peer_exchange_requests_sent_total, _requests_received_total,
 *   loomnet_peer_exchange_responses_sent_total, _responses_received_total, _ignored_total
 *   loomnet_peers_learned_total
 *   loomnet_address_book_entries{table}                       gauge; table new|tried|special
 *   loomnet_address_book_bans                                 gauge
 *   loomnet_gossip_delivered_total, _duplicates_total, _forged_total, _stale_total
 *   loomnet_gossip_seen_ids                                   gauge
 * </pre>
 * More (the DHT's, for example) are added with {@link #addCollector(Collector)} or
 * {@link #addCollector(MultiCollector)}.
 *
 * <p>Thread-safe: scrapes may run concurrently on API threads.
 */
public final class NodeMetrics {

    /** The content type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /** What every metric name starts with. */
    public static final String PREFIX = "loomnet_";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * Registers the node's metrics. The node may be started later; until then its values are zero.
     *
     * @param node the node whose counters the metrics read
     */
    public NodeMetrics(Node node) {
        NodeCounters counters = node.counters();
        NodeConfig config = node.config();

        Info info = Info.builder().name("loomnet_info")
                .help("This node: its id, network name and software version (the value is always 1)")
                .labelNames("node_id", "network", "version").register(registry);
        info.setLabelValues(node.id().toString(), config.network(), NodeConfig.VERSION);
        gauge("loomnet_uptime_seconds", "Seconds since the node was created",
                () -> node.uptime().toNanos() / 1e9);

        // ---- connections --------------------------------------------------------------------
        GaugeWithCallback.builder().name("loomnet_connections")
                .help("Open connections by state and by who dialed (outbound: this node dialed)")
                .labelNames("state", "direction")
                .callback(cb -> {
                    Map<ConnectionState, int[]> byState = new EnumMap<>(ConnectionState.class);
                    for (ConnectionState s : ConnectionState.values()) {
                        byState.put(s, new int[Direction.values().length]);
                    }
                    for (ConnectionInfo c : node.connections()) {
                        byState.get(c.state())[c.direction().ordinal()]++;
                    }
                    byState.forEach((state, counts) -> {
                        for (Direction d : Direction.values()) {
                            cb.call(counts[d.ordinal()], label(state), label(d));
                        }
                    });
                }).register(registry);
        gauge("loomnet_send_queue_parcels", "Parcels waiting in the send queues of all open connections",
                () -> node.connections().stream().mapToLong(ConnectionInfo::queueLength).sum());
        counter("loomnet_queue_drops_total",
                "Sends that found a peer's send queue full and dropped older parcels (or the new one)",
                counters::queueDrops);
        CounterWithCallback.builder().name("loomnet_disconnects_total")
                .help("Connections closed, by reason (the disconnect reason's name, lower case), either side's")
                .labelNames("reason")
                .callback(cb -> {
                    for (DisconnectReason r : DisconnectReason.values()) {
                        cb.call(counters.disconnects(r), label(r));
                    }
                }).register(registry);
        registry.register(new HistogramCollector("loomnet_handshake_duration_seconds",
                "Successful handshakes: seconds from TCP connect (transport handshake included) until the peer's"
                        + " HELLO was accepted", counters.handshakeDurations()));
        counter("loomnet_incoming_refused_total", "Incoming connections refused (over a limit, banned, shutting down)",
                counters::refused);
        counter("loomnet_incoming_refused_silently_total",
                "Refusals closed without a DISCONNECT because too many refusals were running", counters::refusedSilently);

        // ---- traffic by parcel type ---------------------------------------------------------
        ParcelTraffic traffic = counters.traffic();
        byType("loomnet_parcels_sent_total", "Parcels written to peers, by parcel type", traffic::parcelsSent);
        byType("loomnet_parcels_received_total", "Parcels read from peers, by parcel type", traffic::parcelsReceived);
        byType("loomnet_bytes_sent_total", "Bytes written to peers, header plus payload before encryption, by parcel type",
                traffic::bytesSent);
        byType("loomnet_bytes_received_total", "Bytes read from peers, header plus payload after decryption, by parcel type",
                traffic::bytesReceived);

        // ---- application messages -----------------------------------------------------------
        counter("loomnet_messages_received_total", "Application messages received and handed to subscribers",
                counters::messagesReceived);
        counter("loomnet_sends_unroutable_total", "Sends that found no connected peer to go to", counters::unroutable);
        counter("loomnet_commands_rejected_total", "Application requests refused because the processing queue was full",
                counters::rejectedCommands);

        // ---- peer exchange and the address book ---------------------------------------------
        counter("loomnet_peer_exchange_requests_sent_total", "Peer-exchange requests (PEER_REQUEST) sent",
                () -> traffic.parcelsSent(ParcelType.PEER_REQUEST));
        counter("loomnet_peer_exchange_requests_received_total", "Peer-exchange requests (PEER_REQUEST) received",
                () -> traffic.parcelsReceived(ParcelType.PEER_REQUEST));
        counter("loomnet_peer_exchange_responses_sent_total", "Peer-exchange answers (PEER_RESPONSE) sent",
                () -> traffic.parcelsSent(ParcelType.PEER_RESPONSE));
        counter("loomnet_peer_exchange_responses_received_total", "Peer-exchange answers (PEER_RESPONSE) received",
                () -> traffic.parcelsReceived(ParcelType.PEER_RESPONSE));
        counter("loomnet_peer_exchange_ignored_total",
                "Peer-exchange parcels ignored: requests too frequent, answers unsolicited or oversized",
                counters::peerExchangeIgnored);
        counter("loomnet_peers_learned_total",
                "Addresses added to the address book from peer exchange, refusals and seeds", counters::peersLearned);
        GaugeWithCallback.builder().name("loomnet_address_book_entries")
                .help("Address book entries by table, as of the node's last timer round")
                .labelNames("table")
                .callback(cb -> {
                    cb.call(counters.addressBookNew(), "new");
                    cb.call(counters.addressBookTried(), "tried");
                    cb.call(counters.addressBookSpecial(), "special");
                }).register(registry);
        gauge("loomnet_address_book_bans",
                "Bans on addresses and node ids held by the address book (ended ones not yet pruned included)",
                counters::addressBookBans);

        // ---- gossip -------------------------------------------------------------------------
        counter("loomnet_gossip_delivered_total", "Gossip messages accepted and delivered to subscribers",
                counters::gossipDelivered);
        counter("loomnet_gossip_duplicates_total", "Gossip copies dropped because their id was already seen",
                counters::gossipDuplicates);
        counter("loomnet_gossip_forged_total", "Gossip messages dropped because the origin signature did not verify",
                counters::gossipForged);
        counter("loomnet_gossip_stale_total", "Gossip messages dropped because their timestamp was outside the TTL window",
                counters::gossipStale);
        gauge("loomnet_gossip_seen_ids", "Gossip message ids in the seen-cache", counters::gossipSeenSize);

        // ---- the DHT, when the node runs one -------------------------------------------------
        org.loomnet.dht.DhtNode dht = node.dht();
        if (dht != null) {
            dhtMetrics(dht.counters());
        }
    }

    /** The DHT's traffic, protection and table, from its own counters. */
    private void dhtMetrics(org.loomnet.dht.DhtCounters d) {
        CounterWithCallback.builder().name("loomnet_dht_queries_received_total")
                .help("DHT queries received and served, by KRPC method (unknown: methods we do not serve)")
                .labelNames("method")
                .callback(cb -> {
                    cb.call(d.pingsReceived(), "ping");
                    cb.call(d.findNodesReceived(), "find_node");
                    cb.call(d.getPeersReceived(), "get_peers");
                    cb.call(d.announcesReceived(), "announce_peer");
                    cb.call(d.unknownMethodsReceived(), "unknown");
                }).register(registry);
        counter("loomnet_dht_queries_sent_total", "DHT queries sent", d::queriesSent);
        counter("loomnet_dht_responses_received_total", "DHT responses matched to a query we sent",
                d::responsesReceived);
        counter("loomnet_dht_responses_unmatched_total",
                "DHT responses matching no pending query (unknown transaction id, or from another address)",
                d::unmatchedResponses);
        counter("loomnet_dht_timeouts_total", "DHT queries that got no response in time", d::timeouts);
        counter("loomnet_dht_errors_received_total", "KRPC errors received", d::errorsReceived);
        counter("loomnet_dht_errors_sent_total", "KRPC errors sent (201-204)", d::errorsSent);
        counter("loomnet_dht_malformed_packets_total", "UDP packets that were not valid bencoded KRPC", d::malformedPackets);
        counter("loomnet_dht_rate_limited_packets_total", "Queries dropped by the per-IP rate limit",
                d::rateLimitedPackets);
        counter("loomnet_dht_inbox_dropped_total", "Packets dropped because the DHT's processing queue was full",
                d::inboxDropped);
        counter("loomnet_dht_busy_refusals_total",
                "Our own queries or lookups refused because too many were pending", d::refusedBusy);
        counter("loomnet_dht_bytes_received_total", "UDP bytes received by the DHT", d::bytesIn);
        counter("loomnet_dht_bytes_sent_total", "UDP bytes sent by the DHT", d::bytesOut);
        counter("loomnet_dht_peers_announced_total", "announce_peer queries accepted from other nodes",
                d::peersAnnouncedToUs);
        counter("loomnet_dht_lookups_total", "Iterative lookups completed", d::lookupsCompleted);
        gauge("loomnet_dht_routing_table_nodes", "Nodes in the DHT routing table", d::routingTableSize);
        gauge("loomnet_dht_pending_transactions", "DHT queries awaiting a response", d::pendingTransactions);
        gauge("loomnet_dht_active_lookups", "DHT lookups running", d::activeLookups);
        gauge("loomnet_dht_peers_stored", "Peers stored for other nodes' info-hashes", d::peersStored);
        gauge("loomnet_dht_info_hashes_stored", "Info-hashes with stored peers", d::infoHashesStored);
    }

    /**
     * Adds a metric that the node's own set does not have: the DHT's, for example. Its name should
     * start with {@link #PREFIX}, like
     * <pre>{@code
     * metrics.addCollector(CounterWithCallback.builder().name("loomnet_dht_queries_sent_total")
     *         .help("DHT queries sent").callback(cb -> cb.call(dht.queriesSent())).build());
     * }</pre>
     *
     * @param collector a metric (every {@code io.prometheus.metrics.core.metrics} metric is one)
     * @throws IllegalArgumentException if its name does not start with {@link #PREFIX}, or a metric
     *                                  of that name is already registered
     */
    public void addCollector(Collector collector) {
        MetricFamilyDescriptor family = collector.getMetricFamilyDescriptor();
        if (family != null) {
            checkPrefix(family);
        }
        registry.register(collector);
    }

    /**
     * Adds several metrics read together at each scrape (when they should be consistent with each
     * other, or are costly to read one by one). Their names should start with {@link #PREFIX}.
     *
     * @param collector the metrics
     * @throws IllegalArgumentException if a name it declares does not start with {@link #PREFIX},
     *                                  or a metric of that name is already registered
     */
    public void addCollector(MultiCollector collector) {
        for (MetricFamilyDescriptor family : collector.getMetricFamilyDescriptors()) {
            checkPrefix(family);
        }
        registry.register(collector);
    }

    private static void checkPrefix(MetricFamilyDescriptor family) {
        if (!family.getPrometheusName().startsWith(PREFIX)) {
            throw new IllegalArgumentException("metric " + family.getPrometheusName() + " does not start with " + PREFIX);
        }
    }

    /**
     * Reads every metric now and writes them in the Prometheus text format 0.0.4.
     *
     * @param out where to write (not closed)
     * @throws IOException if writing fails
     */
    public void writeTo(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** @return every metric now, in the Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}) */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void counter(String name, String help, LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    private void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    private void byType(String name, String help, ToLongFunction<ParcelType> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("type")
                .callback(cb -> {
                    for (ParcelType t : ParcelType.values()) {
                        cb.call(value.applyAsLong(t), label(t));
                    }
                }).register(registry);
    }

    /** An enum constant as a label value: {@code PROTOCOL_VIOLATION} becomes {@code protocol_violation}. */
    private static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /**
     * A {@link DurationHistogram} of the core as a Prometheus classic histogram. The client's own
     * {@code Histogram} counts itself; this one only reads the core's counts at scrape time.
     */
    private static final class HistogramCollector implements Collector {
        private final String name;
        private final String help;
        private final DurationHistogram histogram;

        HistogramCollector(String name, String help, DurationHistogram histogram) {
            this.name = name;
            this.help = help;
            this.histogram = histogram;
        }

        @Override
        public MetricSnapshot collect() {
            DurationHistogram.Snapshot s = histogram.snapshot();
            double[] bounds = new double[s.upperBounds().length + 1];
            System.arraycopy(s.upperBounds(), 0, bounds, 0, s.upperBounds().length);
            bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
            return HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS)
                    .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, s.bucketCounts()))
                            .sum(s.sumSeconds())
                            .build())
                    .build();
        }

        @Override
        public MetricFamilyDescriptor getMetricFamilyDescriptor() {
            // Declared up front, so that the registry can refuse a second metric of this name.
            return MetricFamilyDescriptor.of(MetricType.HISTOGRAM, new MetricMetadata(name, help, Unit.SECONDS));
        }
    }
}
