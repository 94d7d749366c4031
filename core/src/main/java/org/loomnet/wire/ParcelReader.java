package org.loomnet.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads parcels from a byte stream, checking every rule of the header before it allocates the
 * payload. One reader belongs to one connection's reader thread; it is not thread-safe.
 *
 * <p>Checks, in order: network id, parcel type, flags, payload length against the limit for the
 * type, part number and count, then (after reading the payload) the checksum, unless the
 * transport authenticates every byte itself ({@link Checksums#LEFT_TO_TRANSPORT}). A broken rule
 * throws {@link ProtocolException} with the reason the peer will be sent; the stream is then
 * unusable, because a frame boundary can no longer be trusted.
 */
public final class ParcelReader {

    /** Told when a frame starts and ends, so a watchdog can time out a frame that stalls. */
    public interface FrameListener {
        /** The first byte of a frame has arrived. */
        void frameStarted();

        /**
         * The whole frame has arrived and passed every check.
         *
         * @param wireBytes header plus payload length
         */
        void frameFinished(int wireBytes);

        /** A listener that does nothing. */
        FrameListener NONE = new FrameListener() {
            @Override
            public void frameStarted() {
            }

            @Override
            public void frameFinished(int wireBytes) {
            }
        };
    }

    /** Largest HELLO payload: fixed fields plus two short strings. */
    public static final int MAX_HELLO = 512;
    /** Largest DISCONNECT payload: code plus a short detail text. */
    public static final int MAX_DISCONNECT = 512;
    /** PING and PONG carry exactly an 8-byte token. */
    public static final int PING_SIZE = 8;
    /** Largest PEER_REQUEST payload. */
    public static final int MAX_PEER_REQUEST = 64;
    /**
     * The most the reader allocates for a payload before any of it has arrived: a larger payload
     * gets its whole array only once this much of it is in ({@link #readPayload}).
     */
    public static final int FIRST_CHUNK = 64 * 1024;

    private final InputStream in;
    private final int networkId;
    private final WireLimits limits;
    private final FrameListener listener;
    private final Checksums checksums;
    private final byte[] header = new byte[Parcel.HEADER_SIZE];

    /**
     * @param in        the stream, ideally buffered
     * @param networkId the id every parcel must carry
     * @param limits    size limits
     * @param listener  told about frame starts and ends
     */
    public ParcelReader(InputStream in, int networkId, WireLimits limits, FrameListener listener) {
        this(in, networkId, limits, listener, Checksums.CHECKED);
    }

    /**
     * @param in        the stream, ideally buffered
     * @param networkId the id every parcel must carry
     * @param limits    size limits
     * @param listener  told about frame starts and ends
     * @param checksums whether to check each payload's checksum
     */
    public ParcelReader(InputStream in, int networkId, WireLimits limits, FrameListener listener, Checksums checksums) {
        this.in = in;
        this.networkId = networkId;
        this.limits = limits;
        this.listener = listener;
        this.checksums = checksums;
    }

    /**
     * Reads the next parcel, blocking until it has fully arrived.
     *
     * @return the parcel, or {@code null} if the stream ended cleanly between two frames
     * @throws ProtocolException if the frame breaks a rule
     * @throws EOFException      if the stream ended inside a frame
     * @throws IOException       if the stream fails
     */
    public Parcel read() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        listener.frameStarted();
        header[0] = (byte) first;
        readFully(header, 1, Parcel.HEADER_SIZE - 1);

        int network = getInt(header, 0);
        int typeCode = header[6] & 0xFF;
        int flags = header[7] & 0xFF;
        long length = getInt(header, 8) & 0xFFFFFFFFL;
        int checksum = getInt(header, 12);
        int partNumber = getShort(header, 16);
        int partCount = getShort(header, 18);
        long messageId = getLong(header, 20);

        if (network != networkId) {
            throw new ProtocolException(DisconnectReason.WRONG_NETWORK,
                    String.format("network id %08x, expected %08x", network, networkId));
        }
        ParcelType type = ParcelType.fromCode(typeCode);
        if (type == null) {
            throw new ProtocolException(DisconnectReason.UNKNOWN_PARCEL_TYPE, "type code " + typeCode);
        }
        if (flags != 0) {
            throw new ProtocolException(DisconnectReason.BAD_FLAGS, "flags " + flags);
        }
        int max = maxPayload(type);
        if (length > max) {
            throw new ProtocolException(DisconnectReason.FRAME_TOO_LARGE,
                    type + " payload of " + length + " bytes, limit " + max);
        }
        if ((type == ParcelType.PING || type == ParcelType.PONG) && length != PING_SIZE) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD,
                    type + " payload of " + length + " bytes, must be " + PING_SIZE);
        }
        checkParts(type, partNumber, partCount);

        byte[] payload = readPayload((int) length);
        if (checksums == Checksums.CHECKED) {
            int actual = Crc32Koopman.compute(payload);
            if (actual != checksum) {
                throw new ProtocolException(DisconnectReason.BAD_CHECKSUM,
                        String.format("%s checksum %08x, computed %08x", type, checksum, actual));
            }
        }
        listener.frameFinished(Parcel.HEADER_SIZE + payload.length);
        return new Parcel(type, messageId, partNumber, partCount, payload, 0, payload.length, checksum);
    }

    /**
     * @param type a parcel type
     * @return the largest payload this reader accepts for it
     */
    public int maxPayload(ParcelType type) {
        return switch (type) {
            case HELLO -> MAX_HELLO;
            case PING, PONG -> PING_SIZE;
            case DISCONNECT -> MAX_DISCONNECT;
            case PEER_REQUEST -> MAX_PEER_REQUEST;
            case PEER_RESPONSE, MESSAGE, MESSAGE_PART, GOSSIP -> limits.maxFrameSize();
        };
    }

    private void checkParts(ParcelType type, int partNumber, int partCount) throws ProtocolException {
        if (type == ParcelType.MESSAGE_PART) {
            if (partCount < 2 || partNumber >= partCount) {
                throw new ProtocolException(DisconnectReason.BAD_PART, "part " + partNumber + " of " + partCount);
            }
            if (partCount > limits.maxParts()) {
                throw new ProtocolException(DisconnectReason.MESSAGE_TOO_LARGE,
                        partCount + " parts announced, at most " + limits.maxParts() + " allowed");
            }
        } else if (partNumber != 0 || partCount != 1) {
            throw new ProtocolException(DisconnectReason.BAD_PART,
                    type + " must be a single part, got part " + partNumber + " of " + partCount);
        }
    }

    /**
     * Reads a payload of the announced length, allocating the whole of it only once part of it
     * has arrived: a larger payload is read into a first array of {@link #FIRST_CHUNK} bytes, and
     * only when that is full is the array of its announced length made (and the first chunk
     * copied into it). A peer that announces a frame and stalls holds a first chunk, 64 KiB;
     * without this, 28 bytes of header would pin a whole frame (1 MiB) until the frame timeout.
     * A payload that arrives whole costs one extra copy of 64 KiB. (Doubling the array each time it
     * fills would bound a stalled frame at twice what arrived, but it cost #2 of the benchmarks a
     * third of its throughput: the copies and the large short-lived arrays.)
     */
    private byte[] readPayload(int length) throws IOException {
        if (length <= FIRST_CHUNK) {
            byte[] b = new byte[length];
            readFully(b, 0, length);
            return b;
        }
        byte[] first = new byte[FIRST_CHUNK];
        readFully(first, 0, FIRST_CHUNK);
        byte[] b = Arrays.copyOf(first, length);
        readFully(b, FIRST_CHUNK, length - FIRST_CHUNK);
        return b;
    }

    private void readFully(byte[] b, int off, int len) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n < len) {
            throw new EOFException("stream ended inside a frame");
        }
    }

    static int getInt(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    static int getShort(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    static long getLong(byte[] b, int i) {
        return (getInt(b, i) & 0xFFFFFFFFL) << 32 | (getInt(b, i + 4) & 0xFFFFFFFFL);
    }
}
