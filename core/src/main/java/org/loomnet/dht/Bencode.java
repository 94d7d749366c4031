package org.loomnet.dht;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bencode codec (BEP 3) with strict limits, for packets that arrive from anyone on the
 * Internet.
 *
 * <h2>Grammar</h2>
 * <pre>
 *   value   = string | integer | list | dict
 *   string  = length ":" bytes        length: decimal, no leading zeros ("0:" is the empty string)
 *   integer = "i" ["-"] digits "e"    no leading zeros, no "-0"
 *   list    = "l" *value "e"
 *   dict    = "d" *(string value) "e" keys are byte strings sorted as raw bytes
 * </pre>
 *
 * <h2>Decoding is defensive</h2>
 * Every length read from the input is checked against the bytes that are left and against the
 * {@link Limits} <em>before</em> anything is allocated, so {@code 99999999999:} costs nothing but
 * a {@link BencodeException}. Nesting depth, list and dictionary sizes and the packet size are
 * bounded too. The whole input must be exactly one value: trailing bytes are an error.
 *
 * <p>Dictionary keys must be unique (a duplicate makes the meaning ambiguous, so it is an error).
 * Keys out of order are tolerated on decode, as many implementations do, and re-sorted:
 * {@link #encode} always writes them sorted, as the specification requires.
 */
public final class Bencode {

    /**
     * Bounds on what {@link #decode} accepts.
     *
     * @param maxPacketBytes the largest input (4096: KRPC packets fit one UDP datagram, well under 1500 bytes in practice)
     * @param maxDepth       the deepest nesting of lists and dictionaries (8; KRPC needs 3)
     * @param maxStringBytes the longest byte string (2048)
     * @param maxListItems   the most items in one list (512)
     * @param maxDictEntries the most entries in one dictionary (64)
     */
    public record Limits(int maxPacketBytes, int maxDepth, int maxStringBytes, int maxListItems, int maxDictEntries) {

        /** The defaults for KRPC over UDP. */
        public static final Limits DEFAULTS = new Limits(4096, 8, 2048, 512, 64);

        /** Checks the fields. */
        public Limits {
            if (maxPacketBytes < 64 || maxPacketBytes > 65507) {
                throw new IllegalArgumentException("maxPacketBytes must be 64..65507 (a UDP payload): " + maxPacketBytes);
            }
            if (maxDepth < 1 || maxStringBytes < 20 || maxListItems < 1 || maxDictEntries < 1) {
                throw new IllegalArgumentException("limits too small: " + maxDepth + ", " + maxStringBytes + ", "
                        + maxListItems + ", " + maxDictEntries);
            }
        }
    }

    private Bencode() {
    }

    // ---- encoding ----------------------------------------------------------------------------

    /**
     * @param value a value
     * @return its bencoding, dictionary keys sorted
     */
    public static byte[] encode(Bencoded value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        write(value, out);
        return out.toByteArray();
    }

    private static void write(Bencoded value, ByteArrayOutputStream out) {
        switch (value) {
            case Bencoded.Bytes b -> {
                ascii(out, Integer.toString(b.value().length));
                out.write(':');
                out.writeBytes(b.value());
            }
            case Bencoded.Int i -> {
                out.write('i');
                ascii(out, Long.toString(i.value()));
                out.write('e');
            }
            case Bencoded.Items l -> {
                out.write('l');
                for (Bencoded item : l.items()) {
                    write(item, out);
                }
                out.write('e');
            }
            case Bencoded.Dict d -> {
                out.write('d');
                for (Map.Entry<Bencoded.Bytes, Bencoded> e : d.entries().entrySet()) {
                    write(e.getKey(), out);
                    write(e.getValue(), out);
                }
                out.write('e');
            }
        }
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    // ---- decoding ----------------------------------------------------------------------------

    /**
     * @param data   the input; exactly one value
     * @param limits the bounds
     * @return the value
     * @throws BencodeException if the input is not exactly one valid value within the limits
     */
    public static Bencoded decode(byte[] data, Limits limits) throws BencodeException {
        return decode(data, 0, data.length, limits);
    }

    /**
     * @param data   a buffer
     * @param offset where the input starts
     * @param length the input's length; the input must be exactly one value
     * @param limits the bounds
     * @return the value (byte strings are copies: the buffer may be reused)
     * @throws BencodeException if the input is not exactly one valid value within the limits
     */
    public static Bencoded decode(byte[] data, int offset, int length, Limits limits) throws BencodeException {
        if (length > limits.maxPacketBytes()) {
            throw new BencodeException(0, "input of " + length + " bytes is longer than the limit of "
                    + limits.maxPacketBytes());
        }
        if (length == 0) {
            throw new BencodeException(0, "empty input");
        }
        Decoder d = new Decoder(data, offset, offset + length, limits);
        Bencoded value = d.value(0);
        if (d.pos != d.end) {
            throw d.error(d.pos, (d.end - d.pos) + " bytes after the end of the value");
        }
        return value;
    }

    /** One decoding pass over one input. */
    private static final class Decoder {
        private final byte[] data;
        private final int start;
        private final int end;
        private final Limits limits;
        private int pos;

        Decoder(byte[] data, int start, int end, Limits limits) {
            this.data = data;
            this.start = start;
            this.end = end;
            this.limits = limits;
            this.pos = start;
        }

        BencodeException error(int at, String problem) {
            return new BencodeException(at - start, problem);
        }

        private int peek() throws BencodeException {
            if (pos >= end) {
                throw error(pos, "truncated: the input ends inside a value");
            }
            return data[pos] & 0xff;
        }

        Bencoded value(int depth) throws BencodeException {
            int c = peek();
            if (c >= '0' && c <= '9') {
                return new Bencoded.Bytes(string());
            }
            switch (c) {
                case 'i' -> {
                    return new Bencoded.Int(integer());
                }
                case 'l' -> {
                    return list(depth + 1);
                }
                case 'd' -> {
                    return dict(depth + 1);
                }
                default -> throw error(pos, "unexpected byte 0x" + Integer.toHexString(c) + " where a value should start");
            }
        }

        private byte[] string() throws BencodeException {
            int at = pos;
            long length = 0;
            int digits = 0;
            while (true) {
                int c = peek();
                if (c == ':') {
                    break;
                }
                if (c < '0' || c > '9') {
                    throw error(pos, "unexpected byte 0x" + Integer.toHexString(c) + " in a string length");
                }
                if (digits == 0 && c == '0' && pos + 1 < end && data[pos + 1] != ':') {
                    throw error(at, "string length with a leading zero");
                }
                if (++digits > 18) {
                    throw error(at, "string length of more than 18 digits");
                }
                length = length * 10 + (c - '0');
                pos++;
            }
            if (digits == 0) {
                throw error(at, "string without a length");
            }
            pos++; // ':'
            int left = end - pos;
            if (length > left) {
                throw error(at, "string of " + length + " bytes is longer than the " + left + " bytes left");
            }
            if (length > limits.maxStringBytes()) {
                throw error(at, "string of " + length + " bytes is longer than the limit of " + limits.maxStringBytes());
            }
            byte[] value = new byte[(int) length];
            System.arraycopy(data, pos, value, 0, value.length);
            pos += value.length;
            return value;
        }

        private long integer() throws BencodeException {
            int at = pos;
            pos++; // 'i'
            boolean negative = false;
            if (peek() == '-') {
                negative = true;
                pos++;
            }
            int first = pos;
            long value = 0;
            while (peek() != 'e') {
                int c = peek();
                if (c < '0' || c > '9') {
                    throw error(pos, "unexpected byte 0x" + Integer.toHexString(c) + " in an integer");
                }
                if (pos - first >= 19) {
                    throw error(at, "integer of more than 19 digits");
                }
                int digit = c - '0';
                if (value > (Long.MAX_VALUE - digit) / 10) {
                    throw error(at, "integer does not fit 64 bits");
                }
                value = value * 10 + digit;
                pos++;
            }
            int digits = pos - first;
            pos++; // 'e'
            if (digits == 0) {
                throw error(at, "integer without digits");
            }
            if (digits > 1 && data[first] == '0') {
                throw error(at, "integer with a leading zero");
            }
            if (negative && value == 0) {
                throw error(at, "negative zero");
            }
            return negative ? -value : value;
        }

        private Bencoded list(int depth) throws BencodeException {
            int at = pos;
            if (depth > limits.maxDepth()) {
                throw error(at, "nested deeper than the limit of " + limits.maxDepth());
            }
            pos++; // 'l'
            List<Bencoded> items = new ArrayList<>();
            while (peek() != 'e') {
                if (items.size() == limits.maxListItems()) {
                    throw error(at, "list of more than " + limits.maxListItems() + " items");
                }
                items.add(value(depth));
            }
            pos++; // 'e'
            return new Bencoded.Items(items);
        }

        private Bencoded dict(int depth) throws BencodeException {
            int at = pos;
            if (depth > limits.maxDepth()) {
                throw error(at, "nested deeper than the limit of " + limits.maxDepth());
            }
            pos++; // 'd'
            TreeMap<Bencoded.Bytes, Bencoded> entries = new TreeMap<>();
            while (peek() != 'e') {
                int keyAt = pos;
                int c = peek();
                if (c < '0' || c > '9') {
                    throw error(pos, "dictionary key is not a byte string");
                }
                if (entries.size() == limits.maxDictEntries()) {
                    throw error(at, "dictionary of more than " + limits.maxDictEntries() + " entries");
                }
                Bencoded.Bytes key = new Bencoded.Bytes(string());
                Bencoded value = value(depth);
                if (entries.put(key, value) != null) {
                    throw error(keyAt, "duplicate dictionary key " + key);
                }
            }
            pos++; // 'e'
            return new Bencoded.Dict(entries);
        }
    }
}
