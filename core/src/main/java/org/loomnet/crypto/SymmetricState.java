package org.loomnet.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Noise {@code SymmetricState} (specification section 5.2): the chaining key {@code ck} that
 * accumulates every DH output, the handshake hash {@code h} that accumulates every byte sent, and
 * the {@link CipherState} that encrypts handshake payloads under the current key.
 *
 * <p>{@code MixKeyAndHash} is left out: only pre-shared-key patterns use it, and XX has none.
 */
final class SymmetricState {

    /** The two cipher states {@code Split()} returns, in the specification's order. */
    record Split(CipherState first, CipherState second) {
    }

    private final CipherState cipher = new CipherState();
    private byte[] chainingKey;
    private byte[] handshakeHash;

    /**
     * {@code InitializeSymmetric(protocol_name)}: a name of up to {@code HASHLEN} bytes is used
     * zero-padded, a longer one hashed; {@code ck} starts equal to {@code h}.
     */
    SymmetricState(String protocolName) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        handshakeHash = name.length <= Blake2b.HASH_LENGTH
                ? Arrays.copyOf(name, Blake2b.HASH_LENGTH)
                : Blake2b.hash(name);
        chainingKey = handshakeHash.clone();
        cipher.initializeKey(null);
    }

    /** {@code MixKey(ikm)}: a new chaining key, and a new cipher key from the 64-byte output cut to 32. */
    void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = Blake2b.hkdf(chainingKey, inputKeyMaterial, 2);
        Arrays.fill(chainingKey, (byte) 0);
        chainingKey = out[0];
        cipher.initializeKey(Arrays.copyOf(out[1], ChaChaPoly.KEY_LENGTH));
        Arrays.fill(out[1], (byte) 0);
    }

    /** {@code MixHash(data)} over a slice: {@code h = HASH(h || data)}. */
    void mixHash(byte[] data, int offset, int length) {
        handshakeHash = Blake2b.hash(handshakeHash, data, offset, length);
    }

    /** @return whether a key has been mixed in, so that payloads carry a tag */
    boolean hasKey() {
        return cipher.hasKey();
    }

    /** {@code GetHandshakeHash()}: a copy of {@code h}. */
    byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    /**
     * {@code EncryptAndHash(plaintext)}: encrypts with {@code h} as associated data, then mixes
     * the ciphertext (as written to {@code out}) into {@code h}.
     *
     * @return bytes written
     */
    int encryptAndHash(byte[] in, int inOffset, int length, byte[] out, int outOffset) throws NoiseException {
        int written = cipher.encryptWithAd(handshakeHash, in, inOffset, length, out, outOffset);
        mixHash(out, outOffset, written);
        return written;
    }

    /**
     * {@code DecryptAndHash(ciphertext)}: decrypts with {@code h} as associated data, then mixes
     * the ciphertext into {@code h}. {@code out} must not overlap the input, which is hashed
     * after decryption.
     *
     * @return bytes written
     */
    int decryptAndHash(byte[] in, int inOffset, int length, byte[] out, int outOffset) throws NoiseException {
        int written = cipher.decryptWithAd(handshakeHash, in, inOffset, length, out, outOffset);
        mixHash(in, inOffset, length);
        return written;
    }

    /** {@code Split()}: the two transport cipher states, keys cut from 64 to 32 bytes. */
    Split split() {
        byte[][] out = Blake2b.hkdf(chainingKey, new byte[0], 2);
        CipherState first = new CipherState();
        CipherState second = new CipherState();
        first.initializeKey(Arrays.copyOf(out[0], ChaChaPoly.KEY_LENGTH));
        second.initializeKey(Arrays.copyOf(out[1], ChaChaPoly.KEY_LENGTH));
        Arrays.fill(out[0], (byte) 0);
        Arrays.fill(out[1], (byte) 0);
        return new Split(first, second);
    }

    /** Forgets the chaining key once it has served; {@code h} is not secret and stays readable. */
    void destroy() {
        Arrays.fill(chainingKey, (byte) 0);
        cipher.initializeKey(null);
    }
}
