package org.loomnet.wire;

import java.nio.ByteBuffer;

/**
 * An application message: a short type string the receiver dispatches on, and a byte payload.
 *
 * <pre>
 * size  field
 *    1  type length   1..64
 *    n  type          UTF-8, e.g. "chat" or "block"
 *    m  payload       the application's bytes, the rest of the message
 * </pre>
 * Up to the frame limit this travels as one MESSAGE parcel; larger, the same bytes are cut into
 * MESSAGE_PART parcels and joined again by {@link Reassembler}.
 *
 * @param type    the message type
 * @param payload the application's bytes
 */
public record AppMessage(String type, byte[] payload) {

    /** Longest message type in bytes. */
    public static final int MAX_TYPE = 64;
    /** Largest header before the payload: length byte plus the longest type. */
    public static final int MAX_HEADER = 1 + MAX_TYPE;

    /**
     * Checks a message type and returns its UTF-8 bytes.
     *
     * @param type the type
     * @return its bytes
     * @throws IllegalArgumentException if it is empty or longer than {@link #MAX_TYPE} bytes
     */
    public static byte[] typeBytes(String type) {
        byte[] t = PayloadCodec.shortString(type, MAX_TYPE, "message type");
        if (t.length == 0) {
            throw new IllegalArgumentException("message type must not be empty");
        }
        return t;
    }

    /**
     * Encodes type and payload into one array (copying the payload once, for all peers and parts).
     *
     * @param type    the message type
     * @param payload the payload
     * @return the encoded message
     */
    public static byte[] encode(String type, byte[] payload) {
        byte[] t = typeBytes(type);
        byte[] out = new byte[1 + t.length + payload.length];
        out[0] = (byte) t.length;
        System.arraycopy(t, 0, out, 1, t.length);
        System.arraycopy(payload, 0, out, 1 + t.length, payload.length);
        return out;
    }

    /**
     * Decodes an encoded message.
     *
     * @param data   the array
     * @param offset where the message starts
     * @param length its length
     * @return the message, with the payload copied out
     * @throws ProtocolException if the type is missing, too long or not UTF-8
     */
    public static AppMessage decode(byte[] data, int offset, int length) throws ProtocolException {
        return decode(data, offset, length, Integer.MAX_VALUE);
    }

    /**
     * Decodes an encoded message, refusing a payload over a limit.
     *
     * @param data       the array
     * @param offset     where the message starts
     * @param length     its length
     * @param maxPayload the largest payload allowed
     * @return the message, with the payload copied out
     * @throws ProtocolException if it does not decode, or {@link DisconnectReason#MESSAGE_TOO_LARGE}
     */
    public static AppMessage decode(byte[] data, int offset, int length, int maxPayload) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(data, offset, length);
        String type = PayloadCodec.readShortString(in, MAX_TYPE, "message type");
        if (type.isEmpty()) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, "empty message type");
        }
        if (in.remaining() > maxPayload) {
            throw new ProtocolException(DisconnectReason.MESSAGE_TOO_LARGE,
                    "payload of " + in.remaining() + " bytes, limit " + maxPayload);
        }
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        return new AppMessage(type, payload);
    }

    /**
     * Decodes a message from its parts, copying the payload bytes once, straight out of the
     * parts. The type must lie within the first part, as every sender that splits the encoded
     * message in order puts it; a message whose first part is too short for its type is joined
     * first and then decoded like any other.
     *
     * @param parts      the parts, in order, as {@link Reassembler#acceptPart} returns them
     * @param maxPayload the largest payload allowed
     * @return the message
     * @throws ProtocolException if it does not decode, or {@link DisconnectReason#MESSAGE_TOO_LARGE}
     */
    public static AppMessage decode(Parcel[] parts, int maxPayload) throws ProtocolException {
        Parcel first = parts[0];
        int typeLength = first.length() == 0 ? 0 : first.payload()[first.offset()] & 0xFF;
        long total = 0;
        for (Parcel part : parts) {
            total += part.length();
        }
        if (first.length() < 1 + typeLength || typeLength == 0 || typeLength > MAX_TYPE || total > Integer.MAX_VALUE) {
            byte[] whole = Reassembler.join(parts);
            return decode(whole, 0, whole.length, maxPayload);
        }
        // Decode the header alone: the type's checks and errors are the same as for one array.
        AppMessage header = decode(first.payload(), first.offset(), 1 + typeLength, maxPayload);
        long payloadLength = total - 1 - typeLength;
        if (payloadLength > maxPayload) {
            throw new ProtocolException(DisconnectReason.MESSAGE_TOO_LARGE,
                    "payload of " + payloadLength + " bytes, limit " + maxPayload);
        }
        byte[] payload = new byte[(int) payloadLength];
        int skip = 1 + typeLength;
        int off = 0;
        for (Parcel part : parts) {
            int n = part.length() - skip;
            System.arraycopy(part.payload(), part.offset() + skip, payload, off, n);
            off += n;
            skip = 0;
        }
        return new AppMessage(header.type(), payload);
    }

    @Override
    public String toString() {
        return "AppMessage[" + type + ", " + payload.length + " bytes]";
    }
}
