package org.loomnet.daemon.api;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.loomnet.connection.CloseInfo;
import org.loomnet.daemon.HostPort;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Node;
import org.loomnet.node.NodeConfig;
import org.loomnet.node.NodeCounters;
import org.loomnet.peers.PeerEntry;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.NetworkId;
import org.loomnet.wire.ParcelWriter;

/**
 * What the API's JSON looks like: one record per kind of object, turned into JSON by Gson with
 * snake_case names ({@code bytes_sent}), ISO-8601 times, and every key present ({@code null} for
 * "none" or "never") so that scripts can rely on the shape. docs/operations.md shows each one.
 */
final class Views {

    private Views() {
    }

    /** The one Gson of the API. */
    static final Gson GSON = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .registerTypeAdapter(Instant.class, (JsonSerializer<Instant>) (t, type, ctx) ->
                    t == null || t.toEpochMilli() == 0 ? JsonNull.INSTANCE : new JsonPrimitive(t.toString()))
            .serializeNulls()
            .disableHtmlEscaping()
            .create();

    /** {@code GET /api/node}. */
    record NodeView(String id, String network, String networkId, int protocolVersion, String version,
                    String userAgent, String nodeName, String listenAddress, String apiAddress, String apiTokenFile,
                    boolean encryption, Instant startedAt, long uptimeSeconds, ConnectionCounts connections,
                    Map<String, Long> counters, Map<String, Long> disconnects) {
    }

    /** Connections by state and direction, for the summary. */
    record ConnectionCounts(int total, int online, int handshake, int closing, int inbound, int outbound) {
    }

    /** One element of {@code GET /api/network/connections}. */
    record ConnectionView(long id, String nodeId, String address, String direction, String state,
                          String peerType, boolean authenticated, Instant connectedAt, Instant lastSent,
                          Instant lastReceived, long bytesSent, long bytesReceived, long parcelsSent,
                          long parcelsReceived, long messagesSent, long messagesReceived, Double rttMs,
                          int quality, String userAgent, String nodeName, int listenPort, int protocolVersion,
                          int queueLength, long queueDrops, String closeReason) {
    }

    /** One element of {@code GET /api/network/peers}: an address book entry. */
    record PeerView(String address, String group, String type, boolean tried, List<String> sources,
                    Instant firstSeen, Instant lastSeen, Instant lastSuccess, Instant lastAttempt,
                    Instant nextAttemptAt, int failures, int quality, Instant bannedUntil, String nodeId,
                    String userAgent) {
    }

    /** One element of {@code GET /api/network/bans}: {@code kind} is "ip" or "node_id". */
    record BanView(String kind, String subject, Instant until) {
    }

    /** One element of {@code GET /api/messages}. */
    record MessageView(Instant receivedAt, String from, long connectionId, String type, int size, String payload,
                       String payloadBase64, boolean truncated) {
    }

    /** {@code GET /api/dht}. */
    record DhtView(String id, String address, int routingTableNodes, List<BucketView> buckets,
                   Map<String, Long> counters) {
    }

    /** One bucket of the routing table. */
    record BucketView(int index, int prefixBits, boolean containsSelf, int nodes, int good, int questionable,
                      int bad, Instant lastChanged) {
    }

    /** {@code GET /api/dht/peers}. */
    record DhtPeersView(String infoHash, int count, List<String> peers, int rounds, int queriesSent,
                        long durationMs) {
    }

    /** {@code POST /api/dht/announce}. */
    record AnnounceView(String infoHash, int asked, int accepted, List<String> peers) {
    }

    static DhtView dht(org.loomnet.dht.DhtNode dht, org.loomnet.dht.RoutingTableSnapshot table) {
        List<BucketView> buckets = new java.util.ArrayList<>();
        for (var b : table.buckets()) {
            int good = 0;
            int questionable = 0;
            int bad = 0;
            for (var n : b.nodes()) {
                switch (n.status()) {
                    case GOOD -> good++;
                    case QUESTIONABLE -> questionable++;
                    default -> bad++;
                }
            }
            buckets.add(new BucketView(b.index(), b.prefixBits(), b.containsSelf(), b.nodes().size(), good,
                    questionable, bad, b.lastChanged()));
        }
        org.loomnet.dht.DhtCounters k = dht.counters();
        Map<String, Long> counters = new TreeMap<>();
        counters.put("pings_received", k.pingsReceived());
        counters.put("find_nodes_received", k.findNodesReceived());
        counters.put("get_peers_received", k.getPeersReceived());
        counters.put("announces_received", k.announcesReceived());
        counters.put("queries_sent", k.queriesSent());
        counters.put("responses_received", k.responsesReceived());
        counters.put("timeouts", k.timeouts());
        counters.put("errors_received", k.errorsReceived());
        counters.put("errors_sent", k.errorsSent());
        counters.put("malformed_packets", k.malformedPackets());
        counters.put("rate_limited_packets", k.rateLimitedPackets());
        counters.put("peers_stored", (long) k.peersStored());
        counters.put("info_hashes_stored", (long) k.infoHashesStored());
        counters.put("lookups_completed", k.lookupsCompleted());
        return new DhtView(dht.id().hex(), HostPort.format(dht.localAddress()), table.size(), buckets, counters);
    }

    static DhtPeersView peers(org.loomnet.dht.PeersResult r) {
        List<String> peers = r.peers().stream().map(HostPort::format).toList();
        return new DhtPeersView(r.infoHash().hex(), peers.size(), peers, r.lookup().rounds(), r.lookup().queriesSent(),
                r.lookup().duration().toMillis());
    }

    static AnnounceView announced(org.loomnet.dht.AnnounceResult r) {
        return new AnnounceView(r.infoHash().hex(), r.asked(), r.accepted(),
                r.lookup().peers().stream().map(HostPort::format).toList());
    }

    static NodeView node(Node node, String apiAddress, String tokenFile, Instant startedAt) {
        NodeConfig c = node.config();
        List<ConnectionInfo> conns = node.connections();
        int online = 0;
        int handshake = 0;
        int closing = 0;
        int inbound = 0;
        for (ConnectionInfo i : conns) {
            switch (i.state()) {
                case ONLINE -> online++;
                case HANDSHAKE -> handshake++;
                default -> closing++;
            }
            if (i.direction() == org.loomnet.connection.Direction.INBOUND) {
                inbound++;
            }
        }
        NodeCounters k = node.counters();
        Map<String, Long> counters = new TreeMap<>();
        counters.put("messages_received", k.messagesReceived());
        counters.put("queue_drops", k.queueDrops());
        counters.put("unroutable", k.unroutable());
        counters.put("refused", k.refused());
        counters.put("peers_learned", k.peersLearned());
        counters.put("peer_exchange_ignored", k.peerExchangeIgnored());
        counters.put("rejected_commands", k.rejectedCommands());
        counters.put("gossip_delivered", k.gossipDelivered());
        counters.put("gossip_duplicates", k.gossipDuplicates());
        counters.put("gossip_forged", k.gossipForged());
        counters.put("gossip_stale", k.gossipStale());
        Map<String, Long> disconnects = new TreeMap<>();
        for (DisconnectReason r : DisconnectReason.values()) {
            long n = k.disconnects(r);
            if (n > 0) {
                disconnects.put(lower(r), n);
            }
        }
        return new NodeView(node.id().toString(), c.network(), String.format("%08x", NetworkId.of(c.network())),
                ParcelWriter.PROTOCOL_VERSION, NodeConfig.VERSION, c.userAgent(), c.nodeName(),
                HostPort.format(node.listenAddress()), apiAddress, tokenFile, c.encryption(), startedAt,
                node.uptime().toSeconds(),
                new ConnectionCounts(conns.size(), online, handshake, closing, inbound, conns.size() - inbound),
                counters, disconnects);
    }

    static ConnectionView connection(ConnectionInfo i) {
        CloseInfo why = i.closeInfo();
        return new ConnectionView(i.id(), i.nodeId() == null ? null : i.nodeId().toString(),
                HostPort.format(i.remoteAddress()), lower(i.direction()), lower(i.state()),
                i.special() ? "special" : "regular", i.authenticated(), i.connectedAt(), i.lastSent(),
                i.lastReceived(), i.bytesSent(), i.bytesReceived(), i.parcelsSent(), i.parcelsReceived(),
                i.messagesSent(), i.messagesReceived(), i.rtt() == null ? null : i.rtt().toNanos() / 1e6,
                i.quality(), i.userAgent(), i.nodeName(), i.listenPort(), i.protocolVersion(), i.queueLength(),
                i.queueDrops(), why == null ? null : lower(why.reason()));
    }

    static PeerView peer(PeerEntry e) {
        return new PeerView(HostPort.format(e.address()), e.group(), lower(e.type()), e.tried(),
                e.sources().stream().map(s -> s.label()).sorted().toList(), millis(e.firstSeen()),
                millis(e.lastSeen()), millis(e.lastSuccess()), millis(e.lastAttempt()), millis(e.nextAttemptAt()),
                e.failures(), e.quality(), millis(e.bannedUntil()), e.nodeId(), e.userAgent());
    }

    static BanView ban(org.loomnet.peers.Ban b) {
        return new BanView(lower(b.kind()), b.subject(), Instant.ofEpochMilli(b.until()));
    }

    static MessageView message(RecentMessages.Entry e) {
        return new MessageView(e.receivedAt(), e.from(), e.connectionId(), e.type(), e.size(), utf8(e.payload()),
                Base64.getEncoder().encodeToString(e.payload()), e.truncated());
    }

    /** The payload as text if it is valid UTF-8, else null (then only the base64 form is given). */
    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static Instant millis(long epochMillis) {
        return epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
