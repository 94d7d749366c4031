package org.loomnet.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Peer exchange payloads.
 *
 * <pre>
 * PEER_REQUEST   2  wanted     uint16, how many addresses the sender would like (1..65535)
 *
 * PEER_RESPONSE  2  count      uint16, entries that follow
 *                then per entry:
 *                1  family     4 or 6
 *              4|16 address    IPv4 or IPv6, network order
 *                2  port       uint16, the peer's listen port, never 0
 * </pre>
 * Only addresses travel: no node ids and no quality scores, which a receiver could not trust
 * anyway. A response announcing more entries than the receiver accepts is not decoded beyond its
 * limit: the caller sees {@link #announced()} and treats the sender as spammy.
 *
 * @param peers     the decoded addresses, at most the receiver's limit
 * @param announced how many entries the sender announced
 */
public record PeerList(List<InetSocketAddress> peers, int announced) {

    /** Bytes of one IPv4 entry. */
    public static final int IPV4_ENTRY = 1 + 4 + 2;
    /** Bytes of one IPv6 entry. */
    public static final int IPV6_ENTRY = 1 + 16 + 2;

    /**
     * @param wanted how many addresses to ask for
     * @return a PEER_REQUEST payload
     */
    public static byte[] encodeRequest(int wanted) {
        if (wanted < 1 || wanted > 0xFFFF) {
            throw new IllegalArgumentException("wanted " + wanted);
        }
        return ByteBuffer.allocate(2).putShort((short) wanted).array();
    }

    /**
     * @param p a PEER_REQUEST parcel
     * @return how many addresses the peer wants (1..65535)
     * @throws ProtocolException if malformed
     */
    public static int decodeRequest(Parcel p) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(p.payload(), p.offset(), p.length());
        int wanted = PayloadCodec.readU16(in, "wanted");
        if (wanted == 0) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, "PEER_REQUEST for 0 addresses");
        }
        return wanted;
    }

    /**
     * @param peers addresses with resolved IPs and non-zero ports
     * @return a PEER_RESPONSE payload
     */
    public static byte[] encodeResponse(List<InetSocketAddress> peers) {
        if (peers.size() > 0xFFFF) {
            throw new IllegalArgumentException(peers.size() + " peers");
        }
        int size = 2;
        for (InetSocketAddress a : peers) {
            size += a.getAddress().getAddress().length == 4 ? IPV4_ENTRY : IPV6_ENTRY;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putShort((short) peers.size());
        for (InetSocketAddress a : peers) {
            byte[] ip = a.getAddress().getAddress();
            if (a.getPort() < 1 || a.getPort() > 0xFFFF) {
                throw new IllegalArgumentException("port " + a.getPort());
            }
            out.put((byte) (ip.length == 4 ? 4 : 6)).put(ip).putShort((short) a.getPort());
        }
        return out.array();
    }

    /**
     * Decodes at most {@code maxEntries} entries, allocating nothing for the rest.
     *
     * @param p          a PEER_RESPONSE parcel
     * @param maxEntries the most entries the receiver accepts
     * @return the entries and how many were announced
     * @throws ProtocolException if an entry within the limit is malformed
     */
    public static PeerList decodeResponse(Parcel p, int maxEntries) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(p.payload(), p.offset(), p.length());
        int count = PayloadCodec.readU16(in, "count");
        int decode = Math.min(count, maxEntries);
        List<InetSocketAddress> peers = new ArrayList<>(decode);
        for (int i = 0; i < decode; i++) {
            int family = PayloadCodec.readU8(in, "family");
            int length = switch (family) {
                case 4 -> 4;
                case 6 -> 16;
                default -> throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, "address family " + family);
            };
            if (in.remaining() < length + 2) {
                throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, "peer entry truncated");
            }
            byte[] ip = new byte[length];
            in.get(ip);
            int port = in.getShort() & 0xFFFF;
            if (port == 0) {
                throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, "peer entry with port 0");
            }
            try {
                peers.add(new InetSocketAddress(InetAddress.getByAddress(ip), port));
            } catch (UnknownHostException e) {
                throw new IllegalStateException("4 or 16 bytes are always an address", e);
            }
        }
        if (count == decode && in.hasRemaining()) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, in.remaining() + " bytes after the entries");
        }
        return new PeerList(List.copyOf(peers), count);
    }
}
