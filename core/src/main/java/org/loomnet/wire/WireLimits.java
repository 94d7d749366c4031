package org.loomnet.wire;

/**
 * Size limits of the wire protocol, checked before anything is allocated.
 *
 * @param maxFrameSize   largest payload of one parcel, in bytes (default 1 MiB). Application
 *                       messages larger than this are split into MESSAGE_PART parcels.
 * @param maxMessageSize largest application payload, in bytes (default 64 MiB); bounds the
 *                       number of parts a split message may announce.
 */
public record WireLimits(int maxFrameSize, int maxMessageSize) {

    /** Default largest frame payload: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME = 1 << 20;
    /** Default largest application message: 64 MiB. */
    public static final int DEFAULT_MAX_MESSAGE = 64 << 20;
    /** The limits every node uses unless configured otherwise. */
    public static final WireLimits DEFAULTS = new WireLimits(DEFAULT_MAX_FRAME, DEFAULT_MAX_MESSAGE);

    /** Smallest allowed frame: must hold any control parcel and a message header. */
    static final int MIN_FRAME = 1024;

    /** Validates the limits. */
    public WireLimits {
        if (maxFrameSize < MIN_FRAME) {
            throw new IllegalArgumentException("maxFrameSize must be at least " + MIN_FRAME + ": " + maxFrameSize);
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
        }
        if (maxParts(maxFrameSize, maxMessageSize) > 0xFFFF) {
            throw new IllegalArgumentException("maxMessageSize / maxFrameSize needs more than 65535 parts");
        }
    }

    /** @return the most parts a legal split message can have */
    public int maxParts() {
        return maxParts(maxFrameSize, maxMessageSize);
    }

    /** @return the largest encoded message (type header plus payload) that may be reassembled */
    public long maxEncodedMessage() {
        return (long) maxMessageSize + AppMessage.MAX_HEADER;
    }

    private static int maxParts(int frame, int message) {
        long encoded = (long) message + AppMessage.MAX_HEADER;
        return (int) Math.min(Integer.MAX_VALUE, (encoded + frame - 1) / frame);
    }
}
