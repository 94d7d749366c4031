package org.loomnet.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * CRC-32 with the Koopman polynomial, as Factom's p2p protocol checksums its parcels
 * (Go's {@code crc32.Checksum(data, crc32.MakeTable(crc32.Koopman))}).
 *
 * <p>The JDK ships CRC-32 (IEEE) and CRC-32C (Castagnoli), both computed by dedicated CPU
 * instructions at tens of GB/s, but not Koopman, so it is computed here in plain Java.
 * Parameters: reflected polynomial {@code 0xEB31D82E}, initial value and final xor
 * {@code 0xFFFFFFFF}. Check value: {@code "123456789"} gives {@code 0x2D3DD0AE}.
 *
 * <h2>How it is made fast</h2>
 * <ol>
 *   <li><b>Slicing-by-8.</b> Eight 256-entry tables let one step consume eight bytes (read as one
 *       little-endian {@code long}) instead of one: {@link #step}.</li>
 *   <li><b>Four lanes.</b> Each step still waits for the previous one (the next table index
 *       depends on the CRC so far), so one lane leaves most of the CPU idle. Messages of
 *       {@value #LANE_THRESHOLD} bytes or more are cut into four equal lanes whose CRCs are
 *       computed in the same loop, independently, and then joined. This is the idea behind
 *       zlib's "braided" CRC (1.2.12).</li>
 *   <li><b>Joining</b> two CRCs uses the algebra of CRCs: the CRC of {@code A||B} is the CRC of
 *       {@code A} multiplied by x<sup>8·|B|</sup> modulo the polynomial, xor the CRC of
 *       {@code B} ({@link #combine}; zlib's {@code crc32_combine}).</li>
 * </ol>
 * On the benchmark machine (docs/benchmarks.md) this runs a 1 MiB payload at roughly twice the
 * speed of slicing-by-8 alone. The checksum is part of the wire format (docs/protocol.md §7), so
 * its value never depends on which path computed it; {@code Crc32KoopmanTest} checks every path
 * against the bit-by-bit definition.
 */
public final class Crc32Koopman {

    /** The Koopman polynomial, bit-reversed, as used by a right-shifting (LSB-first) CRC. */
    static final int POLY_REVERSED = 0xEB31D82E;

    /** Lengths from here on are computed in four lanes; below it the joins cost more than they save. */
    static final int LANE_THRESHOLD = 1024;

    /** Eight tables of 256 entries, flat: table k starts at {@code k * 256}. */
    private static final int[] TABLES = buildTables();

    /** {@code X_POW_2N[n]} = x<sup>2<sup>n</sup></sup> mod P: the squares that powers are built from. */
    private static final int[] X_POW_2N = buildPowers();

    private static final VarHandle LITTLE_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Crc32Koopman() {
    }

    /**
     * Computes the checksum of a byte range.
     *
     * @param data   the bytes
     * @param offset the first byte to include
     * @param length the number of bytes to include
     * @return the CRC-32 Koopman checksum as an unsigned 32-bit value in an {@code int}
     */
    public static int compute(byte[] data, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, data.length);
        if (length < LANE_THRESHOLD) {
            return ~update(0xFFFFFFFF, data, offset, offset + length);
        }
        // Lanes 0..2 are `lane` bytes each (a multiple of 8); lane 3 takes the rest.
        int lane = (length / 4) & ~7;
        int[] t = TABLES;
        int c0 = 0xFFFFFFFF;
        int c1 = 0xFFFFFFFF;
        int c2 = 0xFFFFFFFF;
        int c3 = 0xFFFFFFFF;
        int o1 = offset + lane;
        int o2 = o1 + lane;
        int o3 = o2 + lane;
        for (int j = 0; j < lane; j += 8) {
            c0 = step(c0, (long) LITTLE_ENDIAN_LONG.get(data, offset + j), t);
            c1 = step(c1, (long) LITTLE_ENDIAN_LONG.get(data, o1 + j), t);
            c2 = step(c2, (long) LITTLE_ENDIAN_LONG.get(data, o2 + j), t);
            c3 = step(c3, (long) LITTLE_ENDIAN_LONG.get(data, o3 + j), t);
        }
        int crc3 = ~update(c3, data, o3 + lane, offset + length); // lane 3 runs on to the end
        int crc = combine(~c0, ~c1, lane);
        crc = combine(crc, ~c2, lane);
        return combine(crc, crc3, length - 3 * lane);
    }

    /**
     * Computes the checksum of a whole array.
     *
     * @param data the bytes
     * @return the CRC-32 Koopman checksum
     */
    public static int compute(byte[] data) {
        return compute(data, 0, data.length);
    }

    /** Runs the CRC register over {@code b[from, to)}: eight bytes per step, then byte by byte. */
    private static int update(int crc, byte[] b, int from, int to) {
        int[] t = TABLES;
        int i = from;
        while (to - i >= 8) {
            crc = step(crc, (long) LITTLE_ENDIAN_LONG.get(b, i), t);
            i += 8;
        }
        while (i < to) {
            crc = (crc >>> 8) ^ t[(crc ^ b[i++]) & 0xFF];
        }
        return crc;
    }

    /** One slicing-by-8 step: the register after eight more bytes, given as a little-endian long. */
    private static int step(int crc, long eightBytes, int[] t) {
        int lo = crc ^ (int) eightBytes;
        int hi = (int) (eightBytes >>> 32);
        return t[7 * 256 + (lo & 0xFF)] ^ t[6 * 256 + ((lo >>> 8) & 0xFF)]
                ^ t[5 * 256 + ((lo >>> 16) & 0xFF)] ^ t[4 * 256 + (lo >>> 24)]
                ^ t[3 * 256 + (hi & 0xFF)] ^ t[2 * 256 + ((hi >>> 8) & 0xFF)]
                ^ t[256 + ((hi >>> 16) & 0xFF)] ^ t[hi >>> 24];
    }

    /**
     * Joins checksums: given {@code crcA} of A and {@code crcB} of B, returns the checksum of A
     * followed by B, where B is {@code lengthB} bytes long.
     */
    static int combine(int crcA, int crcB, long lengthB) {
        return multiply(xPow8n(lengthB), crcA) ^ crcB;
    }

    /**
     * Multiplies two polynomials modulo P, in the reflected representation (bit 31 is x^0).
     * Shift-and-add: for each bit of {@code a}, add {@code b}, and multiply {@code b} by x.
     */
    private static int multiply(int a, int b) {
        int m = 1 << 31;
        int product = 0;
        while (true) {
            if ((a & m) != 0) {
                product ^= b;
                if ((a & (m - 1)) == 0) {
                    return product;
                }
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY_REVERSED : b >>> 1;
        }
    }

    /** @return x<sup>8n</sup> mod P, by multiplying the squares for the bits of 8n */
    private static int xPow8n(long n) {
        int p = 1 << 31; // x^0
        int k = 3;       // 8n = n << 3
        while (n != 0) {
            if ((n & 1) != 0) {
                p = multiply(X_POW_2N[k], p);
            }
            n >>>= 1;
            k++;
        }
        return p;
    }

    private static int[] buildTables() {
        int[] t = new int[8 * 256];
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REVERSED : c >>> 1;
            }
            t[n] = c;
        }
        for (int n = 0; n < 256; n++) {
            for (int k = 1; k < 8; k++) {
                int previous = t[(k - 1) * 256 + n];
                t[k * 256 + n] = (previous >>> 8) ^ t[previous & 0xFF];
            }
        }
        return t;
    }

    private static int[] buildPowers() {
        int[] powers = new int[64]; // enough for 8n with any n below 2^60
        int p = 1 << 30; // x^1
        powers[0] = p;
        for (int n = 1; n < powers.length; n++) {
            powers[n] = p = multiply(p, p); // x^(2^n) mod P
        }
        return powers;
    }
}
