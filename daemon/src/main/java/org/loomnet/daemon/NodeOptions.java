package org.loomnet.daemon;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.loomnet.dht.DhtConfig;
import org.loomnet.node.Node;
import org.loomnet.node.OwnAddress;
import org.loomnet.node.NodeConfig;
import org.loomnet.node.PeerAddress;
import org.loomnet.wire.Hello;
import org.slf4j.event.Level;
import picocli.CommandLine.Option;

/**
 * The flags that describe the node, and {@link #toBuilder} that turns them into a
 * {@link Node.Builder}. Defaults come from {@link DefaultValues}, that is from
 * {@link NodeConfig#DEFAULTS}.
 *
 * <p>To add a setting: a field here with its {@code @Option}, its default in
 * {@link DefaultValues#VALUES}, its place in {@link HelpSections#SECTIONS}, one line in
 * {@link #toBuilder}, its name in {@link #FLAG_OF_SETTING} if the node checks its range, and a case
 * in the CLI test.
 */
public final class NodeOptions {

    private static final String KEY_FILE = org.loomnet.crypto.Identity.KEY_FILE;
    /** The default of {@code --data-dir} as {@code --help} shows it. */
    static final String DATA_DIR_HELP = "$HOME/.loomnet/NETWORK-PORT";

    /**
     * Where the default data directories live; {@code $HOME}, else Java's {@code user.home}. Not
     * a flag: tests point it elsewhere.
     */
    Path home = userHome();

    // Network. The fields are grouped as --help shows them; HelpSections.SECTIONS sets that order.

    @Option(names = "--host", paramLabel = "HOST", converter = HostPort.HostConverter.class,
            description = "Address to accept connections on (default: ${DEFAULT-VALUE}).")
    InetAddress host;

    @Option(names = "--port", paramLabel = "PORT", converter = HostPort.PortConverter.class,
            description = "TCP port to accept connections on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--network", paramLabel = "NAME",
            description = "Network name; nodes of different networks never talk (default: ${DEFAULT-VALUE}).")
    String network;

    @Option(names = "--name", paramLabel = "NAME",
            description = "A name for operators, sent to peers; at most " + Hello.MAX_NODE_NAME + " bytes (default: none).")
    String name;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Directory of this node's key file, " + KEY_FILE + ", created on first start: "
                    + "the key is the node's identity, so its node id stays the same across restarts "
                    + "(default: " + DATA_DIR_HELP + ", so that nodes on different ports have different "
                    + "ids; with --port 0, a new id at every start).")
    Path dataDir;

    @Option(names = "--plaintext",
            description = "Turn encryption off (on by default: Noise XX on every connection). For teaching "
                    + "and packet captures only: traffic can be read and changed on the way, and peers' "
                    + "node ids are not proven. Both sides must use it: an encrypted and a plaintext node "
                    + "refuse each other.")
    boolean plaintext;

    // Peers and discovery.

    @Option(names = "--peers", paramLabel = "[NODE_ID@]HOST:PORT", split = ",",
            converter = HostPort.PeerConverter.class,
            description = "Special peers, comma-separated: dialed at start and kept connected. "
                    + "IPv6 as [::1]:7700. A node id in front (40 hex digits, then @) pins the peer: "
                    + "the node at that address must prove that id, or the connection is refused. "
                    + "May be repeated.")
    List<PeerAddress> peers = new ArrayList<>();

    @Option(names = "--peers-file", paramLabel = "FILE",
            description = "JSON file of seed peers per network, "
                    + "{\"networks\": {\"NAME\": [\"[NODE_ID@]HOST:PORT\", ...]}}; "
                    + "the seeds of this node's network go into the address book and are dialed with "
                    + "backoff like any learned address; a pinned seed (NODE_ID@) is kept as a special peer "
                    + "(default: none; bin/node passes the project's peers.json; give 'none' for no file).")
    Path peersFile;

    /** {@code --peers-file none}: no peers file, even where bin/node passes one. */
    static final String NO_PEERS_FILE = "none";

    @Option(names = "--seed-url", paramLabel = "URL", converter = SeedUrl.Converter.class,
            description = "An http or https URL that answers a GET with HOST:PORT lines: peer addresses for "
                    + "the address book, asked at start and again while short of peers. May be repeated "
                    + "(default: none).")
    List<URI> seedUrls = new ArrayList<>();

    @Option(names = "--dns-seed", paramLabel = "HOST[:PORT]", converter = HostPort.DnsSeedConverter.class,
            description = "A host name whose A and AAAA records are peer addresses, on port "
                    + NodeConfig.DEFAULT_PORT + " unless :PORT is given; looked up at start and again while "
                    + "short of peers. May be repeated (default: none).")
    List<String> dnsSeeds = new ArrayList<>();

    @Option(names = "--target-outgoing", paramLabel = "N",
            description = "Outgoing connections kept to peers from the address book, at most one per network "
                    + "group (/16 IPv4, /32 IPv6); special peers come on top (default: ${DEFAULT-VALUE}).")
    int targetOutgoing;

    @Option(names = "--exclusive",
            description = "Dial special peers only (--peers, --peers-file), never addresses from the address "
                    + "book (default: ${DEFAULT-VALUE}).")
    boolean exclusive;

    @Option(names = "--exclusive-incoming",
            description = "Refuse incoming connections from nodes that are not special peers. Independent of "
                    + "--exclusive: give both for a node that talks to its special peers only "
                    + "(default: ${DEFAULT-VALUE}).")
    boolean exclusiveIncoming;

    @Option(names = "--peer-exchange-max", paramLabel = "N",
            description = "Most addresses sent in, or taken from, one answer to a peer request "
                    + "(default: ${DEFAULT-VALUE}).")
    int peerExchangeMax;

    @Option(names = "--peer-exchange-interval", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Least time between two peer requests answered for one peer, and between this "
                    + "node's own requests while short of peers (default: ${DEFAULT-VALUE}).")
    Duration peerExchangeInterval;

    @Option(names = "--book-save-interval", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "How often the address book (with its bans) is written to the data directory; it is "
                    + "also written after every ban and unban, and at a clean stop. Checked once a second, so "
                    + "a shorter interval acts as 1s. A crash loses at most what changed since the last save "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration bookSaveInterval;

    // The DHT.

    @Option(names = "--dht-port", paramLabel = "PORT", converter = HostPort.PortConverter.class,
            description = "UDP port of the Kademlia DHT (BitTorrent's mainline DHT, BEP 5) through which the node "
                    + "finds the other nodes of its network; 0 picks a free one (default: the TCP port, --port).")
    Integer dhtPort;

    @Option(names = "--dht-bootstrap", paramLabel = "HOST:PORT", split = ",", converter = HostPort.PeerConverter.class,
            description = "DHT nodes to join the DHT through, comma-separated; any BEP 5 node will do. May be "
                    + "repeated (default: none, so the DHT only meets nodes that contact it).")
    List<PeerAddress> dhtBootstrap = new ArrayList<>();

    @Option(names = "--no-dht", description = "Run without the DHT: no UDP socket, no DHT discovery "
            + "(default: ${DEFAULT-VALUE}).")
    boolean noDht;

    @Option(names = "--dht-save-interval", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "How often the DHT's routing table is written to the data directory, if it changed; "
                    + "also at a clean stop (default: ${DEFAULT-VALUE}).")
    Duration dhtSaveInterval;

    // Limits.

    @Option(names = "--max-incoming", paramLabel = "N",
            description = "Incoming connections held at once (default: ${DEFAULT-VALUE}).")
    int maxIncoming;

    @Option(names = "--max-incoming-per-ip", paramLabel = "N",
            description = "Incoming connections from one IP address held at once (default: ${DEFAULT-VALUE}).")
    int maxIncomingPerIp;

    @Option(names = "--accepts-per-ip-per-second", paramLabel = "N",
            description = "New connections accepted from one IP address per second (default: ${DEFAULT-VALUE}).")
    int acceptsPerIpPerSecond;

    @Option(names = "--ban-duration", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "How long a ban lasts when no other time is given (default: ${DEFAULT-VALUE}).")
    Duration banDuration;

    // Gossip.

    @Option(names = "--fanout", paramLabel = "N",
            description = "Peers a broadcast goes to, and a gossip message is passed on to, special peers "
                    + "always included (default: ${DEFAULT-VALUE}).")
    int fanout;

    @Option(names = "--gossip-max-hops", paramLabel = "N",
            description = "Links a gossip message may travel from its origin; the node at the last one "
                    + "delivers it but does not pass it on (default: ${DEFAULT-VALUE}).")
    int gossipMaxHops;

    @Option(names = "--gossip-cache", paramLabel = "N",
            description = "Gossip message ids remembered to drop duplicates; the oldest is forgotten when "
                    + "full (default: ${DEFAULT-VALUE}).")
    int gossipCache;

    @Option(names = "--gossip-ttl", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "How long a gossip message id is remembered, and how far a gossip message's "
                    + "timestamp may be from this node's clock (default: ${DEFAULT-VALUE}).")
    Duration gossipTtl;

    /**
     * {@link NodeConfig}'s names of the settings it checks, to the flags that set them: the
     * node's "fanout must be at least 1: 0" reaches the operator as "--fanout must be at least 1: 0".
     */
    static final Map<String, String> FLAG_OF_SETTING = Map.ofEntries(
            Map.entry("maxIncoming", "--max-incoming"),
            Map.entry("maxIncomingPerAddress", "--max-incoming-per-ip"),
            Map.entry("acceptsPerAddressPerSecond", "--accepts-per-ip-per-second"),
            Map.entry("fanout", "--fanout"),
            Map.entry("targetOutgoing", "--target-outgoing"),
            Map.entry("peerExchangeMax", "--peer-exchange-max"),
            Map.entry("gossipMaxHops", "--gossip-max-hops"),
            Map.entry("gossipSeenCapacity", "--gossip-cache"));

    /**
     * A message of {@link NodeConfig}'s about a setting, with the setting named as its flag.
     *
     * @param message for example {@code gossipSeenCapacity must be at least 16: 3}
     * @return for example {@code --gossip-cache must be at least 16: 3}; other messages unchanged
     */
    static String inFlagTerms(String message) {
        int space = message.indexOf(' ');
        String flag = space < 0 ? null : FLAG_OF_SETTING.get(message.substring(0, space));
        return flag == null ? message : flag + message.substring(space);
    }

    /** Filled in by picocli. */
    public NodeOptions() {
    }

    /**
     * Turns the flags into node settings: reads the peers file, looks up peer host names, drops
     * seeds that are this node's own address, picks the data directory.
     *
     * @param report receives what the operator should know (a bad peers file at WARN, for example)
     * @return a builder with every flag applied
     * @throws IllegalArgumentException with a one-line message if a flag's value is unusable
     *         (a peer host that does not resolve, a name too long, a setting out of range)
     */
    public Node.Builder toBuilder(BiConsumer<Level, String> report) {
        if (name.getBytes(StandardCharsets.UTF_8).length > Hello.MAX_NODE_NAME) {
            throw new IllegalArgumentException("--name: at most " + Hello.MAX_NODE_NAME + " bytes of UTF-8");
        }
        InetSocketAddress listen = new InetSocketAddress(host, port);
        // One entry per address, in the order given: the flag's peers, then the file's seeds.
        Map<InetSocketAddress, PeerAddress> special = new LinkedHashMap<>();
        for (PeerAddress p : peers) {
            PeerAddress resolved;
            try {
                resolved = new PeerAddress(HostPort.resolve(p.address()), p.nodeId());
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("--peers: cannot resolve host '" + p.address().getHostString() + "'");
            }
            String conflict = add(special, resolved);
            if (conflict != null) {
                throw new IllegalArgumentException("--peers: " + conflict);
            }
        }
        java.util.Set<InetSocketAddress> fromFlag = new java.util.HashSet<>(special.keySet());
        if (peersFile != null && !peersFile.toString().equals(NO_PEERS_FILE)) {
            for (PeerAddress s : seeds(report)) {
                String conflict = add(special, s);
                if (conflict != null) {
                    report.accept(Level.WARN, "peers file " + peersFile + ": " + conflict + "; skipping seed "
                            + HostPort.format(s));
                }
            }
        }
        Node.Builder b = new Node.Builder(NodeConfig.DEFAULTS)
                .listen(listen)
                .network(network)
                .nodeName(name)
                .encryption(!plaintext)
                .dataDir(dataDir != null ? dataDir : defaultDataDir(home, network, port))
                .targetOutgoing(targetOutgoing)
                .exclusive(exclusive, exclusiveIncoming)
                .peerExchange(peerExchangeInterval, peerExchangeMax)
                .bookSaveInterval(bookSaveInterval)
                .maxIncoming(maxIncoming)
                .incomingPerAddress(maxIncomingPerIp, acceptsPerIpPerSecond)
                .banDuration(banDuration)
                .fanout(fanout)
                .gossip(gossipMaxHops, gossipCache, gossipTtl);
        if (!noDht) {
            b.dht(dhtConfig(listen));
        }
        // Added to the defaults' (none): one entry per seed, in the order given.
        new LinkedHashSet<>(seedUrls).forEach(b::seedUrl);
        new LinkedHashSet<>(dnsSeeds).forEach(b::dnsSeed);
        for (PeerAddress p : special.values()) {
            if (OwnAddress.matches(p.address(), listen)) {
                report.accept(Level.DEBUG, "not dialing " + HostPort.format(p) + ": it is this node's own address");
            } else if (p.nodeId() == null && !fromFlag.contains(p.address())) {
                b.seedPeer(p.address()); // a seed: dialed from the address book, with backoff, not forever
            } else {
                b.specialPeer(p);
            }
        }
        return b;
    }

    /**
     * The DHT the flags describe: bound to {@code --host} (the DHT speaks IPv4 only: an IPv6
     * wildcard becomes 0.0.0.0), on {@code --dht-port} or else the TCP port, joining through
     * {@code --dht-bootstrap}.
     */
    private DhtConfig dhtConfig(InetSocketAddress listen) {
        InetAddress host = listen.getAddress();
        if (host instanceof java.net.Inet6Address) {
            if (!host.isAnyLocalAddress()) {
                throw new IllegalArgumentException("--host " + host.getHostAddress() + ": the DHT speaks IPv4 only; "
                        + "give an IPv4 --host, or --no-dht");
            }
            host = new InetSocketAddress("0.0.0.0", 0).getAddress();
        }
        List<InetSocketAddress> boot = new ArrayList<>();
        for (PeerAddress p : dhtBootstrap) {
            try {
                boot.add(HostPort.resolve(p.address()));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("--dht-bootstrap: cannot resolve host '" + p.address().getHostString()
                        + "'");
            }
        }
        return DhtConfig.DEFAULTS.toBuilder()
                .bindAddress(new InetSocketAddress(host, dhtPort != null ? dhtPort : listen.getPort()))
                .bootstrap(List.copyOf(new LinkedHashSet<>(boot)))
                .saveInterval(dhtSaveInterval)
                .build();
    }

    /**
     * The data directory when {@code --data-dir} is not given: {@code <home>/.loomnet/<network>-<port>},
     * one per network and port, so that nodes started side by side on one machine have different
     * identities. With port 0 the port changes at every start, and all such nodes would share one
     * directory, hence one node id, and refuse each other as "self": they get none (null), that
     * is a fresh identity kept in memory.
     *
     * @param home    the user's home directory
     * @param network the network name
     * @param port    the listen port
     * @return the directory, or null for an identity in memory only
     * @throws IllegalArgumentException if the network name cannot be part of a file name
     */
    static Path defaultDataDir(Path home, String network, int port) {
        if (port == 0) {
            return null;
        }
        String dir = network + "-" + port;
        if (dir.chars().anyMatch(c -> c == '/' || c == '\\' || Character.isISOControl(c))
                || dir.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("--network '" + network + "' cannot name a directory under "
                    + home.resolve(".loomnet") + "; give --data-dir");
        }
        return home.resolve(".loomnet").resolve(dir);
    }

    private static Path userHome() {
        String env = System.getenv("HOME");
        return Path.of(env != null && !env.isBlank() ? env : System.getProperty("user.home"));
    }

    /**
     * Adds a peer unless its address is there already. A pin is never lost: a pinned entry
     * replaces an unpinned one for the same address, in its place.
     *
     * @return null if added or merged; else why not, when the address is pinned to another id
     */
    private static String add(Map<InetSocketAddress, PeerAddress> peers, PeerAddress p) {
        PeerAddress old = peers.putIfAbsent(p.address(), p);
        if (old == null || p.nodeId() == null || p.nodeId().equals(old.nodeId())) {
            return null;
        }
        if (old.nodeId() == null) {
            peers.put(p.address(), p);
            return null;
        }
        return HostPort.format(p.address()) + " is pinned to two node ids, " + old.nodeId() + " and " + p.nodeId();
    }

    private List<PeerAddress> seeds(BiConsumer<Level, String> report) {
        PeersFile.Seeds seeds = PeersFile.load(peersFile, network);
        seeds.warning().ifPresent(w -> report.accept(Level.WARN, w));
        seeds.skipped().forEach(w -> report.accept(Level.WARN, w));
        seeds.note().ifPresent(n -> report.accept(Level.INFO, n));
        List<PeerAddress> out = new ArrayList<>();
        for (PeerAddress s : seeds.peers()) {
            try {
                out.add(new PeerAddress(HostPort.resolve(s.address()), s.nodeId()));
            } catch (UnknownHostException e) {
                report.accept(Level.WARN, "peers file " + peersFile + ": cannot resolve seed host '"
                        + s.address().getHostString() + "'; skipping it");
            }
        }
        if (!out.isEmpty()) {
            report.accept(Level.DEBUG, "seeds from " + peersFile + ": "
                    + String.join(", ", out.stream().map(HostPort::format).toList()));
        }
        return out;
    }
}
