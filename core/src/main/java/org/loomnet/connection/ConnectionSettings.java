package org.loomnet.connection;

import java.time.Duration;
import java.time.InstantSource;
import org.loomnet.wire.ReassemblyBudget;
import org.loomnet.wire.WireLimits;

/**
 * Everything a {@link Connection} needs to know about its node's rules, gathered once by the
 * node from its configuration and shared by all its connections.
 *
 * @param networkId          the network id of every parcel
 * @param limits             frame and message size limits
 * @param sendQueueParcels   send queue bound in parcels
 * @param sendQueueBytes     send queue bound in payload bytes
 * @param handshakeTimeout   how long the peer has to send an acceptable HELLO
 * @param pingInterval       send PING when nothing was sent for this long
 * @param idleTimeout        disconnect when nothing was received for this long
 * @param frameTimeout       a started frame must be complete within this long (slowloris)
 * @param writeTimeout       a write may block this long before the peer is dropped
 * @param closeLinger        how long a closing connection waits for DISCONNECT to be flushed
 *                           and the peer to close, before the socket is closed hard
 * @param partialsPerPeer    split messages one peer may have in reassembly at once
 * @param reassemblyTimeout  how long a split message may wait for its remaining parts
 * @param reassemblyBudget   memory for split messages shared by all connections
 * @param transports         opens the byte stream (plain or encrypted) over a socket
 * @param clock              the time source for every timer
 */
public record ConnectionSettings(int networkId, WireLimits limits, int sendQueueParcels, long sendQueueBytes,
                                 Duration handshakeTimeout, Duration pingInterval, Duration idleTimeout,
                                 Duration frameTimeout, Duration writeTimeout, Duration closeLinger,
                                 int partialsPerPeer, Duration reassemblyTimeout, ReassemblyBudget reassemblyBudget,
                                 Transport.Factory transports, InstantSource clock) {
}
