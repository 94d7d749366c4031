package org.loomnet.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.loomnet.connection.Connection;
import org.loomnet.connection.ConnectionSettings;
import org.loomnet.connection.NoiseTransport;
import org.loomnet.connection.PlainTransport;
import org.loomnet.connection.Transport;
import org.loomnet.crypto.Identity;
import org.loomnet.peers.AddressBook;
import org.loomnet.peers.AddressBookImage;
import org.loomnet.peers.AddressBookSettings;
import org.loomnet.peers.AddressBookStore;
import org.loomnet.peers.PeerEntry;
import org.loomnet.wire.AppMessage;
import org.loomnet.wire.Checksums;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.GossipEnvelope;
import org.loomnet.wire.MessageSplitter;
import org.loomnet.wire.NetworkId;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ReassemblyBudget;
import org.loomnet.wire.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LoomNet node: it accepts and dials TCP connections to peers, exchanges framed messages with
 * them, keeps them healthy, and hands received messages to the application by message type.
 *
 * <pre>{@code
 * try (Node node = Node.builder()
 *         .network("demo")
 *         .listen("127.0.0.1", 0)
 *         .specialPeer(new InetSocketAddress("127.0.0.2", 7700))
 *         .build()) {
 *     node.subscribe("chat", m -> System.out.println(m.from() + ": " + new String(m.payload())));
 *     node.start();
 *     node.broadcast("chat", "hello".getBytes());
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * One acceptor thread, a reader and a writer thread per connection, one processing thread that
 * owns all connection state, a ticker, and one thread per subscriber: all virtual. The methods
 * here are thread-safe and never block on the network: sends are queued and return a future.
 * See docs/architecture.md.
 */
public final class Node implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final NodeConfig config;
    private final long nonce;
    private final Identity identity;
    private final NodeId id;
    private final int networkId;
    /** Whether this node's parcels carry checksums: not under Noise, whose AEAD tag covers every byte. */
    private final Checksums checksums;
    private final BlockingQueue<Command> inbox;
    private final Subscribers subscribers;
    private final NodeCounters counters = new NodeCounters();
    private final ReassemblyBudget reassembly;

    /** The address book's file name in the data directory. */
    public static final String BOOK_FILE = "addressbook.json";
    /** Owned by the processing thread while it runs; by {@link #close()} after it stopped. */
    private final AddressBook book;
    private final AddressBookStore bookStore;
    private final java.nio.file.Path bookFile;
    private final boolean bookWritable;
    /** The newest snapshot waiting to be written; older ones are replaced, never queued up. */
    private final ArrayBlockingQueue<AddressBookImage> bookToSave = new ArrayBlockingQueue<>(1);
    private volatile boolean bookWriterStopping;
    private Thread bookWriter;
    private final Bootstrap bootstrap;
    /** The DHT and its discovery thread, or null without a DHT. */
    private final DhtDiscovery dhtDiscovery;
    private final ProcessingLoop loop;
    private final AtomicLong messageIds = new AtomicLong(RANDOM.nextLong());
    /** Gossip sequence numbers start at the clock, in microseconds, so they keep rising across restarts. */
    private final AtomicLong gossipSequence;
    /** Guards start and close against each other; held across bind, never across network waits. */
    private final java.util.concurrent.locks.ReentrantLock lifecycle = new java.util.concurrent.locks.ReentrantLock();
    private ServerSocket server;
    private Acceptor acceptor;
    private Thread processing;
    private Thread ticker;
    private volatile boolean started;
    private volatile boolean closed;

    private Node(NodeConfig config) {
        this.config = config;
        this.nonce = RANDOM.nextLong();
        try {
            this.identity = config.dataDir() == null ? Identity.generate() : Identity.loadOrCreate(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the node key from " + config.dataDir() + ": " + e.getMessage(), e);
        }
        this.id = NodeId.of(identity.nodeId());
        this.gossipSequence = new AtomicLong(config.clock().millis() * 1000);
        this.networkId = NetworkId.of(config.network());
        Transport.Factory transports = config.encryption()
                ? NoiseTransport.factory(identity, networkId) : PlainTransport.factory(networkId);
        this.checksums = transports.checksums();
        this.inbox = new ArrayBlockingQueue<>(config.inboxCapacity());
        this.reassembly = new ReassemblyBudget(config.reassemblyBudget());
        this.subscribers = new Subscribers(config.subscriberQueue(), config.subscriberBytes());
        ConnectionSettings settings = new ConnectionSettings(networkId, config.limits(), config.sendQueueParcels(),
                config.sendQueueBytes(), config.handshakeTimeout(), config.pingInterval(), config.idleTimeout(),
                config.frameTimeout(), config.writeTimeout(), config.closeLinger(), config.partialsPerPeer(),
                config.reassemblyTimeout(), reassembly, transports,
                config.clock());
        AddressBookSettings bookSettings = AddressBookSettings.defaults();
        if (config.dataDir() != null) {
            this.bookFile = config.dataDir().resolve(BOOK_FILE);
            this.bookStore = new AddressBookStore(bookSettings, new java.util.SplittableRandom(), config.clock());
            AddressBookStore.Loaded loaded = bookStore.load(bookFile); // a corrupt book: WARN, moved aside, empty book
            this.book = loaded.book();
            this.bookWritable = loaded.safeToSave();
            if (!bookWritable) {
                log.warn("the address book {} could not be moved aside; it will not be overwritten (fix or remove it)",
                        bookFile);
            }
        } else {
            this.bookFile = null;
            this.bookStore = null;
            this.book = new AddressBook(bookSettings, new java.util.SplittableRandom());
            this.bookWritable = false;
        }
        long now = config.clock().millis();
        // The configured specials replace those saved by an earlier configuration.
        List<InetSocketAddress> specials = new ArrayList<>();
        for (PeerAddress p : config.specialPeers()) {
            if (!p.address().isUnresolved()) {
                specials.add(p.address());
            }
        }
        book.setSpecials(specials, now);
        for (InetSocketAddress seed : config.seedPeers()) {
            if (!seed.isUnresolved()) {
                book.add(seed, org.loomnet.peers.PeerSource.SEED, null, now);
            }
        }
        this.loop = new ProcessingLoop(config, nonce, id, settings, inbox, subscribers, counters, book, this::queueBookSave);
        this.bootstrap = new Bootstrap(config.seedUrls(), config.dnsSeeds(), config.bootstrapInterval(),
                loop::needsPeers, f -> loop.post(new Command.Learned(f.addresses(), f.source())));
        if (config.dht() == null) {
            this.dhtDiscovery = null;
        } else {
            org.loomnet.dht.DhtConfig d = config.dht();
            if (d.dataDir() == null && config.dataDir() != null) {
                d = d.toBuilder().dataDir(config.dataDir()).build(); // dht.json next to the address book
            }
            this.dhtDiscovery = new DhtDiscovery(org.loomnet.dht.DhtNode.create(d), config.network(),
                    config.dhtAnnounceInterval(), config.dhtLookupInterval(), loop::needsPeers,
                    found -> loop.post(new Command.Learned(found, org.loomnet.peers.PeerSource.DHT)));
        }
    }

    /**
     * @param config the settings
     * @return a node, not yet started
     */
    public static Node create(NodeConfig config) {
        return new Node(config);
    }

    /** @return a builder starting from {@link NodeConfig#DEFAULTS} */
    public static Builder builder() {
        return new Builder(NodeConfig.DEFAULTS);
    }

    /**
     * Binds the listen socket and starts every thread, then dials the special peers.
     *
     * @return this node
     * @throws UncheckedIOException if the listen address cannot be bound
     * @throws IllegalStateException if already started or closed
     */
    public Node start() {
        lifecycle.lock();
        try {
            if (started || closed) {
                throw new IllegalStateException(closed ? "node is closed" : "node already started");
            }
            try {
                server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(config.listenAddress(), 512);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + config.listenAddress() + ": " + e.getMessage(), e);
            }
            if (dhtDiscovery != null) {
                try {
                    dhtDiscovery.start(new InetSocketAddress(config.listenAddress().getAddress(), server.getLocalPort()));
                } catch (UncheckedIOException | IllegalArgumentException e) {
                    try {
                        server.close();
                    } catch (IOException ignored) {
                        // we are failing anyway; the DHT's error is the one to report
                    }
                    throw e;
                }
            }
            loop.setListenPort(server.getLocalPort());
            processing = Thread.ofVirtual().name("processing").start(loop::run);
            acceptor = new Acceptor(server, socket -> loop.post(new Command.Accepted(socket)));
            acceptor.start();
            ticker = Thread.ofVirtual().name("ticker").start(this::tickLoop);
            if (bookWritable) {
                bookWriter = Thread.ofVirtual().name("address-book").start(this::writeBooks);
            }
            bootstrap.start();
            started = true;
        } finally {
            lifecycle.unlock();
        }
        log.info("node {} listening on {} (network {})", id, Connection.hostPort(listenAddress()), config.network());
        if (dhtDiscovery != null) {
            org.loomnet.dht.DhtNode d = dhtDiscovery.dht();
            log.info("DHT node {} on udp {} ({} bootstrap nodes)", d.id(), Connection.hostPort(d.localAddress()),
                    d.config().bootstrap().size());
        }
        for (PeerAddress peer : config.specialPeers()) {
            dial(peer, true);
        }
        return this;
    }

    /** Called by the processing thread: replaces any snapshot not yet written. Never blocks. */
    private void queueBookSave(AddressBookImage image) {
        if (bookWritable) {
            bookToSave.clear();
            bookToSave.offer(image);
        }
    }

    /** The address-book thread: writes snapshots, the disk I/O the processing thread must not do. */
    private void writeBooks() {
        try {
            while (!(bookWriterStopping && bookToSave.isEmpty())) {
                AddressBookImage image = bookToSave.poll(1, TimeUnit.SECONDS);
                if (image != null) {
                    try {
                        bookStore.save(image, bookFile);
                    } catch (IOException e) {
                        log.warn("saving the address book to {} failed: {}", bookFile, e.toString());
                    }
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private void tickLoop() {
        long interval = config.tickInterval().toMillis();
        try {
            while (!loop.stopped()) {
                Thread.sleep(interval);
                inbox.offer(new Command.Tick()); // if the inbox is full, skip this tick
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    // ---- sending ------------------------------------------------------------------------------

    /**
     * Sends a message to one connected peer. Returns at once.
     *
     * @param peer    the peer's node id
     * @param type    the message type (1..64 bytes of UTF-8)
     * @param payload the bytes (copied)
     * @return completes with 1 if the message was queued for the peer, 0 if it is not connected
     *         (or its queue refused it); fails with {@link RejectedExecutionException} if the node
     *         is closed or too busy to take the request
     */
    public CompletableFuture<Integer> send(NodeId peer, String type, byte[] payload) {
        return route(new Command.Route.ToPeer(peer), type, payload);
    }

    /**
     * Sends a message to {@code fanout} random connected peers, special peers always included.
     *
     * @param type    the message type
     * @param payload the bytes (copied)
     * @return completes with the number of peers it was queued for
     */
    public CompletableFuture<Integer> broadcast(String type, byte[] payload) {
        return route(new Command.Route.Broadcast(), type, payload);
    }

    /**
     * Sends a message to every connected peer.
     *
     * @param type    the message type
     * @param payload the bytes (copied)
     * @return completes with the number of peers it was queued for
     */
    public CompletableFuture<Integer> sendToAll(String type, byte[] payload) {
        return route(new Command.Route.ToAll(), type, payload);
    }

    /**
     * Sends a message to one random connected peer.
     *
     * @param type    the message type
     * @param payload the bytes (copied)
     * @return completes with 1, or 0 if no peer is connected
     */
    public CompletableFuture<Integer> sendToRandom(String type, byte[] payload) {
        return route(new Command.Route.ToRandom(), type, payload);
    }

    private CompletableFuture<Integer> route(Command.Route route, String type, byte[] payload) {
        // Encoding and splitting happen here, on the caller's thread, once for all peers.
        List<Parcel> parcels = MessageSplitter.split(messageIds.incrementAndGet(), type, payload, config.limits(),
                checksums);
        CompletableFuture<Integer> result = new CompletableFuture<>();
        submit(new Command.Send(route, parcels, result), result);
        return result;
    }

    private void submit(Command c, CompletableFuture<?> result) {
        if (!started || closed || loop.stopped()) {
            result.completeExceptionally(new RejectedExecutionException("node is not running"));
        } else if (!inbox.offer(c)) {
            counters.rejectedCommands.incrementAndGet();
            result.completeExceptionally(new RejectedExecutionException("node is busy: processing queue full"));
        } else if (loop.stopped()) {
            loop.rejectPending(); // the loop stopped while we offered: nobody else will answer it
        }
    }

    /**
     * Floods a message to the whole network, signed by this node: every node delivers it to its
     * subscribers once and forwards it to its fan-out peers, except the one it came from. This
     * node's own subscribers do not receive it. Returns at once.
     *
     * @param type    the message type
     * @param payload the bytes; the whole envelope must fit one frame
     *                ({@code maxFrameSize - GossipEnvelope.OVERHEAD - type length})
     * @return completes with the number of peers it was first sent to
     * @throws IllegalArgumentException if the message does not fit a frame
     */
    public CompletableFuture<Integer> gossip(String type, byte[] payload) {
        byte[] key = identity.signingPublicKey();
        long sequence = gossipSequence.incrementAndGet();
        long timestamp = config.clock().millis();
        byte[] signed = GossipEnvelope.signedPart(key, sequence, timestamp, type, payload);
        if (1 + signed.length + GossipEnvelope.SIGNATURE_LENGTH > config.limits().maxFrameSize()) {
            throw new IllegalArgumentException("gossip of " + payload.length + " bytes does not fit one frame of "
                    + config.limits().maxFrameSize() + " bytes");
        }
        GossipEnvelope envelope = new GossipEnvelope(0, key, sequence, timestamp, type, payload.clone(),
                identity.sign(signed));
        CompletableFuture<Integer> result = new CompletableFuture<>();
        submit(new Command.Gossip(envelope, result), result);
        return result;
    }

    // ---- receiving ----------------------------------------------------------------------------

    /**
     * Registers a handler for one message type. The handler runs on its own virtual thread with
     * its own bounded queue ({@link NodeConfig#subscriberQueue()}); if it falls behind, its oldest
     * messages are dropped and counted, and nobody else is delayed.
     *
     * @param type    the message type
     * @param handler called once per message, on the subscriber's thread
     * @return the subscription; close it to stop
     */
    public Subscription subscribe(String type, Consumer<? super Message> handler) {
        AppMessage.typeBytes(type);
        return subscribers.subscribe(type, handler);
    }

    /**
     * Registers a handler for every message type, like {@link #subscribe} in every other respect:
     * its own thread, its own bounded queue that drops the oldest when full. For taps that record
     * or count traffic (the daemon's recent-messages view, for example).
     *
     * @param handler called once per message, on the subscriber's thread
     * @return the subscription; close it to stop
     */
    public Subscription subscribeAll(Consumer<? super Message> handler) {
        return subscribers.subscribeAll(handler);
    }

    /**
     * Registers a handler for connection events (connected, disconnected with the reason), on its
     * own virtual thread and bounded queue.
     *
     * @param handler called once per event
     * @return the subscription
     */
    public Subscription onEvent(Consumer<? super NodeEvent> handler) {
        return subscribers.onEvent(handler);
    }

    // ---- peers: bans, quality, the address book, special peers ------------------------------

    /**
     * Replaces the special peers at runtime: peers no longer listed are disconnected and no longer
     * redialed; peers still listed keep their connections; new ones are dialed.
     *
     * @param peers the new list
     * @return completes with the number of connections dropped
     */
    public CompletableFuture<Integer> setSpecialPeers(List<PeerAddress> peers) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        submit(new Command.SetSpecials(List.copyOf(peers), result), result);
        return result;
    }

    /**
     * Bans a node id: it is disconnected now, refused at every handshake and never dialed until
     * the ban ends. Bans are saved with the address book, so they survive a restart.
     *
     * @param node     the node id
     * @param duration how long, or null for {@link NodeConfig#banDuration()}
     * @return completes with the number of connections dropped
     */
    public CompletableFuture<Integer> ban(NodeId node, Duration duration) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        submit(new Command.Ban(node, null, duration, result), result);
        return result;
    }

    /**
     * Bans an IP address (every port): refused at accept, never dialed, until the ban ends.
     *
     * @param address  the address
     * @param duration how long, or null for {@link NodeConfig#banDuration()}
     * @return completes with the number of connections dropped
     */
    public CompletableFuture<Integer> banAddress(java.net.InetAddress address, Duration duration) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        submit(new Command.Ban(null, address, duration, result), result);
        return result;
    }

    /**
     * @param node a banned node id
     * @return completes with true if it was banned
     */
    public CompletableFuture<Boolean> unban(NodeId node) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        submit(new Command.Unban(node, null, result), result);
        return result;
    }

    /**
     * @param address a banned IP address
     * @return completes with true if it was banned
     */
    public CompletableFuture<Boolean> unbanAddress(java.net.InetAddress address) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        submit(new Command.Unban(null, address, result), result);
        return result;
    }

    /**
     * Changes a connected peer's quality score, as the scoring policy does for protocol events:
     * below -100 it is disconnected, below -500 banned.
     *
     * @param node  the peer
     * @param delta points to add, negative for a penalty
     * @return completes with the new score, or null if the peer is not connected
     */
    public CompletableFuture<Integer> adjustQuality(NodeId node, int delta) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        submit(new Command.AdjustQuality(node, delta, result), result);
        return result;
    }

    /** @return completes with the bans that hold now, by IP and by node id */
    public CompletableFuture<List<org.loomnet.peers.Ban>> bans() {
        CompletableFuture<List<org.loomnet.peers.Ban>> result = new CompletableFuture<>();
        submit(new Command.Bans(result), result);
        return result;
    }

    /** @return completes with a snapshot of every address the node knows */
    public CompletableFuture<List<PeerEntry>> addressBook() {
        CompletableFuture<List<PeerEntry>> result = new CompletableFuture<>();
        submit(new Command.BookSnapshot(result), result);
        return result;
    }

    // ---- connections --------------------------------------------------------------------------

    /**
     * Dials a peer. A special peer is kept connected forever (redialed with backoff); another
     * is redialed a few times after a lost connection.
     *
     * @param address the peer's listen address
     * @param special true to keep it connected forever
     * @return completes with true if the address was added to the dial plan
     */
    public CompletableFuture<Boolean> dial(InetSocketAddress address, boolean special) {
        return dial(PeerAddress.of(address), special);
    }

    /**
     * Dials a peer, optionally pinned: the connection fails with {@code PEER_ID_MISMATCH} if the
     * node at the address cannot prove the pinned id.
     *
     * @param peer    the peer's listen address and optional pinned id
     * @param special true to keep it connected forever
     * @return completes with true if the address was added to the dial plan
     */
    public CompletableFuture<Boolean> dial(PeerAddress peer, boolean special) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        submit(new Command.Dial(peer, special, result), result);
        return result;
    }

    /**
     * Disconnects a peer with the reason "disconnect requested". A special peer will be redialed.
     *
     * @param peer the peer's node id
     * @return completes with true if the peer was connected
     */
    public CompletableFuture<Boolean> disconnect(NodeId peer) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        submit(new Command.Disconnect(peer, DisconnectReason.REQUESTED, result), result);
        return result;
    }

    /** @return a snapshot of every open connection, in any state */
    public List<ConnectionInfo> connections() {
        if (closed) {
            return List.of();
        }
        List<Connection> now = loop.connections();
        List<ConnectionInfo> out = new ArrayList<>(now.size());
        for (Connection c : now) {
            out.add(ConnectionInfo.of(c));
        }
        return out;
    }

    /** @return the node ids of the peers whose handshake completed */
    public List<NodeId> peers() {
        return connections().stream()
                .filter(c -> c.state() == org.loomnet.connection.ConnectionState.ONLINE && c.nodeId() != null)
                .map(ConnectionInfo::nodeId).toList();
    }

    // ---- identity -----------------------------------------------------------------------------

    /** @return this node's keys */
    public Identity identity() {
        return identity;
    }

    /** @return this node's id */
    public NodeId id() {
        return id;
    }

    /** @return the settings */
    public NodeConfig config() {
        return config;
    }

    /** @return split messages in reassembly on all connections: bytes held, evictions, expiries, drops */
    public ReassemblyBudget reassembly() {
        return reassembly;
    }

    /**
     * @return the node's DHT, for lookups and announcements of the application's own, or null if
     *         the node runs none ({@link NodeConfig#dht()})
     */
    public org.loomnet.dht.DhtNode dht() {
        return dhtDiscovery == null ? null : dhtDiscovery.dht();
    }

    /** @return node-wide counters */
    public NodeCounters counters() {
        return counters;
    }

    /** @return how long the node has been running */
    public Duration uptime() {
        return Duration.ofNanos(loop.uptimeNanos());
    }

    /**
     * @return the address the node accepts connections on (with the real port when 0 was asked)
     * @throws IllegalStateException before {@link #start()}
     */
    public InetSocketAddress listenAddress() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return new InetSocketAddress(config.listenAddress().getAddress(), server.getLocalPort());
    }

    // ---- shutdown -----------------------------------------------------------------------------

    /**
     * Stops the node: sends DISCONNECT "node shutting down" to every peer, waits up to the close
     * linger for them to flush, closes every socket, joins every connection's threads, lets
     * subscribers handle what is already queued for them, and stops their threads. Normally returns
     * within {@code closeLinger}; the worst case, with every step timing out, is {@code closeLinger}
     * plus thirteen seconds (acceptor 2, handing over the shutdown 1, waiting for it 1, the processing
     * thread 1, connection threads 2, the address-book writer 5, subscribers 1). Idempotent.
     */
    @Override
    public void close() {
        lifecycle.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lifecycle.unlock();
        }
        if (!started) {
            subscribers.closeAll(Duration.ZERO);
            return;
        }
        try {
            // Every connection open now or opened before the processing thread stops is joined.
            java.util.Set<Connection> toJoin = new java.util.LinkedHashSet<>(loop.connections());
            acceptor.close();
            bootstrap.stop();
            if (dhtDiscovery != null) {
                dhtDiscovery.stop(); // the DHT saves its routing table as it closes
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            if (inbox.offer(new Command.Shutdown(done), 1, TimeUnit.SECONDS)) {
                try {
                    done.get(config.closeLinger().toMillis() + 1000, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    log.warn("shutdown did not finish within the linger time; closing sockets");
                }
            }
            processing.interrupt();
            processing.join(Duration.ofSeconds(1));
            ticker.interrupt();
            loop.rejectPending();
            toJoin.addAll(loop.connections());
            for (Connection c : toJoin) {
                c.closeSocket();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (Connection c : toJoin) {
                if (!c.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000))) {
                    log.warn("{}: threads did not end within the close deadline", c);
                }
            }
            if (bookWriter != null && processing.isAlive()) {
                log.warn("the processing thread did not stop; the address book is not saved at close");
                bookWriterStopping = true;
                bookWriter.interrupt();
            } else if (bookWriter != null) {
                // The processing thread has stopped: the book is ours now. Its last state is queued
                // first, then the writer is told to stop once the queue is empty.
                AddressBookImage last = book.image(config.clock().millis());
                bookToSave.clear();
                bookToSave.offer(last);
                bookWriterStopping = true;
                if (!bookWriter.join(Duration.ofSeconds(5))) {
                    log.warn("the address book writer did not finish within 5 s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("shutdown failed", e);
        } finally {
            // Handlers get what is already queued for them (the last Disconnected events), briefly.
            subscribers.closeAll(Duration.ofSeconds(1));
            log.info("node {} stopped", id);
        }
    }

    // ---- builder ------------------------------------------------------------------------------

    /**
     * Builds a {@link Node}. Starts from {@link NodeConfig#DEFAULTS}; every setter documents
     * the setting it changes in {@link NodeConfig}.
     */
    public static final class Builder {
        private String network;
        private InetSocketAddress listenAddress;
        private String nodeName;
        private String userAgent;
        private final List<PeerAddress> specialPeers;
        private int maxIncoming;
        private int maxIncomingPerAddress;
        private int acceptsPerAddressPerSecond;
        private int fanout;
        private WireLimits limits;
        private int sendQueueParcels;
        private long sendQueueBytes;
        private int subscriberQueue;
        private int inboxCapacity;
        private long inboxBytes;
        private long subscriberBytes;
        private int maxDialTargets;
        private Duration handshakeTimeout;
        private Duration pingInterval;
        private Duration idleTimeout;
        private Duration frameTimeout;
        private Duration writeTimeout;
        private Duration closeLinger;
        private Duration dialTimeout;
        private Duration redialDelay;
        private Duration redialMaxDelay;
        private int redialAttempts;
        private int partialsPerPeer;
        private Duration reassemblyTimeout;
        private long reassemblyBudget;
        private Duration tickInterval;
        private InstantSource clock;
        private int gossipMaxHops;
        private int gossipSeenCapacity;
        private Duration gossipTtl;
        private int targetOutgoing;
        private Duration peerExchangeInterval;
        private int peerExchangeMax;
        private Duration banDuration;
        private Duration bookSaveInterval;
        private final List<InetSocketAddress> seedPeers;
        private final List<java.net.URI> seedUrls;
        private final List<String> dnsSeeds;
        private Duration bootstrapInterval;
        private boolean exclusive;
        private boolean exclusiveIncoming;
        private boolean encryption;
        private java.nio.file.Path dataDir;
        private org.loomnet.dht.DhtConfig dht;
        private Duration dhtAnnounceInterval;
        private Duration dhtLookupInterval;

        /**
         * @param base the settings to start from
         */
        public Builder(NodeConfig base) {
            network = base.network();
            listenAddress = base.listenAddress();
            nodeName = base.nodeName();
            userAgent = base.userAgent();
            specialPeers = new ArrayList<>(base.specialPeers());
            maxIncoming = base.maxIncoming();
            maxIncomingPerAddress = base.maxIncomingPerAddress();
            acceptsPerAddressPerSecond = base.acceptsPerAddressPerSecond();
            fanout = base.fanout();
            limits = base.limits();
            sendQueueParcels = base.sendQueueParcels();
            sendQueueBytes = base.sendQueueBytes();
            subscriberQueue = base.subscriberQueue();
            inboxCapacity = base.inboxCapacity();
            inboxBytes = base.inboxBytes();
            subscriberBytes = base.subscriberBytes();
            maxDialTargets = base.maxDialTargets();
            handshakeTimeout = base.handshakeTimeout();
            pingInterval = base.pingInterval();
            idleTimeout = base.idleTimeout();
            frameTimeout = base.frameTimeout();
            writeTimeout = base.writeTimeout();
            closeLinger = base.closeLinger();
            dialTimeout = base.dialTimeout();
            redialDelay = base.redialDelay();
            redialMaxDelay = base.redialMaxDelay();
            redialAttempts = base.redialAttempts();
            partialsPerPeer = base.partialsPerPeer();
            reassemblyTimeout = base.reassemblyTimeout();
            reassemblyBudget = base.reassemblyBudget();
            tickInterval = base.tickInterval();
            clock = base.clock();
            gossipMaxHops = base.gossipMaxHops();
            gossipSeenCapacity = base.gossipSeenCapacity();
            gossipTtl = base.gossipTtl();
            targetOutgoing = base.targetOutgoing();
            peerExchangeInterval = base.peerExchangeInterval();
            peerExchangeMax = base.peerExchangeMax();
            banDuration = base.banDuration();
            bookSaveInterval = base.bookSaveInterval();
            seedPeers = new ArrayList<>(base.seedPeers());
            seedUrls = new ArrayList<>(base.seedUrls());
            dnsSeeds = new ArrayList<>(base.dnsSeeds());
            bootstrapInterval = base.bootstrapInterval();
            exclusive = base.exclusive();
            exclusiveIncoming = base.exclusiveIncoming();
            encryption = base.encryption();
            dataDir = base.dataDir();
            dht = base.dht();
            dhtAnnounceInterval = base.dhtAnnounceInterval();
            dhtLookupInterval = base.dhtLookupInterval();
        }

        /** @param v {@link NodeConfig#network()} @return this */
        public Builder network(String v) { network = v; return this; }

        /** @param v {@link NodeConfig#listenAddress()} @return this */
        public Builder listen(InetSocketAddress v) { listenAddress = v; return this; }

        /** @param host listen host @param port listen port, 0 for any free port @return this */
        public Builder listen(String host, int port) { return listen(new InetSocketAddress(host, port)); }

        /** @param v {@link NodeConfig#nodeName()} @return this */
        public Builder nodeName(String v) { nodeName = v; return this; }

        /** @param v {@link NodeConfig#userAgent()} @return this */
        public Builder userAgent(String v) { userAgent = v; return this; }

        /** @param v adds one of {@link NodeConfig#specialPeers()}, not pinned @return this */
        public Builder specialPeer(InetSocketAddress v) { specialPeers.add(PeerAddress.of(v)); return this; }

        /** @param v adds one of {@link NodeConfig#specialPeers()}, pinned if it names a node id @return this */
        public Builder specialPeer(PeerAddress v) { specialPeers.add(v); return this; }

        /** @param v {@link NodeConfig#maxIncoming()} @return this */
        public Builder maxIncoming(int v) { maxIncoming = v; return this; }

        /**
         * @param perAddress       {@link NodeConfig#maxIncomingPerAddress()}
         * @param acceptsPerSecond {@link NodeConfig#acceptsPerAddressPerSecond()}
         * @return this
         */
        public Builder incomingPerAddress(int perAddress, int acceptsPerSecond) {
            maxIncomingPerAddress = perAddress;
            acceptsPerAddressPerSecond = acceptsPerSecond;
            return this;
        }

        /** @param v {@link NodeConfig#fanout()} @return this */
        public Builder fanout(int v) { fanout = v; return this; }

        /** @param v {@link NodeConfig#limits()} @return this */
        public Builder limits(WireLimits v) { limits = v; return this; }

        /** @param parcels {@link NodeConfig#sendQueueParcels()} @param bytes {@link NodeConfig#sendQueueBytes()} @return this */
        public Builder sendQueue(int parcels, long bytes) { sendQueueParcels = parcels; sendQueueBytes = bytes; return this; }

        /** @param v {@link NodeConfig#subscriberQueue()} @return this */
        public Builder subscriberQueue(int v) { subscriberQueue = v; return this; }

        /** @param v {@link NodeConfig#inboxCapacity()} @return this */
        public Builder inboxCapacity(int v) { inboxCapacity = v; return this; }

        /** @param v {@link NodeConfig#inboxBytes()} @return this */
        public Builder inboxBytes(long v) { inboxBytes = v; return this; }

        /** @param v {@link NodeConfig#subscriberBytes()} @return this */
        public Builder subscriberBytes(long v) { subscriberBytes = v; return this; }

        /** @param v {@link NodeConfig#maxDialTargets()} @return this */
        public Builder maxDialTargets(int v) { maxDialTargets = v; return this; }

        /** @param v {@link NodeConfig#handshakeTimeout()} @return this */
        public Builder handshakeTimeout(Duration v) { handshakeTimeout = v; return this; }

        /** @param ping {@link NodeConfig#pingInterval()} @param idle {@link NodeConfig#idleTimeout()} @return this */
        public Builder keepAlive(Duration ping, Duration idle) { pingInterval = ping; idleTimeout = idle; return this; }

        /** @param v {@link NodeConfig#frameTimeout()} @return this */
        public Builder frameTimeout(Duration v) { frameTimeout = v; return this; }

        /** @param v {@link NodeConfig#writeTimeout()} @return this */
        public Builder writeTimeout(Duration v) { writeTimeout = v; return this; }

        /** @param v {@link NodeConfig#closeLinger()} @return this */
        public Builder closeLinger(Duration v) { closeLinger = v; return this; }

        /** @param v {@link NodeConfig#dialTimeout()} @return this */
        public Builder dialTimeout(Duration v) { dialTimeout = v; return this; }

        /**
         * @param delay    {@link NodeConfig#redialDelay()}
         * @param maxDelay {@link NodeConfig#redialMaxDelay()}
         * @param attempts {@link NodeConfig#redialAttempts()}
         * @return this
         */
        public Builder redial(Duration delay, Duration maxDelay, int attempts) {
            redialDelay = delay;
            redialMaxDelay = maxDelay;
            redialAttempts = attempts;
            return this;
        }

        /**
         * @param perPeer {@link NodeConfig#partialsPerPeer()}
         * @param timeout {@link NodeConfig#reassemblyTimeout()}
         * @param budget  {@link NodeConfig#reassemblyBudget()}
         * @return this
         */
        public Builder reassembly(int perPeer, Duration timeout, long budget) {
            partialsPerPeer = perPeer;
            reassemblyTimeout = timeout;
            reassemblyBudget = budget;
            return this;
        }

        /** @param v {@link NodeConfig#tickInterval()} @return this */
        public Builder tickInterval(Duration v) { tickInterval = v; return this; }

        /** @param v {@link NodeConfig#clock()} @return this */
        public Builder clock(InstantSource v) { clock = v; return this; }

        /**
         * @param maxHops      {@link NodeConfig#gossipMaxHops()}
         * @param seenCapacity {@link NodeConfig#gossipSeenCapacity()}
         * @param ttl          {@link NodeConfig#gossipTtl()}
         * @return this
         */
        public Builder gossip(int maxHops, int seenCapacity, Duration ttl) {
            gossipMaxHops = maxHops;
            gossipSeenCapacity = seenCapacity;
            gossipTtl = ttl;
            return this;
        }

        /** @param v {@link NodeConfig#targetOutgoing()} @return this */
        public Builder targetOutgoing(int v) { targetOutgoing = v; return this; }

        /**
         * @param interval {@link NodeConfig#peerExchangeInterval()}
         * @param max      {@link NodeConfig#peerExchangeMax()}
         * @return this
         */
        public Builder peerExchange(Duration interval, int max) {
            peerExchangeInterval = interval;
            peerExchangeMax = max;
            return this;
        }

        /** @param v {@link NodeConfig#banDuration()} @return this */
        public Builder banDuration(Duration v) { banDuration = v; return this; }

        /** @param v {@link NodeConfig#bookSaveInterval()} @return this */
        public Builder bookSaveInterval(Duration v) { bookSaveInterval = v; return this; }

        /** @param v adds one of {@link NodeConfig#seedPeers()} @return this */
        public Builder seedPeer(InetSocketAddress v) { seedPeers.add(v); return this; }

        /** @param v adds one of {@link NodeConfig#seedUrls()} @return this */
        public Builder seedUrl(java.net.URI v) { seedUrls.add(v); return this; }

        /** @param v adds one of {@link NodeConfig#dnsSeeds()} @return this */
        public Builder dnsSeed(String v) { dnsSeeds.add(v); return this; }

        /** @param v {@link NodeConfig#bootstrapInterval()} @return this */
        public Builder bootstrapInterval(Duration v) { bootstrapInterval = v; return this; }

        /**
         * @param dialOnlySpecial   {@link NodeConfig#exclusive()}
         * @param acceptOnlySpecial {@link NodeConfig#exclusiveIncoming()}
         * @return this
         */
        public Builder exclusive(boolean dialOnlySpecial, boolean acceptOnlySpecial) {
            exclusive = dialOnlySpecial;
            exclusiveIncoming = acceptOnlySpecial;
            return this;
        }

        /** @param v {@link NodeConfig#encryption()} @return this */
        public Builder encryption(boolean v) { encryption = v; return this; }

        /** @param v {@link NodeConfig#dataDir()} @return this */
        public Builder dataDir(java.nio.file.Path v) { dataDir = v; return this; }

        /** @param v {@link NodeConfig#dht()}, null for none @return this */
        public Builder dht(org.loomnet.dht.DhtConfig v) { dht = v; return this; }

        /**
         * @param announce {@link NodeConfig#dhtAnnounceInterval()}
         * @param lookup   {@link NodeConfig#dhtLookupInterval()}
         * @return this
         */
        public Builder dhtIntervals(Duration announce, Duration lookup) {
            dhtAnnounceInterval = announce;
            dhtLookupInterval = lookup;
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalArgumentException if a setting is out of range
         */
        public NodeConfig config() {
            return new NodeConfig(network, listenAddress, nodeName, userAgent, specialPeers, maxIncoming,
                    maxIncomingPerAddress, acceptsPerAddressPerSecond, fanout,
                    limits, sendQueueParcels, sendQueueBytes, subscriberQueue, inboxCapacity, inboxBytes,
                    subscriberBytes, maxDialTargets,
                    handshakeTimeout, pingInterval, idleTimeout, frameTimeout, writeTimeout, closeLinger,
                    dialTimeout, redialDelay, redialMaxDelay, redialAttempts, partialsPerPeer, reassemblyTimeout,
                    reassemblyBudget, tickInterval, clock, gossipMaxHops, gossipSeenCapacity, gossipTtl, targetOutgoing,
                    peerExchangeInterval, peerExchangeMax, banDuration, bookSaveInterval, seedPeers, seedUrls, dnsSeeds,
                    bootstrapInterval, exclusive, exclusiveIncoming, encryption,
                    dataDir, dht, dhtAnnounceInterval, dhtLookupInterval);
        }

        /** @return a node with these settings, not yet started */
        public Node build() {
            return new Node(config());
        }
    }
}
