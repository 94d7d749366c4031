package org.loomnet.crypto;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Ed25519 signatures (RFC 8032) on raw byte strings: a 32-byte seed as the private key, a 32-byte
 * public key, 64-byte signatures.
 *
 * <p>The arithmetic is BouncyCastle's RFC 8032 implementation
 * ({@code org.bouncycastle.math.ec.rfc8032.Ed25519}), which works on these byte strings directly.
 * An earlier version used the JDK's {@code EdDSA} provider; on the benchmark machine it took about
 * 1 ms per signature and per verification against BouncyCastle's 0.1 ms, and every handshake signs
 * and verifies an identity proof, and every gossip hop verifies a signature (docs/benchmarks.md).
 */
public final class Ed25519 {

    /** Bytes of a seed (the private key). */
    public static final int SEED_LENGTH = 32;
    /** Bytes of an encoded public key. */
    public static final int PUBLIC_KEY_LENGTH = 32;
    /** Bytes of a signature. */
    public static final int SIGNATURE_LENGTH = 64;

    private Ed25519() {
    }

    /**
     * A private key and its public key: what a node signs with. Immutable and safe to share
     * between threads.
     */
    public static final class SigningKey {

        private final byte[] seed;
        private final byte[] publicKey;

        private SigningKey(byte[] seed, byte[] publicKey) {
            this.seed = seed;
            this.publicKey = publicKey;
        }

        /** @return a copy of the 32-byte public key, to publish */
        public byte[] publicKey() {
            return publicKey.clone();
        }

        /** @return a copy of the 32-byte seed, to store; whoever has it can sign */
        public byte[] seed() {
            return seed.clone();
        }

        /**
         * Signs a message. Ed25519 is deterministic: the same key and message always give the
         * same signature.
         *
         * @param message any bytes
         * @return the 64-byte signature
         */
        public byte[] sign(byte[] message) {
            Objects.requireNonNull(message, "message");
            byte[] signature = new byte[SIGNATURE_LENGTH];
            org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length,
                    signature, 0);
            return signature;
        }

        @Override
        public String toString() {
            return "Ed25519.SigningKey[public " + HexFormat.of().formatHex(publicKey) + "]";
        }
    }

    /**
     * Creates a new key from {@link SecureRandom}.
     *
     * @return the key
     */
    public static SigningKey generate() {
        byte[] seed = new byte[SEED_LENGTH];
        new SecureRandom().nextBytes(seed);
        return fromSeed(seed);
    }

    /**
     * Rebuilds a key from its seed, as stored earlier or given by a test vector.
     *
     * @param seed 32 bytes
     * @return the key, with its public key derived
     * @throws IllegalArgumentException if the seed is not 32 bytes
     */
    public static SigningKey fromSeed(byte[] seed) {
        if (seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 seed is " + SEED_LENGTH + " bytes, not " + seed.length);
        }
        byte[] publicKey = new byte[PUBLIC_KEY_LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, publicKey, 0);
        return new SigningKey(seed.clone(), publicKey);
    }

    /**
     * Checks a signature. Malformed input (wrong lengths, a public key that is not a curve point
     * or not canonically encoded, a garbled signature, an S not below the group order) is simply
     * not a valid signature.
     *
     * @param publicKey 32-byte RFC 8032 public key
     * @param message   the signed bytes
     * @param signature 64 bytes
     * @return true only if the signature is valid for this key and message
     */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || message == null || signature == null
                || publicKey.length != PUBLIC_KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, 0,
                    message.length);
        } catch (RuntimeException e) {
            return false; // an encoding the library refuses outright: not a valid signature either
        }
    }
}
