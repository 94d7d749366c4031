package org.loomnet.dht;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node of the BitTorrent mainline DHT (BEP 5): a Kademlia distributed hash table over UDP that
 * maps 20-byte info-hashes to the addresses of peers. It talks to any mainline implementation
 * (libtorrent, the npm {@code bittorrent-dht}, ...), and LoomNet uses it to find peers of a network
 * without a central server: every node announces its TCP port under
 * {@code DhtId.infoHashOf("loomnet:" + network)} and asks for the others with {@link #getPeers}.
 *
 * <pre>{@code
 * try (DhtNode dht = DhtNode.create(DhtConfig.builder()
 *         .bind("0.0.0.0", 7701)
 *         .bootstrap(List.of(new InetSocketAddress("198.51.100.7", 6881)))
 *         .dataDir(Path.of("data"))
 *         .build()).start()) {
 *     DhtId key = DhtId.infoHashOf("loomnet:demo");
 *     dht.announce(key, 7700, false).join();
 *     List<InetSocketAddress> peers = dht.getPeers(key).join().peers();
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * Three virtual threads: {@code dht-receiver} blocks on the socket, drops floods (per-IP rate
 * limit) and garbage, and queues valid messages; {@code dht-processing} owns the routing table,
 * the transactions, the lookups, the tokens and the peer store, and handles the queue one item at
 * a time; {@code dht-store} writes {@code dht.json}. The methods here are thread-safe, never block
 * on the network, and return futures; a full queue fails the future with
 * {@link RejectedExecutionException} at once. The futures complete on {@code dht-processing}:
 * callbacks attached with {@code thenApply} and the like run there and must not block (use the
 * {@code ...Async} variants for anything slow).
 *
 * <h2>What it implements</h2>
 * KRPC with {@code ping}, {@code find_node}, {@code get_peers} and {@code announce_peer} (with
 * {@code implied_port}), errors 202 to 204 sent (201 is understood when received); a 160-bit routing table with buckets of k = 8 that split
 * as BEP 5 says, good/questionable/bad nodes, replacement caches and bucket refresh; iterative
 * lookups with alpha = 3; tokens bound to the requester's IP, rotated every 5 minutes; a bounded
 * peer store with expiry. IPv4 only (BEP 32's {@code nodes6} is ignored). BEP 42 (ids derived from
 * the IP address) is not enforced, and BEP 43's {@code ro} is honoured when received. See
 * {@link DhtConfig} for every limit.
 */
public final class DhtNode implements AutoCloseable {

    /** The routing table's file name in the data directory. */
    public static final String TABLE_FILE = "dht.json";

    private static final Logger log = LoggerFactory.getLogger(DhtNode.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

    private final DhtConfig config;
    private final DhtId id;
    private final DhtCounters counters = new DhtCounters();
    private final BlockingQueue<DhtCommand> inbox;
    private final DhtProcessing processing;
    private final RoutingTableStore store;
    private final Path tableFile;
    private final boolean tableWritable;
    /** The poison pill that ends the store thread. */
    private static final RoutingTableSnapshot STOP_WRITER = new RoutingTableSnapshot(DhtId.of(new byte[DhtId.LENGTH]),
            1, java.util.List.of());
    /** The newest table snapshot waiting to be written; an older one is replaced, never queued. */
    private final ArrayBlockingQueue<RoutingTableSnapshot> toSave = new ArrayBlockingQueue<>(1);
    /** Guards start and close against each other; never held across a network wait. */
    private final ReentrantLock lifecycle = new ReentrantLock();
    private DatagramSocket socket;
    private Thread receiverThread;
    private Thread processingThread;
    private Thread storeThread;
    private volatile InetSocketAddress localAddress;
    private volatile boolean started;
    private volatile boolean closing;

    private DhtNode(DhtConfig config) {
        this.config = config;
        long now = config.clock().millis();
        RoutingTableStore.Loaded loaded = null;
        if (config.dataDir() != null) {
            try {
                Files.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
            }
            this.tableFile = config.dataDir().resolve(TABLE_FILE);
            this.store = new RoutingTableStore(config.clock());
            loaded = store.load(tableFile); // a bad file: WARN, moved aside, empty table
            this.tableWritable = loaded.safeToSave();
        } else {
            this.tableFile = null;
            this.store = null;
            this.tableWritable = false;
        }
        if (config.nodeId() != null) {
            this.id = config.nodeId();
        } else if (loaded != null && loaded.id() != null) {
            this.id = loaded.id();
        } else {
            this.id = DhtId.random();
        }
        RoutingTable table = new RoutingTable(id, DhtId.BITS, config.k(), config.k(), config.nodeGoodFor(),
                DhtProcessing.MAX_FAILURES, now);
        if (loaded != null) {
            for (NodeInfo n : loaded.nodes()) {
                table.heard(n, RoutingTable.Contact.RESTORED, now);
            }
            log.debug("DHT table {}: {} with {} nodes", tableFile, loaded.outcome(), table.size());
        }
        this.inbox = new ArrayBlockingQueue<>(config.inboxCapacity());
        SecureRandom secure = new SecureRandom();
        this.processing = new DhtProcessing(config, id, table, inbox, counters, new SplittableRandom(secure.nextLong()),
                secure, tableWritable ? this::queueSave : null);
    }

    /**
     * Creates a node and loads its routing table from the data directory (if configured). Nothing
     * is bound and no thread runs until {@link #start()}.
     *
     * @param config the settings
     * @return the node
     * @throws UncheckedIOException if the data directory cannot be created
     */
    public static DhtNode create(DhtConfig config) {
        return new DhtNode(Objects.requireNonNull(config, "config"));
    }

    /**
     * Binds the UDP socket, starts the threads, pings the bootstrap nodes and then looks up our
     * own id to join the network. Returns at once; the joining goes on in the background.
     *
     * @return this node
     * @throws UncheckedIOException  if the address cannot be bound
     * @throws IllegalStateException if already started or closed
     */
    public DhtNode start() {
        lifecycle.lock();
        try {
            if (started || closing) {
                throw new IllegalStateException(closing ? "DHT node is closed" : "DHT node already started");
            }
            try {
                socket = new DatagramSocket(null);
                try {
                    socket.setReceiveBufferSize(1 << 20); // bursts of queries; best effort
                } catch (IOException e) {
                    log.debug("cannot enlarge the DHT receive buffer: {}", e.toString());
                }
                socket.bind(config.bindAddress());
            } catch (IOException e) {
                if (socket != null) {
                    socket.close();
                }
                throw new UncheckedIOException("cannot bind the DHT to " + config.bindAddress() + ": "
                        + e.getMessage(), e);
            }
            localAddress = (InetSocketAddress) socket.getLocalSocketAddress();
            PacketSender sender = new PacketSender(socket, counters);
            processing.attach(sender, localAddress);
            processingThread = Thread.ofVirtual().name("dht-processing").start(processing::run);
            DhtReceiver receiver = new DhtReceiver(socket, sender, config, counters, inbox::offer, () -> closing);
            receiverThread = Thread.ofVirtual().name("dht-receiver").start(receiver);
            if (tableWritable) {
                storeThread = Thread.ofVirtual().name("dht-store").start(this::writeTables);
            }
            started = true;
            inbox.offer(new DhtCommand.Start()); // the queue is empty: cannot be full
        } finally {
            lifecycle.unlock();
        }
        // DEBUG: a node that embeds the DHT says so in its own words (Node logs it after its own line).
        log.debug("DHT node {} on udp {}:{}", id, localAddress.getAddress().getHostAddress(), localAddress.getPort());
        return this;
    }

    /** Called by the processing thread: replaces any snapshot not yet written. Never blocks. */
    private void queueSave(RoutingTableSnapshot snapshot) {
        toSave.clear();
        toSave.offer(snapshot);
    }

    /** The store thread: the disk I/O the processing thread must not do. */
    private void writeTables() {
        try {
            while (true) {
                RoutingTableSnapshot s = toSave.take();
                if (s == STOP_WRITER) {
                    return; // close() writes the final table itself
                }
                try {
                    store.save(s, tableFile);
                } catch (IOException e) {
                    log.warn("saving the DHT table to {} failed: {}", tableFile, e.toString());
                }
            }
        } catch (InterruptedException e) {
            // close() from the processing thread: no final save
        }
    }

    /**
     * Stops the node: closes the socket, ends the threads, fails every outstanding future with
     * {@link RejectedExecutionException}, and writes the routing table a last time. Idempotent.
     */
    @Override
    public void close() {
        lifecycle.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
        } finally {
            lifecycle.unlock();
        }
        processing.stop();
        if (!started) {
            processing.rejectPending();
            return;
        }
        processingThread.interrupt();
        socket.close(); // ends the blocked receive
        if (Thread.currentThread() == processingThread) {
            // close() from a future's callback, which runs on the processing thread: that thread
            // ends when the callback returns. Nothing to wait for, and no final save from here.
            if (storeThread != null) {
                storeThread.interrupt();
            }
            return;
        }
        boolean ended = join(processingThread) & join(receiverThread);
        processing.rejectPending(); // commands that came in while it stopped
        if (storeThread != null) {
            // The processing thread has ended: nobody else offers now. A pill, not an interrupt,
            // so a save in progress finishes instead of failing half-way.
            toSave.clear();
            toSave.offer(STOP_WRITER);
            ended &= join(storeThread);
        }
        if (tableWritable && ended) {
            try {
                store.save(processing.finalSnapshot(), tableFile);
            } catch (IOException e) {
                log.warn("saving the DHT table to {} failed: {}", tableFile, e.toString());
            }
        }
        log.debug("DHT node {} closed: {}", id, counters);
    }

    private static boolean join(Thread t) {
        try {
            if (t.join(JOIN_TIMEOUT)) {
                return true;
            }
            log.warn("DHT thread {} did not end within {}", t.getName(), JOIN_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    // ---- the API ------------------------------------------------------------------------------

    /** @return our node id */
    public DhtId id() {
        return id;
    }

    /** @return the settings */
    public DhtConfig config() {
        return config;
    }

    /**
     * @return the bound UDP address (with the real port if the configured one was 0)
     * @throws IllegalStateException before {@link #start()}
     */
    public InetSocketAddress localAddress() {
        InetSocketAddress a = localAddress;
        if (a == null) {
            throw new IllegalStateException("DHT node not started");
        }
        return a;
    }

    /** @return the counters; live, read them any time */
    public DhtCounters counters() {
        return counters;
    }

    /**
     * Pings an address. A node that answers is added to the routing table if there is room.
     *
     * @param address a resolved IPv4 address
     * @return completes with the id and address of the node that answered; fails with
     *         {@link java.util.concurrent.TimeoutException} if none did within
     *         {@link DhtConfig#queryTimeout()}, with {@link KrpcException} if it answered with an
     *         error, with {@link RejectedExecutionException} if the node is closed or busy
     */
    public CompletableFuture<NodeInfo> ping(InetSocketAddress address) {
        return submitPing(address, false);
    }

    /**
     * Adds a contact, such as a bootstrap node learned at runtime: pings it, and if it answers and
     * our table is still small (fewer than 2k nodes), looks up our own id through it to fill the
     * table.
     *
     * @param address a resolved IPv4 address
     * @return completes as {@link #ping}
     */
    public CompletableFuture<NodeInfo> addNode(InetSocketAddress address) {
        return submitPing(address, true);
    }

    private CompletableFuture<NodeInfo> submitPing(InetSocketAddress address, boolean contact) {
        requireIpv4(address);
        CompletableFuture<NodeInfo> result = new CompletableFuture<>();
        submit(new DhtCommand.Ping(address, contact, result), result);
        return result;
    }

    /**
     * Finds the k nodes closest to an id by an iterative {@code find_node} lookup.
     *
     * @param target the id
     * @return completes with the closest nodes that answered and the lookup's statistics (an empty
     *         list if our routing table is empty)
     */
    public CompletableFuture<LookupResult> findNode(DhtId target) {
        Objects.requireNonNull(target, "target");
        CompletableFuture<LookupResult> result = new CompletableFuture<>();
        submit(new DhtCommand.FindNode(target, result), result);
        return result;
    }

    /**
     * Finds peers for an info-hash by an iterative {@code get_peers} lookup.
     *
     * @param infoHash the info-hash, for example {@link DhtId#infoHashOf}
     * @return completes with the peers found (possibly none) and the lookup's statistics
     */
    public CompletableFuture<PeersResult> getPeers(DhtId infoHash) {
        Objects.requireNonNull(infoHash, "infoHash");
        CompletableFuture<PeersResult> result = new CompletableFuture<>();
        submit(new DhtCommand.GetPeers(infoHash, result), result);
        return result;
    }

    /**
     * Announces that we are a peer for an info-hash: a {@code get_peers} lookup, then
     * {@code announce_peer} to each of the k closest nodes with the token it gave us. Announces
     * expire after about 30 minutes on most nodes: repeat this every 15 minutes or so to stay
     * listed.
     *
     * @param infoHash    the info-hash
     * @param port        the port we accept peers on (1..65535; 0 allowed with {@code impliedPort})
     * @param impliedPort true to let each node use the UDP source port it sees instead of
     *                    {@code port} (for a peer behind NAT whose DHT and peer ports are the same)
     * @return completes with how many nodes accepted the announce, and the peers the lookup found
     */
    public CompletableFuture<AnnounceResult> announce(DhtId infoHash, int port, boolean impliedPort) {
        Objects.requireNonNull(infoHash, "infoHash");
        if (port < (impliedPort ? 0 : 1) || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        CompletableFuture<AnnounceResult> result = new CompletableFuture<>();
        submit(new DhtCommand.Announce(infoHash, port, impliedPort, result), result);
        return result;
    }

    /** @return completes with an immutable copy of the routing table */
    public CompletableFuture<RoutingTableSnapshot> routingTable() {
        CompletableFuture<RoutingTableSnapshot> result = new CompletableFuture<>();
        submit(new DhtCommand.Snapshot(result), result);
        return result;
    }

    private void submit(DhtCommand c, CompletableFuture<?> result) {
        if (!started || closing || processing.stopped()) {
            result.completeExceptionally(new RejectedExecutionException("DHT node is not running"));
        } else if (!inbox.offer(c)) {
            counters.refusedBusy.incrementAndGet();
            result.completeExceptionally(new RejectedExecutionException("DHT node busy: processing queue full"));
        } else if (processing.stopped()) {
            processing.rejectPending(); // it stopped while we offered: nobody else will answer
        }
    }

    private static void requireIpv4(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved() || !(address.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("the DHT supports resolved IPv4 addresses only: " + address);
        }
    }

    @Override
    public String toString() {
        InetSocketAddress a = localAddress;
        return "DhtNode[" + id + (a == null ? "" : " on " + a) + "]";
    }
}
