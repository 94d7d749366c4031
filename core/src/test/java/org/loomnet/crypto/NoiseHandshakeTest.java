package org.loomnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The XX handshake between two of our own sides: success, and every way it must fail. */
class NoiseHandshakeTest {

    private static final byte[] PROLOGUE = ascii("loomnet/1 testnet");
    // Fixed keys make the messages reproducible, so one message can be tampered with and
    // replayed into fresh handshakes.
    private static final byte[] INITIATOR_STATIC = filled(1);
    private static final byte[] RESPONDER_STATIC = filled(2);
    private static final byte[] INITIATOR_EPHEMERAL = filled(3);
    private static final byte[] RESPONDER_EPHEMERAL = filled(4);
    private static final byte[][] PAYLOADS = {ascii("hello"), ascii("hello yourself"), ascii("pleased to meet you")};

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) value);
        bytes[0] = (byte) (bytes[0] + 0x40);
        return bytes;
    }

    private record Pair(NoiseHandshake initiator, NoiseHandshake responder) {
        NoiseHandshake writerOf(int index) {
            return index % 2 == 0 ? initiator : responder;
        }

        NoiseHandshake readerOf(int index) {
            return index % 2 == 0 ? responder : initiator;
        }
    }

    private static Pair fixedPair() {
        return new Pair(
                NoiseHandshake.withEphemeral(true, PROLOGUE, INITIATOR_STATIC, INITIATOR_EPHEMERAL),
                NoiseHandshake.withEphemeral(false, PROLOGUE, RESPONDER_STATIC, RESPONDER_EPHEMERAL));
    }

    /** The three messages of an undisturbed handshake between the fixed keys. */
    private static byte[][] genuineMessages() throws NoiseException {
        Pair pair = fixedPair();
        byte[][] messages = new byte[3][];
        for (int i = 0; i < 3; i++) {
            messages[i] = pair.writerOf(i).writeMessage(PAYLOADS[i]);
            pair.readerOf(i).readMessage(messages[i]);
        }
        return messages;
    }

    /** Runs the handshake with message {@code index} replaced; returns after the first failure. */
    private static void handshakeWithReplacedMessage(int index, byte[] replacement) throws NoiseException {
        Pair pair = fixedPair();
        for (int i = 0; i < 3; i++) {
            byte[] message = pair.writerOf(i).writeMessage(PAYLOADS[i]);
            pair.readerOf(i).readMessage(i == index ? replacement : message);
        }
    }

    @Test
    void randomKeysHandshakeThenAThousandMessagesEachWay() throws Exception {
        byte[] initiatorStatic = X25519.generatePrivateKey();
        byte[] responderStatic = X25519.generatePrivateKey();
        NoiseHandshake initiator = NoiseHandshake.initiator(PROLOGUE, initiatorStatic);
        NoiseHandshake responder = NoiseHandshake.responder(PROLOGUE, responderStatic);

        assertThat(initiator.isMyTurnToWrite()).isTrue();
        assertThat(responder.isMyTurnToWrite()).isFalse();
        assertThat(responder.readMessage(initiator.writeMessage(PAYLOADS[0]))).isEqualTo(PAYLOADS[0]);
        assertThat(responder.isMyTurnToWrite()).isTrue();
        assertThat(initiator.readMessage(responder.writeMessage(PAYLOADS[1]))).isEqualTo(PAYLOADS[1]);
        assertThat(responder.readMessage(initiator.writeMessage(PAYLOADS[2]))).isEqualTo(PAYLOADS[2]);
        assertThat(initiator.isComplete()).isTrue();
        assertThat(responder.isComplete()).isTrue();
        assertThat(initiator.isMyTurnToWrite()).isFalse();
        assertThat(responder.isMyTurnToWrite()).isFalse();

        NoiseSession a = initiator.split();
        NoiseSession b = responder.split();
        assertThat(a.remoteStatic()).isEqualTo(X25519.publicKey(responderStatic));
        assertThat(b.remoteStatic()).isEqualTo(X25519.publicKey(initiatorStatic));
        assertThat(a.handshakeHash()).hasSize(64).isEqualTo(b.handshakeHash());

        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            // Sizes from empty to the largest plaintext, with the extremes included.
            int size = i == 0 ? 0 : i == 1 ? CipherState.MAX_PLAINTEXT_LENGTH : random.nextInt(2048);
            byte[] toResponder = new byte[size];
            random.nextBytes(toResponder);
            byte[] toInitiator = new byte[size / 2];
            random.nextBytes(toInitiator);
            assertThat(b.receiver().decrypt(a.sender().encrypt(toResponder))).isEqualTo(toResponder);
            assertThat(a.receiver().decrypt(b.sender().encrypt(toInitiator))).isEqualTo(toInitiator);
        }
        assertThat(a.sender().nonce()).isEqualTo(1000);
        assertThat(b.receiver().nonce()).isEqualTo(1000);
    }

    @Test
    void theTwoDirectionsUseDifferentKeys() throws Exception {
        Pair pair = fixedPair();
        for (int i = 0; i < 3; i++) {
            pair.readerOf(i).readMessage(pair.writerOf(i).writeMessage(PAYLOADS[i]));
        }
        NoiseSession a = pair.initiator().split();
        NoiseSession b = pair.responder().split();
        byte[] fromA = a.sender().encrypt(ascii("same"));
        byte[] fromB = b.sender().encrypt(ascii("same"));
        assertThat(fromA).isNotEqualTo(fromB);
        // A message cannot be reflected back to its sender.
        assertThatThrownBy(() -> a.receiver().decrypt(fromA)).isInstanceOf(NoiseException.class);
    }

    @Test
    void aDifferentPrologueFailsAtTheInitiatorsReadOfMessage2() throws Exception {
        NoiseHandshake initiator = NoiseHandshake.initiator(ascii("loomnet/1 mainnet"), X25519.generatePrivateKey());
        NoiseHandshake responder = NoiseHandshake.responder(ascii("loomnet/1 testnet"), X25519.generatePrivateKey());
        responder.readMessage(initiator.writeMessage(PAYLOADS[0]));
        byte[] message2 = responder.writeMessage(PAYLOADS[1]);
        assertThatThrownBy(() -> initiator.readMessage(message2))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("reading message 2 of 3")
                .hasMessageContaining("authentication");
        // Failed for good: nothing more is accepted.
        assertThatThrownBy(() -> initiator.writeMessage(PAYLOADS[2]))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("already failed");
        assertThatThrownBy(initiator::split).isInstanceOf(NoiseException.class);
        assertThatThrownBy(initiator::remoteStatic).as("a key from a failed message")
                .isInstanceOf(NoiseException.class).hasMessageContaining("not to be trusted");
    }

    @Test
    void callsOutOfOrderAreRefusedAndChangeNothing() throws Exception {
        NoiseHandshake initiator = NoiseHandshake.initiator(PROLOGUE, X25519.generatePrivateKey());
        NoiseHandshake responder = NoiseHandshake.responder(PROLOGUE, X25519.generatePrivateKey());

        assertThatThrownBy(() -> initiator.readMessage(new byte[96]))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("out of order: readMessage called, but message 1 of 3");
        assertThatThrownBy(() -> responder.writeMessage(PAYLOADS[0]))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("out of order: writeMessage called, but message 1 of 3");
        assertThatThrownBy(initiator::split).isInstanceOf(NoiseException.class)
                .hasMessageContaining("before the handshake is complete");
        assertThatThrownBy(initiator::handshakeHash).isInstanceOf(NoiseException.class);
        assertThatThrownBy(responder::remoteStatic).isInstanceOf(NoiseException.class);

        // Both sides are still usable after the refusals.
        responder.readMessage(initiator.writeMessage(PAYLOADS[0]));
        initiator.readMessage(responder.writeMessage(PAYLOADS[1]));
        assertThat(initiator.remoteStatic()).hasSize(32);
        assertThatThrownBy(responder::remoteStatic).as("the initiator's key arrives in message 3")
                .isInstanceOf(NoiseException.class);
        responder.readMessage(initiator.writeMessage(PAYLOADS[2]));

        assertThatThrownBy(() -> initiator.writeMessage(PAYLOADS[0]))
                .isInstanceOf(NoiseException.class).hasMessageContaining("complete");
        assertThatThrownBy(() -> responder.readMessage(new byte[64]))
                .isInstanceOf(NoiseException.class).hasMessageContaining("complete");
        initiator.split();
        assertThatThrownBy(initiator::split).isInstanceOf(NoiseException.class).hasMessageContaining("already split");
        assertThat(initiator.handshakeHash()).as("still readable after split").isEqualTo(responder.handshakeHash());
    }

    @Test
    void everyTruncationOfMessages2And3FailsAtOnceWithNoiseException() throws Exception {
        byte[][] genuine = genuineMessages();
        for (int index = 1; index < 3; index++) {
            for (int length = 0; length < genuine[index].length; length++) {
                byte[] truncated = Arrays.copyOf(genuine[index], length);
                int i = index;
                assertThatThrownBy(() -> handshakeWithReplacedMessage(i, truncated))
                        .as("message %d cut to %d bytes", index + 1, length)
                        .isInstanceOf(NoiseException.class)
                        .hasMessageContaining("message " + (index + 1) + " of 3");
            }
        }
    }

    @Test
    void aTruncatedMessage1FailsByTheInitiatorsReadOfMessage2AtTheLatest() throws Exception {
        // Message 1's payload is unauthenticated, so a cut that keeps the 32-byte key is read
        // fine; the altered transcript then breaks message 2.
        byte[] genuine = genuineMessages()[0];
        for (int length = 0; length < genuine.length; length++) {
            byte[] truncated = Arrays.copyOf(genuine, length);
            String where = length < 32 ? "reading message 1 of 3" : "reading message 2 of 3";
            assertThatThrownBy(() -> handshakeWithReplacedMessage(0, truncated))
                    .as("message 1 cut to %d bytes", length)
                    .isInstanceOf(NoiseException.class)
                    .hasMessageContaining(where);
        }
    }

    @Test
    void everyFlippedBitOfMessages2And3FailsWithNoiseException() throws Exception {
        byte[][] genuine = genuineMessages();
        for (int index = 1; index < 3; index++) {
            for (int position = 0; position < genuine[index].length; position++) {
                byte[] tampered = genuine[index].clone();
                tampered[position] ^= (byte) (1 << (position % 8));
                int i = index;
                assertThatThrownBy(() -> handshakeWithReplacedMessage(i, tampered))
                        .as("message %d, byte %d", index + 1, position)
                        .isInstanceOf(NoiseException.class);
            }
        }
    }

    @Test
    void oversizedMessagesAreRefusedBeforeAllocation() throws Exception {
        NoiseHandshake responder = NoiseHandshake.responder(PROLOGUE, X25519.generatePrivateKey());
        assertThatThrownBy(() -> responder.readMessage(new byte[NoiseHandshake.MAX_MESSAGE_LENGTH + 1]))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("65536 bytes; it must be 32 to 65535");

        NoiseHandshake initiator = NoiseHandshake.initiator(PROLOGUE, X25519.generatePrivateKey());
        // Message 1 is the 32-byte key plus the payload.
        assertThatThrownBy(() -> initiator.writeMessage(new byte[NoiseHandshake.MAX_MESSAGE_LENGTH - 31]))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("over the Noise maximum");
        // Refused without harm: the largest payload that fits still goes through.
        byte[] largest = initiator.writeMessage(new byte[NoiseHandshake.MAX_MESSAGE_LENGTH - 32]);
        assertThat(largest).hasSize(NoiseHandshake.MAX_MESSAGE_LENGTH);
        NoiseHandshake other = NoiseHandshake.responder(PROLOGUE, X25519.generatePrivateKey());
        assertThat(other.readMessage(largest)).hasSize(NoiseHandshake.MAX_MESSAGE_LENGTH - 32);
    }

    @Test
    void lowOrderEphemeralKeysAreRefused() throws Exception {
        byte[] zeroPoint = new byte[32];
        // The responder reads a zero key in message 1 and meets it in its own "ee".
        NoiseHandshake responder = NoiseHandshake.responder(PROLOGUE, X25519.generatePrivateKey());
        responder.readMessage(zeroPoint);
        assertThatThrownBy(() -> responder.writeMessage(PAYLOADS[1]))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("writing message 2 of 3")
                .hasMessageContaining("low-order");

        // The initiator reads a low-order key (u = 1) in message 2.
        NoiseHandshake initiator = NoiseHandshake.initiator(PROLOGUE, X25519.generatePrivateKey());
        initiator.writeMessage(PAYLOADS[0]);
        byte[] message2 = new byte[96];
        message2[0] = 1;
        assertThatThrownBy(() -> initiator.readMessage(message2))
                .isInstanceOf(NoiseException.class)
                .hasMessageContaining("reading message 2 of 3")
                .hasMessageContaining("low-order");
    }

    @Test
    void eachHandshakeUsesAFreshEphemeralKey() throws Exception {
        byte[] key = X25519.generatePrivateKey();
        byte[] first = NoiseHandshake.initiator(PROLOGUE, key).writeMessage(new byte[0]);
        byte[] second = NoiseHandshake.initiator(PROLOGUE, key).writeMessage(new byte[0]);
        assertThat(first).hasSize(32).isNotEqualTo(second);
    }

    @Test
    void onlyNoiseExceptionEscapesForArbitraryMessages() throws Exception {
        // Random garbage of every awkward length at each reading step.
        Random random = new Random(11);
        int[] lengths = {0, 1, 31, 32, 33, 63, 64, 65, 95, 96, 97, 200};
        byte[][] genuine = genuineMessages();
        for (int index = 0; index < 3; index++) {
            for (int length : lengths) {
                byte[] garbage = new byte[length];
                random.nextBytes(garbage);
                int i = index;
                ThrowingCallable run = () -> {
                    Pair pair = fixedPair();
                    for (int k = 0; k < 3; k++) {
                        pair.writerOf(k).writeMessage(PAYLOADS[k]);
                        pair.readerOf(k).readMessage(k == i ? garbage : genuine[k]);
                    }
                };
                assertThatThrownBy(run).as("garbage of %d bytes as message %d: %s", length, index + 1,
                        HexFormat.of().formatHex(garbage)).isInstanceOf(NoiseException.class);
            }
        }
    }

    @Test
    void wrongStaticKeyLengthIsAnArgumentError() {
        assertThatThrownBy(() -> NoiseHandshake.initiator(PROLOGUE, new byte[16]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
