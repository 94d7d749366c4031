package org.loomnet.node;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A peer's address, optionally pinned to the node id it must prove in the handshake
 * (written {@code <node id>@host:port}). A dial to a pinned peer fails with
 * {@code PEER_ID_MISMATCH} if the node answering there has another key.
 *
 * @param address the peer's listen address
 * @param nodeId  the id the peer must prove, or null for any
 */
public record PeerAddress(InetSocketAddress address, NodeId nodeId) {

    /** Checks the address. */
    public PeerAddress {
        Objects.requireNonNull(address, "address");
    }

    /**
     * @param address a listen address
     * @return the address, not pinned
     */
    public static PeerAddress of(InetSocketAddress address) {
        return new PeerAddress(address, null);
    }

    @Override
    public String toString() {
        String hp = org.loomnet.connection.Connection.hostPort(address);
        return nodeId == null ? hp : nodeId + "@" + hp;
    }
}
