package org.loomnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Noise's cipher state: nonce layout and counting, limits, tampering, rekey, in-place use. */
class CipherStateTest {

    private static final byte[] KEY = randomBytes(32, 42);

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static CipherState keyed() {
        CipherState state = new CipherState();
        state.initializeKey(KEY.clone());
        return state;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roundTripAdvancesBothNonces() throws Exception {
        CipherState sender = keyed();
        CipherState receiver = keyed();
        for (int i = 0; i < 5; i++) {
            byte[] message = sender.encrypt(text("hello " + i));
            assertThat(message).hasSize(text("hello " + i).length + CipherState.TAG_LENGTH);
            assertThat(receiver.decrypt(message)).isEqualTo(text("hello " + i));
        }
        assertThat(sender.nonce()).isEqualTo(5);
        assertThat(receiver.nonce()).isEqualTo(5);
    }

    @Test
    void nonceIsFourZeroBytesThenTheCounterLittleEndian() throws Exception {
        long counter = 0x0102030405060708L;
        CipherState state = keyed();
        state.setNonce(counter);
        byte[] plaintext = text("nonce layout");
        byte[] viaState = state.encrypt(plaintext);

        byte[] rawNonce = {0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1};
        byte[] viaRaw = new byte[plaintext.length + CipherState.TAG_LENGTH];
        new ChaChaPoly().encrypt(ChaChaPoly.key(KEY), rawNonce, new byte[0], plaintext, 0, plaintext.length, viaRaw, 0);
        assertThat(viaState).isEqualTo(viaRaw);
    }

    @Test
    void everyTamperedByteFailsWithNoiseExceptionAndTheGenuineMessageStillDecrypts() throws Exception {
        CipherState sender = keyed();
        byte[] message = sender.encrypt(text("attack at dawn"));
        CipherState receiver = keyed();
        for (int i = 0; i < message.length; i++) {
            byte[] tampered = message.clone();
            tampered[i] ^= 0x01;
            assertThatThrownBy(() -> receiver.decrypt(tampered))
                    .as("byte %d flipped", i)
                    .isInstanceOf(NoiseException.class)
                    .hasMessageContaining("authentication");
        }
        // A failure leaves the nonce alone (Noise section 5.1), so the real message is still next.
        assertThat(receiver.nonce()).isZero();
        assertThat(receiver.decrypt(message)).isEqualTo(text("attack at dawn"));
        assertThat(receiver.nonce()).isEqualTo(1);
    }

    @Test
    void replayedMessageFailsBecauseTheNonceMovedOn() throws Exception {
        CipherState sender = keyed();
        CipherState receiver = keyed();
        byte[] message = sender.encrypt(text("once"));
        receiver.decrypt(message);
        assertThatThrownBy(() -> receiver.decrypt(message)).isInstanceOf(NoiseException.class);
    }

    @Test
    void theReservedNonceIsNeverUsed() throws Exception {
        CipherState state = keyed();
        state.setNonce(-2L); // 2^64 - 2: the last usable nonce
        state.encrypt(text("last"));
        assertThat(state.nonce()).isEqualTo(CipherState.RESERVED_NONCE);
        assertThatThrownBy(() -> state.encrypt(text("one too many")))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("nonce exhausted");
        CipherState receiver = keyed();
        receiver.setNonce(CipherState.RESERVED_NONCE);
        assertThatThrownBy(() -> receiver.decrypt(new byte[32])).isInstanceOf(NoiseException.class)
                .hasMessageContaining("nonce exhausted");
    }

    @Test
    void withoutAKeyHandshakeEncryptionIsTheIdentityButTransportUseIsRefused() throws Exception {
        CipherState empty = new CipherState();
        byte[] in = text("clear");
        byte[] out = new byte[in.length];
        assertThat(empty.encryptWithAd(new byte[0], in, 0, in.length, out, 0)).isEqualTo(in.length);
        assertThat(out).isEqualTo(in);
        assertThat(empty.nonce()).isZero();
        assertThatThrownBy(() -> empty.encrypt(in)).isInstanceOf(NoiseException.class).hasMessageContaining("no key");
        assertThatThrownBy(() -> empty.decrypt(new byte[20])).isInstanceOf(NoiseException.class);
    }

    @Test
    void lengthsOutsideANoiseMessageAreRefusedBeforeAnyWork() throws Exception {
        CipherState state = keyed();
        assertThatThrownBy(() -> state.encrypt(new byte[CipherState.MAX_PLAINTEXT_LENGTH + 1]))
                .isInstanceOf(NoiseException.class).hasMessageContaining("65519");
        assertThatThrownBy(() -> state.decrypt(new byte[CipherState.TAG_LENGTH - 1]))
                .isInstanceOf(NoiseException.class).hasMessageContaining("15 bytes");
        assertThatThrownBy(() -> state.decrypt(new byte[CipherState.MAX_MESSAGE_LENGTH + 1]))
                .isInstanceOf(NoiseException.class).hasMessageContaining("65536 bytes");
        assertThat(state.nonce()).as("refusals consume no nonce").isZero();
    }

    @Test
    void theLargestMessageRoundTripsThroughOffsets() throws Exception {
        byte[] plaintext = randomBytes(CipherState.MAX_PLAINTEXT_LENGTH, 1);
        byte[] in = new byte[3 + plaintext.length];
        System.arraycopy(plaintext, 0, in, 3, plaintext.length);
        byte[] wire = new byte[9 + CipherState.MAX_MESSAGE_LENGTH];
        assertThat(keyed().encrypt(in, 3, plaintext.length, wire, 9)).isEqualTo(CipherState.MAX_MESSAGE_LENGTH);
        byte[] back = new byte[5 + plaintext.length];
        assertThat(keyed().decrypt(wire, 9, CipherState.MAX_MESSAGE_LENGTH, back, 5)).isEqualTo(plaintext.length);
        assertThat(Arrays.copyOfRange(back, 5, back.length)).isEqualTo(plaintext);
    }

    @Test
    void encryptAndDecryptInPlace() throws Exception {
        byte[] plaintext = text("in place, no copies");
        byte[] buffer = new byte[4 + plaintext.length + CipherState.TAG_LENGTH];
        System.arraycopy(plaintext, 0, buffer, 4, plaintext.length);
        int sealed = keyed().encrypt(buffer, 4, plaintext.length, buffer, 4);
        assertThat(Arrays.copyOfRange(buffer, 4, 4 + plaintext.length)).isNotEqualTo(plaintext);
        int opened = keyed().decrypt(buffer, 4, sealed, buffer, 4);
        assertThat(Arrays.copyOfRange(buffer, 4, 4 + opened)).isEqualTo(plaintext);
    }

    @Test
    void rangesOutsideTheArraysAreProgrammingErrors() {
        assertThatThrownBy(() -> keyed().encrypt(new byte[10], 5, 10, new byte[100], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> keyed().encrypt(new byte[10], 0, 10, new byte[25], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void rekeyDerivesTheKeyFromTheReservedNonceAndKeepsTheCounter() throws Exception {
        CipherState sender = keyed();
        CipherState receiver = keyed();
        receiver.decrypt(sender.encrypt(text("before")));
        sender.rekey();
        receiver.rekey();
        assertThat(sender.nonce()).isEqualTo(1);
        byte[] after = sender.encrypt(text("after"));
        assertThat(receiver.decrypt(after)).isEqualTo(text("after"));

        // REKEY(k) = ENCRYPT(k, 2^64-1, empty, zeros(32))[0..32], computed here by hand.
        byte[] block = new byte[48];
        new ChaChaPoly().encrypt(ChaChaPoly.key(KEY), new byte[] {0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1},
                new byte[0], new byte[32], 0, 32, block, 0);
        CipherState manual = new CipherState();
        manual.initializeKey(Arrays.copyOf(block, 32));
        manual.setNonce(1);
        assertThat(manual.decrypt(after)).isEqualTo(text("after"));

        // And the old key no longer opens new traffic.
        CipherState stale = keyed();
        stale.setNonce(1);
        assertThatThrownBy(() -> stale.decrypt(after)).isInstanceOf(NoiseException.class);
    }

    @Test
    void toStringNeverShowsTheKey() {
        assertThat(keyed().toString()).isEqualTo("CipherState[keyed, nonce=0]");
    }
}
