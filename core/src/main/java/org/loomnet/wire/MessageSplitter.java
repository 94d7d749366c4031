package org.loomnet.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts an encoded application message into parcels: one MESSAGE if it fits a frame, otherwise
 * MESSAGE_PART parcels of at most one frame each, numbered 0..n-1 and sharing one message id.
 * The parts are slices of the same array; nothing is copied. Each part's checksum is computed
 * here, on the sender's thread, unless the connections it goes out on leave integrity to the
 * transport ({@link Checksums}).
 */
public final class MessageSplitter {

    private MessageSplitter() {
    }

    /**
     * Encodes an application message and cuts it into parcels.
     *
     * @param messageId the id all parts carry
     * @param type      the message type
     * @param payload   the application's bytes (copied once into the encoded message)
     * @param limits    the frame and message limits
     * @return the parcels to send, in order
     * @throws IllegalArgumentException if the payload is over the maximum message size or the type is invalid
     */
    public static List<Parcel> split(long messageId, String type, byte[] payload, WireLimits limits) {
        return split(messageId, type, payload, limits, Checksums.CHECKED);
    }

    /**
     * Encodes an application message and cuts it into parcels.
     *
     * @param messageId the id all parts carry
     * @param type      the message type
     * @param payload   the application's bytes (copied once into the encoded message)
     * @param limits    the frame and message limits
     * @param checksums whether the parcels get their checksums
     * @return the parcels to send, in order
     * @throws IllegalArgumentException if the payload is over the maximum message size or the type is invalid
     */
    public static List<Parcel> split(long messageId, String type, byte[] payload, WireLimits limits,
                                     Checksums checksums) {
        if (payload.length > limits.maxMessageSize()) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes is over the limit of "
                    + limits.maxMessageSize() + " bytes");
        }
        return split(messageId, AppMessage.encode(type, payload), limits, checksums);
    }

    /**
     * @param messageId the id all parts carry
     * @param encoded   the message as {@link AppMessage#encode(String, byte[])} made it
     * @param limits    the frame and message limits
     * @return the parcels to send, in order
     * @throws IllegalArgumentException if the encoded message is over {@link WireLimits#maxEncodedMessage()}
     */
    public static List<Parcel> split(long messageId, byte[] encoded, WireLimits limits) {
        return split(messageId, encoded, limits, Checksums.CHECKED);
    }

    /**
     * @param messageId the id all parts carry
     * @param encoded   the message as {@link AppMessage#encode(String, byte[])} made it
     * @param limits    the frame and message limits
     * @param checksums whether the parcels get their checksums
     * @return the parcels to send, in order
     * @throws IllegalArgumentException if the encoded message is over {@link WireLimits#maxEncodedMessage()}
     */
    public static List<Parcel> split(long messageId, byte[] encoded, WireLimits limits, Checksums checksums) {
        if (encoded.length > limits.maxEncodedMessage()) {
            throw new IllegalArgumentException("encoded message of " + encoded.length + " bytes is over the limit of "
                    + limits.maxEncodedMessage() + " bytes");
        }
        int frame = limits.maxFrameSize();
        if (encoded.length <= frame) {
            return List.of(Parcel.part(ParcelType.MESSAGE, messageId, 0, 1, encoded, 0, encoded.length, checksums));
        }
        int count = (encoded.length + frame - 1) / frame;
        List<Parcel> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int off = i * frame;
            parts.add(Parcel.part(ParcelType.MESSAGE_PART, messageId, i, count, encoded, off,
                    Math.min(frame, encoded.length - off), checksums));
        }
        return parts;
    }
}
