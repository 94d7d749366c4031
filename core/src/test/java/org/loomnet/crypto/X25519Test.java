package org.loomnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** X25519 against RFC 7748, and its refusal of low-order points. */
class X25519Test {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 7748 section 6.1.
    private static final byte[] ALICE_PRIVATE = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUBLIC = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_PRIVATE = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final byte[] BOB_PUBLIC = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] SHARED = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    @Test
    void publicKeysMatchRfc7748() {
        assertThat(X25519.publicKey(ALICE_PRIVATE)).isEqualTo(ALICE_PUBLIC);
        assertThat(X25519.publicKey(BOB_PRIVATE)).isEqualTo(BOB_PUBLIC);
    }

    @Test
    void publicKeyIsTheLadderOverTheBasePoint() throws Exception {
        // publicKey takes BouncyCastle's fixed-base path; it must give the bytes of DH(k, 9).
        byte[] nine = new byte[32];
        nine[0] = 9;
        for (int i = 0; i < 64; i++) {
            byte[] k = X25519.generatePrivateKey();
            assertThat(X25519.publicKey(k)).as("key %d", i).isEqualTo(X25519.dh(k, nine));
        }
    }

    @Test
    void sharedSecretMatchesRfc7748FromBothSides() throws Exception {
        assertThat(X25519.dh(ALICE_PRIVATE, BOB_PUBLIC)).isEqualTo(SHARED);
        assertThat(X25519.dh(BOB_PRIVATE, ALICE_PUBLIC)).isEqualTo(SHARED);
    }

    @Test
    void generatedKeysAgree() throws Exception {
        X25519.KeyPair a = X25519.KeyPair.generate();
        X25519.KeyPair b = X25519.KeyPair.generate();
        assertThat(a.privateKey()).isNotEqualTo(b.privateKey());
        assertThat(X25519.dh(a.privateKey(), b.publicKey())).isEqualTo(X25519.dh(b.privateKey(), a.publicKey()));
    }

    @Test
    void lowOrderPointsAreRefusedWithNoiseException() {
        // u = 0, u = 1 and a point of order 8 (from the list of curve25519 low-order points).
        String[] lowOrder = {
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        };
        for (String point : lowOrder) {
            assertThatThrownBy(() -> X25519.dh(ALICE_PRIVATE, HEX.parseHex(point)))
                    .as("u = %s", point)
                    .isInstanceOf(NoiseException.class)
                    .hasMessageContaining("low-order");
        }
    }

    @Test
    void decodingMasksTheTopBitAsRfc7748Says() throws Exception {
        byte[] withTopBit = BOB_PUBLIC.clone();
        withTopBit[31] |= (byte) 0x80;
        assertThat(X25519.dh(ALICE_PRIVATE, withTopBit)).isEqualTo(SHARED);
    }

    @Test
    void aNonCanonicalUIsTakenModuloP() throws Exception {
        // RFC 7748 section 5: u at or above p must be accepted as if reduced. p + 9 = 2^255 - 10.
        byte[] pPlus9 = new byte[32];
        java.util.Arrays.fill(pPlus9, (byte) 0xFF);
        pPlus9[0] = (byte) 0xF6;
        pPlus9[31] = 0x7F;
        assertThat(X25519.dh(ALICE_PRIVATE, pPlus9)).isEqualTo(X25519.publicKey(ALICE_PRIVATE));
    }

    @Test
    void wrongKeyLengthIsAnArgumentError() {
        assertThatThrownBy(() -> X25519.publicKey(new byte[31])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes, not 31");
    }
}
