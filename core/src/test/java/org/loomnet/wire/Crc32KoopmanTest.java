package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CRC-32 Koopman: published check values and agreement with a bit-at-a-time reference. */
class Crc32KoopmanTest {

    /** The textbook right-shifting CRC, one bit per step: slow, but obviously right. */
    private static int reference(byte[] data, int offset, int length) {
        int crc = 0xFFFFFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xEB31D82E : crc >>> 1;
            }
        }
        return ~crc;
    }

    // Vectors from ../shared/test-vectors/README.md (Go's crc32.MakeTable(crc32.Koopman)).

    @Test
    void checkValueOf123456789() {
        assertThat(Crc32Koopman.compute("123456789".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(0x2D3DD0AE);
    }

    @Test
    void singleByteFF() {
        assertThat(Crc32Koopman.compute(new byte[] {(byte) 0xFF})).isEqualTo(0xFF000000);
    }

    @Test
    void quickBrownFox() {
        byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc32Koopman.compute(fox)).isEqualTo(0xE021DB90);
    }

    @Test
    void emptyInputIsZero() {
        assertThat(Crc32Koopman.compute(new byte[0])).isZero();
        assertThat(reference(new byte[0], 0, 0)).isZero();
    }

    @Test
    void referenceImplementationAgreesWithTheVectors() {
        // Guards the guard: if the reference were wrong, the comparison below would prove nothing.
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(reference(check, 0, check.length)).isEqualTo(0x2D3DD0AE);
        assertThat(reference(new byte[] {(byte) 0xFF}, 0, 1)).isEqualTo(0xFF000000);
    }

    @Test
    void slicingBy8MatchesBitwiseReferenceForAllLengthsAndOddOffsets() {
        Random random = new Random(20240611);
        int[] offsets = {0, 1, 3, 5, 7, 9, 13};
        for (int length = 0; length <= 100; length++) {
            for (int offset : offsets) {
                for (int round = 0; round < 3; round++) {
                    // Random bytes around the range too: they must not leak into the checksum.
                    byte[] data = new byte[offset + length + 11];
                    random.nextBytes(data);
                    assertThat(Crc32Koopman.compute(data, offset, length))
                            .as("length %d at offset %d", length, offset)
                            .isEqualTo(reference(data, offset, length));
                }
            }
        }
    }

    @Test
    void largeBufferMatchesReference() {
        byte[] data = new byte[64 * 1024 + 5];
        new Random(7).nextBytes(data);
        assertThat(Crc32Koopman.compute(data, 3, data.length - 3)).isEqualTo(reference(data, 3, data.length - 3));
    }

    @Test
    void fourLanePathMatchesReferenceAroundItsThresholdAndAtOddLengths() {
        // Lengths from the threshold on take the four-lane path and are joined with combine():
        // every remainder of lane 3 (length mod 32) and odd offsets must give the same checksum.
        Random random = new Random(99);
        int t = Crc32Koopman.LANE_THRESHOLD;
        for (int length = t - 9; length <= t + 70; length++) {
            for (int offset : new int[] {0, 1, 6}) {
                byte[] data = new byte[offset + length + 5];
                random.nextBytes(data);
                assertThat(Crc32Koopman.compute(data, offset, length))
                        .as("length %d at offset %d", length, offset)
                        .isEqualTo(reference(data, offset, length));
            }
        }
        byte[] mib = new byte[(1 << 20) + 13];
        random.nextBytes(mib);
        assertThat(Crc32Koopman.compute(mib, 13, 1 << 20)).isEqualTo(reference(mib, 13, 1 << 20));
    }

    @Test
    void combineJoinsTheChecksumsOfTwoPieces() {
        Random random = new Random(5);
        for (int round = 0; round < 50; round++) {
            byte[] a = new byte[random.nextInt(300)];
            byte[] b = new byte[random.nextInt(300)];
            random.nextBytes(a);
            random.nextBytes(b);
            byte[] ab = new byte[a.length + b.length];
            System.arraycopy(a, 0, ab, 0, a.length);
            System.arraycopy(b, 0, ab, a.length, b.length);
            assertThat(Crc32Koopman.combine(reference(a, 0, a.length), reference(b, 0, b.length), b.length))
                    .isEqualTo(reference(ab, 0, ab.length));
        }
    }

    @Test
    void rangeOutsideTheArrayIsRefused() {
        assertThatThrownBy(() -> Crc32Koopman.compute(new byte[10], 5, 6))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void wholeArrayOverloadEqualsRangeOverload() {
        byte[] data = new byte[37];
        new Random(3).nextBytes(data);
        assertThat(Crc32Koopman.compute(data)).isEqualTo(Crc32Koopman.compute(data, 0, data.length));
    }

    @Test
    void everySingleBitFlipChangesTheChecksum() {
        byte[] data = new byte[24];
        new Random(11).nextBytes(data);
        int original = Crc32Koopman.compute(data);
        for (int i = 0; i < data.length * 8; i++) {
            data[i / 8] ^= (byte) (1 << (i % 8));
            assertThat(Crc32Koopman.compute(data)).as("bit %d flipped", i).isNotEqualTo(original);
            data[i / 8] ^= (byte) (1 << (i % 8));
        }
        assertThat(Crc32Koopman.compute(data)).isEqualTo(original);
    }
}
