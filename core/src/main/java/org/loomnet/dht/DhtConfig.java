package org.loomnet.dht;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;

/**
 * Every setting of a {@link DhtNode}, with its default in parentheses. {@link #DEFAULTS} is the
 * one source of defaults; {@link #builder()} starts from it.
 *
 * @param bindAddress            the UDP address to bind; IPv4 only (0.0.0.0:7701; port 0 picks a free port)
 * @param nodeId                 our node id; null reuses the id saved in the data directory, or picks a
 *                               random one (null)
 * @param bootstrap              nodes pinged at start to join the network; after they answer, a lookup
 *                               of our own id fills the routing table (none)
 * @param k                      bucket size and the number of closest nodes a lookup returns (8, as BEP 5)
 * @param alpha                  queries a lookup keeps in flight (3)
 * @param queryTimeout           how long a query waits for its response (2 s)
 * @param maxPendingTransactions queries awaiting a response at once; beyond it new queries are refused
 *                               and the API's future fails with {@link java.util.concurrent.RejectedExecutionException}
 *                               (1024, at most 32768)
 * @param maxLookups             lookups running at once; more are refused the same way (64)
 * @param inboxCapacity          the processing thread's queue, in packets and commands; a full queue
 *                               drops received packets (counted) and refuses API calls (4096)
 * @param nodeGoodFor            how long an answer keeps a node good before it becomes questionable (15 min)
 * @param bucketRefresh          a bucket without activity this long is refreshed by a {@code find_node}
 *                               of a random id in its range (15 min)
 * @param tokenRotation          how often the token secret changes; the previous one stays valid (5 min)
 * @param peerTtl                how long an announced peer is kept (30 min)
 * @param maxPeersPerInfoHash    peers kept per info-hash; the oldest announce gives way when full (100)
 * @param maxInfoHashes          info-hashes kept; new ones are refused with error 202 when full (10,000)
 * @param maxStoredPeers         peers kept in all; new ones are refused with error 202 when full (100,000)
 * @param maxValuesPerResponse   peers returned in one {@code get_peers} response, a random sample
 *                               if there are more (50)
 * @param queriesPerSecondPerIp  queries served per second per source IP, sustained (20)
 * @param queryBurstPerIp        queries served from one IP at once (50)
 * @param maxTrackedIps          source IPs the rate limiter tracks; the least recent is forgotten (10,000)
 * @param limits                 bencode limits for received packets ({@link Bencode.Limits#DEFAULTS})
 * @param saveInterval           how often a changed routing table is written to {@code dht.json} (1 min)
 * @param tickInterval           how often the processing thread checks timeouts and timers (100 ms)
 * @param dataDir                where {@code dht.json} lives; null keeps nothing on disk (null)
 * @param clock                  the time for every timer: timeouts, statuses, tokens, expiry (the system clock)
 */
public record DhtConfig(InetSocketAddress bindAddress, DhtId nodeId, List<InetSocketAddress> bootstrap, int k,
                        int alpha, Duration queryTimeout, int maxPendingTransactions, int maxLookups,
                        int inboxCapacity, Duration nodeGoodFor, Duration bucketRefresh, Duration tokenRotation,
                        Duration peerTtl, int maxPeersPerInfoHash, int maxInfoHashes, int maxStoredPeers,
                        int maxValuesPerResponse, int queriesPerSecondPerIp, int queryBurstPerIp, int maxTrackedIps,
                        Bencode.Limits limits, Duration saveInterval, Duration tickInterval, Path dataDir,
                        InstantSource clock) {

    /**
     * The library's default UDP port when none is configured. The daemon does not use it: it
     * binds the DHT to the same port number as its TCP listener (docs/operations.md).
     */
    public static final int DEFAULT_PORT = 7701;

    /** The defaults, in one place. */
    public static final DhtConfig DEFAULTS = new DhtConfig(new InetSocketAddress("0.0.0.0", DEFAULT_PORT), null,
            List.of(), 8, 3, Duration.ofSeconds(2), 1024, 64, 4096, Duration.ofMinutes(15), Duration.ofMinutes(15),
            Duration.ofMinutes(5), Duration.ofMinutes(30), 100, 10_000, 100_000, 50, 20, 50, 10_000,
            Bencode.Limits.DEFAULTS, Duration.ofMinutes(1), Duration.ofMillis(100), null, InstantSource.system());

    /** Checks every setting. */
    public DhtConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isUnresolved() || !(bindAddress.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("the DHT binds an IPv4 address, not " + bindAddress);
        }
        bootstrap = List.copyOf(bootstrap);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(clock, "clock");
        atLeast("k", k, 1);
        atLeast("alpha", alpha, 1);
        atLeast("maxPendingTransactions", maxPendingTransactions, 1);
        if (maxPendingTransactions > 32768) {
            throw new IllegalArgumentException("maxPendingTransactions must be at most 32768 (2-byte transaction ids)");
        }
        atLeast("maxLookups", maxLookups, 1);
        atLeast("inboxCapacity", inboxCapacity, 16);
        atLeast("maxPeersPerInfoHash", maxPeersPerInfoHash, 1);
        atLeast("maxInfoHashes", maxInfoHashes, 1);
        atLeast("maxStoredPeers", maxStoredPeers, 1);
        atLeast("maxValuesPerResponse", maxValuesPerResponse, 1);
        if (maxValuesPerResponse * 8 + 200 > limits.maxPacketBytes()) {
            throw new IllegalArgumentException("maxValuesPerResponse of " + maxValuesPerResponse
                    + " does not fit a packet of " + limits.maxPacketBytes() + " bytes");
        }
        atLeast("queriesPerSecondPerIp", queriesPerSecondPerIp, 1);
        atLeast("queryBurstPerIp", queryBurstPerIp, 1);
        atLeast("maxTrackedIps", maxTrackedIps, 1);
        for (Duration d : List.of(queryTimeout, nodeGoodFor, bucketRefresh, tokenRotation, peerTtl, saveInterval,
                tickInterval)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
        }
        for (InetSocketAddress b : bootstrap) {
            if (b.isUnresolved() || !(b.getAddress() instanceof Inet4Address)) {
                throw new IllegalArgumentException("bootstrap nodes must be resolved IPv4 addresses: " + b);
            }
        }
    }

    private static void atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
        }
    }

    /** @return a builder starting from {@link #DEFAULTS} */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** @return a builder starting from this configuration */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes some settings of a {@link DhtConfig}; every method sets the record field of its name. */
    public static final class Builder {
        private InetSocketAddress bindAddress;
        private DhtId nodeId;
        private List<InetSocketAddress> bootstrap;
        private int k;
        private int alpha;
        private Duration queryTimeout;
        private int maxPendingTransactions;
        private int maxLookups;
        private int inboxCapacity;
        private Duration nodeGoodFor;
        private Duration bucketRefresh;
        private Duration tokenRotation;
        private Duration peerTtl;
        private int maxPeersPerInfoHash;
        private int maxInfoHashes;
        private int maxStoredPeers;
        private int maxValuesPerResponse;
        private int queriesPerSecondPerIp;
        private int queryBurstPerIp;
        private int maxTrackedIps;
        private Bencode.Limits limits;
        private Duration saveInterval;
        private Duration tickInterval;
        private Path dataDir;
        private InstantSource clock;

        private Builder(DhtConfig c) {
            bindAddress = c.bindAddress;
            nodeId = c.nodeId;
            bootstrap = c.bootstrap;
            k = c.k;
            alpha = c.alpha;
            queryTimeout = c.queryTimeout;
            maxPendingTransactions = c.maxPendingTransactions;
            maxLookups = c.maxLookups;
            inboxCapacity = c.inboxCapacity;
            nodeGoodFor = c.nodeGoodFor;
            bucketRefresh = c.bucketRefresh;
            tokenRotation = c.tokenRotation;
            peerTtl = c.peerTtl;
            maxPeersPerInfoHash = c.maxPeersPerInfoHash;
            maxInfoHashes = c.maxInfoHashes;
            maxStoredPeers = c.maxStoredPeers;
            maxValuesPerResponse = c.maxValuesPerResponse;
            queriesPerSecondPerIp = c.queriesPerSecondPerIp;
            queryBurstPerIp = c.queryBurstPerIp;
            maxTrackedIps = c.maxTrackedIps;
            limits = c.limits;
            saveInterval = c.saveInterval;
            tickInterval = c.tickInterval;
            dataDir = c.dataDir;
            clock = c.clock;
        }

        /**
         * @param v see {@link DhtConfig#bindAddress()}
         * @return this builder
         */
        public Builder bindAddress(InetSocketAddress v) {
            bindAddress = v;
            return this;
        }

        /**
         * @param host an IPv4 literal
         * @param port a UDP port, 0 for any
         * @return this builder
         */
        public Builder bind(String host, int port) {
            bindAddress = new InetSocketAddress(host, port);
            return this;
        }

        /**
         * @param v see {@link DhtConfig#nodeId()}
         * @return this builder
         */
        public Builder nodeId(DhtId v) {
            nodeId = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#bootstrap()}
         * @return this builder
         */
        public Builder bootstrap(List<InetSocketAddress> v) {
            bootstrap = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#k()}
         * @return this builder
         */
        public Builder k(int v) {
            k = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#alpha()}
         * @return this builder
         */
        public Builder alpha(int v) {
            alpha = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#queryTimeout()}
         * @return this builder
         */
        public Builder queryTimeout(Duration v) {
            queryTimeout = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#maxPendingTransactions()}
         * @return this builder
         */
        public Builder maxPendingTransactions(int v) {
            maxPendingTransactions = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#maxLookups()}
         * @return this builder
         */
        public Builder maxLookups(int v) {
            maxLookups = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#inboxCapacity()}
         * @return this builder
         */
        public Builder inboxCapacity(int v) {
            inboxCapacity = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#nodeGoodFor()}
         * @return this builder
         */
        public Builder nodeGoodFor(Duration v) {
            nodeGoodFor = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#bucketRefresh()}
         * @return this builder
         */
        public Builder bucketRefresh(Duration v) {
            bucketRefresh = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#tokenRotation()}
         * @return this builder
         */
        public Builder tokenRotation(Duration v) {
            tokenRotation = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#peerTtl()}
         * @return this builder
         */
        public Builder peerTtl(Duration v) {
            peerTtl = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#maxPeersPerInfoHash()}
         * @return this builder
         */
        public Builder maxPeersPerInfoHash(int v) {
            maxPeersPerInfoHash = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#maxInfoHashes()}
         * @return this builder
         */
        public Builder maxInfoHashes(int v) {
            maxInfoHashes = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#maxStoredPeers()}
         * @return this builder
         */
        public Builder maxStoredPeers(int v) {
            maxStoredPeers = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#maxValuesPerResponse()}
         * @return this builder
         */
        public Builder maxValuesPerResponse(int v) {
            maxValuesPerResponse = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#queriesPerSecondPerIp()}
         * @return this builder
         */
        public Builder queriesPerSecondPerIp(int v) {
            queriesPerSecondPerIp = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#queryBurstPerIp()}
         * @return this builder
         */
        public Builder queryBurstPerIp(int v) {
            queryBurstPerIp = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#maxTrackedIps()}
         * @return this builder
         */
        public Builder maxTrackedIps(int v) {
            maxTrackedIps = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#limits()}
         * @return this builder
         */
        public Builder limits(Bencode.Limits v) {
            limits = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#saveInterval()}
         * @return this builder
         */
        public Builder saveInterval(Duration v) {
            saveInterval = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#tickInterval()}
         * @return this builder
         */
        public Builder tickInterval(Duration v) {
            tickInterval = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#dataDir()}
         * @return this builder
         */
        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        /**
         * @param v see {@link DhtConfig#clock()}
         * @return this builder
         */
        public Builder clock(InstantSource v) {
            clock = v;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException if a setting is invalid
         */
        public DhtConfig build() {
            return new DhtConfig(bindAddress, nodeId, bootstrap, k, alpha, queryTimeout, maxPendingTransactions,
                    maxLookups, inboxCapacity, nodeGoodFor, bucketRefresh, tokenRotation, peerTtl,
                    maxPeersPerInfoHash, maxInfoHashes, maxStoredPeers, maxValuesPerResponse, queriesPerSecondPerIp,
                    queryBurstPerIp, maxTrackedIps, limits, saveInterval, tickInterval, dataDir, clock);
        }
    }
}
