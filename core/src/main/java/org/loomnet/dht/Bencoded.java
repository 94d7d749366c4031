package org.loomnet.dht;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A bencoded value (BEP 3): a byte string, an integer, a list or a dictionary. This is the data
 * model of every KRPC packet; {@link Bencode} turns it into bytes and back.
 *
 * <p>Strings are bytes, not text: node ids, tokens and compact addresses are binary. Dictionary
 * keys are byte strings kept in the order the specification requires on the wire: sorted as raw
 * bytes (unsigned, shorter prefix first).
 */
public sealed interface Bencoded permits Bencoded.Bytes, Bencoded.Int, Bencoded.Items, Bencoded.Dict {

    /**
     * A byte string. The array is not copied (values are built and read by this package and its
     * callers, which do not modify them); treat it as immutable.
     *
     * @param value the bytes
     */
    record Bytes(byte[] value) implements Bencoded, Comparable<Bytes> {

        /** Checks the field. */
        public Bytes {
            Objects.requireNonNull(value, "value");
        }

        /**
         * @param text a string, stored as its UTF-8 bytes (KRPC keys and method names are ASCII)
         * @return the byte string
         */
        public static Bytes of(String text) {
            return new Bytes(text.getBytes(StandardCharsets.UTF_8));
        }

        /** @return the bytes read as UTF-8, with malformed sequences replaced */
        public String text() {
            return new String(value, StandardCharsets.UTF_8);
        }

        /** Raw byte order, as bencode sorts dictionary keys. */
        @Override
        public int compareTo(Bytes o) {
            return Arrays.compareUnsigned(value, o.value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        /** @return the text if it is printable ASCII, else {@code 0x} and hex */
        @Override
        public String toString() {
            for (byte b : value) {
                if (b < 0x20 || b > 0x7e) {
                    return "0x" + HexFormat.of().formatHex(value);
                }
            }
            return '"' + text() + '"';
        }
    }

    /**
     * An integer. Bencode integers are unbounded; this codec accepts those that fit a long.
     *
     * @param value the number
     */
    record Int(long value) implements Bencoded {
    }

    /**
     * A list.
     *
     * @param items the values, in order (copied into an immutable list)
     */
    record Items(List<Bencoded> items) implements Bencoded {

        /** Copies the list. */
        public Items {
            items = List.copyOf(items);
        }
    }

    /**
     * A dictionary with byte-string keys, in sorted key order.
     *
     * @param entries the entries (copied into an immutable sorted map)
     */
    record Dict(SortedMap<Bytes, Bencoded> entries) implements Bencoded {

        /** Copies the map, sorting it by raw key bytes. */
        public Dict {
            entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
        }

        /**
         * @param key an ASCII key
         * @return its value, or null if absent
         */
        public Bencoded get(String key) {
            return entries.get(Bytes.of(key));
        }

        /** @return a builder for a dictionary */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds a {@link Dict} one entry at a time; the order of calls does not matter. */
        public static final class Builder {
            private final TreeMap<Bytes, Bencoded> entries = new TreeMap<>();

            private Builder() {
            }

            /**
             * @param key   an ASCII key
             * @param value the value; null leaves the key out
             * @return this builder
             */
            public Builder put(String key, Bencoded value) {
                if (value != null) {
                    entries.put(Bytes.of(key), value);
                }
                return this;
            }

            /**
             * @param key   an ASCII key
             * @param value a byte string; null leaves the key out
             * @return this builder
             */
            public Builder put(String key, byte[] value) {
                return put(key, value == null ? null : new Bytes(value));
            }

            /**
             * @param key   an ASCII key
             * @param value a text string, stored as UTF-8
             * @return this builder
             */
            public Builder put(String key, String value) {
                return put(key, value == null ? null : Bytes.of(value));
            }

            /**
             * @param key   an ASCII key
             * @param value an integer
             * @return this builder
             */
            public Builder put(String key, long value) {
                return put(key, new Int(value));
            }

            /** @return the dictionary */
            public Dict build() {
                return new Dict(entries);
            }
        }
    }
}
