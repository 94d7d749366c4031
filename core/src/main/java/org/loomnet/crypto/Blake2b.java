package org.loomnet.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * The Noise hash functions instantiated with BLAKE2b-512: {@code HASH}, {@code HMAC-HASH} and
 * {@code HKDF} exactly as section 4.3 of the Noise specification defines them
 * ({@code HASHLEN} = 64, {@code BLOCKLEN} = 128).
 *
 * <p>BLAKE2b is the one primitive of the protocol the JDK lacks, so the digest comes from
 * BouncyCastle. HMAC is written out over the digest, as Noise defines it, rather than taken from
 * a library class: the definition is five lines, and this way the block length is visibly the
 * 128 bytes the specification names.
 *
 * <p>Stateless: every call uses a fresh digest, which costs nothing next to the X25519
 * operations of a handshake.
 */
final class Blake2b {

    /** {@code HASHLEN}: bytes of a hash output. */
    static final int HASH_LENGTH = 64;
    /** {@code BLOCKLEN}: the digest's internal block, the HMAC pad length. */
    static final int BLOCK_LENGTH = 128;

    private static final byte INNER_PAD = 0x36;
    private static final byte OUTER_PAD = 0x5c;

    private Blake2b() {
    }

    /** @return {@code HASH(data)} */
    static byte[] hash(byte[] data) {
        return hash(data, new byte[0], 0, 0);
    }

    /**
     * Hashes a prefix and then a slice, without joining them first: {@code MixHash} hashes
     * {@code h || data} where the data is a slice of a message buffer.
     *
     * @return {@code HASH(prefix || data[offset, offset + length))}
     */
    static byte[] hash(byte[] prefix, byte[] data, int offset, int length) {
        Blake2bDigest digest = new Blake2bDigest(HASH_LENGTH * 8);
        digest.update(prefix, 0, prefix.length);
        digest.update(data, offset, length);
        byte[] out = new byte[HASH_LENGTH];
        digest.doFinal(out, 0);
        return out;
    }

    /**
     * {@code HMAC-HASH(key, data)} per RFC 2104 with a 128-byte block.
     *
     * @param key   any length; longer than a block is hashed first, as RFC 2104 says
     * @param parts the message, given in pieces so HKDF need not concatenate
     * @return 64 bytes
     */
    static byte[] hmac(byte[] key, byte[]... parts) {
        byte[] block = new byte[BLOCK_LENGTH];
        byte[] shortKey = key.length > BLOCK_LENGTH ? hash(key) : key;
        System.arraycopy(shortKey, 0, block, 0, shortKey.length);

        Blake2bDigest inner = new Blake2bDigest(HASH_LENGTH * 8);
        xorPad(block, INNER_PAD);
        inner.update(block, 0, BLOCK_LENGTH);
        for (byte[] part : parts) {
            inner.update(part, 0, part.length);
        }
        byte[] innerHash = new byte[HASH_LENGTH];
        inner.doFinal(innerHash, 0);

        Blake2bDigest outer = new Blake2bDigest(HASH_LENGTH * 8);
        // Undo the inner pad and apply the outer one in a single pass: k ^ ipad ^ (ipad ^ opad).
        xorPad(block, (byte) (INNER_PAD ^ OUTER_PAD));
        outer.update(block, 0, BLOCK_LENGTH);
        outer.update(innerHash, 0, HASH_LENGTH);
        byte[] out = new byte[HASH_LENGTH];
        outer.doFinal(out, 0);

        // The padded block is key material; the chaining key it came from is secret.
        Arrays.fill(block, (byte) 0);
        return out;
    }

    /**
     * Noise's {@code HKDF(chaining_key, input_key_material, num_outputs)}.
     *
     * @param chainingKey        {@code ck}, 64 bytes
     * @param inputKeyMaterial   a DH output, or empty (as in {@code Split})
     * @param outputs            2 or 3
     * @return {@code outputs} arrays of 64 bytes each
     */
    static byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial, int outputs) {
        if (outputs != 2 && outputs != 3) {
            throw new IllegalArgumentException("Noise HKDF yields 2 or 3 outputs, not " + outputs);
        }
        byte[] tempKey = hmac(chainingKey, inputKeyMaterial);
        byte[][] out = new byte[outputs][];
        out[0] = hmac(tempKey, new byte[] {1});
        for (int i = 1; i < outputs; i++) {
            out[i] = hmac(tempKey, out[i - 1], new byte[] {(byte) (i + 1)});
        }
        Arrays.fill(tempKey, (byte) 0);
        return out;
    }

    private static void xorPad(byte[] block, byte pad) {
        for (int i = 0; i < block.length; i++) {
            block[i] ^= pad;
        }
    }
}
