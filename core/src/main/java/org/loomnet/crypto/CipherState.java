package org.loomnet.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A Noise {@code CipherState} (specification section 5.1): a ChaCha20-Poly1305 key and a 64-bit
 * message counter used as the nonce. After a handshake, a {@link NoiseSession} holds two: one to
 * encrypt what this side sends, one to decrypt what it receives.
 *
 * <p>Every transport message is one Noise message of at most {@value #MAX_MESSAGE_LENGTH} bytes,
 * so a plaintext is at most {@value #MAX_PLAINTEXT_LENGTH} bytes; a transport splits anything
 * longer. The nonce is implicit: both sides count, so messages must be decrypted in the order
 * they were encrypted, each exactly once.
 *
 * <p>The range methods write into a caller's array so a transport can reuse one buffer per
 * direction; encrypting or decrypting in place (same array, same offset) is allowed.
 *
 * <p>Not thread-safe. A send state belongs to the connection's writer thread and a receive state
 * to its reader thread; the two share nothing.
 */
public final class CipherState {

    /** Bytes the Poly1305 tag adds to every message. */
    public static final int TAG_LENGTH = ChaChaPoly.TAG_LENGTH;
    /** The largest Noise message, tag included. */
    public static final int MAX_MESSAGE_LENGTH = 65535;
    /** The largest plaintext one message can carry. */
    public static final int MAX_PLAINTEXT_LENGTH = MAX_MESSAGE_LENGTH - TAG_LENGTH;

    /** 2^64 - 1 as an unsigned long: Noise reserves it (for rekey), so it never encrypts a message. */
    static final long RESERVED_NONCE = -1L;

    private static final byte[] NO_AD = new byte[0];

    private final ChaChaPoly aead = new ChaChaPoly();
    /** Reused for every message: 4 zero bytes, then the counter little-endian (section 12.3). */
    private final byte[] nonceBytes = new byte[ChaChaPoly.NONCE_LENGTH];
    /** {@code k}; null while the key is empty (early in a handshake). */
    private SecretKey key;
    /** {@code n}, an unsigned 64-bit counter. */
    private long nonce;

    CipherState() {
    }

    /** {@code InitializeKey(k)}: sets the key (null for empty) and resets the nonce to zero. */
    void initializeKey(byte[] rawKey) {
        key = rawKey == null ? null : ChaChaPoly.key(rawKey);
        nonce = 0;
    }

    /** {@code HasKey()}. */
    boolean hasKey() {
        return key != null;
    }

    /** {@code SetNonce(n)}: for tests and out-of-order schemes; never needed in order. */
    void setNonce(long n) {
        nonce = n;
    }

    /** @return the nonce the next message will use */
    long nonce() {
        return nonce;
    }

    /**
     * {@code EncryptWithAd(ad, plaintext)}: with an empty key the plaintext is copied as is, as
     * Noise does for the first handshake message.
     *
     * @return bytes written to {@code out}: {@code length}, plus the tag when keyed
     */
    int encryptWithAd(byte[] ad, byte[] in, int inOffset, int length, byte[] out, int outOffset)
            throws NoiseException {
        if (key == null) {
            System.arraycopy(in, inOffset, out, outOffset, length);
            return length;
        }
        checkNonceLeft();
        int written = aead.encrypt(key, nonceBytes(nonce), ad, in, inOffset, length, out, outOffset);
        nonce++;
        return written;
    }

    /**
     * {@code DecryptWithAd(ad, ciphertext)}. On a failed authentication the nonce is not
     * advanced, as the specification says.
     *
     * @return bytes written to {@code out}: {@code length}, less the tag when keyed
     */
    int decryptWithAd(byte[] ad, byte[] in, int inOffset, int length, byte[] out, int outOffset)
            throws NoiseException {
        if (key == null) {
            System.arraycopy(in, inOffset, out, outOffset, length);
            return length;
        }
        checkNonceLeft();
        int written = aead.decrypt(key, nonceBytes(nonce), ad, in, inOffset, length, out, outOffset);
        nonce++;
        return written;
    }

    /**
     * Encrypts one transport message.
     *
     * @param in        the plaintext array
     * @param inOffset  where the plaintext starts
     * @param length    plaintext bytes, at most {@value #MAX_PLAINTEXT_LENGTH}
     * @param out       receives {@code length + }{@value #TAG_LENGTH} bytes; may be {@code in}
     *                  when {@code outOffset == inOffset}
     * @param outOffset where the ciphertext goes
     * @return the number of bytes written, {@code length + }{@value #TAG_LENGTH}
     * @throws NoiseException            if the plaintext is too long or the nonces are used up
     * @throws IndexOutOfBoundsException if a range lies outside its array
     */
    public int encrypt(byte[] in, int inOffset, int length, byte[] out, int outOffset) throws NoiseException {
        requireKey();
        if (length > MAX_PLAINTEXT_LENGTH) {
            throw new NoiseException("plaintext of " + length + " bytes exceeds the Noise maximum of "
                    + MAX_PLAINTEXT_LENGTH + " per message");
        }
        return encryptWithAd(NO_AD, in, inOffset, length, out, outOffset);
    }

    /**
     * Encrypts one transport message into a new array.
     *
     * @param plaintext at most {@value #MAX_PLAINTEXT_LENGTH} bytes
     * @return the ciphertext and tag
     * @throws NoiseException if the plaintext is too long or the nonces are used up
     */
    public byte[] encrypt(byte[] plaintext) throws NoiseException {
        requireKey();
        if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
            throw new NoiseException("plaintext of " + plaintext.length
                    + " bytes exceeds the Noise maximum of " + MAX_PLAINTEXT_LENGTH + " per message");
        }
        byte[] out = new byte[plaintext.length + TAG_LENGTH];
        encryptWithAd(NO_AD, plaintext, 0, plaintext.length, out, 0);
        return out;
    }

    /**
     * Decrypts one transport message. On failure the nonce stays where it was, but the
     * connection should be dropped: the peer or the path is not to be trusted.
     *
     * @param in        the message array
     * @param inOffset  where the message starts
     * @param length    message bytes, tag included: from {@value #TAG_LENGTH} to
     *                  {@value #MAX_MESSAGE_LENGTH}
     * @param out       receives {@code length - }{@value #TAG_LENGTH} bytes; may be {@code in}
     *                  when {@code outOffset == inOffset}
     * @param outOffset where the plaintext goes
     * @return the number of plaintext bytes, {@code length - }{@value #TAG_LENGTH}
     * @throws NoiseException            if the length is out of range or the message does not
     *                                   authenticate
     * @throws IndexOutOfBoundsException if a range lies outside its array
     */
    public int decrypt(byte[] in, int inOffset, int length, byte[] out, int outOffset) throws NoiseException {
        requireKey();
        checkMessageLength(length);
        return decryptWithAd(NO_AD, in, inOffset, length, out, outOffset);
    }

    /**
     * Decrypts one transport message into a new array.
     *
     * @param message ciphertext and tag, {@value #TAG_LENGTH} to {@value #MAX_MESSAGE_LENGTH} bytes
     * @return the plaintext
     * @throws NoiseException if the length is out of range or the message does not authenticate
     */
    public byte[] decrypt(byte[] message) throws NoiseException {
        requireKey();
        checkMessageLength(message.length);
        byte[] out = new byte[message.length - TAG_LENGTH];
        decryptWithAd(NO_AD, message, 0, message.length, out, 0);
        return out;
    }

    /**
     * {@code Rekey()} (section 11.3): replaces the key with one derived from it, keeping the
     * nonce. Old traffic cannot be decrypted with the new key. Both sides must rekey at the same
     * point in the message stream; when is for the transport to agree on.
     *
     * @throws NoiseException if there is no key yet
     */
    public void rekey() throws NoiseException {
        requireKey();
        // REKEY(k) = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes).
        byte[] block = new byte[ChaChaPoly.KEY_LENGTH + TAG_LENGTH];
        aead.encrypt(key, nonceBytes(RESERVED_NONCE), NO_AD, block, 0, ChaChaPoly.KEY_LENGTH, block, 0);
        byte[] newKey = Arrays.copyOf(block, ChaChaPoly.KEY_LENGTH);
        key = ChaChaPoly.key(newKey);
        Arrays.fill(block, (byte) 0);
        Arrays.fill(newKey, (byte) 0);
    }

    private byte[] nonceBytes(long n) {
        for (int i = 0; i < 8; i++) {
            nonceBytes[4 + i] = (byte) (n >>> (8 * i));
        }
        return nonceBytes;
    }

    private void checkNonceLeft() throws NoiseException {
        if (nonce == RESERVED_NONCE) {
            throw new NoiseException("nonce exhausted: 2^64-1 messages under one key; reconnect");
        }
    }

    private void requireKey() throws NoiseException {
        if (key == null) {
            throw new NoiseException("no key yet: transport messages need a completed handshake");
        }
    }

    private static void checkMessageLength(int length) throws NoiseException {
        if (length < TAG_LENGTH || length > MAX_MESSAGE_LENGTH) {
            throw new NoiseException("transport message of " + length + " bytes: a Noise message is "
                    + TAG_LENGTH + " to " + MAX_MESSAGE_LENGTH + " bytes");
        }
    }

    @Override
    public String toString() {
        // Never the key.
        return "CipherState[" + (key == null ? "no key" : "keyed") + ", nonce=" + Long.toUnsignedString(nonce) + "]";
    }
}
