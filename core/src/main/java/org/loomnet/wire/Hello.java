package org.loomnet.wire;

import java.nio.ByteBuffer;

/**
 * The HELLO payload: the first parcel each side sends after the TCP connect.
 *
 * <pre>
 * size  field
 *    4  network id              uint32, must equal ours
 *    2  protocol version        uint16
 *    2  minimum version         uint16, oldest version the sender accepts
 *    8  nonce                   random per process; our own nonce means we dialed ourselves
 *  1+n  node id                 length byte + 1..32 bytes; with encryption it must equal the id
 *                               the handshake proved, in plaintext it is only a claim
 *    2  listen port             uint16, 0 if the sender accepts no connections
 *  1+n  user agent              length byte + UTF-8, at most 128 bytes
 *  1+n  node name               length byte + UTF-8, at most 64 bytes
 * </pre>
 * Later versions may append fields; a reader ignores bytes after the ones it knows.
 *
 * @param networkId       the sender's network id
 * @param protocolVersion the sender's protocol version
 * @param minVersion      the oldest version the sender accepts
 * @param nonce           the sender's per-process random nonce
 * @param nodeId          the sender's node id
 * @param listenPort      the port the sender accepts connections on, or 0
 * @param userAgent       software name and version, e.g. {@code "loomnet/0.1.0"}
 * @param nodeName        an operator-chosen name, may be empty
 */
public record Hello(int networkId, int protocolVersion, int minVersion, long nonce, byte[] nodeId, int listenPort,
                    String userAgent, String nodeName) {

    /** Longest user agent in bytes. */
    public static final int MAX_USER_AGENT = 128;
    /** Longest node name in bytes. */
    public static final int MAX_NODE_NAME = 64;
    /** Longest node id in bytes. */
    public static final int MAX_NODE_ID = 32;

    /**
     * @return the payload bytes
     * @throws IllegalArgumentException if a string is too long
     */
    public byte[] encode() {
        for (int v : new int[] {protocolVersion, minVersion, listenPort}) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("HELLO field out of 16-bit range: " + v);
            }
        }
        byte[] ua = PayloadCodec.shortString(userAgent, MAX_USER_AGENT, "user agent");
        byte[] name = PayloadCodec.shortString(nodeName, MAX_NODE_NAME, "node name");
        if (nodeId.length == 0 || nodeId.length > MAX_NODE_ID) {
            throw new IllegalArgumentException("node id of " + nodeId.length + " bytes");
        }
        return ByteBuffer.allocate(4 + 2 + 2 + 8 + 1 + nodeId.length + 2 + 1 + ua.length + 1 + name.length)
                .putInt(networkId)
                .putShort((short) protocolVersion)
                .putShort((short) minVersion)
                .putLong(nonce)
                .put((byte) nodeId.length).put(nodeId)
                .putShort((short) listenPort)
                .put((byte) ua.length).put(ua)
                .put((byte) name.length).put(name)
                .array();
    }

    /**
     * @param p a HELLO parcel
     * @return the decoded payload
     * @throws ProtocolException with {@link DisconnectReason#MALFORMED_PAYLOAD} if it does not decode
     */
    public static Hello decode(Parcel p) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(p.payload(), p.offset(), p.length());
        int network = PayloadCodec.readI32(in, "network id");
        int version = PayloadCodec.readU16(in, "protocol version");
        int min = PayloadCodec.readU16(in, "minimum version");
        long nonce = PayloadCodec.readI64(in, "nonce");
        int idLength = PayloadCodec.readU8(in, "node id length");
        if (idLength == 0 || idLength > MAX_NODE_ID || in.remaining() < idLength) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, "node id of " + idLength + " bytes");
        }
        byte[] id = new byte[idLength];
        in.get(id);
        int port = PayloadCodec.readU16(in, "listen port");
        String ua = PayloadCodec.readShortString(in, MAX_USER_AGENT, "user agent");
        String name = PayloadCodec.readShortString(in, MAX_NODE_NAME, "node name");
        if (min > version) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD,
                    "minimum version " + min + " above own version " + version);
        }
        return new Hello(network, version, min, nonce, id, port, ua, name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hello h && networkId == h.networkId && protocolVersion == h.protocolVersion
                && minVersion == h.minVersion && nonce == h.nonce && java.util.Arrays.equals(nodeId, h.nodeId)
                && listenPort == h.listenPort && userAgent.equals(h.userAgent) && nodeName.equals(h.nodeName);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(networkId, protocolVersion, nonce, java.util.Arrays.hashCode(nodeId), listenPort);
    }

    @Override
    public String toString() {
        return "Hello[network=" + Integer.toHexString(networkId) + ", version=" + protocolVersion + "/" + minVersion
                + ", id=" + java.util.HexFormat.of().formatHex(nodeId) + ", port=" + listenPort + ", ua=" + userAgent
                + ", name=" + nodeName + "]";
    }
}
