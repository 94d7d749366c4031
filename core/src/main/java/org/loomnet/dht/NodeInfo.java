package org.loomnet.dht;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A DHT node: its id and its UDP address. This is what travels in the {@code nodes} key of
 * {@code find_node} and {@code get_peers} responses, in BEP 5's "compact node info" format:
 *
 * <pre>
 *   offset  0: node id     20 bytes
 *   offset 20: IPv4        4 bytes, network order
 *   offset 24: UDP port    2 bytes, big-endian
 * </pre>
 *
 * IPv4 only: BEP 32's {@code nodes6} is not supported (it is ignored when received).
 *
 * @param id      the node's id
 * @param address its UDP address: a resolved IPv4 address
 */
public record NodeInfo(DhtId id, InetSocketAddress address) {

    /** The length of one compact node info. */
    public static final int COMPACT_LENGTH = 26;

    /** Checks the fields. */
    public NodeInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        if (!(address.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("the DHT supports IPv4 only, not " + address);
        }
    }

    /**
     * @param nodes nodes
     * @return their compact node infos, concatenated
     */
    public static byte[] toCompact(List<NodeInfo> nodes) {
        byte[] out = new byte[nodes.size() * COMPACT_LENGTH];
        int at = 0;
        for (NodeInfo n : nodes) {
            n.id.copyTo(out, at);
            CompactPeer.write(n.address, out, at + DhtId.LENGTH);
            at += COMPACT_LENGTH;
        }
        return out;
    }

    /**
     * @param compact concatenated compact node infos
     * @return the nodes, in order
     * @throws IllegalArgumentException if the length is not a multiple of {@value #COMPACT_LENGTH}
     */
    public static List<NodeInfo> fromCompact(byte[] compact) {
        if (compact.length % COMPACT_LENGTH != 0) {
            throw new IllegalArgumentException("compact node info of " + compact.length
                    + " bytes is not a multiple of " + COMPACT_LENGTH);
        }
        List<NodeInfo> nodes = new ArrayList<>(compact.length / COMPACT_LENGTH);
        for (int at = 0; at < compact.length; at += COMPACT_LENGTH) {
            byte[] id = new byte[DhtId.LENGTH];
            System.arraycopy(compact, at, id, 0, DhtId.LENGTH);
            nodes.add(new NodeInfo(DhtId.wrap(id), CompactPeer.read(compact, at + DhtId.LENGTH)));
        }
        return nodes;
    }

    @Override
    public String toString() {
        return id.hex().substring(0, 8) + "@" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
