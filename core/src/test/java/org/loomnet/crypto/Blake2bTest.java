package org.loomnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * BLAKE2b-512, HMAC-BLAKE2b and Noise's HKDF. Expected values not from an RFC were computed with
 * Python's {@code hmac} and {@code hashlib.blake2b}, an implementation independent of this one.
 */
class Blake2bTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] range(int from, int to) {
        byte[] bytes = new byte[to - from];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (from + i);
        }
        return bytes;
    }

    @Test
    void blake2b512OfAbcMatchesRfc7693AppendixA() {
        assertThat(HEX.formatHex(Blake2b.hash(ascii("abc")))).isEqualTo(
                "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                        + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
    }

    @Test
    void hashOfPrefixAndSliceEqualsHashOfTheConcatenation() {
        byte[] joined = ascii("prefix|the slice|");
        byte[] sliceHost = ascii("xxthe slice|yy");
        assertThat(Blake2b.hash(ascii("prefix|"), sliceHost, 2, 10)).isEqualTo(Blake2b.hash(joined));
    }

    @Test
    void hmacMatchesAnIndependentImplementation() {
        assertThat(HEX.formatHex(Blake2b.hmac(ascii("key"), ascii("The quick brown fox jumps over the lazy dog"))))
                .isEqualTo("92294f92c0dfb9b00ec9ae8bd94d7e7d8a036b885a499f149dfe2fd2199394aa"
                        + "af6b8894a1730cccb2cd050f9bcf5062a38b51b0dab33207f8ef35ae2c9df51b");
        // A key longer than the 128-byte block is hashed first (RFC 2104).
        assertThat(HEX.formatHex(Blake2b.hmac(new byte[200], ascii("abc"))))
                .isEqualTo("e03c4e0f85da945f3929656d32a5483151c2baa111e63bbaf4dda064b482eb3b"
                        + "1f0835dbe7aeaa080b9d938bd58a0612ab4606c1812b505bf9c798b743271bd0");
    }

    @Test
    void hmacAgreesWithBouncyCastlesHmacForKeysAroundTheBlockLength() {
        byte[] message = range(0, 77);
        for (int keyLength : new int[] {0, 1, 32, 64, 127, 128, 129, 300}) {
            byte[] key = range(7, 7 + keyLength);
            HMac reference = new HMac(new Blake2bDigest(512));
            reference.init(new KeyParameter(key));
            reference.update(message, 0, message.length);
            byte[] expected = new byte[64];
            reference.doFinal(expected, 0);
            assertThat(Blake2b.hmac(key, message)).as("key of %d bytes", keyLength).isEqualTo(expected);
        }
    }

    @Test
    void hmacOfPartsEqualsHmacOfTheirConcatenation() {
        byte[] key = range(0, 64);
        assertThat(Blake2b.hmac(key, range(0, 10), range(10, 20), new byte[0], range(20, 21)))
                .isEqualTo(Blake2b.hmac(key, range(0, 21)));
    }

    @Test
    void hkdfMatchesNoiseDefinitionComputedIndependently() {
        byte[] chainingKey = range(0, 64);
        byte[] inputKeyMaterial = range(100, 132);
        byte[][] three = Blake2b.hkdf(chainingKey, inputKeyMaterial, 3);
        assertThat(HEX.formatHex(three[0])).isEqualTo(
                "2262ed5f40c3324574d00a1e0849a7cc67fb5b6a80211c3c59404bb8e47512b1"
                        + "cb95e73840718c5d68ca345f934f39a52f1f31e8f6d3ed521f0664f46feddae4");
        assertThat(HEX.formatHex(three[1])).isEqualTo(
                "f6a6559fa2aaab64d3d2666b83fe3f4fed6fae1959537fedd6a39b6f8d411e61"
                        + "32593234cc2a750244335da5021c27bf7eacbb65cfa608457de6ecc144b90077");
        assertThat(HEX.formatHex(three[2])).isEqualTo(
                "07c82c1301c70e885f4662f1f3f7b7bb9e04d81c94a6e1882f812c02ffb69580"
                        + "c93095bb599ad2fced3d3cf38c9c17df4fb3c0029f231247fca69b040e16449e");
        // Two outputs are the first two of three.
        byte[][] two = Blake2b.hkdf(chainingKey, inputKeyMaterial, 2);
        assertThat(two).hasDimensions(2, 64);
        assertThat(two[0]).isEqualTo(three[0]);
        assertThat(two[1]).isEqualTo(three[1]);
    }

    @Test
    void hkdfDoesNotAlterItsInputs() {
        byte[] chainingKey = range(0, 64);
        byte[] inputKeyMaterial = range(1, 33);
        Blake2b.hkdf(chainingKey, inputKeyMaterial, 2);
        assertThat(chainingKey).isEqualTo(range(0, 64));
        assertThat(inputKeyMaterial).isEqualTo(range(1, 33));
    }

    @Test
    void hkdfDependsOnTheInputKeyMaterialEvenWhenEmpty() {
        // Split() passes an empty input; it must still differ from a one-zero-byte input.
        byte[][] empty = Blake2b.hkdf(range(0, 64), new byte[0], 2);
        byte[][] zero = Blake2b.hkdf(range(0, 64), new byte[1], 2);
        assertThat(empty[0]).isNotEqualTo(empty[1]);
        assertThat(empty[0]).isNotEqualTo(zero[0]);
    }

    @Test
    void hkdfOutputCountOtherThanTwoOrThreeIsRefused() {
        assertThatThrownBy(() -> Blake2b.hkdf(new byte[64], new byte[0], 4))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
