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
        ByteBuffer slice = in.slice(in.position(), len);
        in.position(in.position() + len);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, field + " is not valid UTF-8");
        }
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
