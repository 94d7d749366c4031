package org.loomnet.dht;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the receiver thread ({@code dht-receiver}): it blocks in
 * {@link DatagramSocket#receive}, decodes each packet, and hands valid messages to the processing
 * thread's queue. It owns the per-IP {@link QueryRateLimiter}, so a flood is dropped here, before
 * it costs the processing thread anything.
 *
 * <p>Per packet: too long, or not valid KRPC: counted as malformed and logged (WARN at most once a
 * minute); if its transaction id was readable and it was not a response or error, it is answered
 * with error 203 (or 204 for an unknown method), within the sender's rate limit. A valid query
 * over its sender's rate limit: dropped and counted. Anything else goes to the queue; a full queue
 * drops the packet and counts it (UDP has no back-pressure, and a blocked receiver would only make
 * the kernel drop packets instead, uncounted).
 *
 * <p>Error replies are sent from this thread ({@link PacketSender}): the reply needs none of the
 * processing thread's state.
 *
 * <p>It stops when the socket is closed.
 */
final class DhtReceiver implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DhtNode.class);

    private final DatagramSocket socket;
    private final PacketSender sender;
    private final DhtConfig config;
    private final DhtCounters counters;
    private final Predicate<DhtCommand> inbox;
    private final BooleanSupplier closing;
    private final QueryRateLimiter limiter;
    private final LogThrottle violations = new LogThrottle(log, 60);

    /**
     * @param socket   the bound socket
     * @param sender   sends error replies
     * @param config   the settings
     * @param counters where to count
     * @param inbox    offers a command to the processing thread's queue; false if full
     * @param closing  true once the node is closing (a socket error is then expected)
     */
    DhtReceiver(DatagramSocket socket, PacketSender sender, DhtConfig config, DhtCounters counters,
                Predicate<DhtCommand> inbox, BooleanSupplier closing) {
        this.socket = socket;
        this.sender = sender;
        this.config = config;
        this.counters = counters;
        this.inbox = inbox;
        this.closing = closing;
        this.limiter = new QueryRateLimiter(config.queriesPerSecondPerIp(), config.queryBurstPerIp(),
                config.maxTrackedIps());
    }

    @Override
    public void run() {
        int max = config.limits().maxPacketBytes();
        byte[] buffer = new byte[max + 1]; // one byte more shows a packet that is too long
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closing.getAsBoolean()) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
            } catch (IOException e) {
                if (closing.getAsBoolean() || socket.isClosed()) {
                    break;
                }
                log.debug("DHT receive failed: {}", e.toString());
                continue;
            }
            int length = packet.getLength();
            counters.packetsIn.incrementAndGet();
            counters.bytesIn.addAndGet(length);
            if (!(packet.getSocketAddress() instanceof InetSocketAddress from)
                    || !(from.getAddress() instanceof Inet4Address)) {
                counters.malformedPackets.incrementAndGet();
                continue; // IPv4 only
            }
            try {
                handle(buffer, length, from);
            } catch (RuntimeException e) {
                // A bug must not end the receive loop: count it as a bad packet and go on.
                counters.malformedPackets.incrementAndGet();
                log.error("DHT packet from {} could not be handled", from, e);
            }
        }
    }

    private void handle(byte[] buffer, int length, InetSocketAddress from) {
        if (length > config.limits().maxPacketBytes()) {
            counters.malformedPackets.incrementAndGet();
            violations.warn("DHT packet from {} is longer than {} bytes: ignored", from,
                    config.limits().maxPacketBytes());
            return;
        }
        KrpcMessage message;
        try {
            message = KrpcCodec.decode(buffer, 0, length, config.limits());
        } catch (KrpcException e) {
            if (e.errorCode() == KrpcMessage.ErrorMessage.METHOD_UNKNOWN) {
                log.debug("DHT query with an unknown method from {}", from);
            } else {
                counters.malformedPackets.incrementAndGet();
                violations.warn("DHT malformed packet from {}: {}", from, e.getMessage());
            }
            if (e.answerable()) {
                if (!limiter.allow(from.getAddress(), config.clock().millis())) {
                    counters.rateLimitedPackets.incrementAndGet();
                    return;
                }
                if (e.errorCode() == KrpcMessage.ErrorMessage.METHOD_UNKNOWN) {
                    counters.unknownMethodsReceived.incrementAndGet();
                }
                if (sender.send(e.reply(), from)) {
                    counters.errorsSent.incrementAndGet();
                }
            }
            return;
        }
        if (message instanceof KrpcMessage.Query q
                && !limiter.allow(from.getAddress(), config.clock().millis())) {
            counters.rateLimitedPackets.incrementAndGet();
            return;
        }
        if (!inbox.test(new DhtCommand.Inbound(message, from))) {
            counters.inboxDropped.incrementAndGet();
            return;
        }
        if (message instanceof KrpcMessage.Query q) {
            switch (q.method()) {
                case KrpcMessage.Ping p -> counters.pingsReceived.incrementAndGet();
                case KrpcMessage.FindNode f -> counters.findNodesReceived.incrementAndGet();
                case KrpcMessage.GetPeers g -> counters.getPeersReceived.incrementAndGet();
                case KrpcMessage.AnnouncePeer a -> counters.announcesReceived.incrementAndGet();
            }
        }
    }
}
