package org.loomnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

/** The raw AEAD, with RFC 8439's own 12-byte nonce rather than Noise's counter layout. */
class ChaChaPolyTest {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 8439 section 2.8.2.
    private static final byte[] PLAINTEXT = ("Ladies and Gentlemen of the class of '99: If I could offer you only one "
            + "tip for the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AD = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
    private static final byte[] NONCE = HEX.parseHex("070000004041424344454647");
    private static final byte[] CIPHERTEXT = HEX.parseHex(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                    + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                    + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                    + "3ff4def08e4b7a9de576d26586cec64b6116");
    private static final byte[] TAG = HEX.parseHex("1ae10b594f09e26a7e902ecbd0600691");

    private static SecretKey rfcKey() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (0x80 + i);
        }
        return ChaChaPoly.key(key);
    }

    private static byte[] sealed() {
        byte[] sealed = Arrays.copyOf(CIPHERTEXT, CIPHERTEXT.length + TAG.length);
        System.arraycopy(TAG, 0, sealed, CIPHERTEXT.length, TAG.length);
        return sealed;
    }

    @Test
    void encryptionMatchesRfc8439Section282() throws Exception {
        byte[] out = new byte[PLAINTEXT.length + ChaChaPoly.TAG_LENGTH];
        int written = new ChaChaPoly().encrypt(rfcKey(), NONCE, AD, PLAINTEXT, 0, PLAINTEXT.length, out, 0);
        assertThat(written).isEqualTo(out.length);
        assertThat(out).isEqualTo(sealed());
    }

    @Test
    void decryptionMatchesRfc8439Section282() throws Exception {
        byte[] sealed = sealed();
        byte[] out = new byte[PLAINTEXT.length];
        int written = new ChaChaPoly().decrypt(rfcKey(), NONCE, AD, sealed, 0, sealed.length, out, 0);
        assertThat(written).isEqualTo(PLAINTEXT.length);
        assertThat(out).isEqualTo(PLAINTEXT);
    }

    @Test
    void offsetsOnBothSidesAreHonoured() throws Exception {
        byte[] in = new byte[5 + PLAINTEXT.length + 3];
        System.arraycopy(PLAINTEXT, 0, in, 5, PLAINTEXT.length);
        byte[] out = new byte[11 + PLAINTEXT.length + ChaChaPoly.TAG_LENGTH];
        new ChaChaPoly().encrypt(rfcKey(), NONCE, AD, in, 5, PLAINTEXT.length, out, 11);
        assertThat(Arrays.copyOfRange(out, 11, out.length)).isEqualTo(sealed());
        assertThat(Arrays.copyOf(out, 11)).containsOnly(0);
    }

    @Test
    void wrongAssociatedDataFailsWithNoiseException() {
        byte[] sealed = sealed();
        byte[] wrongAd = AD.clone();
        wrongAd[0] ^= 1;
        assertThatThrownBy(() -> new ChaChaPoly().decrypt(rfcKey(), NONCE, wrongAd, sealed, 0, sealed.length,
                new byte[PLAINTEXT.length], 0))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("authentication");
    }

    @Test
    void inputShorterThanATagFailsWithNoiseException() {
        assertThatThrownBy(() -> new ChaChaPoly().decrypt(rfcKey(), NONCE, AD, new byte[15], 0, 15, new byte[0], 0))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("shorter than the 16-byte tag");
    }

    @Test
    void encryptingTwiceUnderOneKeyAndNonceIsRefused() throws Exception {
        ChaChaPoly aead = new ChaChaPoly();
        byte[] out = new byte[PLAINTEXT.length + ChaChaPoly.TAG_LENGTH];
        aead.encrypt(rfcKey(), NONCE, AD, PLAINTEXT, 0, PLAINTEXT.length, out, 0);
        assertThatThrownBy(() -> aead.encrypt(rfcKey(), NONCE, AD, PLAINTEXT, 0, PLAINTEXT.length, out, 0))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("same key and nonce");
    }

    @Test
    void decryptingAgainUnderTheSameNonceWorksOnOneInstance() throws Exception {
        // The retry after a failed authentication: some JDKs refuse the repeated init.
        ChaChaPoly aead = new ChaChaPoly();
        byte[] sealed = sealed();
        byte[] tampered = sealed.clone();
        tampered[0] ^= 1;
        byte[] out = new byte[PLAINTEXT.length];
        assertThatThrownBy(() -> aead.decrypt(rfcKey(), NONCE, AD, tampered, 0, tampered.length, out, 0))
                .isInstanceOf(NoiseException.class);
        aead.decrypt(rfcKey(), NONCE, AD, sealed, 0, sealed.length, out, 0);
        aead.decrypt(rfcKey(), NONCE, AD, sealed, 0, sealed.length, out, 0);
        assertThat(out).isEqualTo(PLAINTEXT);
    }
}
