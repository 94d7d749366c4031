package org.loomnet.connection;

/** Who opened the TCP connection. */
public enum Direction {
    /** The peer connected to us. */
    INBOUND,
    /** We dialed the peer. */
    OUTBOUND
}
