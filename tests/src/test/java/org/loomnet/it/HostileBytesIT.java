package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.loomnet.connection.TransportPreamble;
import org.loomnet.node.Node;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.NetworkId;
import org.loomnet.wire.ParcelReader;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.WireLimits;

/**
 * Hostile bytes on one connection: a 2 GiB length, random bytes at every layer, a header whose
 * payload never comes, one byte per second, a connect that never starts the handshake. Each
 * attacker is stopped by a limit or a timeout with a coded reason, the victim keeps serving its
 * good peer, its heap stays within the bound the test states, and every thread the attack
 * started ends. The victim's timeouts are lowered so that each case takes seconds.
 */
class HostileBytesIT {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(3);
    /** Well below the handshake timeout, so a frame that stalls before HELLO is stopped as a stalled frame. */
    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration PING = Duration.ofMillis(500);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);

    private static HostileHarness harness(int test) {
        return new HostileHarness("127.30." + test + ".1", "127.30." + test + ".2",
                b -> b.handshakeTimeout(HANDSHAKE_TIMEOUT).frameTimeout(FRAME_TIMEOUT).keepAlive(PING, IDLE_TIMEOUT)
                        .redial(Duration.ofMillis(200), Duration.ofSeconds(2), 0), // attackers it dialed: never again
                b -> b.keepAlive(PING, IDLE_TIMEOUT)); // pings the victim well within its idle timeout
    }

    private static String attacker(int test, int n) {
        return "127.31." + test + "." + n;
    }

    @Test
    void aLengthOf2GiBIsRefusedFromTheHeaderAlone() throws Exception {
        try (HostileHarness h = harness(1)) {
            Node victim = h.victim;
            h.recordBaseline();
            // Every parcel type whose limit is the frame size, announcing 2 GiB or 4 GiB - 1; one
            // before its HELLO. A node that allocated first would die of it.
            record Case(ParcelType type, long length, boolean hello) { }
            List<Case> cases = List.of(new Case(ParcelType.MESSAGE, 0x8000_0000L, true),
                    new Case(ParcelType.MESSAGE_PART, 0xFFFF_FFFFL, true), new Case(ParcelType.GOSSIP, 0x8000_0000L, true),
                    new Case(ParcelType.PEER_RESPONSE, 0x8000_0000L, true), new Case(ParcelType.MESSAGE, 0xFFFF_FFFFL, false));
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                try (RawPeer peer = new RawPeer(attacker(1, i + 1), victim.listenAddress(), HostileHarness.NETWORK)) {
                    if (c.hello()) {
                        peer.sendHello();
                    }
                    int parts = c.type() == ParcelType.MESSAGE_PART ? 2 : 1;
                    peer.write(peer.header(c.type().code(), 0, c.length(), 0, 0, parts, 1));
                    Goodbye bye = peer.awaitDisconnect();
                    assertThat(bye.reason()).as("%s", c).isEqualTo(DisconnectReason.FRAME_TOO_LARGE);
                    assertThat(bye.detail()).contains(Long.toString(c.length()));
                    assertThat(peer.closedByNode()).isTrue();
                }
            }
            // The same length where the victim is the one that dialed: a "refusal" whose frame claims 2 GiB.
            try (Socket s = HostileHarness.dialedBy(victim, attacker(1, 9))) {
                OutputStream out = s.getOutputStream();
                out.write(TransportPreamble.of(TransportPreamble.REFUSED));
                out.write(RawPeer.header(NetworkId.of(HostileHarness.NETWORK), ParcelType.PEER_RESPONSE.code(), 0,
                        0x8000_0000L, 0, 0, 1, 0));
                out.flush();
                assertThat(readToEnd(s)).as("a refusal it cannot read ends the dial; nothing is sent back").isZero();
            }
            h.awaitDisconnects(Map.of(DisconnectReason.FRAME_TOO_LARGE, cases.size() + 1));
            h.assertRecovered("2 GiB lengths");
        }
    }

    @Test
    void aStreamOfRandomBytesIsCutOffAtEveryLayer() throws Exception {
        try (HostileHarness h = harness(2)) {
            Node victim = h.victim;
            h.recordBaseline();
            // Each stream runs until the victim closes the connection: it must stop reading garbage.
            // 1. Instead of the preamble. 2. Instead of the Noise handshake, after a valid preamble.
            for (int i = 0; i < 2; i++) {
                try (Socket s = new Socket()) {
                    s.bind(new InetSocketAddress(attacker(2, i + 1), 0));
                    s.connect(victim.listenAddress(), 5000);
                    s.setSoTimeout(20_000);
                    if (i == 1) {
                        s.getOutputStream().write(TransportPreamble.of(TransportPreamble.NOISE_XX));
                    }
                    CompletableFuture<Long> stream = streamRandom(s.getOutputStream(), 100 + i);
                    assertThat(stream.get(20, TimeUnit.SECONDS)).as("bytes the victim took before it cut us off")
                            .isLessThan(RANDOM_CAP);
                }
            }
            h.awaitDisconnects(Map.of(DisconnectReason.HANDSHAKE_FAILED, 2));
            // 3. Beneath the encryption, after the handshake: every Noise message fails authentication.
            try (RawPeer peer = new RawPeer(attacker(2, 3), victim.listenAddress(), HostileHarness.NETWORK)) {
                peer.sendHello();
                CompletableFuture<Long> stream = streamRandom(peer.socket.getOutputStream(), 103);
                assertThat(peer.awaitDisconnect().reason()).isEqualTo(DisconnectReason.DECRYPTION_FAILED);
                assertThat(stream.get(20, TimeUnit.SECONDS)).isLessThan(RANDOM_CAP);
            }
            // 4. Through the encryption: random parcels; the first header names another network.
            try (RawPeer peer = new RawPeer(attacker(2, 4), victim.listenAddress(), HostileHarness.NETWORK)) {
                peer.sendHello();
                CompletableFuture<Long> stream = streamRandom(peer.out, 104);
                assertThat(peer.awaitDisconnect().reason()).isEqualTo(DisconnectReason.WRONG_NETWORK);
                assertThat(stream.get(20, TimeUnit.SECONDS)).isLessThan(RANDOM_CAP);
            }
            h.awaitDisconnects(Map.of(DisconnectReason.HANDSHAKE_FAILED, 2, DisconnectReason.DECRYPTION_FAILED, 1,
                    DisconnectReason.WRONG_NETWORK, 1));
            h.assertRecovered("random streams");
        }
    }

    @Test
    void aHeaderWhosePayloadNeverComesTimesOut() throws Exception {
        try (HostileHarness h = harness(3)) {
            Node victim = h.victim;
            int frame = WireLimits.DEFAULT_MAX_FRAME;
            h.recordBaseline();
            // Each header passes every check, so the victim starts a payload buffer and waits. It
            // allocates as bytes arrive (ParcelReader.FIRST_CHUNK, 64 KiB, before any), so a
            // stalled header costs that first chunk, not the 1 MiB it announces.
            record Case(ParcelType type, int length, int parts, boolean hello) { }
            List<Case> cases = List.of(new Case(ParcelType.MESSAGE, frame, 1, true),
                    new Case(ParcelType.MESSAGE_PART, frame, 3, true), new Case(ParcelType.GOSSIP, frame, 1, true),
                    new Case(ParcelType.PEER_RESPONSE, frame, 1, true), new Case(ParcelType.HELLO, 512, 1, false));
            List<RawPeer> peers = new ArrayList<>();
            Socket handshaking = new Socket();
            try {
                for (int i = 0; i < cases.size(); i++) {
                    Case c = cases.get(i);
                    RawPeer peer = new RawPeer(attacker(3, i + 1), victim.listenAddress(), HostileHarness.NETWORK);
                    peers.add(peer);
                    if (c.hello()) {
                        peer.sendHello();
                    }
                    peer.write(peer.header(c.type().code(), 0, c.length(), 0, 0, c.parts(), 1));
                }
                // The same one layer down: a Noise length of 65,535 with no message behind it,
                // during the handshake (no transport yet to say why: the socket is just closed)
                // and after it (no parcel starts, so the idle timeout, not the frame timeout).
                handshaking.bind(new InetSocketAddress(attacker(3, 8), 0));
                handshaking.connect(victim.listenAddress(), 5000);
                handshaking.setSoTimeout(20_000);
                handshaking.getOutputStream().write(TransportPreamble.of(TransportPreamble.NOISE_XX));
                handshaking.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3});
                RawPeer sealed = new RawPeer(attacker(3, 9), victim.listenAddress(), HostileHarness.NETWORK);
                peers.add(sealed);
                sealed.sendHello();
                sealed.socket.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3});

                // While they stall: at most a first chunk per connection.
                h.assertHeapGrowthAtMost("while headers stall",
                        cases.size() * (long) ParcelReader.FIRST_CHUNK + HostileHarness.SLACK);
                for (int i = 0; i < cases.size(); i++) {
                    assertThat(peers.get(i).awaitDisconnect().reason()).isEqualTo(DisconnectReason.READ_TIMEOUT);
                    assertThat(peers.get(i).closedByNode()).isTrue();
                }
                assertThat(readToEnd(handshaking)).as("the victim's preamble and nothing else")
                        .isEqualTo(TransportPreamble.LENGTH);
                assertThat(sealed.awaitDisconnect().reason()).isEqualTo(DisconnectReason.IDLE_TIMEOUT);
            } finally {
                handshaking.close();
                for (RawPeer p : peers) {
                    p.close();
                }
            }
            h.awaitDisconnects(Map.of(DisconnectReason.READ_TIMEOUT, cases.size(), DisconnectReason.HANDSHAKE_TIMEOUT, 1,
                    DisconnectReason.IDLE_TIMEOUT, 1));
            h.assertRecovered("stalled headers");
        }
    }

    @Test
    void oneBytePerSecondIsStoppedByTheTimeoutOfItsLayer() throws Exception {
        try (HostileHarness h = harness(4)) {
            Node victim = h.victim;
            h.recordBaseline();
            List<CompletableFuture<?>> trickles = new ArrayList<>();
            // 1. The preamble and handshake, a byte a second: the handshake timeout; no transport,
            //    so no DISCONNECT, the socket is closed.
            Socket handshaking = new Socket();
            handshaking.bind(new InetSocketAddress(attacker(4, 1), 0));
            handshaking.connect(victim.listenAddress(), 5000);
            handshaking.setSoTimeout(20_000);
            byte[] preambleAndMore = Arrays.copyOf(TransportPreamble.of(TransportPreamble.NOISE_XX), 64);
            trickles.add(trickle(handshaking.getOutputStream(), preambleAndMore));
            // 2. A parcel, one plaintext byte per Noise message per second: the frame timeout.
            RawPeer framing = new RawPeer(attacker(4, 2), victim.listenAddress(), HostileHarness.NETWORK);
            framing.sendHello();
            trickles.add(trickle(framing.out, framing.header(ParcelType.MESSAGE.code(), 0, 100, 0, 0, 1, 1)));
            // 3. One Noise message, a ciphertext byte per second: no parcel ever completes, the idle timeout.
            RawPeer sealing = new RawPeer(attacker(4, 3), victim.listenAddress(), HostileHarness.NETWORK);
            sealing.sendHello();
            byte[] message = new byte[1002];
            message[0] = (byte) (1000 >>> 8);
            message[1] = (byte) 1000;
            trickles.add(trickle(sealing.socket.getOutputStream(), message));
            try {
                assertThat(readToEnd(handshaking)).isEqualTo(TransportPreamble.LENGTH); // its preamble, then closed
                assertThat(framing.awaitDisconnect().reason()).isEqualTo(DisconnectReason.READ_TIMEOUT);
                assertThat(sealing.awaitDisconnect().reason()).isEqualTo(DisconnectReason.IDLE_TIMEOUT);
                assertThat(framing.closedByNode()).isTrue();
                assertThat(sealing.closedByNode()).isTrue();
            } finally {
                handshaking.close();
                framing.close();
                sealing.close();
            }
            for (CompletableFuture<?> t : trickles) {
                t.get(20, TimeUnit.SECONDS); // each trickle ends once its socket is gone
            }
            h.awaitDisconnects(Map.of(DisconnectReason.HANDSHAKE_TIMEOUT, 1, DisconnectReason.READ_TIMEOUT, 1,
                    DisconnectReason.IDLE_TIMEOUT, 1));
            h.assertRecovered("slowloris");
        }
    }

    @Test
    void aConnectThatNeverStartsTheHandshakeIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (HostileHarness h = harness(5)) {
            Node victim = h.victim;
            h.recordBaseline();
            // Three silent sockets from each of four addresses: within the per-address limit, so
            // all are accepted and each holds a reader thread until its timeout.
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    Socket s = new Socket();
                    silent.add(s);
                    s.bind(new InetSocketAddress(attacker(5, 1 + i / 3), 0));
                    s.connect(victim.listenAddress(), 5000);
                    s.setSoTimeout(20_000);
                }
                h.assertServing(); // the good peer is served while they hold their slots
                for (Socket s : silent) {
                    assertThat(readToEnd(s)).as("the preamble, then closed without a word").isEqualTo(TransportPreamble.LENGTH);
                }
            } finally {
                for (Socket s : silent) {
                    s.close();
                }
            }
            h.awaitDisconnects(Map.of(DisconnectReason.HANDSHAKE_TIMEOUT, 12));
            h.assertRecovered("silent connects");
        }
    }

    // ---- attack helpers -------------------------------------------------------------------------

    /**
     * Far more random bytes than a victim takes after a violation: it reads and discards at most
     * 1 MiB (or one close linger) more, then closes, and the socket buffers hold a few MiB.
     */
    private static final long RANDOM_CAP = 256L << 20;

    /**
     * Writes random bytes until a write fails or {@link #RANDOM_CAP} is reached. The test does not
     * close the socket before this ends, so a failed write means the victim closed it.
     *
     * @return completes with the bytes written
     */
    private static CompletableFuture<Long> streamRandom(OutputStream out, long seed) {
        return HostileHarness.attack(() -> {
            Random random = new Random(seed);
            byte[] chunk = new byte[64 * 1024];
            long written = 0;
            try {
                while (written < RANDOM_CAP) {
                    random.nextBytes(chunk);
                    out.write(chunk);
                    out.flush();
                    written += chunk.length;
                }
            } catch (IOException expected) {
                // the victim cut us off
            }
            return written;
        });
    }

    /**
     * The slowloris: one byte a second (the attack's pace, not a wait for an outcome), until the
     * bytes run out or the victim closes the connection.
     */
    private static CompletableFuture<Void> trickle(OutputStream out, byte[] bytes) {
        return HostileHarness.attack(() -> {
            try {
                for (byte b : bytes) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (IOException expected) {
                // closed: the victim gave up on us, or the test is done
            }
            return null;
        });
    }

    /** Reads until the end of the stream (a reset counts as the end) and returns how many bytes came. */
    private static long readToEnd(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] sink = new byte[8192];
        long total = 0;
        try {
            int n;
            while ((n = in.read(sink)) >= 0) {
                total += n;
            }
        } catch (SocketException reset) {
            // the victim closed with our bytes unread: as good as an end of stream
        }
        return total;
    }
}
