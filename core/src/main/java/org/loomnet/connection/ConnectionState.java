package org.loomnet.connection;

/**
 * The life of a connection; see {@link Connection} for the transitions.
 */
public enum ConnectionState {
    /** TCP is up, our HELLO is queued, the peer's HELLO has not been accepted yet. */
    HANDSHAKE,
    /** The peer's HELLO was accepted: messages flow both ways. */
    ONLINE,
    /** DISCONNECT is queued or sent; waiting for the writer to flush and the peer to close. */
    CLOSING,
    /** The socket is closed and both threads have ended. Final. */
    CLOSED
}
