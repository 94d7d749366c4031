package org.loomnet.crypto;

import java.security.SecureRandom;

/**
 * X25519 Diffie-Hellman (RFC 7748) on raw 32-byte keys: the Noise {@code 25519} DH functions.
 *
 * <p>Keys travel as RFC 7748 byte strings. A private key is 32 random bytes, clamped when it is
 * used, so it is stored unclamped, as the Noise test vectors give it. A public key is the
 * little-endian u-coordinate. The arithmetic is BouncyCastle's RFC 7748 code
 * ({@code org.bouncycastle.math.ec.rfc7748.X25519}), which works on these byte strings directly;
 * an earlier version used the JDK's {@code XDH} provider, about 2.5 times slower per DH on the
 * benchmark machine (217 µs against 82 µs), and a handshake does four.
 *
 * <p>A node's static key for the handshake comes from {@link #generatePrivateKey()}; its public
 * half, the node's identity on the wire, from {@link #publicKey(byte[])}.
 */
public final class X25519 {

    /** Bytes of a private key, a public key and a DH output. */
    public static final int KEY_LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private X25519() {
    }

    /**
     * A key pair as raw bytes. Package-private and not defensively copied: only the handshake,
     * which never hands the arrays out, holds one.
     */
    record KeyPair(byte[] privateKey, byte[] publicKey) {

        /** Derives the public half. */
        static KeyPair fromPrivate(byte[] privateKey) {
            return new KeyPair(privateKey.clone(), X25519.publicKey(privateKey));
        }

        /** A fresh key pair from 32 {@link SecureRandom} bytes. */
        static KeyPair generate() {
            return fromPrivate(generatePrivateKey());
        }
    }

    /**
     * Creates a private key.
     *
     * @return 32 bytes from {@link SecureRandom}
     */
    public static byte[] generatePrivateKey() {
        byte[] key = new byte[KEY_LENGTH];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * Derives the public key of a private key, {@code DH(private, 9)}.
     *
     * @param privateKey 32 bytes
     * @return the 32-byte public key
     * @throws IllegalArgumentException if the key is not 32 bytes
     */
    public static byte[] publicKey(byte[] privateKey) {
        checkLength("private key", privateKey);
        byte[] publicKey = new byte[KEY_LENGTH];
        // BouncyCastle's fixed-base multiplication (precomputed tables on the Edwards curve) gives
        // the same bytes as dh(privateKey, 9) in about a quarter of the time; every handshake makes
        // an ephemeral key. A clamped scalar is 8m with 0 < m < 2^252, below the base point's
        // prime order, so the result is never the all-zero identity.
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(privateKey, 0, publicKey, 0);
        return publicKey;
    }

    /**
     * {@code DH(privateKey, publicKey)}: the 32-byte shared secret.
     *
     * @throws NoiseException if the public key is a low-order point (the output would be all
     *                        zeros, a secret an attacker knows: RFC 7748 section 6.1)
     */
    static byte[] dh(byte[] privateKey, byte[] publicKey) throws NoiseException {
        checkLength("private key", privateKey);
        checkLength("public key", publicKey);
        byte[] shared = new byte[KEY_LENGTH];
        // Clamps the scalar and masks the top bit of u itself, as RFC 7748 section 5 says.
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(privateKey, 0, publicKey, 0, shared, 0);
        if (isAllZero(shared)) {
            throw new NoiseException("X25519 output is all zeros: the peer sent a low-order point");
        }
        return shared;
    }

    /** Examines every byte whatever it finds, so the time taken says nothing about the secret. */
    private static boolean isAllZero(byte[] bytes) {
        int acc = 0;
        for (byte b : bytes) {
            acc |= b;
        }
        return acc == 0;
    }

    private static void checkLength(String what, byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an X25519 " + what + " is " + KEY_LENGTH
                    + " bytes, not " + key.length);
        }
    }
}
