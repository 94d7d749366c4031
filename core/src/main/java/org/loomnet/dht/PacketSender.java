package org.loomnet.dht;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes a message and sends it in one datagram. Used by the processing thread (queries and
 * replies) and the receiver thread (error replies to malformed packets): {@link DatagramSocket}
 * is safe for concurrent senders, and a UDP send does not wait for the peer, so the processing
 * thread may call it.
 */
final class PacketSender {

    private static final Logger log = LoggerFactory.getLogger(DhtNode.class);

    private final DatagramSocket socket;
    private final DhtCounters counters;

    PacketSender(DatagramSocket socket, DhtCounters counters) {
        this.socket = socket;
        this.counters = counters;
    }

    /**
     * @return true if the datagram was handed to the network; false (logged at DEBUG, an expected
     *         network failure such as an unreachable address) if the send failed
     */
    boolean send(KrpcMessage message, InetSocketAddress to) {
        byte[] data = KrpcCodec.encode(message);
        try {
            socket.send(new DatagramPacket(data, data.length, to));
        } catch (IOException e) {
            if (!socket.isClosed()) {
                log.debug("DHT send to {} failed: {}", to, e.toString());
            }
            return false;
        }
        counters.packetsOut.incrementAndGet();
        counters.bytesOut.addAndGet(data.length);
        return true;
    }
}
