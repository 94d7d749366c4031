package org.loomnet.dht;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A 160-bit identifier in the Kademlia key space: a node id, an info-hash, or a lookup target.
 *
 * <p>Kademlia measures the distance between two ids as their bitwise XOR read as an unsigned
 * number: {@code d(a, b) = a ^ b}. It is symmetric, zero only from an id to itself, and for any
 * id and distance there is exactly one other id at that distance, which is why lookups converge.
 * Two ids that share a longer common prefix are closer than any pair that diverges earlier, so
 * "the length of the common prefix" is a coarse distance used to pick routing-table buckets.
 *
 * <p>Bit 0 is the most significant bit of byte 0. Instances are immutable.
 */
public final class DhtId implements Comparable<DhtId> {

    /** The length of an id in bits. */
    public static final int BITS = 160;
    /** The length of an id in bytes. */
    public static final int LENGTH = 20;

    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom SECURE = new SecureRandom();

    private final byte[] bytes;

    private DhtId(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * @param bytes exactly {@value #LENGTH} bytes (copied)
     * @return the id
     * @throws IllegalArgumentException if the length is wrong
     */
    public static DhtId of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a DHT id is " + LENGTH + " bytes, not " + bytes.length);
        }
        return new DhtId(bytes.clone());
    }

    /** Wraps without copying: only for arrays nobody else holds. */
    static DhtId wrap(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a DHT id is " + LENGTH + " bytes, not " + bytes.length);
        }
        return new DhtId(bytes);
    }

    /**
     * @param hex 40 hex digits, either case
     * @return the id
     * @throws IllegalArgumentException if it is not 40 hex digits
     */
    public static DhtId fromHex(String hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a DHT id is " + 2 * LENGTH + " hex digits, not " + hex.length());
        }
        return new DhtId(HEX.parseHex(hex));
    }

    /**
     * @param random the source of randomness
     * @return a uniformly random id
     */
    public static DhtId random(RandomGenerator random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        return new DhtId(b);
    }

    /** @return a random id from a {@link SecureRandom}: what a new node should use as its id */
    public static DhtId random() {
        return random(SECURE);
    }

    /**
     * The info-hash of a name: SHA-1 of its UTF-8 bytes. An application announces itself under
     * such a key, for example {@code infoHashOf("loomnet:" + network)}, and finds others with
     * {@link DhtNode#getPeers}.
     *
     * @param name any string
     * @return SHA-1 of its UTF-8 encoding
     */
    public static DhtId infoHashOf(String name) {
        return sha1(name.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param data any bytes
     * @return their SHA-1 digest as an id (BitTorrent's info-hash is the SHA-1 of the info dictionary)
     */
    public static DhtId sha1(byte[] data) {
        try {
            return new DhtId(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /**
     * An id whose first {@code width} bits are {@code value} and whose other bits are zero: the
     * ids of a tiny key space, for tests of the routing table with a few bits.
     */
    static DhtId ofTopBits(long value, int width) {
        if (width < 1 || width > 63 || value < 0 || value >= (1L << width)) {
            throw new IllegalArgumentException("value " + value + " does not fit " + width + " bits");
        }
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < width; i++) {
            if ((value >>> (width - 1 - i) & 1) != 0) {
                b[i >>> 3] |= (byte) (0x80 >>> (i & 7));
            }
        }
        return new DhtId(b);
    }

    /** @return a copy of the 20 bytes */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Copies the 20 bytes into {@code out} at {@code offset}. */
    void copyTo(byte[] out, int offset) {
        System.arraycopy(bytes, 0, out, offset, LENGTH);
    }

    /** @return the 40 lower-case hex digits */
    public String hex() {
        return HEX.formatHex(bytes);
    }

    /**
     * @param index 0 (most significant) to 159
     * @return that bit, 0 or 1
     */
    public int bit(int index) {
        Objects.checkIndex(index, BITS);
        return (bytes[index >>> 3] >>> (7 - (index & 7))) & 1;
    }

    /**
     * @param other another id
     * @return how many leading bits the two ids share, 0 to 160 (160 only for equal ids)
     */
    public int commonPrefixLength(DhtId other) {
        for (int i = 0; i < LENGTH; i++) {
            int x = (bytes[i] ^ other.bytes[i]) & 0xff;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return BITS;
    }

    /**
     * @param other another id
     * @return the XOR distance between the two ids, as an id
     */
    public DhtId distance(DhtId other) {
        byte[] d = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            d[i] = (byte) (bytes[i] ^ other.bytes[i]);
        }
        return new DhtId(d);
    }

    /**
     * Which of two ids is closer to this one, without allocating the distances.
     *
     * @param a one id
     * @param b another id
     * @return negative if {@code a} is closer to this id than {@code b}, positive if farther, 0 if equal
     */
    public int compareDistance(DhtId a, DhtId b) {
        for (int i = 0; i < LENGTH; i++) {
            int da = (a.bytes[i] ^ bytes[i]) & 0xff;
            int db = (b.bytes[i] ^ bytes[i]) & 0xff;
            if (da != db) {
                return da < db ? -1 : 1;
            }
        }
        return 0;
    }

    /** @return a comparator that orders ids closest to this one first */
    public Comparator<DhtId> closestFirst() {
        return this::compareDistance;
    }

    /** Orders ids as unsigned 160-bit numbers. */
    @Override
    public int compareTo(DhtId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhtId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** @return the 40 hex digits */
    @Override
    public String toString() {
        return hex();
    }
}
