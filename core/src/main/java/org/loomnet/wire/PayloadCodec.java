package org.loomnet.wire;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The small building blocks that payload layouts share: short strings with a one-byte length
 * prefix, decoded strictly (invalid UTF-8 is an error, not a replacement character), and
 * bounds-checked reads that turn a short payload into {@link DisconnectReason#MALFORMED_PAYLOAD}.
 */
final class PayloadCodec {

    private PayloadCodec() {
    }

    /** Encodes a string as UTF-8, checking it fits a one-byte length prefix and a field limit. */
    static byte[] shortString(String s, int maxBytes, String field) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > maxBytes || b.length > 255) {
            throw new IllegalArgumentException(field + " longer than " + Math.min(maxBytes, 255) + " bytes: " + s);
        }
        return b;
    }

    /** Reads a one-byte length and that many bytes of strict UTF-8. */
    static String readShortString(ByteBuffer in, int maxBytes, String field) throws ProtocolException {
        int len = readU8(in, field);
        if (len > maxBytes) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, field + " of " + len + " bytes, limit " + maxBytes);
        }
        if (in.remaining() < len) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, field + " truncated");
        }
        int start = in.position();
        in.position(start + len);
        if (in.hasArray() && isAscii(in.array(), in.arrayOffset() + start, len)) {
            // The common case (message types, node names): ASCII is valid UTF-8 as it is, and a
            // String made from it needs no decoder (a decoder per message showed up in profiles).
            return new String(in.array(), in.arrayOffset() + start, len, StandardCharsets.ISO_8859_1);
        }
        ByteBuffer slice = in.slice(start, len);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, field + " is not valid UTF-8");
        }
    }

    private static boolean isAscii(byte[] b, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    static int readU8(ByteBuffer in, String field) throws ProtocolException {
        try {
            return in.get() & 0xFF;
        } catch (BufferUnderflowException e) {
            throw truncated(field);
        }
    }

    static int readU16(ByteBuffer in, String field) throws ProtocolException {
        try {
            return in.getShort() & 0xFFFF;
        } catch (BufferUnderflowException e) {
            throw truncated(field);
        }
    }

    static int readI32(ByteBuffer in, String field) throws ProtocolException {
        try {
            return in.getInt();
        } catch (BufferUnderflowException e) {
            throw truncated(field);
        }
    }

    static long readI64(ByteBuffer in, String field) throws ProtocolException {
        try {
            return in.getLong();
        } catch (BufferUnderflowException e) {
            throw truncated(field);
        }
    }

    private static ProtocolException truncated(String field) {
        return new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, field + " truncated");
    }
}
