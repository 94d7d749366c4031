package org.loomnet.daemon;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.loomnet.node.Node;
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
 * {@link DefaultValues#VALUES}, one line in {@link #toBuilder}, and a case in the CLI test.
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

    @Option(names = "--host", paramLabel = "HOST", converter = HostPort.HostConverter.class,
            description = "Address to accept connections on (default: ${DEFAULT-VALUE}).")
    InetAddress host;

    @Option(names = "--port", paramLabel = "PORT", converter = HostPort.PortConverter.class,
            description = "TCP port to accept connections on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

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
                    + "the seeds of this node's network are added as special peers (default: none; "
                    + "bin/node passes the project's peers.json).")
    Path peersFile;

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

    @Option(names = "--network", paramLabel = "NAME",
            description = "Network name; nodes of different networks never talk (default: ${DEFAULT-VALUE}).")
    String network;

    @Option(names = "--name", paramLabel = "NAME",
            description = "A name for operators, sent to peers; at most " + Hello.MAX_NODE_NAME + " bytes (default: none).")
    String name;

    @Option(names = "--max-incoming", paramLabel = "N",
            description = "Incoming connections held at once (default: ${DEFAULT-VALUE}).")
    int maxIncoming;

    @Option(names = "--fanout", paramLabel = "N",
            description = "Peers a broadcast goes to, special peers always included (default: ${DEFAULT-VALUE}).")
    int fanout;

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
        if (peersFile != null) {
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
                .maxIncoming(maxIncoming)
                .fanout(fanout)
                .encryption(!plaintext)
                .dataDir(dataDir != null ? dataDir : defaultDataDir(home, network, port));
        for (PeerAddress p : special.values()) {
            if (isSelf(p.address(), listen)) {
                report.accept(Level.DEBUG, "not dialing " + HostPort.format(p) + ": it is this node's own address");
            } else {
                b.specialPeer(p);
            }
        }
        return b;
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

    /**
     * True if dialing {@code peer} would reach this node itself: the shipped peers.json lists
     * 127.0.0.1:7700, which is the node's own address when it runs with the defaults.
     */
    private static boolean isSelf(InetSocketAddress peer, InetSocketAddress listen) {
        if (peer.getPort() != listen.getPort()) {
            return false;
        }
        InetAddress a = peer.getAddress();
        InetAddress l = listen.getAddress();
        if (!l.isAnyLocalAddress()) {
            return a.equals(l);
        }
        if (a.isAnyLocalAddress() || a.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
