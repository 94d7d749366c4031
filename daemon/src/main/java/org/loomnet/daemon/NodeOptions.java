package org.loomnet.daemon;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.loomnet.node.Node;
import org.loomnet.node.NodeConfig;
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

    @Option(names = "--host", paramLabel = "HOST", converter = HostPort.HostConverter.class,
            description = "Address to accept connections on (default: ${DEFAULT-VALUE}).")
    InetAddress host;

    @Option(names = "--port", paramLabel = "PORT", converter = HostPort.PortConverter.class,
            description = "TCP port to accept connections on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--peers", paramLabel = "HOST:PORT", split = ",", converter = HostPort.PeerConverter.class,
            description = "Special peers, comma-separated: dialed at start and kept connected. "
                    + "IPv6 as [::1]:7700. May be repeated.")
    List<InetSocketAddress> peers = new ArrayList<>();

    @Option(names = "--peers-file", paramLabel = "FILE",
            description = "JSON file of seed peers per network, {\"networks\": {\"NAME\": [\"HOST:PORT\", ...]}}; "
                    + "the seeds of this node's network are added as special peers (default: none; "
                    + "bin/node passes the project's peers.json).")
    Path peersFile;

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
     * seeds that are this node's own address.
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
        Set<InetSocketAddress> special = new LinkedHashSet<>();
        for (InetSocketAddress p : peers) {
            try {
                special.add(HostPort.resolve(p));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("--peers: cannot resolve host '" + p.getHostString() + "'");
            }
        }
        if (peersFile != null) {
            special.addAll(seeds(report));
        }
        Node.Builder b = new Node.Builder(NodeConfig.DEFAULTS)
                .listen(listen)
                .network(network)
                .nodeName(name)
                .maxIncoming(maxIncoming)
                .fanout(fanout);
        for (InetSocketAddress p : special) {
            if (isSelf(p, listen)) {
                report.accept(Level.DEBUG, "not dialing " + HostPort.format(p) + ": it is this node's own address");
            } else {
                b.specialPeer(p);
            }
        }
        return b;
    }

    private List<InetSocketAddress> seeds(BiConsumer<Level, String> report) {
        PeersFile.Seeds seeds = PeersFile.load(peersFile, network);
        seeds.warning().ifPresent(w -> report.accept(Level.WARN, w));
        seeds.note().ifPresent(n -> report.accept(Level.INFO, n));
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress s : seeds.peers()) {
            try {
                out.add(HostPort.resolve(s));
            } catch (UnknownHostException e) {
                report.accept(Level.WARN, "peers file " + peersFile + ": cannot resolve seed host '"
                        + s.getHostString() + "'; skipping it");
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
