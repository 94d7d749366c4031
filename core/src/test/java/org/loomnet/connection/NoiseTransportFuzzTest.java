package org.loomnet.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomnet.crypto.Identity;
import org.loomnet.crypto.X25519;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.NetworkId;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.ParcelWriter;
import org.loomnet.wire.PeerList;
import org.loomnet.wire.ProtocolException;

/**
 * The start of an encrypted connection as a hostile peer may send it: the preamble (or a refusal
 * with its alternatives and DISCONNECT), then Noise handshake messages with their length
 * prefixes, to the side that accepted or to the side that dialed. {@link NoiseTransport}'s
 * factory either opens a transport or fails with what a connection expects of a bad peer:
 * {@link ProtocolException} (with a reason to log and send), the peer's refusal
 * ({@link TransportPreamble.RefusedException}), or {@link EOFException} for a stream cut short.
 *
 * <p>The input: a byte whose lowest bit says which side we are (1: we dialed), then the peer's
 * stream.
 */
class NoiseTransportFuzzTest {

    private static final int NETWORK = NetworkId.of("loomnet");
    private static final Identity IDENTITY = Identity.generate();
    private static final Transport.Factory FACTORY = NoiseTransport.factory(IDENTITY, NETWORK);

    @FuzzTest
    void open(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        boolean initiator = (input[0] & 1) == 1;
        ScriptedSocket socket = new ScriptedSocket(java.util.Arrays.copyOfRange(input, 1, input.length));
        Transport transport;
        try {
            transport = FACTORY.open(socket, initiator, null);
        } catch (ProtocolException | TransportPreamble.RefusedException | EOFException e) {
            assertThat(socket.sent.toByteArray()).startsWith(TransportPreamble.of(TransportPreamble.NOISE_XX));
            return;
        }
        transport.input().transferTo(OutputStream.nullOutputStream()); // unreachable without forging a tag
    }

    /** A socket whose peer is a script: it reads the fuzzer's bytes and records what we send. */
    private static final class ScriptedSocket extends Socket {
        private final InputStream in;
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();

        ScriptedSocket(byte[] peer) {
            this.in = new ByteArrayInputStream(peer);
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return sent;
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public synchronized void close() {
        }
    }

    static Map<String, byte[]> seeds() throws IOException {
        byte[] noise = TransportPreamble.of(TransportPreamble.NOISE_XX);
        byte[] ephemeral = X25519.publicKey(HexFormat.of().parseHex(
                "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        ByteArrayOutputStream refusal = new ByteArrayOutputStream();
        refusal.writeBytes(TransportPreamble.of(TransportPreamble.REFUSED));
        ParcelWriter writer = new ParcelWriter(refusal, NETWORK);
        writer.write(Parcel.of(ParcelType.PEER_RESPONSE, 0, PeerList.encodeResponse(List.of(
                new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 7}),
                        7700)))));
        writer.write(Parcel.of(ParcelType.DISCONNECT, 0,
                Goodbye.of(DisconnectReason.TOO_MANY_INCOMING, "limit 64").encode()));
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("responder-message-1", concat(new byte[] {0}, noise, new byte[] {0, 32}, ephemeral));
        seeds.put("responder-message-1-and-3", concat(new byte[] {0}, noise, new byte[] {0, 32}, ephemeral,
                new byte[] {0, (byte) 160}, new byte[160]));
        seeds.put("initiator-message-2", concat(new byte[] {1}, noise, new byte[] {0, (byte) 192}, ephemeral,
                new byte[160]));
        seeds.put("refused-with-alternative", concat(new byte[] {1}, refusal.toByteArray()));
        seeds.put("plaintext-peer", concat(new byte[] {0}, TransportPreamble.of(TransportPreamble.PLAINTEXT)));
        seeds.put("not-loomnet", concat(new byte[] {0}, "GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        seeds.put("message-length-65535", concat(new byte[] {0}, noise, new byte[] {(byte) 0xFF, (byte) 0xFF}));
        return seeds;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
