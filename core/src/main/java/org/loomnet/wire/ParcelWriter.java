package org.loomnet.wire;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes parcels to a byte stream: header, then payload. One writer belongs to one connection's
 * writer thread; it is not thread-safe. It does not flush: the writer thread flushes once per
 * batch, so many small parcels leave in one TCP segment.
 *
 * <p>With {@link Checksums#LEFT_TO_TRANSPORT} the header's checksum field is written as 0,
 * whatever the parcel holds.
 */
public final class ParcelWriter {

    /** The protocol version this implementation speaks. */
    public static final int PROTOCOL_VERSION = 1;
    /** The oldest protocol version this implementation accepts from a peer. */
    public static final int MIN_PROTOCOL_VERSION = 1;

    private final OutputStream out;
    private final int networkId;
    private final Checksums checksums;
    private final byte[] header = new byte[Parcel.HEADER_SIZE];

    /**
     * @param out       the stream, ideally buffered
     * @param networkId the id to put in every header
     */
    public ParcelWriter(OutputStream out, int networkId) {
        this(out, networkId, Checksums.CHECKED);
    }

    /**
     * @param out       the stream, ideally buffered
     * @param networkId the id to put in every header
     * @param checksums whether headers carry the parcels' checksums or 0
     */
    public ParcelWriter(OutputStream out, int networkId, Checksums checksums) {
        this.out = out;
        this.networkId = networkId;
        this.checksums = checksums;
    }

    /**
     * Writes one parcel without flushing.
     *
     * @param p the parcel
     * @return the number of bytes written (header plus payload)
     * @throws IOException if the stream fails
     */
    public int write(Parcel p) throws IOException {
        encodeHeader(header, networkId, p);
        if (checksums == Checksums.LEFT_TO_TRANSPORT) {
            putInt(header, 12, 0);
        }
        out.write(header);
        out.write(p.payload(), p.offset(), p.length());
        return p.wireSize();
    }

    /**
     * Fills a 28-byte header for a parcel.
     *
     * @param h         the destination, at least {@link Parcel#HEADER_SIZE} bytes
     * @param networkId the network id
     * @param p         the parcel
     */
    public static void encodeHeader(byte[] h, int networkId, Parcel p) {
        putInt(h, 0, networkId);
        h[4] = (byte) (PROTOCOL_VERSION >>> 8);
        h[5] = (byte) PROTOCOL_VERSION;
        h[6] = (byte) p.type().code();
        h[7] = 0;
        putInt(h, 8, p.length());
        putInt(h, 12, p.checksum());
        h[16] = (byte) (p.partNumber() >>> 8);
        h[17] = (byte) p.partNumber();
        h[18] = (byte) (p.partCount() >>> 8);
        h[19] = (byte) p.partCount();
        putInt(h, 20, (int) (p.messageId() >>> 32));
        putInt(h, 24, (int) p.messageId());
    }

    static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
