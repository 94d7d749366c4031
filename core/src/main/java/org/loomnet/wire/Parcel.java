package org.loomnet.wire;

import java.util.Objects;

/**
 * One frame on the wire: a fixed 28-byte header followed by the payload.
 *
 * <pre>
 * offset size  field
 *      0    4  network id        uint32, {@link NetworkId#of(String)}
 *      4    2  protocol version  uint16, the sender's version
 *      6    1  parcel type       {@link ParcelType#code()}
 *      7    1  flags             reserved, must be 0
 *      8    4  payload length    uint32, at most the frame limit for the type
 *     12    4  checksum          CRC-32 Koopman of the payload ({@link Crc32Koopman}); 0 where
 *                                the transport authenticates every byte ({@link Checksums})
 *     16    2  part number       0-based; 0 for unsplit parcels
 *     18    2  part count        1 for unsplit parcels, 2..65535 for MESSAGE_PART
 *     20    8  message id        chosen by the sender; parts of one message share it
 *     28    n  payload
 * </pre>
 * All integers are big-endian. The payload is referenced, not copied: a message split into parts,
 * or broadcast to many peers, shares one array.
 *
 * @param type       the parcel type
 * @param messageId  the sender's id for the message this parcel belongs to
 * @param partNumber 0-based index of this part
 * @param partCount  how many parts the message has (1 unless split)
 * @param payload    the array holding the payload
 * @param offset     where the payload starts in {@code payload}
 * @param length     the payload length
 * @param checksum   CRC-32 Koopman of the payload bytes, or 0 if it was not computed
 *                   ({@link Checksums#LEFT_TO_TRANSPORT})
 */
public record Parcel(ParcelType type, long messageId, int partNumber, int partCount,
                     byte[] payload, int offset, int length, int checksum) {

    /** Size of the fixed header in bytes. */
    public static final int HEADER_SIZE = 28;

    /** Validates the fields (a programming error throws; peer input is checked by the reader). */
    public Parcel {
        Objects.requireNonNull(type, "type");
        Objects.checkFromIndexSize(offset, length, payload.length);
        if (partCount < 1 || partCount > 0xFFFF || partNumber < 0 || partNumber >= partCount) {
            throw new IllegalArgumentException("part " + partNumber + " of " + partCount);
        }
    }

    /**
     * A single-part parcel over a whole array; computes the checksum.
     *
     * @param type      the parcel type
     * @param messageId the message id
     * @param payload   the payload (not copied)
     * @return the parcel
     */
    public static Parcel of(ParcelType type, long messageId, byte[] payload) {
        return part(type, messageId, 0, 1, payload, 0, payload.length);
    }

    /**
     * A parcel over a slice of an array; computes the checksum.
     *
     * @param type       the parcel type
     * @param messageId  the message id
     * @param partNumber 0-based part index
     * @param partCount  number of parts
     * @param payload    the array (not copied)
     * @param offset     start of the slice
     * @param length     length of the slice
     * @return the parcel
     */
    public static Parcel part(ParcelType type, long messageId, int partNumber, int partCount,
                              byte[] payload, int offset, int length) {
        return part(type, messageId, partNumber, partCount, payload, offset, length, Checksums.CHECKED);
    }

    /**
     * A parcel over a slice of an array, with its checksum computed or left out.
     *
     * @param type       the parcel type
     * @param messageId  the message id
     * @param partNumber 0-based part index
     * @param partCount  number of parts
     * @param payload    the array (not copied)
     * @param offset     start of the slice
     * @param length     length of the slice
     * @param checksums  {@link Checksums#CHECKED} to compute the checksum, otherwise it is 0
     * @return the parcel
     */
    public static Parcel part(ParcelType type, long messageId, int partNumber, int partCount,
                              byte[] payload, int offset, int length, Checksums checksums) {
        int checksum = checksums == Checksums.CHECKED ? Crc32Koopman.compute(payload, offset, length) : 0;
        return new Parcel(type, messageId, partNumber, partCount, payload, offset, length, checksum);
    }

    /** @return the payload bytes as a new array of exactly {@link #length()} bytes */
    public byte[] payloadCopy() {
        byte[] copy = new byte[length];
        System.arraycopy(payload, offset, copy, 0, length);
        return copy;
    }

    /** @return header plus payload: what this parcel costs on the wire */
    public int wireSize() {
        return HEADER_SIZE + length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parcel p && type == p.type && messageId == p.messageId
                && partNumber == p.partNumber && partCount == p.partCount && checksum == p.checksum
                && java.util.Arrays.equals(payload, offset, offset + length, p.payload, p.offset, p.offset + p.length);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, messageId, partNumber, partCount, checksum);
    }

    @Override
    public String toString() {
        return type + "[id=" + Long.toUnsignedString(messageId, 16) + ", part=" + partNumber + "/" + partCount
                + ", len=" + length + "]";
    }
}
