package org.loomnet.node;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import org.loomnet.wire.WireLimits;

/**
 * Every setting of a node, with its default. {@link #DEFAULTS} is the one source of defaults:
 * {@link Node.Builder}, the daemon's command line and its config file all start from it.
 *
 * @param network                 network name; nodes of different networks never talk ("loomnet")
 * @param listenAddress           address and port to accept connections on (0.0.0.0:7700; port 0 picks a free port)
 * @param nodeName                a name for operators, sent in HELLO ("")
 * @param userAgent               software name and version, sent in HELLO ("loomnet/0.1.0")
 * @param specialPeers            peers dialed at start and kept connected forever, optionally pinned to a node id (none)
 * @param maxIncoming             incoming connections held at once; more get DISCONNECT "too many incoming" (64)
 * @param maxIncomingPerAddress   incoming connections from one IP at once (3)
 * @param acceptsPerAddressPerSecond new connections accepted from one IP per second (5)
 * @param fanout                  peers a broadcast goes to, special peers always included (16)
 * @param limits                  frame (1 MiB) and application message (64 MiB) size limits
 * @param sendQueueParcels        send queue bound per connection, in parcels (4096)
 * @param sendQueueBytes          send queue bound per connection, in payload bytes (2 x max message + 1 frame)
 * @param subscriberQueue         queue bound per subscriber, in messages (1024)
 * @param inboxCapacity           the processing thread's queue bound, in commands (8192)
 * @param inboxBytes              bytes of received messages waiting for the processing thread; a reader
 *                                that would pass it waits, and TCP slows its peer (256 MiB)
 * @param subscriberBytes         queue bound per subscriber, in payload bytes (2 x max message)
 * @param maxDialTargets          addresses the node keeps dialing (special and requested) (1024)
 * @param handshakeTimeout        time a peer has to send an acceptable HELLO (10 s)
 * @param pingInterval            PING after this long without sending (15 s)
 * @param idleTimeout             disconnect after this long without receiving (60 s)
 * @param frameTimeout            a frame must arrive completely within this long (30 s)
 * @param writeTimeout            a write may block this long (30 s)
 * @param closeLinger             time a closing connection gets to flush DISCONNECT (2 s)
 * @param dialTimeout             TCP connect timeout (5 s)
 * @param redialDelay             first redial delay; doubles per failed attempt (5 s)
 * @param redialMaxDelay          cap on the redial delay (5 min)
 * @param redialAttempts          redials of a lost regular peer before giving up; special peers: forever (5)
 * @param partialsPerPeer         split messages one peer may have in reassembly (4)
 * @param reassemblyTimeout       time a split message may wait for its parts (30 s)
 * @param reassemblyBudget        bytes of split messages all peers together may hold (256 MiB)
 * @param tickInterval            how often timers are checked (1 s)
 * @param clock                   time source for every timer (the system clock)
 * @param gossipMaxHops           links a gossip message may travel from its origin; the node at the
 *                                last one delivers it but does not forward it (16)
 * @param gossipSeenCapacity      gossip ids remembered to drop duplicates; oldest evicted when full (65536)
 * @param gossipTtl               how long an id is remembered, and how far a gossip timestamp may be
 *                                from our clock (5 min)
 * @param targetOutgoing          outgoing connections kept to peers from the address book, at most one
 *                                per network group (/16 IPv4, /32 IPv6); special peers come on top (8)
 * @param peerExchangeInterval    least time between two peer requests we answer from one peer, and
 *                                between our own requests while below the outgoing target (60 s)
 * @param peerExchangeMax         most addresses sent in, or taken from, one PEER_RESPONSE (32)
 * @param banDuration             how long a ban lasts unless given otherwise (24 h)
 * @param bookSaveInterval        how often the address book is written to the data directory (1 min)
 * @param seedPeers               addresses put in the address book at start as seeds (the project's
 *                                peers.json): dialed like any learned address, with backoff, not
 *                                kept forever like special peers (none)
 * @param seedUrls                URLs answering a GET with {@code host:port} lines, asked at start and
 *                                while short of peers (none)
 * @param dnsSeeds                host names whose A/AAAA records are peers on the default port, or
 *                                {@code host:port} (none)
 * @param bootstrapInterval       how often seeds are asked again while short of peers (5 min)
 * @param exclusive               dial only special peers: no address-book dials (false)
 * @param exclusiveIncoming       also refuse every incoming peer that is not special (false)
 * @param encryption              Noise XX on every connection (true); false only for teaching and packet
 *                                captures, and both sides must turn it off
 * @param dataDir                 where the node keeps its key file ({@code node.key}); null keeps a fresh
 *                                identity in memory, so the node id changes at every start (null)
 * @param dht                     the Kademlia DHT (BitTorrent's mainline DHT, BEP 5) the node runs for
 *                                discovery, or null for none (null: the library opens no UDP socket
 *                                unless asked; the daemon runs one by default). Its data directory,
 *                                if it has none, is the node's ({@code dht.json} next to the book)
 * @param dhtAnnounceInterval     how often the node announces its TCP port in the DHT under
 *                                SHA-1("loomnet:" + network), and looks the same info-hash up (15 min;
 *                                announced peers expire after 30 min)
 * @param dhtLookupInterval       how often it does so instead while short of its outgoing target (30 s)
 */
public record NodeConfig(String network, InetSocketAddress listenAddress, String nodeName, String userAgent,
                         List<PeerAddress> specialPeers, int maxIncoming, int maxIncomingPerAddress,
                         int acceptsPerAddressPerSecond, int fanout, WireLimits limits,
                         int sendQueueParcels, long sendQueueBytes, int subscriberQueue, int inboxCapacity,
                         long inboxBytes, long subscriberBytes,
                         int maxDialTargets, Duration handshakeTimeout, Duration pingInterval, Duration idleTimeout,
                         Duration frameTimeout, Duration writeTimeout, Duration closeLinger, Duration dialTimeout,
                         Duration redialDelay, Duration redialMaxDelay, int redialAttempts, int partialsPerPeer,
                         Duration reassemblyTimeout, long reassemblyBudget, Duration tickInterval,
                         InstantSource clock, int gossipMaxHops, int gossipSeenCapacity, Duration gossipTtl,
                         int targetOutgoing, Duration peerExchangeInterval, int peerExchangeMax,
                         Duration banDuration, Duration bookSaveInterval,
                         List<InetSocketAddress> seedPeers, List<java.net.URI> seedUrls, List<String> dnsSeeds, Duration bootstrapInterval,
                         boolean exclusive, boolean exclusiveIncoming,
                         boolean encryption, java.nio.file.Path dataDir, org.loomnet.dht.DhtConfig dht,
                         Duration dhtAnnounceInterval, Duration dhtLookupInterval) {

    /** The default TCP port. */
    public static final int DEFAULT_PORT = 7700;
    /** This software's version. */
    public static final String VERSION = "0.1.0";

    /** The defaults, in one place. */
    public static final NodeConfig DEFAULTS = new NodeConfig(
            "loomnet", new InetSocketAddress("0.0.0.0", DEFAULT_PORT), "", "loomnet/" + VERSION,
            List.of(), 64, 3, 5, 16, WireLimits.DEFAULTS,
            4096, 2L * WireLimits.DEFAULT_MAX_MESSAGE + WireLimits.DEFAULT_MAX_FRAME, 1024, 8192,
            256L << 20, 2L * WireLimits.DEFAULT_MAX_MESSAGE,
            1024, Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofMinutes(5), 5, 4,
            Duration.ofSeconds(30), 256L << 20, Duration.ofSeconds(1),
            InstantSource.system(), 16, 65536, Duration.ofMinutes(5),
            8, Duration.ofSeconds(60), 32, Duration.ofHours(24), Duration.ofMinutes(1),
            List.of(), List.of(), List.of(), Duration.ofMinutes(5), false, false, true, null,
            null, Duration.ofMinutes(15), Duration.ofSeconds(30));

    /** Checks every setting. */
    public NodeConfig {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(userAgent, "userAgent");
        specialPeers = List.copyOf(specialPeers);
        seedUrls = List.copyOf(seedUrls);
        seedPeers = List.copyOf(seedPeers);
        dnsSeeds = List.copyOf(dnsSeeds);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(clock, "clock");
        if (nodeName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > org.loomnet.wire.Hello.MAX_NODE_NAME) {
            throw new IllegalArgumentException("nodeName longer than " + org.loomnet.wire.Hello.MAX_NODE_NAME + " bytes");
        }
        if (userAgent.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > org.loomnet.wire.Hello.MAX_USER_AGENT) {
            throw new IllegalArgumentException("userAgent longer than " + org.loomnet.wire.Hello.MAX_USER_AGENT + " bytes");
        }
        if (network.isEmpty()) {
            throw new IllegalArgumentException("network name must not be empty");
        }
        positive("maxIncoming", maxIncoming, 0);
        positive("fanout", fanout, 1);
        positive("maxIncomingPerAddress", maxIncomingPerAddress, 1);
        positive("acceptsPerAddressPerSecond", acceptsPerAddressPerSecond, 1);
        positive("sendQueueParcels", sendQueueParcels, 16);
        positive("subscriberQueue", subscriberQueue, 1);
        positive("inboxCapacity", inboxCapacity, 16);
        positive("maxDialTargets", maxDialTargets, 1);
        positive("redialAttempts", redialAttempts, 0);
        positive("partialsPerPeer", partialsPerPeer, 1);
        positive("gossipMaxHops", gossipMaxHops, 1);
        positive("targetOutgoing", targetOutgoing, 0);
        positive("peerExchangeMax", peerExchangeMax, 1);
        if (peerExchangeMax > org.loomnet.connection.TransportPreamble.MAX_ALTERNATIVES * 32) {
            throw new IllegalArgumentException("peerExchangeMax must be at most 1024");
        }
        positive("gossipSeenCapacity", gossipSeenCapacity, 16);
        if (sendQueueBytes < limits.maxEncodedMessage() + limits.maxFrameSize()) {
            throw new IllegalArgumentException("sendQueueBytes must hold at least one largest message: "
                    + (limits.maxEncodedMessage() + limits.maxFrameSize()));
        }
        if (sendQueueParcels < limits.maxParts() + 16) {
            throw new IllegalArgumentException("sendQueueParcels must hold one largest split message and some "
                    + "control parcels: at least " + (limits.maxParts() + 16));
        }
        if (inboxBytes < limits.maxMessageSize() || inboxBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("inboxBytes must hold one largest message and be under 2 GiB");
        }
        if (subscriberBytes < limits.maxMessageSize()) {
            throw new IllegalArgumentException("subscriberBytes must hold one largest message");
        }
        if (reassemblyBudget < limits.maxEncodedMessage()) {
            throw new IllegalArgumentException("reassemblyBudget must hold at least one largest message");
        }
        for (Duration d : List.of(handshakeTimeout, pingInterval, idleTimeout, frameTimeout, writeTimeout,
                closeLinger, dialTimeout, redialDelay, redialMaxDelay, reassemblyTimeout, tickInterval, gossipTtl,
                peerExchangeInterval, banDuration, bookSaveInterval, bootstrapInterval, dhtAnnounceInterval,
                dhtLookupInterval)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
        }
        if (idleTimeout.compareTo(pingInterval) <= 0) {
            throw new IllegalArgumentException("idleTimeout must be longer than pingInterval");
        }
    }

    private static void positive(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
        }
    }
}
