package org.loomnet.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ChaCha20-Poly1305 AEAD of RFC 8439 (32-byte key, 12-byte nonce, 16-byte tag) over one
 * reusable JDK {@link Cipher}. It knows nothing of Noise's nonce layout: {@link CipherState}
 * builds the nonce.
 *
 * <p>Why the JDK and not BouncyCastle: on 64 KiB messages, one init per message as a transport
 * does, JDK 25's provider ran at 1,800-2,600 MB/s each way and BouncyCastle 1.79's
 * {@code ChaCha20Poly1305} at 130-165 MB/s encrypting and 80-130 MB/s decrypting, in the same runs
 * on the same loaded 2-core AVX-512 machine (a throwaway program, three 2-second rounds per
 * case). HotSpot has had ChaCha20 and Poly1305 intrinsics since JDK 20. On JDK 17, without them,
 * the JDK was still ahead: 210-260 MB/s against 95-145.
 *
 * <p>Two JDK rules shape the code. The provider refuses to initialise for encryption with the
 * key and nonce of its previous initialisation: that protects against nonce reuse and is reported
 * as such. Some JDK releases (17, for one) refuse the same for decryption, which a legitimate
 * retry after a failed authentication does; see {@link #initForDecryption}.
 *
 * <p>Not thread-safe: one instance per {@link CipherState}, used by the thread that owns it.
 */
final class ChaChaPoly {

    static final int KEY_LENGTH = 32;
    static final int NONCE_LENGTH = 12;
    static final int TAG_LENGTH = 16;

    private static final String TRANSFORMATION = "ChaCha20-Poly1305";
    private static final String KEY_ALGORITHM = "ChaCha20";

    private final Cipher cipher;

    ChaChaPoly() {
        try {
            cipher = Cipher.getInstance(TRANSFORMATION);
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            // Every JDK since 11 ships it in SunJCE; missing means a stripped runtime, not a peer's fault.
            throw new IllegalStateException("this JDK has no " + TRANSFORMATION, e);
        }
    }

    /** Wraps 32 raw key bytes for the provider; the spec copies them. */
    static SecretKey key(byte[] raw) {
        if (raw.length != KEY_LENGTH) {
            throw new IllegalArgumentException("a ChaCha20 key is " + KEY_LENGTH + " bytes, not " + raw.length);
        }
        return new SecretKeySpec(raw, KEY_ALGORITHM);
    }

    /**
     * Encrypts {@code in[inOffset, inOffset + length)} into {@code out} at {@code outOffset}:
     * {@code length} bytes of ciphertext followed by the 16-byte tag. Input and output may be the
     * same array at the same offset.
     *
     * @return the number of bytes written, {@code length + 16}
     * @throws NoiseException if the provider refuses, which in practice means a reused nonce
     */
    int encrypt(SecretKey key, byte[] nonce, byte[] ad,
                byte[] in, int inOffset, int length, byte[] out, int outOffset) throws NoiseException {
        Objects.checkFromIndexSize(inOffset, length, in.length);
        Objects.checkFromIndexSize(outOffset, length + TAG_LENGTH, out.length);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
        } catch (InvalidKeyException e) {
            throw new NoiseException("refused to encrypt twice with the same key and nonce", e);
        } catch (GeneralSecurityException e) {
            throw new NoiseException("cannot initialise " + TRANSFORMATION + ": " + e.getMessage(), e);
        }
        try {
            if (ad.length > 0) {
                cipher.updateAAD(ad);
            }
            return cipher.doFinal(in, inOffset, length, out, outOffset);
        } catch (GeneralSecurityException e) {
            throw new NoiseException(TRANSFORMATION + " encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the tag of {@code in[inOffset, inOffset + length)} and writes the plaintext,
     * {@code length - 16} bytes, into {@code out} at {@code outOffset}. Input and output may be
     * the same array at the same offset. After a failure the output range holds unspecified
     * bytes.
     *
     * @return the number of bytes written, {@code length - 16}
     * @throws NoiseException if the input is shorter than a tag or does not authenticate
     */
    int decrypt(SecretKey key, byte[] nonce, byte[] ad,
                byte[] in, int inOffset, int length, byte[] out, int outOffset) throws NoiseException {
        Objects.checkFromIndexSize(inOffset, length, in.length);
        if (length < TAG_LENGTH) {
            throw new NoiseException("ciphertext of " + length + " bytes is shorter than the "
                    + TAG_LENGTH + "-byte tag");
        }
        Objects.checkFromIndexSize(outOffset, length - TAG_LENGTH, out.length);
        initForDecryption(key, nonce);
        try {
            if (ad.length > 0) {
                cipher.updateAAD(ad);
            }
            return cipher.doFinal(in, inOffset, length, out, outOffset);
        } catch (AEADBadTagException e) {
            throw new NoiseException("message failed authentication (tampered, truncated or wrong key)", e);
        } catch (GeneralSecurityException e) {
            throw new NoiseException(TRANSFORMATION + " decryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * After a failed authentication Noise leaves the nonce where it was, so the next decryption
     * uses the same key and nonce again. JDK 17's provider refuses that even for decryption
     * (JDK 25's does not). Decrypting twice under one nonce reveals nothing, so when refused we
     * step aside with a throwaway nonce and initialise again.
     */
    private void initForDecryption(SecretKey key, byte[] nonce) throws NoiseException {
        try {
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
            } catch (InvalidKeyException refusedRepeat) {
                byte[] other = nonce.clone();
                other[0] ^= (byte) 0xFF;
                cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(other));
                cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
            }
        } catch (GeneralSecurityException e) {
            throw new NoiseException("cannot initialise " + TRANSFORMATION + ": " + e.getMessage(), e);
        }
    }
}
