package org.loomnet.connection;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.loomnet.wire.AppMessage;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.Hello;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelReader;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.ParcelWriter;
import org.loomnet.wire.ProtocolException;
import org.loomnet.wire.Reassembler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to a peer, with its reader and writer virtual threads.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>The <b>reader</b> thread ({@code conn-<peer>-reader}) owns the connection's life: it opens
 *       the transport (running any handshake), starts the writer, reads parcels, answers PING
 *       itself, joins split messages, hands HELLO, messages and peer exchange to the
 *       {@link Owner}, and in its {@code finally} closes everything and reports
 *       {@link Owner#closed}. One connection's life is one {@code try/finally}.</li>
 *   <li>The <b>writer</b> thread ({@code conn-<peer>-writer}) takes batches from the bounded
 *       {@link SendQueue}, writes them and flushes once per batch. When the queue is finished it
 *       flushes the last parcel (DISCONNECT) and half-closes the socket.</li>
 *   <li>The node's <b>processing</b> thread calls {@link #send}, {@link #disconnect},
 *       {@link #markOnline} and {@link #tick}; none of them blocks.</li>
 * </ul>
 *
 * <h2>States</h2>
 * <pre>
 *   HANDSHAKE --markOnline (peer's HELLO accepted)--> ONLINE
 *   HANDSHAKE, ONLINE --disconnect / protocol error / DISCONNECT received / EOF--> CLOSING
 *   CLOSING --DISCONNECT flushed, peer closed (or closeLinger passed)--> CLOSED
 * </pre>
 * A simpler machine than Factom's five states: "offline, waiting to redial" is not a connection
 * state here but the node's dial plan, because a redial makes a new {@code Connection}.
 *
 * <h2>Timers</h2>
 * {@link #tick(long)} enforces the handshake timeout, pings when nothing was sent for the ping
 * interval, disconnects after the idle timeout, and closes the socket when a frame has been
 * arriving for longer than the frame timeout (slowloris), when a write has blocked for longer
 * than the write timeout (a peer that does not read), or when closing takes longer than the
 * linger. Closing the socket is how a blocked read or write is ended.
 */
public final class Connection {

    /** Receives what the connection's reader thread decodes. Called on the reader thread. */
    public interface Owner {
        /**
         * The peer's HELLO arrived (always the first parcel). The owner validates it and calls
         * {@link #markOnline} or {@link #disconnect}.
         *
         * @param c     the connection
         * @param hello the peer's HELLO
         */
        void helloReceived(Connection c, Hello hello);

        /**
         * A whole application message arrived.
         *
         * @param c       the connection
         * @param message the message
         */
        void messageReceived(Connection c, AppMessage message);

        /**
         * A GOSSIP envelope arrived (decoded, its signature not yet checked).
         *
         * @param c        the connection
         * @param envelope the envelope
         */
        void gossipReceived(Connection c, org.loomnet.wire.GossipEnvelope envelope);

        /**
         * A PEER_REQUEST or PEER_RESPONSE arrived.
         *
         * @param c      the connection
         * @param parcel the parcel
         */
        void peerExchangeReceived(Connection c, Parcel parcel);

        /**
         * The connection is closed and both its threads are done (or ending). Called once.
         *
         * @param c the connection; {@link #closeInfo()} says why
         */
        void closed(Connection c);
    }

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final int BATCH_PARCELS = 256;
    private static final long BATCH_BYTES = 256 * 1024;
    private static final long DRAIN_LIMIT = 1 << 20;

    private final long id;
    private final Socket socket;
    private final Direction direction;
    private final InetSocketAddress remote;
    private final boolean special;
    /** On a dial to a pinned peer, the node id the peer must prove; else null. */
    private final byte[] expectedPeerId;
    private final ConnectionSettings settings;
    private final Owner owner;
    private final SendQueue queue;
    private final ConnectionMetrics metrics;
    private final long openedMillis;
    /** {@link System#nanoTime()} when the TCP connection was set up: handshakes are timed from here. */
    private final long openedNanos = System.nanoTime();
    /** Nanoseconds from TCP connect until {@link #markOnline}, -1 until then (processing thread writes). */
    private volatile long handshakeNanos = -1;
    private final String name;

    /** Changed by compare-and-set only, so two threads cannot both start the close. */
    private final AtomicReference<ConnectionState> state = new AtomicReference<>(ConnectionState.HANDSHAKE);
    private final AtomicReference<CloseInfo> closeInfo = new AtomicReference<>();
    /** The peer's HELLO; written by the reader thread before it is handed to the owner. */
    private volatile Hello hello;
    /** Marks a timer that is not running (not 0: an injected test clock may well read 0). */
    private static final long NOT_RUNNING = Long.MIN_VALUE;
    /** Clock millis when the current frame started arriving, NOT_RUNNING between frames (reader thread). */
    private volatile long frameStartedMillis = NOT_RUNNING;
    /** Clock millis when the current write started, NOT_RUNNING when not writing (writer thread). */
    private volatile long writeStartedMillis = NOT_RUNNING;
    /** Clock millis when CLOSING began. */
    private volatile long closingSinceMillis;
    /** Set when the socket is closed on purpose, so the exception that follows is not an error. */
    private volatile boolean closeRequested;
    private volatile Thread readerThread;
    private volatile Thread writerThread;
    private volatile Transport transport;
    /** Addresses a refusing peer suggested instead; written by the reader before it reports the close. */
    private volatile java.util.List<InetSocketAddress> refusalAlternatives = java.util.List.of();
    /** The peer's quality score; changed by the processing thread only. */
    private volatile int quality;

    /**
     * Creates a connection over a connected socket. Nothing runs until {@link #start(Parcel)}.
     *
     * @param id        a node-unique connection id
     * @param socket    the connected socket
     * @param direction who dialed
     * @param special   true for a special (persistent) peer
     * @param expectedPeerId on a dial to a pinned peer, the node id it must prove; else null
     * @param settings  the node's rules
     * @param owner     receives decoded parcels and the close
     */
    public Connection(long id, Socket socket, Direction direction, boolean special, byte[] expectedPeerId,
                      ConnectionSettings settings, Owner owner) {
        this(id, socket, direction, special, expectedPeerId, settings, owner, new ParcelTraffic());
    }

    /**
     * Creates a connection over a connected socket that also counts its traffic into shared
     * per-type counters. Nothing runs until {@link #start(Parcel)}.
     *
     * @param id        a node-unique connection id
     * @param socket    the connected socket
     * @param direction who dialed
     * @param special   true for a special (persistent) peer
     * @param expectedPeerId on a dial to a pinned peer, the node id it must prove; else null
     * @param settings  the node's rules
     * @param owner     receives decoded parcels and the close
     * @param traffic   the node-wide per-type counters this connection adds to
     */
    public Connection(long id, Socket socket, Direction direction, boolean special, byte[] expectedPeerId,
                      ConnectionSettings settings, Owner owner, ParcelTraffic traffic) {
        this.id = id;
        this.socket = socket;
        this.direction = direction;
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.special = special;
        this.expectedPeerId = expectedPeerId;
        this.settings = settings;
        this.owner = owner;
        this.queue = new SendQueue(settings.sendQueueParcels(), settings.sendQueueBytes());
        this.openedMillis = settings.clock().millis();
        this.metrics = new ConnectionMetrics(openedMillis, traffic);
        this.name = "conn-" + hostPort(remote);
    }

    /**
     * Queues our HELLO and starts the reader thread (which starts the writer).
     *
     * @param ourHello our HELLO parcel, sent first
     */
    public void start(Parcel ourHello) {
        queue.offer(ourHello);
        readerThread = Thread.ofVirtual().name(name + "-reader").start(this::readLoop);
    }

    // ---- reader thread ------------------------------------------------------------------------

    private void readLoop() {
        Reassembler reassembler = new Reassembler(settings.limits(), settings.reassemblyBudget(),
                settings.partialsPerPeer(), settings.limits().maxEncodedMessage() + settings.limits().maxFrameSize(),
                settings.reassemblyTimeout().toMillis());
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            transport = settings.transports().open(socket, direction == Direction.OUTBOUND, expectedPeerId);
            writerThread = Thread.ofVirtual().name(name + "-writer").start(this::writeLoop);
            ParcelReader reader = new ParcelReader(transport.input(), settings.networkId(), settings.limits(),
                    new ParcelReader.FrameListener() {
                        @Override
                        public void frameStarted() {
                            frameStartedMillis = settings.clock().millis();
                        }

                        @Override
                        public void frameFinished(int wireBytes) {
                            frameStartedMillis = NOT_RUNNING; // counted below, where its type is known
                        }
                    }, settings.transports().checksums());
            long lastExpiry = openedMillis;
            while (true) {
                Parcel p = reader.read();
                if (p == null) {
                    recordClose(DisconnectReason.CONNECTION_LOST, "peer closed the connection", false);
                    return;
                }
                metrics.read(p.type(), p.wireSize(), settings.clock().millis());
                if (state.get() == ConnectionState.CLOSING) {
                    continue; // we are leaving: read until the peer closes, deliver nothing
                }
                long now = metrics.lastReceivedMillis;
                if (now - lastExpiry >= 1000) {
                    reassembler.expire(now);
                    lastExpiry = now;
                }
                if (!handle(p, reassembler, now)) {
                    return;
                }
            }
        } catch (TransportPreamble.RefusedException e) {
            refusalAlternatives = e.alternatives();
            recordClose(e.goodbye().reason(), e.goodbye().detail(), true);
        } catch (ProtocolException e) {
            log.warn("{} {}: {}; disconnecting", name, peerLabel(), e.getMessage());
            disconnect(e.reason(), e.getMessage());
            drainUntilPeerCloses();
        } catch (IOException e) {
            if (!closeRequested) {
                String why = e instanceof EOFException ? (e.getMessage() == null ? "stream ended early" : e.getMessage())
                        : e.toString();
                recordClose(DisconnectReason.CONNECTION_LOST, why, false);
            }
        } catch (RuntimeException e) {
            log.error("{} {}: unexpected error in reader", name, peerLabel(), e);
            disconnect(DisconnectReason.INTERNAL_ERROR, e.getClass().getSimpleName());
        } finally {
            finishAndClose();
            reassembler.releaseAll();
        }
    }

    /** Handles one parcel; returns false when the connection should stop reading. */
    private boolean handle(Parcel p, Reassembler reassembler, long now) throws IOException {
        if (hello == null && p.type() != ParcelType.HELLO && p.type() != ParcelType.DISCONNECT) {
            throw new ProtocolException(DisconnectReason.PROTOCOL_VIOLATION, "expected HELLO first, got " + p.type());
        }
        switch (p.type()) {
            case HELLO -> {
                if (hello != null) {
                    throw new ProtocolException(DisconnectReason.PROTOCOL_VIOLATION, "second HELLO");
                }
                Hello h = Hello.decode(p);
                byte[] proven = transport.remoteNodeId();
                if (proven != null && !java.util.Arrays.equals(proven, h.nodeId())) {
                    throw new ProtocolException(DisconnectReason.PROTOCOL_VIOLATION,
                            "HELLO claims another node id than the handshake proved");
                }
                hello = h;
                owner.helloReceived(this, hello);
            }
            case PING -> {
                if (queue.offer(Parcel.of(ParcelType.PONG, p.messageId(), p.payloadCopy())) == SendQueue.Offer.REFUSED) {
                    disconnect(DisconnectReason.SLOW_PEER, "send queue full of control parcels");
                }
            }
            case PONG -> {
                long sent = PingToken.read(p);
                long rtt = System.nanoTime() - sent;
                if (rtt > 0 && rtt < 3_600_000_000_000L) {
                    metrics.rttNanos = rtt;
                }
            }
            case MESSAGE -> {
                metrics.messagesReceived++;
                owner.messageReceived(this, AppMessage.decode(p.payload(), p.offset(), p.length(), settings.limits().maxMessageSize()));
            }
            case MESSAGE_PART -> {
                Parcel[] parts = reassembler.acceptPart(p, now);
                if (parts != null) {
                    metrics.messagesReceived++;
                    owner.messageReceived(this, AppMessage.decode(parts, settings.limits().maxMessageSize()));
                }
            }
            case PEER_REQUEST, PEER_RESPONSE -> owner.peerExchangeReceived(this, p);
            case GOSSIP -> owner.gossipReceived(this, org.loomnet.wire.GossipEnvelope.decode(p));
            case DISCONNECT -> {
                Goodbye g = Goodbye.decode(p);
                String detail = g.reason() == DisconnectReason.UNKNOWN ? "code " + g.code() + " " + g.detail() : g.detail();
                recordClose(g.reason(), detail, true);
                return false;
            }
        }
        return true;
    }

    /** After a protocol error: let the writer flush DISCONNECT, read and discard until the peer closes. */
    private void drainUntilPeerCloses() {
        try {
            socket.setSoTimeout((int) Math.max(1, settings.closeLinger().toMillis()));
            // The raw socket: after a decryption failure the transport could never read on.
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[4096];
            long total = 0;
            int n;
            while (total < DRAIN_LIMIT && (n = in.read(sink)) >= 0) {
                total += n;
            }
        } catch (IOException ignored) {
            // timeout or reset: either way we are done with this socket
        }
    }

    /** Stops the writer (after it flushes what is queued), closes the socket, reports the close. */
    private void finishAndClose() {
        queue.finish(null);
        setClosing();
        Thread w = writerThread;
        try {
            if (w != null && !w.join(settings.closeLinger())) {
                log.debug("{}: writer did not finish within the linger time; closing hard", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeSocket();
        if (w != null) {
            try {
                w.join(settings.closeLinger());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state.set(ConnectionState.CLOSED);
        recordClose(DisconnectReason.CONNECTION_LOST, "", false); // no-op unless nothing was recorded
        owner.closed(this);
    }

    // ---- writer thread ------------------------------------------------------------------------

    private void writeLoop() {
        List<Parcel> batch = new ArrayList<>();
        OutputStream out = transport.output();
        ParcelWriter writer = new ParcelWriter(out, settings.networkId(), settings.transports().checksums());
        try {
            while (queue.takeBatch(batch, BATCH_PARCELS, BATCH_BYTES, Long.MAX_VALUE)) {
                if (batch.isEmpty()) {
                    continue;
                }
                writeStartedMillis = settings.clock().millis();
                for (Parcel p : batch) {
                    metrics.written(p, writer.write(p));
                }
                out.flush();
                writeStartedMillis = NOT_RUNNING;
                metrics.flushed(settings.clock().millis());
                batch.clear();
            }
            transport.shutdownOutput();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!closeRequested) {
                recordClose(DisconnectReason.CONNECTION_LOST, "write failed: " + e, false);
                setClosing();
            }
            closeSocket(); // wakes the reader, which finishes the close
        }
    }

    // ---- called by the processing thread ------------------------------------------------------

    /**
     * Queues a parcel for the writer without blocking.
     *
     * @param p the parcel
     * @return what the queue did; on {@link SendQueue.Offer#REFUSED} the caller should disconnect
     *         the peer as too slow (unless the connection is already closing)
     */
    public SendQueue.Offer send(Parcel p) {
        return queue.offer(p);
    }

    /**
     * The peer's HELLO was accepted: messages may flow.
     *
     * @return false if the connection was already closing
     */
    public boolean markOnline() {
        if (!state.compareAndSet(ConnectionState.HANDSHAKE, ConnectionState.ONLINE)) {
            return false;
        }
        handshakeNanos = Math.max(0, System.nanoTime() - openedNanos);
        return true;
    }

    /**
     * Starts a graceful close: DISCONNECT with the reason is queued behind what is already queued,
     * the writer flushes it and half-closes, the reader waits for the peer to close. Idempotent:
     * only the first reason counts. Never blocks.
     *
     * @param reason why
     * @param detail more text for the log and the peer
     */
    public void disconnect(DisconnectReason reason, String detail) {
        recordClose(reason, detail, false);
        if (setClosing()) {
            CloseInfo info = closeInfo.get();
            Parcel bye = info.reason().onWire() && !info.byRemote()
                    ? Parcel.of(ParcelType.DISCONNECT, 0, Goodbye.of(info.reason(), info.detail()).encode())
                    : null;
            queue.finish(bye);
        }
    }

    /**
     * Runs the connection's timers. Never blocks.
     *
     * @param now the current clock millis
     */
    public void tick(long now) {
        ConnectionState s = state.get();
        if (s == ConnectionState.CLOSED) {
            return;
        }
        if (s == ConnectionState.CLOSING) {
            if (now - closingSinceMillis >= settings.closeLinger().toMillis()) {
                closeSocket();
            }
            return;
        }
        long frameStarted = frameStartedMillis;
        long writeStarted = writeStartedMillis;
        if (writeStarted != NOT_RUNNING && now - writeStarted >= settings.writeTimeout().toMillis()) {
            disconnect(DisconnectReason.WRITE_TIMEOUT, "write blocked for " + (now - writeStarted) + " ms");
            closeSocket(); // the writer is stuck; DISCONNECT could never be flushed
        } else if (frameStarted != NOT_RUNNING && now - frameStarted >= settings.frameTimeout().toMillis()) {
            disconnect(DisconnectReason.READ_TIMEOUT, "frame incomplete after " + (now - frameStarted) + " ms");
        } else if (s == ConnectionState.HANDSHAKE && now - openedMillis >= settings.handshakeTimeout().toMillis()) {
            disconnect(DisconnectReason.HANDSHAKE_TIMEOUT, "no acceptable HELLO within "
                    + settings.handshakeTimeout().toMillis() + " ms");
        } else if (now - metrics.lastReceivedMillis >= settings.idleTimeout().toMillis()) {
            disconnect(DisconnectReason.IDLE_TIMEOUT, "nothing received for " + (now - metrics.lastReceivedMillis) + " ms");
        } else if (s == ConnectionState.ONLINE && now - metrics.lastSentMillis >= settings.pingInterval().toMillis()
                && queue.size() == 0) {
            byte[] token = new byte[ParcelReader.PING_SIZE];
            PingToken.write(token, System.nanoTime());
            if (queue.offer(Parcel.of(ParcelType.PING, 0, token)) == SendQueue.Offer.REFUSED) {
                disconnect(DisconnectReason.SLOW_PEER, "send queue full of control parcels");
            }
        }
    }

    /**
     * Closes the socket at once; blocked reads and writes end. The reader thread then reports
     * the close. Used at shutdown when the linger time is over.
     */
    public void closeSocket() {
        closeRequested = true;
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("{}: close failed: {}", name, e.toString());
        }
    }

    /**
     * Waits for both threads to end.
     *
     * @param timeoutMillis how long to wait in all
     * @return true if both ended
     * @throws InterruptedException if interrupted
     */
    public boolean join(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        for (Thread t : new Thread[] {readerThread, writerThread}) {
            if (t != null) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0 || !t.join(java.time.Duration.ofMillis(left))) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean setClosing() {
        while (true) {
            ConnectionState s = state.get();
            if (s == ConnectionState.CLOSING || s == ConnectionState.CLOSED) {
                return false; // the linger keeps running from the first close
            }
            // Written before the state changes, so tick() never sees CLOSING with a stale start.
            closingSinceMillis = settings.clock().millis();
            if (state.compareAndSet(s, ConnectionState.CLOSING)) {
                return true;
            }
        }
    }

    private void recordClose(DisconnectReason reason, String detail, boolean byRemote) {
        if (closeInfo.compareAndSet(null, new CloseInfo(reason, detail == null ? "" : detail, byRemote))
                && reason != DisconnectReason.CONNECTION_LOST) {
            log.debug("{} {}: closing: {}", name, peerLabel(), closeInfo.get());
        }
    }

    private String peerLabel() {
        Hello h = hello;
        return h == null ? direction.name().toLowerCase() : h.nodeName().isEmpty() ? "" : "(" + h.nodeName() + ")";
    }

    /**
     * @param a an address
     * @return {@code ip:port}, or {@code [ipv6]:port}, without the host name
     */
    public static String hostPort(InetSocketAddress a) {
        String ip = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    // ---- read-only accessors (any thread) -----------------------------------------------------

    /** @return the node-unique connection id */
    public long id() {
        return id;
    }

    /** @return who dialed */
    public Direction direction() {
        return direction;
    }

    /** @return the peer's address and port as seen on the socket */
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** @return our side's port of the TCP connection */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** @return true for a special (persistent) peer */
    public boolean special() {
        return special;
    }

    /** @return the current state */
    public ConnectionState state() {
        return state.get();
    }

    /**
     * @return the peer's node id once its HELLO arrived (proven by the handshake when encrypted,
     *         claimed when plaintext), else null
     */
    public byte[] peerId() {
        Hello h = hello;
        return h == null ? null : h.nodeId();
    }

    /** @return true if the transport proved the peer's id (encryption), false if it is only claimed */
    public boolean authenticated() {
        Transport t = transport;
        return t != null && t.remoteNodeId() != null;
    }

    /** @return the peer's HELLO, or null before it arrived */
    public Hello hello() {
        return hello;
    }

    /** @return why the connection closed (or is closing), or null while it is open */
    public CloseInfo closeInfo() {
        return closeInfo.get();
    }

    /** @return the counters */
    public ConnectionMetrics metrics() {
        return metrics;
    }

    /** @return clock millis when the TCP connection was set up */
    public long openedMillis() {
        return openedMillis;
    }

    /**
     * How long the handshake took: from the TCP connection being set up (transport handshake,
     * HELLO exchange and the node's checks included) until the peer's HELLO was accepted. Measured
     * with {@link System#nanoTime()}, not the injected clock: it is a duration to report, not a
     * timer that drives behaviour.
     *
     * @return the nanoseconds, or -1 if the connection never came online
     */
    public long handshakeNanos() {
        return handshakeNanos;
    }

    /** @return addresses the peer suggested when it refused us, else empty */
    public java.util.List<InetSocketAddress> refusalAlternatives() {
        return refusalAlternatives;
    }

    /** @return the peer's quality score (0 at start; see the node's scoring policy) */
    public int quality() {
        return quality;
    }

    /**
     * Changes the quality score. Called by the processing thread only.
     *
     * @param delta points to add (negative for a penalty)
     * @return the new score
     */
    public int adjustQuality(int delta) {
        quality = (int) Math.max(-1000, Math.min(1000, (long) quality + delta));
        return quality;
    }

    /** @return parcels waiting in the send queue */
    public int queueLength() {
        return queue.size();
    }

    /** @return parcels dropped from the send queue because it was full */
    public long queueDrops() {
        return queue.dropped();
    }

    /** @return the thread-name prefix, e.g. {@code conn-127.0.0.2:7700} */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + "#" + id + "[" + direction + ", " + state + "]";
    }

    /** A PING token is the sender's {@link System#nanoTime()}, big-endian; PONG echoes it. */
    private static final class PingToken {
        static long read(Parcel p) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (p.payload()[p.offset() + i] & 0xFF);
            }
            return v;
        }

        static void write(byte[] b, long v) {
            for (int i = 7; i >= 0; i--) {
                b[i] = (byte) v;
                v >>>= 8;
            }
        }
    }
}
