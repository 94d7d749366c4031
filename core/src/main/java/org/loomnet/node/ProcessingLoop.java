package org.loomnet.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.loomnet.connection.CloseInfo;
import org.loomnet.connection.Connection;
import org.loomnet.connection.ConnectionSettings;
import org.loomnet.connection.ConnectionState;
import org.loomnet.connection.Direction;
import org.loomnet.connection.Refusal;
import org.loomnet.connection.SendQueue;
import org.loomnet.connection.TransportPreamble;
import org.loomnet.crypto.Ed25519;
import org.loomnet.peers.AddResult;
import org.loomnet.peers.AddressBook;
import org.loomnet.peers.AddressBookImage;
import org.loomnet.peers.PeerEntry;
import org.loomnet.peers.PeerSource;
import org.loomnet.wire.PeerList;
import org.loomnet.wire.ProtocolException;
import org.loomnet.crypto.Identity;
import org.loomnet.wire.AppMessage;
import org.loomnet.wire.GossipEnvelope;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Hello;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's single processing thread: it alone owns the connection table, the dial plan and
 * every routing decision. Everything reaches it as a {@link Command} on the inbox; it handles
 * one at a time and never blocks on I/O (dials run on their own threads, writes on each
 * connection's writer, handlers on each subscriber's thread).
 *
 * <p>It is also every connection's {@link Connection.Owner}: the owner callbacks run on reader
 * threads and only put commands on the inbox. A full inbox blocks the reader, and TCP then slows
 * the peer: back-pressure where it is natural.
 */
final class ProcessingLoop implements Connection.Owner {

    private static final Logger log = LoggerFactory.getLogger("org.loomnet.node.Node");
    private static final int MAX_CONCURRENT_REFUSALS = 64;
    /** Most commands taken off the inbox at once. */
    private static final int BATCH = 256;

    private final NodeConfig config;
    private final long nonce;
    private final NodeId selfId;
    private final int networkId;
    private final ConnectionSettings settings;
    private final BlockingQueue<Command> inbox;
    private final Subscribers subscribers;
    private final Refusal refusal;
    private final DialPlan dialPlan;
    private final AtomicLong connectionIds = new AtomicLong();
    private final long startedNanos = System.nanoTime();
    /** Bytes of received messages on the inbox; readers acquire, the processing thread releases. */
    private final java.util.concurrent.Semaphore inboxBytes;

    // ---- state owned by this thread -----------------------------------------------------------
    /**
     * Every open connection, by connection id (ids grow, so this is the order they opened in).
     * Only this thread changes it. It is a concurrent map so that {@link #connections()} can copy
     * it on the caller's thread: publishing a copy on every change, as this loop once did, cost
     * O(connections) per open and close, a fifth of a node's CPU while 10,000 peers connected
     * (docs/benchmarks.md, #4).
     */
    private final ConcurrentSkipListMap<Long, Connection> connections = new ConcurrentSkipListMap<>();
    /** Connections whose HELLO was accepted, by the peer's node id: at most one per node. */
    private final Map<NodeId, Connection> online = new HashMap<>();
    /** Outgoing connections, to find their dial target when they close. */
    private final Map<Connection, DialPlan.Target> outgoing = new HashMap<>();
    /** Connections the application was told are connected: each gets exactly one Disconnected. */
    private final java.util.Set<Connection> announced = new java.util.HashSet<>();
    /** Inbound connections in {@link #connections}, kept as a count so accepting stays O(1). */
    private int incoming;
    private int listenPort;
    private final SeenCache seen;
    /** Every address we know, with quality, backoff and bans. */
    private final AddressBook book;
    /** Hands a snapshot of the book to the thread that writes it; never blocks. */
    private final java.util.function.Consumer<AddressBookImage> bookSaver;
    /** Peer-exchange bookkeeping per online connection. */
    private final Map<Connection, PexState> pex = new HashMap<>();
    private long lastBookSave;
    private long lastBookExpiry;
    private long lastPexAsk;
    /** Published for the bootstrap thread. */
    private volatile boolean needsPeers = true;
    private final IncomingLimiter limiter;
    private long gossipParcelIds;
    private boolean shuttingDown;
    private CompletableFuture<Void> shutdownDone;
    private long shutdownDeadline;
    private volatile boolean stopped;

    // ---- published for other threads ---------------------------------------------------------
    private final NodeCounters counters;

    ProcessingLoop(NodeConfig config, long nonce, NodeId selfId, ConnectionSettings settings, BlockingQueue<Command> inbox,
                   Subscribers subscribers, NodeCounters counters, AddressBook book,
                   java.util.function.Consumer<AddressBookImage> bookSaver) {
        this.book = book;
        this.bookSaver = bookSaver;
        this.config = config;
        this.nonce = nonce;
        this.selfId = selfId;
        this.networkId = settings.networkId();
        this.settings = settings;
        this.inbox = inbox;
        this.subscribers = subscribers;
        this.counters = counters;
        this.inboxBytes = new java.util.concurrent.Semaphore((int) config.inboxBytes());
        this.limiter = new IncomingLimiter(config.maxIncomingPerAddress(), config.acceptsPerAddressPerSecond(), 4096);
        this.seen = new SeenCache(config.gossipSeenCapacity());
        this.refusal = new Refusal(MAX_CONCURRENT_REFUSALS, networkId, config.closeLinger());
        this.dialPlan = new DialPlan(config.maxDialTargets(), config.redialDelay(), config.redialMaxDelay(),
                config.redialAttempts());
    }

    void setListenPort(int port) {
        this.listenPort = port;
    }

    /** The thread body. Ends after {@link Command.Shutdown} once every connection is closed. */
    void run() {
        try {
            publishBookCounters();
            // Commands are taken in batches: one lock round and at most one wake-up for many
            // commands when the inbox is busy, the same order and one at a time otherwise.
            List<Command> batch = new ArrayList<>(BATCH);
            while (!stopped) {
                batch.add(inbox.take());
                inbox.drainTo(batch, BATCH - 1);
                for (Command c : batch) {
                    if (stopped) {
                        reject(c, new java.util.concurrent.RejectedExecutionException("node stopped"));
                        continue;
                    }
                    try {
                        handle(c);
                    } catch (RuntimeException e) {
                        log.error("processing {} failed", c, e);
                        reject(c, e);
                    }
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped = true;
            for (Connection c : connections.values()) {
                c.closeSocket();
            }
            // Whoever was told "connected" is told "disconnected", also when the linger ran out.
            for (Connection c : announced) {
                CloseInfo why = c.closeInfo() != null ? c.closeInfo() : new CloseInfo(DisconnectReason.SHUTDOWN, "", false);
                subscribers.event(new NodeEvent.Disconnected(ConnectionInfo.of(c), why));
            }
            announced.clear();
            rejectPending();
            if (shutdownDone != null) {
                shutdownDone.complete(null);
            }
        }
    }

    /**
     * Answers every command still on the inbox once the loop has stopped: futures fail, sockets
     * close. Safe from any thread; {@link Node} calls it again after a late submit.
     */
    void rejectPending() {
        Command c;
        while ((c = inbox.poll()) != null) {
            reject(c, new java.util.concurrent.RejectedExecutionException("node stopped"));
        }
    }

    private static void reject(Command c, Exception why) {
        switch (c) {
            case Command.Send s -> s.result().completeExceptionally(why);
            case Command.Gossip g -> g.result().completeExceptionally(why);
            case Command.Ban b -> b.result().completeExceptionally(why);
            case Command.Unban u -> u.result().completeExceptionally(why);
            case Command.AdjustQuality q -> q.result().completeExceptionally(why);
            case Command.BookSnapshot b -> b.result().completeExceptionally(why);
            case Command.Bans b -> b.result().completeExceptionally(why);
            case Command.SetSpecials s -> s.result().completeExceptionally(why);
            case Command.Learned l -> { }
            case Command.GossipReceived g -> { }
            case Command.Dial d -> d.result().completeExceptionally(why);
            case Command.Disconnect d -> d.result().completeExceptionally(why);
            case Command.Shutdown s -> s.done().complete(null);
            case Command.Accepted a -> closeQuietly(a.socket());
            case Command.Dialed d -> closeQuietly(d.socket());
            case Command.DialFailed f -> { }
            case Command.HelloReceived h -> { }
            case Command.Received r -> { }
            case Command.PeerExchange p -> { }
            case Command.Closed cl -> { }
            case Command.Tick t -> { }
        }
    }

    private void handle(Command command) {
        switch (command) {
            case Command.Accepted a -> accepted(a.socket());
            case Command.Dialed d -> dialed(d.target(), d.socket());
            case Command.DialFailed f -> dialFailed(f.target(), f.error());
            case Command.HelloReceived h -> acceptHello(h.connection(), h.hello());
            case Command.Received r -> received(r.connection(), r.message());
            case Command.PeerExchange p -> peerExchange(p.connection(), p.parcel());
            case Command.Ban b -> b.result().complete(ban(b.node(), b.address(), b.duration()));
            case Command.Unban u -> u.result().complete(unban(u.node(), u.address()));
            case Command.AdjustQuality q -> q.result().complete(adjustQualityOf(q.node(), q.delta()));
            case Command.BookSnapshot b -> b.result().complete(book.snapshot(now()));
            case Command.Bans b -> b.result().complete(book.bans(now()));
            case Command.Learned l -> learnFromSeed(l.addresses(), l.source());
            case Command.SetSpecials s -> s.result().complete(setSpecials(s.peers()));
            case Command.Closed c -> forget(c.connection());
            case Command.Send s -> s.result().complete(send(s.route(), s.parcels()));
            case Command.Gossip g -> g.result().complete(gossipOut(g.envelope()));
            case Command.GossipReceived g -> gossipIn(g.connection(), g.envelope());
            case Command.Dial d -> d.result().complete(dial(d.peer(), d.special()));
            case Command.Disconnect d -> d.result().complete(disconnect(d.node(), d.reason()));
            case Command.Shutdown s -> shutdown(s.done());
            case Command.Tick t -> tick();
        }
    }

    // ---- connections coming and going ---------------------------------------------------------

    private void accepted(Socket socket) {
        if (shuttingDown) {
            refuse(socket, DisconnectReason.SHUTDOWN, "");
            return;
        }
        InetSocketAddress from = (InetSocketAddress) socket.getRemoteSocketAddress();
        if (book.isBanned(from.getAddress(), null, now())) {
            refuse(socket, DisconnectReason.BANNED, "");
            return;
        }
        DisconnectReason perAddress = limiter.check(from.getAddress(), now());
        if (perAddress != null) {
            log.debug("refusing {}: {}", Connection.hostPort(from), perAddress.text());
            refuse(socket, perAddress, "");
            return;
        }
        if (incoming >= config.maxIncoming()) {
            log.debug("refusing {}: {} incoming connections", Connection.hostPort(from), incoming);
            // Turned away, but not empty-handed: a few good addresses to try instead.
            refuse(socket, DisconnectReason.TOO_MANY_INCOMING, "limit " + config.maxIncoming(),
                    shareable(Math.min(config.peerExchangeMax(), TransportPreamble.MAX_ALTERNATIVES), null));
            return;
        }
        open(socket, Direction.INBOUND, false, null);
    }

    private void refuse(Socket socket, DisconnectReason reason, String detail) {
        refuse(socket, reason, detail, List.of());
    }

    private void refuse(Socket socket, DisconnectReason reason, String detail, List<InetSocketAddress> alternatives) {
        counters.refused.incrementAndGet();
        if (!refusal.refuse(socket, reason, detail, alternatives)) {
            counters.refusedSilently.incrementAndGet();
        }
    }

    private void dialed(InetSocketAddress target, Socket socket) {
        DialPlan.Target t = dialPlan.get(target);
        if (shuttingDown || t == null) {
            closeQuietly(socket);
            return;
        }
        t.connection = open(socket, Direction.OUTBOUND, t.special, t.pinned == null ? null : t.pinned.bytes());
        outgoing.put(t.connection, t);
    }

    private void dialFailed(InetSocketAddress target, IOException error) {
        DialPlan.Target t = dialPlan.get(target);
        log.info("dial {} failed: {}", Connection.hostPort(target), error.toString());
        if (t != null) {
            dialPlan.failed(t, DisconnectReason.DIAL_FAILED, now());
        }
        book.markFailure(target, now());
    }

    private Connection open(Socket socket, Direction direction, boolean special, byte[] pinned) {
        Connection c = new Connection(connectionIds.incrementAndGet(), socket, direction, special, pinned,
                settings, this, counters.traffic);
        connections.put(c.id(), c);
        if (direction == Direction.INBOUND) {
            incoming++;
            limiter.opened(c.remoteAddress().getAddress());
        }
        c.start(ourHello());
        return c;
    }

    private Parcel ourHello() {
        Hello h = new Hello(networkId, ParcelWriter.PROTOCOL_VERSION, ParcelWriter.MIN_PROTOCOL_VERSION, nonce,
                selfId.bytes(),
                listenPort, config.userAgent(), config.nodeName());
        return Parcel.of(ParcelType.HELLO, 0, h.encode());
    }

    private void acceptHello(Connection c, Hello h) {
        NodeId peer = NodeId.of(h.nodeId());
        DialPlan.Target t = outgoing.get(c);
        if (t != null) {
            // Remember who lives at this address even if this connection fails below (lost
            // tie-break, already closing): while that node is connected another way, the
            // address needs no redial.
            t.knownNode = peer;
        }
        // The checks below also run on a connection that is already closing (the peer's
        // DISCONNECT, e.g. for a duplicate, can arrive right behind its HELLO): a valid HELLO
        // still proves the address reachable, and disconnect() is idempotent.
        if (h.networkId() != networkId) {
            c.disconnect(DisconnectReason.WRONG_NETWORK, "");
            return;
        }
        if (h.protocolVersion() < ParcelWriter.MIN_PROTOCOL_VERSION || ParcelWriter.PROTOCOL_VERSION < h.minVersion()) {
            c.disconnect(DisconnectReason.VERSION_TOO_OLD, "peer speaks " + h.protocolVersion() + " (min "
                    + h.minVersion() + "), we speak " + ParcelWriter.PROTOCOL_VERSION + " (min "
                    + ParcelWriter.MIN_PROTOCOL_VERSION + ")");
            return;
        }
        if (h.nonce() == nonce) {
            if (t != null) {
                book.remove(t.address); // our own address, learned from a seed or a peer: never dial it again
            }
            c.disconnect(DisconnectReason.SELF_CONNECTION, "");
            return;
        }
        if (peer.equals(selfId)) {
            // Another process with our key (a copied data dir), or a plaintext peer lying: not
            // "self", so a special address is not forgotten for good.
            c.disconnect(DisconnectReason.PROTOCOL_VIOLATION, "peer presents this node's own id");
            return;
        }
        long now = now();
        if (book.isBanned(c.remoteAddress().getAddress(), peer.toString(), now)) {
            c.disconnect(DisconnectReason.BANNED, "");
            return;
        }
        if (t != null) {
            book.markSuccess(t.address, peer.toString(), h.userAgent(), now); // reachable: it accepts connections
        } else if (h.listenPort() > 0) {
            book.add(new InetSocketAddress(c.remoteAddress().getAddress(), h.listenPort()), PeerSource.INCOMING,
                    c.remoteAddress().getAddress(), now);
        }
        if (c.state() != ConnectionState.HANDSHAKE) {
            return;
        }
        if (config.exclusiveIncoming() && c.direction() == Direction.INBOUND && !isSpecial(peer, c)) {
            c.disconnect(DisconnectReason.NOT_SPECIAL, "");
            return;
        }
        Connection existing = online.get(peer);
        if (existing != null && existing.state() != ConnectionState.ONLINE) {
            online.remove(peer); // already closing: it cannot win against a live connection
            existing = null;
        }
        if (existing != null) {
            Connection loser = keeps(existing, c, peer) ? c : existing;
            loser.disconnect(DisconnectReason.DUPLICATE_CONNECTION, "already connected to " + peer);
            if (loser == c) {
                return;
            }
            online.remove(peer);
        }
        if (!c.markOnline()) {
            return;
        }
        counters.handshakes.record(c.handshakeNanos());
        online.put(peer, c);
        announced.add(c);
        pex.put(c, new PexState());
        if (c.direction() == Direction.OUTBOUND) {
            askForPeers(c, now); // like Bitcoin's getaddr: ask the peers we chose, not those who chose us
        }
        if (t != null) {
            dialPlan.succeeded(t, c, peer);
        }
        ConnectionInfo info = ConnectionInfo.of(c);
        log.info("connected {} {} {} ({}{})", c.direction() == Direction.OUTBOUND ? "to" : "from",
                peer, Connection.hostPort(c.remoteAddress()), h.userAgent(), h.nodeName().isEmpty() ? "" : ", " + h.nodeName());
        subscribers.event(new NodeEvent.Connected(info));
    }

    /**
     * The duplicate-connection rule, which both ends of the pair evaluate to the same answer:
     * keep the connection dialed by the node with the smaller node id; if the same node dialed
     * both, keep the one whose dialing side used the smaller source port (both ends see that
     * port: it is the dialer's local port and the listener's remote port).
     *
     * @return true if {@code existing} survives against {@code candidate}
     */
    private boolean keeps(Connection existing, Connection candidate, NodeId peer) {
        NodeId existingDialer = existing.direction() == Direction.OUTBOUND ? selfId : peer;
        NodeId candidateDialer = candidate.direction() == Direction.OUTBOUND ? selfId : peer;
        if (!existingDialer.equals(candidateDialer)) {
            return existingDialer.compareTo(candidateDialer) < 0;
        }
        return dialerPort(existing) <= dialerPort(candidate);
    }

    private static int dialerPort(Connection c) {
        return c.direction() == Direction.OUTBOUND ? c.localPort() : c.remoteAddress().getPort();
    }

    private void forget(Connection c) {
        if (connections.remove(c.id()) == null) {
            return;
        }
        if (c.direction() == Direction.INBOUND) {
            incoming--;
            limiter.closed(c.remoteAddress().getAddress());
        }
        CloseInfo why = c.closeInfo();
        NodeId peer = c.hello() == null ? null : NodeId.of(c.hello().nodeId());
        boolean wasOnline = announced.remove(c);
        if (peer != null && online.get(peer) == c) {
            online.remove(peer);
        }
        counters.disconnected(why.reason());
        pex.remove(c);
        learn(c.refusalAlternatives(), c, now());
        penalise(c, why);
        DialPlan.Target t = outgoing.remove(c);
        if (t != null && c.hello() == null && why.reason() != DisconnectReason.SHUTDOWN) {
            book.markFailure(t.address, now()); // connected, but never got as far as a HELLO
        }
        if (t != null && !shuttingDown) {
            if (t.connection == c || t.dialing || t.connection == null) {
                if (why.reason() == DisconnectReason.REQUESTED && !why.byRemote() && !t.special) {
                    dialPlan.remove(t.address);
                } else {
                    dialPlan.failed(t, why.reason(), now());
                }
            }
        }
        if (wasOnline) {
            log.info("disconnected {} {}: {}", peer, Connection.hostPort(c.remoteAddress()), why);
            subscribers.event(new NodeEvent.Disconnected(ConnectionInfo.of(c), why));
        } else {
            log.debug("connection {} closed before the handshake completed: {}", c, why);
        }
        if (shuttingDown && connections.isEmpty()) {
            stopped = true;
        }
    }

    // ---- application requests -----------------------------------------------------------------

    private int send(Command.Route route, List<Parcel> parcels) {
        if (shuttingDown) {
            return 0;
        }
        List<Connection> targets = switch (route) {
            case Command.Route.ToPeer p -> {
                Connection c = online.get(p.node());
                yield c == null ? List.of() : List.of(c);
            }
            case Command.Route.ToAll a -> new ArrayList<>(online.values());
            case Command.Route.ToRandom r -> online.isEmpty() ? List.of()
                    : List.of(new ArrayList<>(online.values()).get(ThreadLocalRandom.current().nextInt(online.size())));
            case Command.Route.Broadcast b -> broadcastTargets(null);
        };
        int queued = 0;
        for (Connection c : targets) {
            if (enqueue(c, parcels)) {
                queued++;
            }
        }
        if (targets.isEmpty()) {
            counters.unroutable.incrementAndGet();
        }
        return queued;
    }

    /** Special peers always, then random others up to the fan-out. */
    private List<Connection> broadcastTargets(Connection except) {
        List<Connection> chosen = new ArrayList<>();
        List<Connection> others = new ArrayList<>();
        java.util.Set<NodeId> specialNodes = dialPlan.specialNodes();
        for (Map.Entry<NodeId, Connection> e : online.entrySet()) {
            // special is a property of the node: also when its inbound connection won the tie-break
            if (e.getValue() == except) {
                continue;
            }
            (e.getValue().special() || specialNodes.contains(e.getKey()) ? chosen : others).add(e.getValue());
        }
        Collections.shuffle(others, ThreadLocalRandom.current());
        for (int i = 0; i < others.size() && chosen.size() < config.fanout(); i++) {
            chosen.add(others.get(i));
        }
        return chosen;
    }

    private boolean enqueue(Connection c, List<Parcel> parcels) {
        for (Parcel p : parcels) {
            SendQueue.Offer r = c.send(p);
            switch (r) {
                case QUEUED -> { }
                case QUEUED_AFTER_DROP -> counters.queueDrops.incrementAndGet();
                case DROPPED -> {
                    counters.queueDrops.incrementAndGet();
                    return false;
                }
                case REFUSED -> {
                    if (c.state() != ConnectionState.CLOSING) {
                        c.disconnect(DisconnectReason.SLOW_PEER, "send queue full");
                    }
                    return false;
                }
            }
        }
        return true;
    }

    // ---- peers: address book, peer exchange, outgoing target, bans ---------------------------

    /** Peer exchange state of one online connection. */
    private static final class PexState {
        long lastAnswered = Long.MIN_VALUE / 2;
        long askedAt;
        boolean awaitingResponse;
    }

    private void askForPeers(Connection c, long now) {
        PexState st = pex.get(c);
        if (st == null || st.awaitingResponse && now - st.askedAt < 2 * config.peerExchangeInterval().toMillis()) {
            return; // still waiting; a peer that never answers is asked again after two intervals
        }
        st.awaitingResponse = true;
        st.askedAt = now;
        lastPexAsk = now;
        c.send(Parcel.of(ParcelType.PEER_REQUEST, 0, PeerList.encodeRequest(config.peerExchangeMax())));
    }

    private void peerExchange(Connection c, Parcel p) {
        PexState st = pex.get(c);
        if (st == null || c.state() != ConnectionState.ONLINE) {
            return;
        }
        long now = now();
        try {
            if (p.type() == ParcelType.PEER_REQUEST) {
                int wanted = PeerList.decodeRequest(p);
                // Half the interval: an honest peer asking every interval by its own clock is never
                // penalised for jitter; a flooder still gets one answer per half interval at most.
                if (now - st.lastAnswered < config.peerExchangeInterval().toMillis() / 2) {
                    counters.peerExchangeIgnored.incrementAndGet();
                    adjustQuality(c, GossipRules.PEX_TOO_FREQUENT);
                    return;
                }
                st.lastAnswered = now;
                List<InetSocketAddress> share = shareable(Math.min(wanted, config.peerExchangeMax()), c);
                c.send(Parcel.of(ParcelType.PEER_RESPONSE, 0, PeerList.encodeResponse(share)));
            } else {
                if (!st.awaitingResponse) {
                    counters.peerExchangeIgnored.incrementAndGet();
                    adjustQuality(c, GossipRules.PEX_UNSOLICITED);
                    return;
                }
                st.awaitingResponse = false;
                PeerList list = PeerList.decodeResponse(p, config.peerExchangeMax());
                if (list.announced() > config.peerExchangeMax()) {
                    counters.peerExchangeIgnored.incrementAndGet();
                    adjustQuality(c, GossipRules.PEX_OVERSIZED);
                    return;
                }
                learn(list.peers(), c, now);
            }
        } catch (ProtocolException e) {
            c.disconnect(e.reason(), e.getMessage());
        }
    }

    /** Adds addresses a peer told us about; they start in the new table, credited to that peer's group. */
    private void learn(List<InetSocketAddress> addresses, Connection from, long now) {
        for (InetSocketAddress a : addresses) {
            if (book.add(a, PeerSource.PEX, from.remoteAddress().getAddress(), now) == AddResult.ADDED) {
                counters.peersLearned.incrementAndGet();
            }
        }
    }

    /**
     * Addresses worth passing on: reached recently (we dialed them, so they accept connections),
     * quality above the threshold, best first; never specials; never the asker itself.
     */
    private List<InetSocketAddress> shareable(int max, Connection asker) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (PeerEntry e : book.forSharing(max + 1, now(), false)) {
            if (asker != null && asker.hello() != null && e.nodeId() != null
                    && e.nodeId().equals(NodeId.of(asker.hello().nodeId()).toString())) {
                continue;
            }
            if (out.size() < max) {
                out.add(e.address());
            }
        }
        return out;
    }

    /**
     * Fills the outgoing target from the address book: at most one connection per network group,
     * skipping nodes already connected, and asks a peer for more addresses while short.
     */
    private void keepOutgoingTarget(long now) {
        int active = dialPlan.fromBookActive();
        needsPeers = !config.exclusive() && active < config.targetOutgoing();
        if (config.exclusive()) {
            return; // exclusive: only special peers are dialed
        }
        if (active >= config.targetOutgoing()) {
            return;
        }
        java.util.Set<String> groups = new java.util.HashSet<>();
        for (Connection c : connections.values()) {
            if (c.direction() == Direction.OUTBOUND) {
                groups.add(AddressBook.groupOf(c.remoteAddress().getAddress()));
            }
        }
        for (InetSocketAddress dialing : dialPlan.dialing()) {
            if (dialing.getAddress() != null) {
                groups.add(AddressBook.groupOf(dialing.getAddress())); // a dial in progress holds its group too
            }
        }
        for (PeerEntry e : book.candidates(config.targetOutgoing() - active, now, groups)) {
            if (e.nodeId() != null && (online.containsKey(NodeId.parse(e.nodeId())) || e.nodeId().equals(selfId.toString()))) {
                continue;
            }
            if (dialPlan.get(e.address()) != null) {
                continue;
            }
            DialPlan.Target t = dialPlan.add(e.address(), false, null, now);
            if (t != null) {
                t.fromBook = true;
                book.markAttempt(e.address(), now);
            }
        }
        startDueDials();
        if (now - lastPexAsk >= config.peerExchangeInterval().toMillis() && !online.isEmpty()) {
            List<Connection> peers = new ArrayList<>(online.values());
            askForPeers(peers.get(ThreadLocalRandom.current().nextInt(peers.size())), now);
        }
    }

    /** @return true while the node is short of its outgoing target; read by the bootstrap thread */
    boolean needsPeers() {
        return needsPeers;
    }

    private void learnFromSeed(List<InetSocketAddress> addresses, PeerSource source) {
        long now = now();
        for (InetSocketAddress a : addresses) {
            if (book.add(a, source, null, now) == AddResult.ADDED) {
                counters.peersLearned.incrementAndGet();
            }
        }
    }

    /** A peer is special if its node id was found at a special address, or it comes from a special address's IP. */
    private boolean isSpecial(NodeId peer, Connection c) {
        if (dialPlan.specialNodes().contains(peer)) {
            return true;
        }
        for (DialPlan.Target t : dialPlan.specials()) {
            if (peer.equals(t.pinned) || t.address.getAddress() != null
                    && t.address.getAddress().equals(c.remoteAddress().getAddress())) {
                return true;
            }
        }
        return false;
    }

    /** Reloads the special peers: removed ones are disconnected and forgotten, kept ones untouched. */
    private int setSpecials(List<PeerAddress> peers) {
        long now = now();
        java.util.Set<InetSocketAddress> listed = new java.util.HashSet<>();
        for (PeerAddress p : peers) {
            listed.add(p.address());
        }
        int dropped = 0;
        for (DialPlan.Target t : dialPlan.specials()) {
            if (listed.contains(t.address)) {
                continue;
            }
            Connection c = t.connection != null ? t.connection : t.knownNode == null ? null : online.get(t.knownNode);
            if (c != null && c.state() != ConnectionState.CLOSING && c.state() != ConnectionState.CLOSED) {
                c.disconnect(DisconnectReason.REQUESTED, "no longer a special peer");
                dropped++;
            }
            dialPlan.remove(t.address);
            book.removeSpecial(t.address);
        }
        for (PeerAddress p : peers) {
            dialPlan.add(p.address(), true, p.nodeId(), now);
            if (!p.address().isUnresolved()) {
                book.addSpecial(p.address(), now);
            }
        }
        startDueDials();
        return dropped;
    }

    /**
     * Remembers misbehaviour on the peer's address in the book, so it is preferred less (and,
     * repeated, not at all): the dialed address, or the listen address an incoming peer announced.
     */
    private void penalise(Connection c, CloseInfo why) {
        DialPlan.Target t = outgoing.get(c);
        boolean special = t != null && t.special || c.peerId() != null && isSpecial(NodeId.of(c.peerId()), c);
        int penalty = GossipRules.penaltyFor(why, special);
        if (penalty == 0) {
            return;
        }
        InetSocketAddress address = t != null ? t.address
                : c.hello() != null && c.hello().listenPort() > 0
                        ? new InetSocketAddress(c.remoteAddress().getAddress(), c.hello().listenPort()) : null;
        if (address != null) {
            java.util.OptionalInt q = book.adjustQuality(address, penalty);
            if (q.isPresent() && q.getAsInt() < GossipRules.BAN_BELOW) {
                // A repeat offender: its address's score kept falling across connections.
                ban(c.peerId() == null ? null : NodeId.of(c.peerId()), address.getAddress(), null);
            }
        }
    }

    private int ban(NodeId node, java.net.InetAddress address, java.time.Duration duration) {
        long now = now();
        long until = now + (duration == null ? config.banDuration() : duration).toMillis();
        if (node != null) {
            book.ban(node.toString(), until, now);
        }
        if (address != null) {
            book.ban(address, until, now);
        }
        int dropped = 0;
        for (Connection c : new ArrayList<>(connections.values())) {
            boolean byId = node != null && c.peerId() != null && node.equals(NodeId.of(c.peerId()));
            boolean byIp = address != null && address.equals(c.remoteAddress().getAddress());
            if ((byId || byIp) && c.state() != ConnectionState.CLOSING && c.state() != ConnectionState.CLOSED) {
                c.disconnect(DisconnectReason.BANNED, "");
                dropped++;
            }
        }
        saveBook(now); // a ban must survive a crash right after it
        return dropped;
    }

    private boolean unban(NodeId node, java.net.InetAddress address) {
        boolean any = false;
        if (node != null) {
            any |= book.unban(node.toString());
        }
        if (address != null) {
            any |= book.unban(address);
        }
        saveBook(now());
        return any;
    }

    private Integer adjustQualityOf(NodeId node, int delta) {
        Connection c = online.get(node);
        if (c == null) {
            return null;
        }
        adjustQuality(c, delta);
        return c.quality();
    }

    // ---- gossip -------------------------------------------------------------------------------

    /** A gossip message this node signed: remember its id and send it to the fan-out. */
    private int gossipOut(GossipEnvelope envelope) {
        if (shuttingDown) {
            return 0;
        }
        seen.add(envelope.messageId(), now() + config.gossipTtl().toMillis(), now());
        publishGossipCounters();
        return forward(envelope, null);
    }

    /** A gossip message from a peer: drop duplicates, stale and forged ones; deliver and forward the rest. */
    private void gossipIn(Connection from, GossipEnvelope envelope) {
        inboxBytes.release(envelope.payload().length);
        if (from.state() != ConnectionState.ONLINE) {
            return;
        }
        long now = now();
        byte[] id = envelope.messageId();
        if (seen.contains(id, now)) {
            counters.gossipDuplicates.incrementAndGet();
            return;
        }
        long ttl = config.gossipTtl().toMillis();
        if (envelope.timestamp() < now - ttl || envelope.timestamp() > now + ttl) {
            counters.gossipStale.incrementAndGet();
            return;
        }
        // Verified after the duplicate check: a message reaching us along many paths costs one check.
        // A forged copy is not remembered, so it cannot block the genuine message with the same id.
        if (!Ed25519.verify(envelope.originKey(), envelope.signedPart(), envelope.signature())) {
            counters.gossipForged.incrementAndGet();
            log.warn("{}: gossip with a bad signature (seq {}); penalising the sender", from.name(), envelope.sequence());
            adjustQuality(from, GossipRules.BAD_SIGNATURE);
            return;
        }
        // Remembered until its timestamp leaves the window, so it cannot be accepted twice.
        seen.add(id, Math.max(now, envelope.timestamp()) + ttl + 1, now); // past the last accepted millisecond
        publishGossipCounters();
        NodeId origin = NodeId.of(Identity.nodeIdOf(envelope.originKey()));
        if (origin.equals(selfId)) {
            return; // our own message, back after its id expired from the cache
        }
        if (!origin.equals(peerIdOf(from))) {
            adjustQuality(from, GossipRules.VALID_GOSSIP); // credit for relaying others' news, not its own
        }
        counters.gossipDelivered.incrementAndGet();
        subscribers.deliver(new Message(origin, from.id(), envelope.type(), envelope.payload()));
        if (envelope.hops() + 1 < config.gossipMaxHops()) {
            forward(envelope.withHops(envelope.hops() + 1), from);
        }
    }

    private int forward(GossipEnvelope envelope, Connection except) {
        List<Parcel> parcel = List.of(Parcel.of(ParcelType.GOSSIP, gossipParcelIds++, envelope.encode()));
        int sent = 0;
        for (Connection c : broadcastTargets(except)) {
            if (enqueue(c, parcel)) {
                sent++;
            }
        }
        return sent;
    }

    private static NodeId peerIdOf(Connection c) {
        byte[] id = c.peerId();
        return id == null ? null : NodeId.of(id);
    }

    private void adjustQuality(Connection c, int delta) {
        int q = c.adjustQuality(delta);
        DialPlan.Target t = outgoing.get(c);
        if (t != null) {
            book.adjustQuality(t.address, delta); // the address remembers how its node behaved
        }
        if (q < GossipRules.BAN_BELOW && c.peerId() != null) {
            ban(NodeId.of(c.peerId()), c.remoteAddress().getAddress(), null);
        } else if (q < GossipRules.DISCONNECT_BELOW && c.state() == ConnectionState.ONLINE) {
            c.disconnect(DisconnectReason.LOW_QUALITY, "quality " + q);
        }
    }

    /** The book is ours alone; its sizes are copied out for the API and metrics, once per tick. */
    private void publishBookCounters() {
        counters.bookNew = book.newSize();
        counters.bookTried = book.triedSize();
        counters.bookSpecial = book.specialSize();
        counters.bookBans = book.banCount();
    }

    private void publishGossipCounters() {
        counters.gossipSeenSize = seen.size();
        counters.gossipSeenEvicted = seen.evicted();
    }

    private boolean dial(PeerAddress peer, boolean special) {
        if (shuttingDown) {
            return false;
        }
        DialPlan.Target t = dialPlan.add(peer.address(), special, peer.nodeId(), now());
        if (t == null) {
            log.warn("dial plan full ({} addresses); not dialing {}", config.maxDialTargets(), peer);
            return false;
        }
        startDueDials();
        return true;
    }

    private boolean disconnect(NodeId node, DisconnectReason reason) {
        Connection c = online.get(node);
        if (c == null) {
            return false;
        }
        c.disconnect(reason, "");
        return true;
    }

    private void received(Connection c, AppMessage m) {
        inboxBytes.release(m.payload().length); // subscriber queues bound it from here on
        if (c.state() != ConnectionState.ONLINE || c.hello() == null) {
            return;
        }
        counters.messagesReceived.incrementAndGet();
        subscribers.deliver(new Message(NodeId.of(c.hello().nodeId()), c.id(), m.type(), m.payload()));
    }

    private void shutdown(CompletableFuture<Void> done) {
        shutdownDone = done;
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        shutdownDeadline = now() + config.closeLinger().toMillis();
        for (Connection c : connections.values()) {
            c.disconnect(DisconnectReason.SHUTDOWN, "");
        }
        if (connections.isEmpty()) {
            stopped = true;
        }
    }

    // ---- timers -------------------------------------------------------------------------------

    private void tick() {
        counters.ticks.incrementAndGet();
        publishBookCounters();
        long now = now();
        limiter.prune(now);
        for (Connection c : connections.values()) {
            c.tick(now);
        }
        if (shuttingDown) {
            if (now >= shutdownDeadline) {
                stopped = true; // the run loop's finally closes what is left
            }
            return;
        }
        startDueDials();
        keepOutgoingTarget(now);
        if (now - lastBookExpiry >= 60_000) {
            for (Map.Entry<Connection, DialPlan.Target> e : outgoing.entrySet()) {
                if (e.getKey().state() == ConnectionState.ONLINE) {
                    book.touch(e.getValue().address, now); // connected for days is not "not heard of"
                }
            }
            book.expire(now);
            lastBookExpiry = now;
        }
        if (now - lastBookSave >= config.bookSaveInterval().toMillis()) {
            saveBook(now);
        }
    }

    /** Hands a snapshot of the book to its writer thread (the processing thread does no disk I/O). */
    void saveBook(long now) {
        bookSaver.accept(book.image(now));
        lastBookSave = now;
    }

    private void startDueDials() {
        for (DialPlan.Target t : dialPlan.due(now(), online::containsKey)) {
            if (book.isBanned(t.address.getAddress(), t.knownNode == null ? null : t.knownNode.toString(), now())) {
                dialPlan.failed(t, DisconnectReason.BANNED, now());
                continue;
            }
            InetSocketAddress target = t.address;
            int timeout = (int) config.dialTimeout().toMillis();
            InetSocketAddress source = dialSource();
            Thread.ofVirtual().name("dial-" + Connection.hostPort(target)).start(() -> {
                Socket s = new Socket();
                try {
                    if (source != null) {
                        s.bind(source);
                    }
                    // A name is looked up here, on the dial thread, on every attempt: DNS changes
                    // are followed and the processing thread never waits for a resolver.
                    InetSocketAddress resolved = target.isUnresolved()
                            ? new InetSocketAddress(target.getHostString(), target.getPort()) : target;
                    if (resolved.isUnresolved()) {
                        throw new java.net.UnknownHostException(target.getHostString());
                    }
                    s.connect(resolved, timeout);
                    post(new Command.Dialed(target, s));
                } catch (IOException e) {
                    closeQuietly(s);
                    post(new Command.DialFailed(target, e));
                }
            });
        }
    }

    /**
     * Outgoing connections leave from the listen host when it is a specific address, so that a
     * node bound to 127.0.0.2 is seen by its peers as 127.0.0.2 (and a multi-homed host dials
     * from the address it is known by). With a wildcard listen address the OS chooses.
     */
    private InetSocketAddress dialSource() {
        var host = config.listenAddress().getAddress();
        return host == null || host.isAnyLocalAddress() ? null : new InetSocketAddress(host, 0);
    }

    // ---- Connection.Owner: called on reader threads -------------------------------------------

    @Override
    public void helloReceived(Connection c, Hello hello) {
        post(new Command.HelloReceived(c, hello));
    }

    @Override
    public void messageReceived(Connection c, AppMessage message) {
        if (acquireInboxBytes(message.payload().length)) {
            post(new Command.Received(c, message));
        }
    }

    /**
     * Bytes first: a reader whose message would pass the inbox byte budget waits here, and TCP
     * slows its peer. The processing thread releases the bytes when it takes the command.
     *
     * @return false if the node stopped while waiting
     */
    private boolean acquireInboxBytes(int size) {
        if (inboxBytes.tryAcquire(size)) {
            return true; // the usual case: within the budget, no timed wait
        }
        try {
            while (!inboxBytes.tryAcquire(size, 100, TimeUnit.MILLISECONDS)) {
                if (stopped) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void gossipReceived(Connection c, GossipEnvelope envelope) {
        if (acquireInboxBytes(envelope.payload().length)) {
            post(new Command.GossipReceived(c, envelope));
        }
    }

    @Override
    public void peerExchangeReceived(Connection c, Parcel parcel) {
        post(new Command.PeerExchange(c, parcel));
    }

    @Override
    public void closed(Connection c) {
        post(new Command.Closed(c));
    }

    /**
     * Puts a command on the inbox, waiting while it is full (back-pressure), but never after the
     * processing thread has stopped, so no reader is left blocked at shutdown.
     */
    void post(Command c) {
        if (inbox.offer(c)) {
            return; // the usual case: room on the inbox, no timed wait
        }
        try {
            while (!stopped) {
                if (inbox.offer(c, 100, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (c instanceof Command.Dialed d) {
            closeQuietly(d.socket());
        } else if (c instanceof Command.Accepted a) {
            closeQuietly(a.socket());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private long now() {
        return config.clock().millis();
    }

    /**
     * @return an immutable copy of the connection table, safe from any thread; made while this
     *         thread may be changing it, so it holds every connection open throughout the copy
     *         and may or may not hold one that opened or closed during it
     */
    List<Connection> connections() {
        return List.copyOf(connections.values());
    }

    boolean stopped() {
        return stopped;
    }

    NodeId selfId() {
        return selfId;
    }

    long uptimeNanos() {
        return System.nanoTime() - startedNanos;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already broken
        }
    }
}
