package org.loomnet.wire;

import java.nio.ByteBuffer;

/**
 * The DISCONNECT payload: why the sender is closing.
 *
 * <pre>
 * size  field
 *    2  reason code   uint16, {@link DisconnectReason#code()}
 *  1+n  detail        length byte + UTF-8, at most 200 bytes, may be empty
 * </pre>
 *
 * @param reason the reason ({@link DisconnectReason#UNKNOWN} for a code we do not know)
 * @param code   the code as received (differs from {@code reason.code()} only for unknown codes)
 * @param detail free text for the log, may be empty
 */
public record Goodbye(DisconnectReason reason, int code, String detail) {

    /** Longest detail text in bytes. */
    public static final int MAX_DETAIL = 200;

    /**
     * @param reason the reason
     * @param detail free text; cut to {@link #MAX_DETAIL} bytes
     * @return the DISCONNECT payload for it
     */
    public static Goodbye of(DisconnectReason reason, String detail) {
        return new Goodbye(reason, reason.code(), truncate(detail == null ? "" : detail));
    }

    /** @return the payload bytes */
    public byte[] encode() {
        byte[] d = PayloadCodec.shortString(detail, MAX_DETAIL, "detail");
        return ByteBuffer.allocate(2 + 1 + d.length).putShort((short) code).put((byte) d.length).put(d).array();
    }

    /**
     * @param p a DISCONNECT parcel
     * @return the decoded payload
     * @throws ProtocolException if it does not decode
     */
    public static Goodbye decode(Parcel p) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(p.payload(), p.offset(), p.length());
        int code = PayloadCodec.readU16(in, "reason code");
        String detail = PayloadCodec.readShortString(in, MAX_DETAIL, "detail");
        return new Goodbye(DisconnectReason.fromCode(code), code, detail);
    }

    private static String truncate(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length <= MAX_DETAIL) {
            return s;
        }
        // Cut on a character boundary so the result is still valid UTF-8.
        int end = MAX_DETAIL;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(b, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }
}
