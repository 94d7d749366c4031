package org.loomnet.dht;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** Helpers for the DHT tests that use real sockets: a deadline wait, a settable clock, a raw UDP socket. */
final class DhtTestSupport {

    /** Long enough that only a real failure runs into it on a loaded 2-core machine. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private DhtTestSupport() {
    }

    /** Waits until {@code condition} holds; fails after {@link #DEADLINE}. Never a fixed sleep. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            try {
                Thread.sleep(2); // polling interval, not a wait for an event
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting until " + what);
            }
        }
    }

    /** A clock that moves only when told to. */
    static final class TestClock implements InstantSource {
        private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }
    }

    /** A config for tests: the given loopback address, port 0, everything else default unless changed. */
    static DhtConfig.Builder config(String ip) {
        return DhtConfig.builder().bind(ip, 0);
    }

    /** A plain UDP socket on loopback to play a remote node by hand. */
    static final class RawSocket implements AutoCloseable {
        final DatagramSocket socket;

        RawSocket(String ip) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(ip, 0));
            socket.setSoTimeout((int) DEADLINE.toMillis());
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void send(byte[] packet, InetSocketAddress to) throws IOException {
            socket.send(new DatagramPacket(packet, packet.length, to));
        }

        void send(KrpcMessage message, InetSocketAddress to) throws IOException {
            send(KrpcCodec.encode(message), to);
        }

        /** The next packet; fails after the deadline. */
        Received receive() throws IOException {
            byte[] buf = new byte[8192];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return fail("no packet within " + DEADLINE);
            }
            return new Received(Arrays.copyOf(buf, p.getLength()), (InetSocketAddress) p.getSocketAddress());
        }

        /** The next packet, decoded. */
        KrpcMessage receiveMessage() throws IOException {
            return KrpcCodec.decode(receive().bytes(), Bencode.Limits.DEFAULTS);
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    record Received(byte[] bytes, InetSocketAddress from) {
    }
}
