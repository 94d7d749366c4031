package org.loomnet.node;

import org.loomnet.connection.CloseInfo;

/** Something that happened to the node's connections, delivered to {@link Node#onEvent}. */
public sealed interface NodeEvent {

    /**
     * A peer completed the handshake.
     *
     * @param connection the connection as it was when it came online
     */
    record Connected(ConnectionInfo connection) implements NodeEvent {
    }

    /**
     * A peer that had completed the handshake is gone.
     *
     * @param connection the connection's last snapshot
     * @param why        the reason, and whether the peer or we decided
     */
    record Disconnected(ConnectionInfo connection, CloseInfo why) implements NodeEvent {
    }
}
