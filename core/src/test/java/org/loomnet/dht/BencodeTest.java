package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bencode codec: canonical bytes out, strict and bounded decoding in. */
class BencodeTest {

    private static final Bencode.Limits LIMITS = Bencode.Limits.DEFAULTS;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Bencoded decode(String s) throws BencodeException {
        return Bencode.decode(ascii(s), LIMITS);
    }

    private static String encode(Bencoded v) {
        return new String(Bencode.encode(v), StandardCharsets.ISO_8859_1);
    }

    @Test
    void encodesEveryTypeCanonically() {
        Bencoded v = Bencoded.Dict.builder()
                .put("z", new Bencoded.Items(List.of(new Bencoded.Int(-42), new Bencoded.Int(0), Bencoded.Bytes.of(""))))
                .put("a", "spam")
                .put("m", 7)
                .build();
        // Keys sorted as raw bytes regardless of insertion order.
        assertThat(encode(v)).isEqualTo("d1:a4:spam1:mi7e1:zli-42ei0e0:ee");
    }

    @Test
    void keysSortAsUnsignedRawBytes() {
        Bencoded v = new Bencoded.Dict(new java.util.TreeMap<>(java.util.Map.of(
                new Bencoded.Bytes(new byte[] {(byte) 0x80}), new Bencoded.Int(1),
                new Bencoded.Bytes(new byte[] {0x7f}), new Bencoded.Int(2),
                Bencoded.Bytes.of("ab"), new Bencoded.Int(3),
                Bencoded.Bytes.of("a"), new Bencoded.Int(4))));
        assertThat(encode(v)).isEqualTo("d1:ai4e2:abi3e1:\u007fi2e1:\u0080i1ee");
    }

    @Test
    void decodesAndReencodesToTheSameBytes() throws BencodeException {
        String s = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
        assertThat(encode(decode(s))).isEqualTo(s);
        assertThat(decode("i-9223372036854775807e")).isEqualTo(new Bencoded.Int(-Long.MAX_VALUE));
        assertThat(decode("i9223372036854775807e")).isEqualTo(new Bencoded.Int(Long.MAX_VALUE));
        assertThat(decode("0:")).isEqualTo(new Bencoded.Bytes(new byte[0]));
        assertThat(decode("le")).isEqualTo(new Bencoded.Items(List.of()));
        assertThat(decode("de")).isInstanceOf(Bencoded.Dict.class);
    }

    @Test
    void unsortedKeysAreToleratedAndSortedOnEncode() throws BencodeException {
        assertThat(encode(decode("d1:bi1e1:ai2ee"))).isEqualTo("d1:ai2e1:bi1ee");
    }

    @Test
    void rejectsDuplicateKeys() {
        assertThatThrownBy(() -> decode("d1:ai1e1:ai2ee")).isInstanceOf(BencodeException.class)
                .hasMessageContaining("duplicate dictionary key");
    }

    @Test
    void hugeStringLengthIsRejectedBeforeAllocating() {
        assertThatThrownBy(() -> decode("99999999999:abc")).isInstanceOf(BencodeException.class)
                .hasMessageContaining("string of 99999999999 bytes is longer than the 3 bytes left");
        assertThatThrownBy(() -> decode("9999999999999999999999:")).isInstanceOf(BencodeException.class)
                .hasMessageContaining("more than 18 digits");
        assertThatThrownBy(() -> decode("d1:a5:abce")).isInstanceOf(BencodeException.class)
                .hasMessageContaining("longer than the");
    }

    @Test
    void stringAboveTheLimitIsRejected() throws BencodeException {
        Bencode.Limits tight = new Bencode.Limits(4096, 8, 32, 512, 64);
        byte[] ok = ascii("32:" + "x".repeat(32));
        byte[] tooLong = ascii("33:" + "x".repeat(33));
        assertThat(Bencode.decode(ok, tight)).isInstanceOf(Bencoded.Bytes.class);
        assertThatThrownBy(() -> Bencode.decode(tooLong, tight)).isInstanceOf(BencodeException.class)
                .hasMessageContaining("longer than the limit of 32");
    }

    @Test
    void deepNestingIsRejected() {
        String deep = "l".repeat(9) + "e".repeat(9);
        String ok = "l".repeat(8) + "e".repeat(8);
        assertThatThrownBy(() -> decode(deep)).isInstanceOf(BencodeException.class)
                .hasMessageContaining("nested deeper than the limit of 8");
        assertThat(catchNothing(ok)).isNotNull();
        // Far deeper than any stack: rejected at depth 9, never a StackOverflowError.
        String abyss = "l".repeat(4000);
        assertThatThrownBy(() -> decode(abyss)).isInstanceOf(BencodeException.class);
        assertThatThrownBy(() -> decode("d1:a" + "d1:a".repeat(10) + "i1e" + "e".repeat(11)))
                .isInstanceOf(BencodeException.class).hasMessageContaining("nested deeper");
    }

    private static Bencoded catchNothing(String s) {
        try {
            return decode(s);
        } catch (BencodeException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void listAndDictionarySizesAreBounded() {
        Bencode.Limits tight = new Bencode.Limits(4096, 8, 2048, 3, 2);
        assertThat(catchNothing("li1ei2ei3ee")).isNotNull();
        assertThatThrownBy(() -> Bencode.decode(ascii("li1ei2ei3ei4ee"), tight)).isInstanceOf(BencodeException.class)
                .hasMessageContaining("list of more than 3 items");
        assertThatThrownBy(() -> Bencode.decode(ascii("d1:ai1e1:bi1e1:ci1ee"), tight))
                .isInstanceOf(BencodeException.class).hasMessageContaining("dictionary of more than 2 entries");
    }

    @Test
    void packetSizeIsBounded() {
        Bencode.Limits small = new Bencode.Limits(64, 8, 2048, 512, 64);
        byte[] big = ascii("62:" + "x".repeat(62));
        assertThatThrownBy(() -> Bencode.decode(big, small)).isInstanceOf(BencodeException.class)
                .hasMessageContaining("longer than the limit of 64");
    }

    @Test
    void rejectsNonCanonicalAndMalformedInput() {
        for (String bad : List.of("", "i", "ie", "i-e", "i-0e", "i01e", "i1", "i1.5e", "i--1e",
                "i99999999999999999999e", "i9223372036854775808e", "01:a", "1a", ":", "-1:a", "5:abc",
                "l", "li1e", "d", "d1:a", "d1:ai1e", "di1ei2ee", "dli1eei1ee", "x", "e", "i1ei2e", "4:spamx",
                "d1:ai1ee ")) {
            assertThatThrownBy(() -> decode(bad)).as("input %s", bad).isInstanceOf(BencodeException.class);
        }
    }

    @Test
    void randomAndTruncatedInputOnlyEverThrowsBencodeException() {
        SplittableRandom random = new SplittableRandom(5);
        byte[] valid = ascii("d1:rd2:id20:mnopqrstuvwxyz1234565:token8:aoeusnth6:valuesl6:abcdef6:ghijklee"
                + "1:t2:aa1:y1:re");
        for (int n = 0; n < 20_000; n++) {
            byte[] input;
            if (n % 3 == 0) {
                input = java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
            } else if (n % 3 == 1) {
                input = valid.clone();
                for (int i = 0; i < 3; i++) {
                    input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                }
            } else {
                input = new byte[random.nextInt(64)];
                for (int i = 0; i < input.length; i++) {
                    input[i] = (byte) "dleiq0123456789:-x".charAt(random.nextInt(18));
                }
            }
            try {
                Bencode.decode(input, LIMITS);
            } catch (BencodeException expected) {
                assertThat(expected.offset()).isBetween(0, input.length);
            }
        }
    }

    @Test
    void errorsSayWhere() {
        assertThatThrownBy(() -> decode("li1ei0x1ee")).isInstanceOf(BencodeException.class)
                .hasMessageStartingWith("at offset 6:");
    }
}
