package org.loomnet.node;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * How the network knows a node: the key of duplicate-connection checks, routing to one peer,
 * and what the application sees as a message's sender.
 *
 * <p>A node's id is derived from its Ed25519 public key ({@link org.loomnet.crypto.Identity}):
 * 20 bytes, proven by the Noise handshake, stable across restarts. Written as lower-case hex.
 */
public final class NodeId implements Comparable<NodeId> {

    private static final HexFormat HEX = HexFormat.of();
    private final byte[] bytes;

    private NodeId(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * @param bytes the id bytes (copied)
     * @return the id
     */
    public static NodeId of(byte[] bytes) {
        if (bytes.length == 0 || bytes.length > 64) {
            throw new IllegalArgumentException("node id of " + bytes.length + " bytes");
        }
        return new NodeId(bytes.clone());
    }

    /**
     * @param hex the id as hex, as {@link #toString()} writes it
     * @return the id
     * @throws IllegalArgumentException if it is not hex of a valid length
     */
    public static NodeId parse(String hex) {
        return of(HEX.parseHex(hex.trim()));
    }

    /** @return a copy of the id bytes */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(NodeId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** @return the id as lower-case hex */
    @Override
    public String toString() {
        return HEX.formatHex(bytes);
    }
}
