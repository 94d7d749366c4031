package org.loomnet.wire;

/**
 * Whether a connection's parcels carry the CRC-32 Koopman checksum of their payload
 * (header bytes 12..15).
 *
 * <p>The checksum is there to catch bytes that changed on the way. Under the Noise transport
 * every byte already travels inside an AEAD message whose Poly1305 tag fails on any change, so a
 * second check over the same bytes finds nothing the tag has not already found; it only costs
 * time (the CRC was a quarter to two fifths of the CPU time spent on 1 MiB messages, see
 * docs/benchmarks.md §5). Encrypted connections therefore leave the field 0 and do not check it.
 * Plaintext connections, and the plaintext refusal a node may send before any handshake, always
 * carry and check it.
 */
public enum Checksums {

    /** The sender writes the payload's checksum; the receiver checks it ({@code BAD_CHECKSUM}). */
    CHECKED,

    /**
     * The transport authenticates every byte itself: the sender writes 0 in the field and the
     * receiver ignores whatever is there.
     */
    LEFT_TO_TRANSPORT
}
