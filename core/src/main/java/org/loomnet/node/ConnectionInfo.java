package org.loomnet.node;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.loomnet.connection.CloseInfo;
import org.loomnet.connection.Connection;
import org.loomnet.connection.ConnectionMetrics;
import org.loomnet.connection.ConnectionState;
import org.loomnet.connection.Direction;
import org.loomnet.wire.Hello;

/**
 * An immutable snapshot of one connection, for the application and the API.
 *
 * @param id               node-unique connection id
 * @param nodeId           the peer's node id, or null before its HELLO (proven by the handshake
 *                         when encrypted, only claimed in plaintext)
 * @param remoteAddress    the peer's address and port as seen on the socket
 * @param direction        who dialed
 * @param state            the state when the snapshot was taken
 * @param special          true for a special (persistent) peer
 * @param connectedAt      when TCP connected
 * @param lastSent         when the last write completed
 * @param lastReceived     when the last parcel arrived
 * @param bytesSent        bytes written, headers included
 * @param bytesReceived    bytes read, headers included
 * @param parcelsSent      parcels written
 * @param parcelsReceived  parcels read
 * @param messagesSent     application messages written
 * @param messagesReceived application messages received
 * @param rtt              last PING round trip, or null before the first PONG
 * @param queueLength      parcels waiting in the send queue
 * @param queueDrops       parcels dropped because the send queue was full
 * @param userAgent        the peer's user agent, or "" before its HELLO
 * @param nodeName         the peer's node name, or ""
 * @param listenPort       the port the peer accepts connections on, 0 if none or unknown
 * @param protocolVersion  the peer's protocol version, 0 before its HELLO
 * @param closeInfo        why it closed or is closing, or null
 * @param authenticated    true if the handshake proved the peer's node id (encryption), false if
 *                         the id is only claimed (plaintext) or not known yet
 * @param quality          the peer's quality score (see the node's scoring policy)
 */
public record ConnectionInfo(long id, NodeId nodeId, InetSocketAddress remoteAddress, Direction direction,
                             ConnectionState state, boolean special, Instant connectedAt, Instant lastSent,
                             Instant lastReceived, long bytesSent, long bytesReceived, long parcelsSent,
                             long parcelsReceived, long messagesSent, long messagesReceived, Duration rtt,
                             int queueLength, long queueDrops, String userAgent, String nodeName, int listenPort,
                             int protocolVersion, CloseInfo closeInfo, boolean authenticated, int quality) {

    static ConnectionInfo of(Connection c) {
        Hello h = c.hello();
        ConnectionMetrics m = c.metrics();
        long rtt = m.rttNanos();
        return new ConnectionInfo(c.id(), h == null ? null : NodeId.of(h.nodeId()), c.remoteAddress(),
                c.direction(), c.state(), c.special(), Instant.ofEpochMilli(c.openedMillis()),
                Instant.ofEpochMilli(m.lastSentMillis()), Instant.ofEpochMilli(m.lastReceivedMillis()),
                m.bytesSent(), m.bytesReceived(), m.parcelsSent(), m.parcelsReceived(), m.messagesSent(),
                m.messagesReceived(), rtt < 0 ? null : Duration.ofNanos(rtt), c.queueLength(), c.queueDrops(),
                h == null ? "" : h.userAgent(), h == null ? "" : h.nodeName(), h == null ? 0 : h.listenPort(),
                h == null ? 0 : h.protocolVersion(), c.closeInfo(), c.authenticated(), c.quality());
    }
}
