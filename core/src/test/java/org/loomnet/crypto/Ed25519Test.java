package org.loomnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Ed25519 against RFC 8032 section 7.1, and verification that never throws. */
class Ed25519Test {

    private static final HexFormat HEX = HexFormat.of();

    private record Vector(String seed, String publicKey, String message, String signature) {
    }

    private static final Vector TEST_1 = new Vector(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                    + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    private static final Vector TEST_2 = new Vector(
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                    + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    private static void checkVector(Vector vector) {
        Ed25519.SigningKey key = Ed25519.fromSeed(HEX.parseHex(vector.seed()));
        assertThat(HEX.formatHex(key.publicKey())).isEqualTo(vector.publicKey());
        assertThat(HEX.formatHex(key.seed())).isEqualTo(vector.seed());
        byte[] message = HEX.parseHex(vector.message());
        assertThat(HEX.formatHex(key.sign(message))).isEqualTo(vector.signature());
        assertThat(Ed25519.verify(HEX.parseHex(vector.publicKey()), message, HEX.parseHex(vector.signature()))).isTrue();
    }

    @Test
    void rfc8032Test1() {
        checkVector(TEST_1);
    }

    @Test
    void rfc8032Test2() {
        checkVector(TEST_2);
    }

    @Test
    void generatedKeysSignAndVerifyAndRoundTripThroughTheirSeed() {
        Ed25519.SigningKey key = Ed25519.generate();
        byte[] message = "announce 127.0.0.2:4000".getBytes(StandardCharsets.US_ASCII);
        byte[] signature = key.sign(message);
        assertThat(signature).hasSize(Ed25519.SIGNATURE_LENGTH);
        assertThat(Ed25519.verify(key.publicKey(), message, signature)).isTrue();

        Ed25519.SigningKey restored = Ed25519.fromSeed(key.seed());
        assertThat(restored.publicKey()).isEqualTo(key.publicKey());
        assertThat(restored.sign(message)).as("Ed25519 is deterministic").isEqualTo(signature);
        assertThat(Ed25519.generate().publicKey()).isNotEqualTo(key.publicKey());
    }

    @Test
    void changedMessageOrSignatureOrKeyDoesNotVerify() {
        byte[] publicKey = HEX.parseHex(TEST_2.publicKey());
        byte[] message = HEX.parseHex(TEST_2.message());
        byte[] signature = HEX.parseHex(TEST_2.signature());
        assertThat(Ed25519.verify(publicKey, new byte[] {0x73}, signature)).isFalse();
        for (int i = 0; i < signature.length; i++) {
            byte[] bent = signature.clone();
            bent[i] ^= 0x01;
            assertThat(Ed25519.verify(publicKey, message, bent)).as("signature byte %d", i).isFalse();
        }
        assertThat(Ed25519.verify(HEX.parseHex(TEST_1.publicKey()), message, signature)).isFalse();
    }

    @Test
    void malformedInputsAreFalseNotExceptions() {
        byte[] publicKey = HEX.parseHex(TEST_1.publicKey());
        byte[] signature = HEX.parseHex(TEST_1.signature());
        byte[] empty = new byte[0];
        assertThat(Ed25519.verify(new byte[31], empty, signature)).isFalse();
        assertThat(Ed25519.verify(publicKey, empty, new byte[63])).isFalse();
        assertThat(Ed25519.verify(publicKey, empty, new byte[65])).isFalse();
        assertThat(Ed25519.verify(null, empty, signature)).isFalse();
        assertThat(Ed25519.verify(publicKey, null, signature)).isFalse();
        assertThat(Ed25519.verify(publicKey, empty, null)).isFalse();
        assertThat(Ed25519.verify(publicKey, empty, new byte[64])).isFalse();
        byte[] allOnes = new byte[64];
        Arrays.fill(allOnes, (byte) 0xFF);
        assertThat(Ed25519.verify(publicKey, empty, allOnes)).as("S above the group order").isFalse();

        // y = p (non-canonical), and y = 2 (no x exists on the curve for it).
        byte[] nonCanonical = HEX.parseHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        assertThat(Ed25519.verify(nonCanonical, empty, signature)).isFalse();
        byte[] offCurve = new byte[32];
        offCurve[0] = 2;
        assertThat(Ed25519.verify(offCurve, empty, signature)).isFalse();
        byte[] allOnesKey = new byte[32];
        Arrays.fill(allOnesKey, (byte) 0xFF);
        assertThat(Ed25519.verify(allOnesKey, empty, signature)).isFalse();
    }

    @Test
    void signaturesAgreeWithTheJdksEdDsaProviderBothWays() throws Exception {
        // An independent implementation: the JDK's own Ed25519. Same seed, same public key
        // (checked through signatures each side verifies for the other).
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("Ed25519");
        byte[] message = "interop".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int round = 0; round < 5; round++) {
            java.security.KeyPair jdkPair = generator.generateKeyPair();
            byte[] seed = ((java.security.interfaces.EdECPrivateKey) jdkPair.getPrivate()).getBytes().orElseThrow();
            Ed25519.SigningKey ours = Ed25519.fromSeed(seed);

            java.security.Signature jdkVerifier = java.security.Signature.getInstance("Ed25519");
            jdkVerifier.initVerify(jdkPair.getPublic());
            jdkVerifier.update(message);
            assertThat(jdkVerifier.verify(ours.sign(message))).as("the JDK verifies our signature").isTrue();

            java.security.Signature jdkSigner = java.security.Signature.getInstance("Ed25519");
            jdkSigner.initSign(jdkPair.getPrivate());
            jdkSigner.update(message);
            assertThat(Ed25519.verify(ours.publicKey(), message, jdkSigner.sign())).as("we verify the JDK's").isTrue();
        }
    }

    @Test
    void wrongSeedLengthIsAnArgumentError() {
        assertThatThrownBy(() -> Ed25519.fromSeed(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }
}
