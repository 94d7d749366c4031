package org.loomnet.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Ed25519 signatures (RFC 8032) on raw byte strings, over the JDK's {@code EdDSA} provider: a
 * 32-byte seed as the private key, a 32-byte public key, 64-byte signatures.
 *
 * <p>The JDK models a public key as an {@link EdECPoint} (the y coordinate and the parity of x);
 * on the wire it is RFC 8032's 32 bytes, y little-endian with x's parity in the top bit. This
 * class converts between the two so that no caller needs to.
 */
public final class Ed25519 {

    /** Bytes of a seed (the private key). */
    public static final int SEED_LENGTH = 32;
    /** Bytes of an encoded public key. */
    public static final int PUBLIC_KEY_LENGTH = 32;
    /** Bytes of a signature. */
    public static final int SIGNATURE_LENGTH = 64;

    private static final String ALGORITHM = "Ed25519";
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));

    private Ed25519() {
    }

    /**
     * A private key and its public key: what a node signs with. Immutable and safe to share
     * between threads (each signature uses its own {@link Signature} object).
     */
    public static final class SigningKey {

        private final byte[] seed;
        private final byte[] publicKey;
        private final PrivateKey privateKey;

        private SigningKey(byte[] seed, byte[] publicKey, PrivateKey privateKey) {
            this.seed = seed;
            this.publicKey = publicKey;
            this.privateKey = privateKey;
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
            try {
                Signature signer = Signature.getInstance(ALGORITHM);
                signer.initSign(privateKey);
                signer.update(message);
                return signer.sign();
            } catch (GeneralSecurityException e) {
                // The key was built and checked by this class; a failure is the platform's.
                throw new IllegalStateException("Ed25519 signing failed", e);
            }
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
        return fromKeyPair(generator(new SecureRandom()).generateKeyPair());
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
        // The JDK has no public "derive the public key from a seed", but its key pair generator
        // derives the public key from the 32 bytes it draws. Hand it a source that yields the
        // seed, then check the private key it made is that seed, so a change in how a future
        // JDK draws would fail loudly rather than give a wrong key.
        SigningKey key = fromKeyPair(generator(new SeedReplay(seed)).generateKeyPair());
        if (!Arrays.equals(key.seed, seed)) {
            throw new IllegalStateException("the JDK's Ed25519 key generator did not use the seed as its private key");
        }
        return key;
    }

    /**
     * Checks a signature. Malformed input (wrong lengths, a public key that is not a curve point
     * or not canonically encoded, a garbled signature) is simply not a valid signature.
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
        EdECPoint point = decodePoint(publicKey);
        if (point == null) {
            return false;
        }
        try {
            PublicKey key = KeyFactory.getInstance(ALGORITHM)
                    .generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            // A key off the curve or a signature that does not decode: invalid, not an error.
            return false;
        }
    }

    /** RFC 8032 section 5.1.2: y little-endian, x's parity in bit 255. */
    static byte[] encodePoint(EdECPoint point) {
        byte[] bigEndian = point.getY().toByteArray();
        byte[] out = new byte[PUBLIC_KEY_LENGTH];
        // toByteArray() may carry a leading sign byte or be shorter than 32: copy from the end.
        for (int i = 0; i < PUBLIC_KEY_LENGTH && i < bigEndian.length; i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        if (point.isXOdd()) {
            out[PUBLIC_KEY_LENGTH - 1] |= (byte) 0x80;
        }
        return out;
    }

    /**
     * The inverse of {@link #encodePoint}; null for a y at or above p, which RFC 8032 section
     * 5.1.3 says to reject. Whether x exists for y is left to the JDK.
     */
    static EdECPoint decodePoint(byte[] encoded) {
        boolean xOdd = (encoded[PUBLIC_KEY_LENGTH - 1] & 0x80) != 0;
        byte[] bigEndian = new byte[PUBLIC_KEY_LENGTH];
        for (int i = 0; i < PUBLIC_KEY_LENGTH; i++) {
            bigEndian[i] = encoded[PUBLIC_KEY_LENGTH - 1 - i];
        }
        bigEndian[0] &= 0x7F;
        BigInteger y = new BigInteger(1, bigEndian);
        return y.compareTo(P) >= 0 ? null : new EdECPoint(xOdd, y);
    }

    private static SigningKey fromKeyPair(KeyPair pair) {
        byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes()
                .orElseThrow(() -> new IllegalStateException("the JDK hid the Ed25519 private key bytes"));
        byte[] publicKey = encodePoint(((EdECPublicKey) pair.getPublic()).getPoint());
        return new SigningKey(seed, publicKey, pair.getPrivate());
    }

    private static KeyPairGenerator generator(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, random);
            return generator;
        } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /**
     * A "random" source that yields one given seed, once: the way to make the JDK's generator
     * derive the public key of a known seed. Any other use is refused.
     */
    private static final class SeedReplay extends SecureRandom {

        private byte[] seed;

        SeedReplay(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (seed == null || bytes.length != seed.length) {
                throw new IllegalStateException("the Ed25519 generator asked for "
                        + bytes.length + " bytes; only one " + SEED_LENGTH + "-byte seed is on offer");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
            Arrays.fill(seed, (byte) 0);
            seed = null;
        }
    }
}
