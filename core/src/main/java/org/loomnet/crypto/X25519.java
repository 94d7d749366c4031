package org.loomnet.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 Diffie-Hellman (RFC 7748) on raw 32-byte keys, over the JDK's {@code XDH} provider:
 * the Noise {@code 25519} DH functions.
 *
 * <p>Keys travel as RFC 7748 byte strings. A private key is 32 random bytes; the JDK clamps it
 * when it uses it, so it is stored unclamped, as the Noise test vectors give it. A public key is
 * the little-endian u-coordinate; the JDK wants a {@link BigInteger}, so {@link #decodeU} does
 * the conversion RFC 7748 section 5 asks for.
 *
 * <p>A node's static key for the handshake comes from {@link #generatePrivateKey()}; its public
 * half, the node's identity on the wire, from {@link #publicKey(byte[])}.
 */
public final class X25519 {

    /** Bytes of a private key, a public key and a DH output. */
    public static final int KEY_LENGTH = 32;

    /** u = 9, the generator of the prime-order subgroup. */
    private static final byte[] BASE_POINT = basePoint();
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
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
        try {
            return dh(privateKey, BASE_POINT);
        } catch (NoiseException e) {
            // A clamped scalar is 8m with 0 < m < 2^252, below the base point's prime order, so
            // scalar * basepoint is never the identity: this cannot happen.
            throw new IllegalStateException("X25519 of the base point failed", e);
        }
    }

    /**
     * {@code DH(privateKey, publicKey)}: the 32-byte shared secret.
     *
     * @throws NoiseException if the public key is a low-order point (the output would be all
     *                        zeros, a secret an attacker knows) or the JDK rejects it
     */
    static byte[] dh(byte[] privateKey, byte[] publicKey) throws NoiseException {
        checkLength("private key", privateKey);
        checkLength("public key", publicKey);
        byte[] shared;
        try {
            KeyFactory factory = KeyFactory.getInstance("X25519");
            PrivateKey ours = factory.generatePrivate(
                    new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.clone()));
            PublicKey theirs = factory.generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(publicKey)));
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(ours);
            agreement.doPhase(theirs, true);
            shared = agreement.generateSecret();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no X25519", e);
        } catch (GeneralSecurityException e) {
            // The JDK itself refuses an all-zero result ("Point has small order").
            throw new NoiseException("X25519 rejected the peer's public key (low-order point?): "
                    + e.getMessage(), e);
        }
        if (isAllZero(shared)) {
            // Belt and braces in case a provider does not check: RFC 7748 section 6.1.
            throw new NoiseException("X25519 output is all zeros: the peer sent a low-order point");
        }
        return shared;
    }

    /**
     * RFC 7748 {@code decodeUCoordinate}: little-endian, the top bit masked off. Values at or
     * above p are reduced, which RFC 7748 says to accept as if reduced.
     */
    static BigInteger decodeU(byte[] encoded) {
        byte[] bigEndian = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i++) {
            bigEndian[i] = encoded[KEY_LENGTH - 1 - i];
        }
        bigEndian[0] &= 0x7F;
        return new BigInteger(1, bigEndian).mod(P);
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

    private static byte[] basePoint() {
        byte[] u = new byte[KEY_LENGTH];
        u[0] = 9;
        return u;
    }
}
