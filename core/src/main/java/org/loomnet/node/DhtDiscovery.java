package org.loomnet.node;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.loomnet.dht.AnnounceResult;
import org.loomnet.dht.DhtId;
import org.loomnet.dht.DhtNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHT as a source of peers: the nodes of one LoomNet network meet under one BitTorrent
 * info-hash, SHA-1("loomnet:" + network name), as Skycoin's nodes once met in the mainline DHT.
 *
 * <p>On its own virtual thread ({@code dht-discovery}), since a DHT lookup takes seconds and the
 * processing thread must never wait for it: once the DHT has joined (its routing table is not
 * empty), it announces this node's TCP port under the info-hash. An announce is a
 * {@code get_peers} lookup followed by {@code announce_peer} to the closest nodes, so each round
 * also returns the peers announced so far; they go to the processing thread as a command, into
 * the address book with source {@code dht}. It repeats every {@code lookupInterval} while the node
 * is short of its outgoing target, and every {@code announceInterval} otherwise (announced peers
 * expire after 30 minutes in BEP 5 nodes, so 15 minutes keeps us listed).
 *
 * <p>The {@link DhtNode} itself has its own two threads ({@code dht-receiver},
 * {@code dht-processing}); this class only asks it.
 */
final class DhtDiscovery {

    /** How long one announce round may take before it is given up. */
    static final Duration ROUND_TIMEOUT = Duration.ofSeconds(60);
    /** How long to wait for the DHT to join before the first round. */
    static final Duration JOIN_WAIT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(DhtDiscovery.class);

    private final DhtNode dht;
    private final DhtId infoHash;
    private final Duration announceInterval;
    private final Duration lookupInterval;
    private final BooleanSupplier needsPeers;
    private final Consumer<List<InetSocketAddress>> found;
    private volatile boolean stopping;
    private Thread thread;
    private InetSocketAddress self;

    DhtDiscovery(DhtNode dht, String network, Duration announceInterval, Duration lookupInterval,
                 BooleanSupplier needsPeers, Consumer<List<InetSocketAddress>> found) {
        this.dht = dht;
        this.infoHash = infoHashOf(network);
        this.announceInterval = announceInterval;
        this.lookupInterval = lookupInterval;
        this.needsPeers = needsPeers;
        this.found = found;
    }

    /**
     * @param network a network name
     * @return the info-hash its nodes announce themselves under
     */
    static DhtId infoHashOf(String network) {
        return DhtId.infoHashOf("loomnet:" + network);
    }

    DhtNode dht() {
        return dht;
    }

    /**
     * Starts the DHT and the discovery thread.
     *
     * @param listen the node's TCP listen address, with its real port: what is announced
     */
    void start(InetSocketAddress listen) {
        this.self = listen;
        dht.start();
        thread = Thread.ofVirtual().name("dht-discovery").start(this::run);
    }

    /** Stops the thread, then the DHT (which saves its routing table). */
    void stop() {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
        }
        dht.close();
    }

    private void run() {
        try {
            awaitJoined();
            long lastAnnounce = 0;
            while (!stopping) {
                round();
                lastAnnounce = System.nanoTime();
                // Sleep in steps of the short interval, so that a node that falls short of peers
                // does not wait out the long one.
                do {
                    Thread.sleep(lookupInterval.toMillis());
                } while (!stopping && !needsPeers.getAsBoolean()
                        && System.nanoTime() - lastAnnounce < announceInterval.toNanos());
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    private void awaitJoined() throws InterruptedException {
        long deadline = System.nanoTime() + JOIN_WAIT.toNanos();
        while (!stopping && dht.counters().routingTableSize() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** One announce, which is also a lookup; what it finds goes to the address book. */
    private void round() throws InterruptedException {
        try {
            AnnounceResult r = dht.announce(infoHash, self.getPort(), false)
                    .get(ROUND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<InetSocketAddress> peers = new ArrayList<>();
            for (InetSocketAddress p : r.lookup().peers()) {
                if (!OwnAddress.matches(p, self)) { // our own announcement
                    peers.add(p);
                }
            }
            log.debug("DHT: announced to {} of {} nodes; {} peers under {}", r.accepted(), r.asked(), peers.size(),
                    infoHash);
            if (!peers.isEmpty()) {
                found.accept(peers);
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable why = e instanceof ExecutionException ? e.getCause() : e;
            log.debug("DHT: announce failed: {}", why.toString());
        }
    }

}
