package org.loomnet.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.loomnet.connection.NoiseTransport;
import org.loomnet.connection.Transport;
import org.loomnet.crypto.Identity;
import org.loomnet.node.NodeConfig;
import org.loomnet.wire.Checksums;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.Hello;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelReader;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.ParcelWriter;
import org.loomnet.wire.ProtocolException;
import org.loomnet.wire.WireLimits;

/**
 * One encrypted connection to a node, opened by the benchmark as a peer that is nothing but that
 * connection: the real opening through the core's own classes (the preamble and the Noise XX
 * handshake of {@link NoiseTransport}, then HELLO with {@link ParcelWriter}), then one virtual thread
 * that reads with {@link ParcelReader} and answers the node's keep-alive PINGs with PONGs, as a
 * node's reader does. It sends no PINGs of its own, except when probed: the node's PINGs and our
 * PONGs keep both sides' idle timers satisfied. Far lighter than a {@code Node}: no writer thread,
 * no send queue, no processing thread.
 *
 * <p>Each peer needs an identity of its own: a node holds one connection per node id.
 */
final class BarePeer implements ClientFleet.Held {

    /** The user agent it sends in HELLO. */
    static final String USER_AGENT = "loomnet-bench/" + NodeConfig.VERSION;

    private static final byte[] PROBE_TOKEN = {'b', 'e', 'n', 'c', 'h', 'p', 'n', 'g'};

    private final Socket socket;
    private final int networkId;
    private final ParcelReader reader;
    private final ParcelWriter writer;
    private final OutputStream out;
    /** Guards {@link #writer} and {@link #out}: the reader answers PINGs, a probe sends one. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Counters counters;
    /** PONGs received to our own PINGs; written by the reader thread. */
    private volatile int pongs;
    private int probesSent;
    private volatile boolean closing;

    /**
     * What all the peers of one fleet saw, shared.
     *
     * @param pingsAnswered the node's PINGs answered with a PONG
     * @param pingedPeers   peers that answered at least one PING of the node's
     * @param lost          peers whose connection ended while held (end of stream, DISCONNECT, error)
     */
    record Counters(LongAdder pingsAnswered, LongAdder pingedPeers, LongAdder lost) {
        Counters() {
            this(new LongAdder(), new LongAdder(), new LongAdder());
        }
    }

    private BarePeer(Socket socket, int networkId, Transport transport, Checksums checksums, Counters counters) {
        this.socket = socket;
        this.networkId = networkId;
        this.out = transport.output();
        this.reader = new ParcelReader(transport.input(), networkId, WireLimits.DEFAULTS, ParcelReader.FrameListener.NONE,
                checksums);
        this.writer = new ParcelWriter(out, networkId, checksums);
        this.counters = counters;
    }

    /**
     * Opens one connection: TCP from the source address, preamble, Noise XX as the initiator,
     * HELLO both ways. Returns once the node's HELLO has arrived.
     *
     * @param source    the local address
     * @param node      the node's listen address
     * @param identity  this peer's keys, used by no other peer
     * @param networkId the node's network id
     * @param timeout   for the connect and each read of the opening
     * @param counters  shared by the fleet
     * @return the open connection, not yet served
     * @throws IOException if the node refused, failed the handshake or said DISCONNECT
     */
    static BarePeer open(InetAddress source, InetSocketAddress node, Identity identity, int networkId,
                         Duration timeout, Counters counters) throws IOException {
        Socket socket = ClientFleet.connect(source, node, timeout);
        try {
            socket.setTcpNoDelay(true);
            Transport.Factory noise = NoiseTransport.factory(identity, networkId);
            Transport transport = noise.open(socket, true, null);
            // Under Noise the parcels carry no checksum (the AEAD tag covers them), as in a node.
            BarePeer peer = new BarePeer(socket, networkId, transport, noise.checksums(), counters);
            Hello hello = new Hello(networkId, ParcelWriter.PROTOCOL_VERSION, ParcelWriter.MIN_PROTOCOL_VERSION,
                    ThreadLocalRandom.current().nextLong(), identity.nodeId(), 0, USER_AGENT, "");
            peer.write(Parcel.of(ParcelType.HELLO, 0, hello.encode()));
            Parcel first = peer.reader.read();
            if (first == null || first.type() != ParcelType.HELLO) {
                throw new IOException("expected the node's HELLO, got "
                        + (first == null ? "end of stream" : describe(first)));
            }
            socket.setSoTimeout(0); // held: the node's PINGs come every 15 s or so
            return peer;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static String describe(Parcel p) {
        if (p.type() == ParcelType.DISCONNECT) {
            try {
                Goodbye g = Goodbye.decode(p);
                return "DISCONNECT " + g.reason() + " " + g.detail();
            } catch (ProtocolException e) {
                return "a malformed DISCONNECT";
            }
        }
        return p.type().toString();
    }

    private void write(Parcel p) throws IOException {
        writeLock.lock();
        try {
            writer.write(p);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void serve() {
        boolean pinged = false;
        try {
            Parcel p;
            while ((p = reader.read()) != null) {
                switch (p.type()) {
                    case PING -> {
                        write(Parcel.of(ParcelType.PONG, p.messageId(), p.payloadCopy()));
                        counters.pingsAnswered().increment();
                        if (!pinged) {
                            pinged = true;
                            counters.pingedPeers().increment();
                        }
                    }
                    case PONG -> pongs++;
                    case DISCONNECT -> {
                        return;
                    }
                    default -> {
                        // nothing else is expected from an idle node; ignored
                    }
                }
            }
        } catch (IOException e) {
            // closed by us (closing), or lost: counted below
        } finally {
            if (!closing) {
                counters.lost().increment();
            }
            close();
        }
    }

    @Override
    public void probe() throws IOException {
        probesSent++;
        write(Parcel.of(ParcelType.PING, 0, PROBE_TOKEN.clone()));
    }

    @Override
    public boolean probeAnswered(long deadlineNanos) throws InterruptedException {
        while (pongs < probesSent) {
            if (System.nanoTime() - deadlineNanos > 0 || socket.isClosed()) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    @Override
    public void close() {
        closing = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
