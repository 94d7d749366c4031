package org.loomnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Noise XX handshake with a peer that sends anything: the fuzzer's bytes are handshake
 * messages 1 and 3 to a responder, or message 2 to an initiator, each followed by transport
 * messages for the session it may open, or an identity proof on its own. Only
 * {@link NoiseException} may come out: no other exception, whatever the lengths, keys or tags.
 *
 * <p>Both sides use fixed keys, ephemeral ones included, so that the real messages of a real
 * handshake are seeds the fuzzer can mutate, and inputs replay the same way every time.
 *
 * <p>The input: a scenario byte (0 responder, 1 initiator, 2 a proof alone), then messages, each
 * a 2-byte big-endian length and the bytes, as NoiseTransport frames them on the socket.
 */
class NoiseHandshakeFuzzTest {

    private static final byte[] PROLOGUE = "loomnet:Noise_XX_25519_ChaChaPoly_BLAKE2b:test".getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] INITIATOR_STATIC = range(0x10);
    private static final byte[] RESPONDER_STATIC = range(0x50);
    private static final byte[] INITIATOR_EPHEMERAL =
            HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] RESPONDER_EPHEMERAL =
            HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final Identity INITIATOR = identity(INITIATOR_STATIC,
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static final Identity RESPONDER = identity(RESPONDER_STATIC,
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");

    @FuzzTest
    void messages(byte[] input) throws NoiseException {
        if (input.length == 0) {
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(input, 1, input.length - 1);
        try {
            switch ((input[0] & 0xFF) % 3) {
                case 0 -> responder(in);
                case 1 -> initiator(in);
                default -> assertThat(Identity.verifyProof(next(in), RESPONDER.staticPublicKey())).hasSize(32);
            }
        } catch (NoiseException expected) {
            // the one way a handshake with this peer may fail
        }
    }

    private static void responder(ByteBuffer in) throws NoiseException {
        NoiseHandshake hs = NoiseHandshake.withEphemeral(false, PROLOGUE, RESPONDER_STATIC, RESPONDER_EPHEMERAL);
        if (hs.readMessage(next(in)).length != 0) {
            return; // NoiseTransport refuses a payload in message 1
        }
        hs.writeMessage(RESPONDER.proof());
        byte[] proof = hs.readMessage(next(in));
        Identity.verifyProof(proof, hs.remoteStatic());
        transport(hs, in);
    }

    private static void initiator(ByteBuffer in) throws NoiseException {
        NoiseHandshake hs = NoiseHandshake.withEphemeral(true, PROLOGUE, INITIATOR_STATIC, INITIATOR_EPHEMERAL);
        hs.writeMessage(new byte[0]);
        byte[] proof = hs.readMessage(next(in));
        Identity.verifyProof(proof, hs.remoteStatic());
        hs.writeMessage(INITIATOR.proof());
        transport(hs, in);
    }

    private static void transport(NoiseHandshake hs, ByteBuffer in) throws NoiseException {
        assertThat(hs.isComplete()).isTrue();
        NoiseSession session = hs.split();
        while (in.hasRemaining()) {
            byte[] plain = session.receiver().decrypt(next(in));
            assertThat(plain.length).isLessThanOrEqualTo(CipherState.MAX_PLAINTEXT_LENGTH);
        }
    }

    /** The next message: its 2-byte length, then as many bytes as there are up to it. */
    private static byte[] next(ByteBuffer in) {
        int length = in.remaining() >= 2 ? in.getShort() & 0xFFFF : 0;
        byte[] m = new byte[Math.min(length, in.remaining())];
        in.get(m);
        return m;
    }

    static Map<String, byte[]> seeds() throws NoiseException {
        NoiseHandshake i = NoiseHandshake.withEphemeral(true, PROLOGUE, INITIATOR_STATIC, INITIATOR_EPHEMERAL);
        NoiseHandshake r = NoiseHandshake.withEphemeral(false, PROLOGUE, RESPONDER_STATIC, RESPONDER_EPHEMERAL);
        byte[] m1 = i.writeMessage(new byte[0]);
        r.readMessage(m1);
        byte[] m2 = r.writeMessage(RESPONDER.proof());
        i.readMessage(m2);
        byte[] m3 = i.writeMessage(INITIATOR.proof());
        r.readMessage(m3);
        byte[] toResponder = i.split().sender().encrypt("a parcel".getBytes(StandardCharsets.US_ASCII));
        byte[] toInitiator = r.split().sender().encrypt(new byte[0]);
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("responder", input(0, m1, m3, toResponder));
        seeds.put("initiator", input(1, m2, toInitiator));
        seeds.put("proof", input(2, RESPONDER.proof()));
        seeds.put("responder-low-order-key", input(0, new byte[32]));
        seeds.put("responder-payload-in-message-1", input(0, ByteBuffer.allocate(40).put(m1).putLong(7).array()));
        seeds.put("initiator-short-message-2", input(1, java.util.Arrays.copyOf(m2, 47)));
        return seeds;
    }

    private static byte[] input(int scenario, byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(scenario);
        for (byte[] m : messages) {
            out.write(m.length >>> 8);
            out.write(m.length);
            out.writeBytes(m);
        }
        return out.toByteArray();
    }

    private static byte[] range(int from) {
        byte[] b = new byte[32];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) (from + k);
        }
        return b;
    }

    /** An identity with the given keys, loaded the way a node loads its key file. */
    private static Identity identity(byte[] x25519Private, String ed25519Seed) {
        try {
            Path dir = Files.createTempDirectory("noise-fuzz");
            Files.writeString(dir.resolve(Identity.KEY_FILE),
                    "x25519-private " + HEX.formatHex(x25519Private) + "\ned25519-seed " + ed25519Seed + "\n");
            Identity identity = Identity.loadOrCreate(dir);
            Files.delete(dir.resolve(Identity.KEY_FILE));
            Files.delete(dir);
            return identity;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
