package org.loomnet.dht;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.loomnet.dht.KrpcMessage.AnnouncePeer;
import org.loomnet.dht.KrpcMessage.ErrorMessage;
import org.loomnet.dht.KrpcMessage.FindNode;
import org.loomnet.dht.KrpcMessage.GetPeers;
import org.loomnet.dht.KrpcMessage.Method;
import org.loomnet.dht.KrpcMessage.Ping;
import org.loomnet.dht.KrpcMessage.Query;
import org.loomnet.dht.KrpcMessage.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHT's processing thread ({@code dht-processing}): the one owner of the routing table, the
 * pending transactions, the running lookups, the token secrets and the peer store. Everything
 * reaches it as a {@link DhtCommand} on one bounded queue; it handles one at a time, and between
 * commands (at least every {@link DhtConfig#tickInterval()}) runs its timers: query timeouts,
 * bucket refresh, peer expiry and table saves. It never blocks: UDP sends do not wait in practice,
 * disk writes go to the store thread, and lookups are state machines ({@link Lookup}) advanced by
 * responses and timeouts.
 *
 * <h2>A query's life</h2>
 * <pre>
 *   query(): pending full? --yes--&gt; BUSY (the caller's future fails, or the lookup waits a tick)
 *            | no: random 2-byte transaction id, send, remember {id, address, expected node, purpose, deadline}
 *            v
 *   response or error with that id FROM THAT ADDRESS --&gt; purpose answered
 *   deadline passed (timer)                          --&gt; purpose failed, node's failure counted
 * </pre>
 * A response from another address than the query went to does not match (counted as unmatched):
 * an off-path attacker must guess both the id and be able to spoof the address.
 */
final class DhtProcessing {

    private static final Logger log = LoggerFactory.getLogger(DhtNode.class);
    /** Peers a get_peers lookup collects at most. */
    static final int MAX_LOOKUP_PEERS = 1000;
    /** Failures in a row that make a node bad. */
    static final int MAX_FAILURES = 2;

    /** Why we sent a query: decides what its response, error or timeout does. */
    private sealed interface Purpose {
        /** {@link DhtNode#ping} or {@link DhtNode#addNode}. */
        record ApiPing(CompletableFuture<NodeInfo> result, boolean contact) implements Purpose {
        }

        /** A questionable node pinged to decide whether a waiting candidate takes its place. */
        record Verify() implements Purpose {
        }

        /** A bootstrap node pinged at start. */
        record Bootstrap() implements Purpose {
        }

        /** A query of a running lookup. */
        record LookupQuery(LookupOp op) implements Purpose {
        }

        /** An announce_peer after a lookup. */
        record AnnounceQuery(AnnounceOp op) implements Purpose {
        }
    }

    /** What a finished lookup is for. */
    private sealed interface Goal {
        record Find(CompletableFuture<LookupResult> result) implements Goal {
        }

        record Peers(CompletableFuture<PeersResult> result) implements Goal {
        }

        record Announce(int port, boolean impliedPort, CompletableFuture<AnnounceResult> result) implements Goal {
        }

        /** Our own id at start ({@code self}), or a stale bucket's refresh. */
        record Maintenance(boolean self) implements Goal {
        }
    }

    private record Pending(int transactionId, InetSocketAddress to, DhtId expected, Purpose purpose, long deadline) {
    }

    private static final class LookupOp {
        final Lookup lookup;
        final Goal goal;
        final long startNanos = System.nanoTime();
        boolean done;
        /** A query could not be sent because too many were pending: drive again at the next tick. */
        boolean stalled;

        LookupOp(Lookup lookup, Goal goal) {
            this.lookup = lookup;
            this.goal = goal;
        }
    }

    private static final class AnnounceOp {
        final DhtId infoHash;
        final CompletableFuture<AnnounceResult> result;
        final PeersResult found;
        int asked;
        int outstanding;
        int accepted;

        AnnounceOp(DhtId infoHash, CompletableFuture<AnnounceResult> result, PeersResult found) {
            this.infoHash = infoHash;
            this.result = result;
            this.found = found;
        }
    }

    private enum Sent { SENT, BUSY, FAILED }

    private final DhtConfig config;
    private final DhtId self;
    private final BlockingQueue<DhtCommand> inbox;
    private final DhtCounters counters;
    private final InstantSource clock;
    /** Refresh targets and peer samples: nothing an attacker gains by predicting. */
    private final RandomGenerator random;
    /** Transaction ids: a predictable id would help an off-path attacker forge responses. */
    private final RandomGenerator secure;
    private final Consumer<RoutingTableSnapshot> saver;
    private final int k;

    // ---- owned by the processing thread (by close() after the thread ended) --------------------
    private final RoutingTable table;
    private final TokenSecrets tokens;
    private final PeerStore peers;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final Set<LookupOp> lookups = new LinkedHashSet<>();
    private final Set<AnnounceOp> announces = new HashSet<>();
    private boolean selfLookupRunning;
    private int bootstrapOutstanding;
    private boolean joined;
    private long nextTimers;
    private long nextRefreshCheck;
    private long nextExpiry;
    private long nextSave;
    private long savedVersion;
    /** Set before the thread starts, by {@link #attach}. */
    private PacketSender sender;
    private InetSocketAddress localAddress;

    private volatile boolean stopped;

    /**
     * @param config   the settings
     * @param self     our id
     * @param table    the routing table, maybe restored from the file
     * @param inbox    the queue this thread takes from
     * @param counters where to count
     * @param random   randomness for refresh targets and peer samples
     * @param secure   unpredictable randomness for transaction ids and token secrets
     * @param saver    takes table snapshots to write; never blocks (null: no file)
     */
    DhtProcessing(DhtConfig config, DhtId self, RoutingTable table, BlockingQueue<DhtCommand> inbox,
                  DhtCounters counters, RandomGenerator random, RandomGenerator secure,
                  Consumer<RoutingTableSnapshot> saver) {
        this.config = config;
        this.self = self;
        this.table = table;
        this.inbox = inbox;
        this.counters = counters;
        this.clock = config.clock();
        this.random = random;
        this.secure = secure;
        this.saver = saver;
        this.k = config.k();
        long now = clock.millis();
        this.tokens = new TokenSecrets(secure, config.tokenRotation(), now);
        this.peers = new PeerStore(config.maxPeersPerInfoHash(), config.maxInfoHashes(), config.maxStoredPeers(),
                config.peerTtl());
        this.savedVersion = table.version();
        this.nextSave = now + config.saveInterval().toMillis();
        publishGauges();
    }

    /** Called once before the thread starts. */
    void attach(PacketSender sender, InetSocketAddress localAddress) {
        this.sender = sender;
        this.localAddress = localAddress;
    }

    boolean stopped() {
        return stopped;
    }

    /** Makes the loop end after the current command; the caller also interrupts the thread. */
    void stop() {
        stopped = true;
    }

    /** The thread body. */
    void run() {
        long tick = config.tickInterval().toMillis();
        try {
            while (!stopped) {
                DhtCommand c = inbox.poll(tick, TimeUnit.MILLISECONDS);
                long now = clock.millis();
                if (c != null) {
                    try {
                        handle(c, now);
                    } catch (RuntimeException e) {
                        log.error("DHT processing of {} failed", c, e);
                        reject(c, e);
                    }
                }
                if (c == null || now >= nextTimers) {
                    nextTimers = now + tick;
                    try {
                        timers(now);
                    } catch (RuntimeException e) {
                        log.error("DHT timers failed", e);
                    }
                }
                publishGauges();
            }
        } catch (InterruptedException e) {
            // close(): the loop ends
        } finally {
            stopped = true;
            failEverything();
            rejectPending();
            publishGauges();
        }
    }

    /** Answers every command still queued once the loop has stopped. Any thread. */
    void rejectPending() {
        DhtCommand c;
        while ((c = inbox.poll()) != null) {
            reject(c, new RejectedExecutionException("DHT node closed"));
        }
    }

    private static void reject(DhtCommand c, Exception why) {
        switch (c) {
            case DhtCommand.Inbound in -> { }
            case DhtCommand.Start s -> { }
            case DhtCommand.Ping p -> p.result().completeExceptionally(why);
            case DhtCommand.FindNode f -> f.result().completeExceptionally(why);
            case DhtCommand.GetPeers g -> g.result().completeExceptionally(why);
            case DhtCommand.Announce a -> a.result().completeExceptionally(why);
            case DhtCommand.Snapshot s -> s.result().completeExceptionally(why);
        }
    }

    private void failEverything() {
        RejectedExecutionException closed = new RejectedExecutionException("DHT node closed");
        for (Pending p : pending.values()) {
            if (p.purpose() instanceof Purpose.ApiPing a) {
                a.result().completeExceptionally(closed);
            }
        }
        pending.clear();
        for (LookupOp op : lookups) {
            fail(op.goal, closed);
        }
        lookups.clear();
        for (AnnounceOp a : announces) {
            a.result.completeExceptionally(closed);
        }
        announces.clear();
    }

    private void publishGauges() {
        counters.pendingTransactions = pending.size();
        counters.routingTableSize = table.size();
        counters.peersStored = peers.size();
        counters.infoHashesStored = peers.infoHashes();
        counters.activeLookups = lookups.size();
    }

    /** A snapshot for the final save; only after the thread has ended. */
    RoutingTableSnapshot finalSnapshot() {
        return table.snapshot(clock.millis());
    }

    // ---- commands -----------------------------------------------------------------------------

    private void handle(DhtCommand command, long now) {
        switch (command) {
            case DhtCommand.Inbound in -> {
                switch (in.message()) {
                    case Query q -> serve(q, in.from(), now);
                    case Response r -> response(r, in.from(), now);
                    case ErrorMessage e -> error(e, in.from(), now);
                }
            }
            case DhtCommand.Start s -> start(now);
            case DhtCommand.Ping p -> ping(p, now);
            case DhtCommand.FindNode f -> lookup(Lookup.Kind.FIND_NODE, f.target(), new Goal.Find(f.result()), now);
            case DhtCommand.GetPeers g -> lookup(Lookup.Kind.GET_PEERS, g.infoHash(), new Goal.Peers(g.result()), now);
            case DhtCommand.Announce a -> lookup(Lookup.Kind.GET_PEERS, a.infoHash(),
                    new Goal.Announce(a.port(), a.impliedPort(), a.result()), now);
            case DhtCommand.Snapshot s -> s.result().complete(table.snapshot(now));
        }
    }

    private void start(long now) {
        for (InetSocketAddress b : config.bootstrap()) {
            if (!b.equals(localAddress) && query(b, null, new Ping(), new Purpose.Bootstrap(), now) == Sent.SENT) {
                bootstrapOutstanding++;
            }
        }
        if (bootstrapOutstanding == 0) {
            join(now);
        }
    }

    /** Joins the network: a lookup of our own id fills our neighbourhood and announces us to it. */
    private void join(long now) {
        if (!joined) {
            joined = true;
            selfLookup(now);
        }
    }

    private void bootstrapDone(boolean answered, long now) {
        bootstrapOutstanding--;
        if (answered || bootstrapOutstanding == 0) {
            join(now);
        }
    }

    private void selfLookup(long now) {
        if (selfLookupRunning) {
            return;
        }
        selfLookupRunning = true; // before starting: a lookup with no candidates finishes at once
        if (lookup(Lookup.Kind.FIND_NODE, self, new Goal.Maintenance(true), now) == null) {
            selfLookupRunning = false;
        }
    }

    private void ping(DhtCommand.Ping p, long now) {
        Sent s = query(p.to(), null, new Ping(), new Purpose.ApiPing(p.result(), p.contact()), now);
        switch (s) {
            case SENT -> { }
            case BUSY -> p.result().completeExceptionally(new RejectedExecutionException(
                    "DHT busy: " + pending.size() + " queries pending (maxPendingTransactions)"));
            case FAILED -> p.result().completeExceptionally(new java.io.IOException("could not send to " + p.to()));
        }
    }

    // ---- serving queries ----------------------------------------------------------------------

    private void serve(Query q, InetSocketAddress from, long now) {
        if (!q.readOnly()) { // BEP 43: read-only nodes never enter routing tables
            afterUpdate(table.heard(new NodeInfo(q.sender(), from), RoutingTable.Contact.QUERY, now), q.sender(), now);
        }
        byte[] t = q.transactionId();
        KrpcMessage reply = switch (q.method()) {
            case Ping p -> Response.of(t, self);
            case FindNode f -> new Response(t, self, table.closest(f.target(), k, now), null, null);
            case GetPeers g -> {
                byte[] token = tokens.tokenFor(from.getAddress(), now);
                List<InetSocketAddress> values = peers.peers(g.infoHash(), config.maxValuesPerResponse(), now, random);
                // BEP 5: values if we have peers, otherwise the closest nodes we know.
                yield values.isEmpty() ? new Response(t, self, table.closest(g.infoHash(), k, now), token, null)
                        : new Response(t, self, null, token, values);
            }
            case AnnouncePeer a -> announced(t, a, from, now);
        };
        if (sender.send(reply, from) && reply instanceof ErrorMessage) {
            counters.errorsSent.incrementAndGet();
        }
    }

    private KrpcMessage announced(byte[] t, AnnouncePeer a, InetSocketAddress from, long now) {
        if (!tokens.accepts(a.token(), from.getAddress(), now)) {
            log.debug("DHT announce_peer from {} with a bad token", from);
            return new ErrorMessage(t, ErrorMessage.PROTOCOL_ERROR, "announce_peer with a bad token");
        }
        int port = a.usesImpliedPort() ? from.getPort() : a.port();
        if (port == 0) {
            return new ErrorMessage(t, ErrorMessage.PROTOCOL_ERROR, "announce_peer with port 0");
        }
        return switch (peers.announce(a.infoHash(), new InetSocketAddress(from.getAddress(), port), now)) {
            case REFUSED_FULL -> new ErrorMessage(t, ErrorMessage.SERVER_ERROR, "peer store full");
            case ADDED, REFRESHED, REPLACED_OLDEST -> {
                counters.peersAnnouncedToUs.incrementAndGet();
                yield Response.of(t, self);
            }
        };
    }

    // ---- our queries --------------------------------------------------------------------------

    private Sent query(InetSocketAddress to, DhtId expected, Method method, Purpose purpose, long now) {
        if (pending.size() >= config.maxPendingTransactions()) {
            counters.refusedBusy.incrementAndGet();
            return Sent.BUSY;
        }
        int id;
        do {
            id = secure.nextInt(1 << 16);
        } while (pending.containsKey(id));
        byte[] t = {(byte) (id >>> 8), (byte) id};
        if (!sender.send(new Query(t, self, method, false), to)) {
            return Sent.FAILED;
        }
        counters.queriesSent.incrementAndGet();
        pending.put(id, new Pending(id, to, expected, purpose, now + config.queryTimeout().toMillis()));
        return Sent.SENT;
    }

    /** The pending query a reply answers: same transaction id and from the address it went to. */
    private Pending take(byte[] t, InetSocketAddress from) {
        if (t.length != 2) {
            return null;
        }
        int id = ((t[0] & 0xff) << 8) | (t[1] & 0xff);
        Pending p = pending.get(id);
        if (p == null || !p.to().equals(from)) {
            return null;
        }
        pending.remove(id);
        return p;
    }

    private void response(Response r, InetSocketAddress from, long now) {
        Pending p = take(r.transactionId(), from);
        if (p == null) {
            counters.unmatchedResponses.incrementAndGet();
            log.debug("DHT response from {} matches no query of ours", from);
            return;
        }
        counters.responsesReceived.incrementAndGet();
        boolean sameNode = !r.sender().equals(self) && (p.expected() == null || p.expected().equals(r.sender()));
        if (!r.sender().equals(self)) {
            afterUpdate(table.heard(new NodeInfo(r.sender(), from), RoutingTable.Contact.RESPONSE, now),
                    r.sender(), now);
        }
        if (!sameNode && p.expected() != null) {
            table.failed(p.expected(), now); // whoever answers there now, it is not that node
        }
        switch (p.purpose()) {
            case Purpose.ApiPing a -> {
                a.result().complete(new NodeInfo(r.sender(), from));
                if (a.contact() && table.size() < 2 * k) {
                    selfLookup(now);
                }
            }
            case Purpose.Verify v -> {
                if (!sameNode) {
                    verify(p.expected(), now);
                }
            }
            case Purpose.Bootstrap b -> bootstrapDone(true, now);
            case Purpose.LookupQuery q -> {
                if (!q.op().done) {
                    if (sameNode) {
                        q.op().lookup.answered(p.expected(), r.nodes(), r.token(), r.values());
                    } else {
                        q.op().lookup.failed(p.expected());
                    }
                    drive(q.op(), now);
                }
            }
            case Purpose.AnnounceQuery a -> announceAnswered(a.op(), sameNode);
        }
    }

    private void error(ErrorMessage e, InetSocketAddress from, long now) {
        Pending p = take(e.transactionId(), from);
        if (p == null) {
            counters.unmatchedResponses.incrementAndGet();
            log.debug("DHT error from {} matches no query of ours: {} {}", from, e.code(), e.message());
            return;
        }
        counters.errorsReceived.incrementAndGet();
        log.debug("DHT {} answered error {} {}", from, e.code(), e.message());
        switch (p.purpose()) {
            case Purpose.ApiPing a -> a.result().completeExceptionally(new KrpcException(
                    "node " + from + " answered with error " + e.code() + ": " + e.message(), e.code(),
                    e.transactionId(), false));
            case Purpose.Verify v -> {
                table.failed(p.expected(), now);
                verify(p.expected(), now);
            }
            case Purpose.Bootstrap b -> bootstrapDone(false, now);
            case Purpose.LookupQuery q -> {
                if (!q.op().done) {
                    q.op().lookup.failed(p.expected());
                    drive(q.op(), now);
                }
            }
            case Purpose.AnnounceQuery a -> announceAnswered(a.op(), false);
        }
    }

    private void timedOut(Pending p, long now) {
        counters.timeouts.incrementAndGet();
        if (p.expected() != null) {
            table.failed(p.expected(), now);
        }
        switch (p.purpose()) {
            case Purpose.ApiPing a -> a.result().completeExceptionally(new TimeoutException(
                    "no answer from " + p.to() + " within " + config.queryTimeout().toMillis() + " ms"));
            case Purpose.Verify v -> verify(p.expected(), now);
            case Purpose.Bootstrap b -> bootstrapDone(false, now);
            case Purpose.LookupQuery q -> {
                if (!q.op().done) {
                    q.op().lookup.failed(p.expected());
                    drive(q.op(), now);
                }
            }
            case Purpose.AnnounceQuery a -> announceAnswered(a.op(), false);
        }
    }

    // ---- keeping buckets healthy --------------------------------------------------------------

    private void afterUpdate(RoutingTable.Update update, DhtId id, long now) {
        if (update == RoutingTable.Update.CACHED) {
            verify(id, now);
        }
    }

    /**
     * A candidate waits for a place in the bucket of {@code id}: ping that bucket's least recently
     * seen questionable node. It answers and stays, or fails (twice: bad) and the candidate takes
     * its place; then the next questionable node is pinged while candidates remain.
     */
    private void verify(DhtId id, long now) {
        NodeInfo n = table.verifyCandidate(id, now);
        if (n == null) {
            return;
        }
        switch (query(n.address(), n.id(), new Ping(), new Purpose.Verify(), now)) {
            case SENT -> { }
            case BUSY -> table.stopVerifying(n.id());
            case FAILED -> table.failed(n.id(), now);
        }
    }

    // ---- lookups ------------------------------------------------------------------------------

    private LookupOp lookup(Lookup.Kind kind, DhtId target, Goal goal, long now) {
        boolean maintenance = goal instanceof Goal.Maintenance;
        if (lookups.size() >= config.maxLookups()) {
            if (!maintenance) {
                counters.refusedBusy.incrementAndGet();
                fail(goal, new RejectedExecutionException("DHT busy: " + lookups.size()
                        + " lookups running (maxLookups)"));
            }
            return null;
        }
        if (pending.size() >= config.maxPendingTransactions()) {
            if (!maintenance) {
                counters.refusedBusy.incrementAndGet();
                fail(goal, new RejectedExecutionException("DHT busy: " + pending.size()
                        + " queries pending (maxPendingTransactions)"));
            }
            return null;
        }
        Lookup lookup = new Lookup(kind, target, self, localAddress, k, config.alpha(), 8 * k, MAX_LOOKUP_PEERS);
        lookup.offer(table.closest(target, 2 * k, now), 1);
        LookupOp op = new LookupOp(lookup, goal);
        lookups.add(op);
        drive(op, now);
        return op;
    }

    /** Sends what the lookup wants sent now; finishes it when it is done. */
    private void drive(LookupOp op, long now) {
        Method method = op.lookup.kind == Lookup.Kind.FIND_NODE ? new FindNode(op.lookup.target)
                : new GetPeers(op.lookup.target);
        op.stalled = false;
        List<NodeInfo> batch;
        while (!op.stalled && !(batch = op.lookup.next()).isEmpty()) {
            for (NodeInfo n : batch) {
                switch (query(n.address(), n.id(), method, new Purpose.LookupQuery(op), now)) {
                    case SENT -> { }
                    case BUSY -> {
                        op.lookup.unsend(n.id());
                        op.stalled = true;
                    }
                    case FAILED -> op.lookup.failed(n.id());
                }
            }
        }
        if (op.lookup.finished()) {
            finish(op, now);
        }
    }

    private void finish(LookupOp op, long now) {
        op.done = true;
        lookups.remove(op);
        counters.lookupsCompleted.incrementAndGet();
        Lookup l = op.lookup;
        LookupResult result = new LookupResult(l.target, l.closest(), l.rounds(), l.queriesSent(), l.queriesFailed(),
                Duration.ofNanos(System.nanoTime() - op.startNanos));
        switch (op.goal) {
            case Goal.Find f -> f.result().complete(result);
            case Goal.Peers p -> p.result().complete(new PeersResult(l.target, withOurOwn(l, now), result));
            case Goal.Announce a -> announce(op, a, new PeersResult(l.target, withOurOwn(l, now), result), now);
            case Goal.Maintenance m -> {
                if (m.self()) {
                    selfLookupRunning = false;
                    for (DhtId target : table.farBucketTargets(now, random)) {
                        lookup(Lookup.Kind.FIND_NODE, target, new Goal.Maintenance(false), now);
                    }
                }
                log.debug("DHT {} lookup of {} done: {} nodes, {} queries, table {}",
                        m.self() ? "own-id" : "refresh", l.target, result.closest().size(), result.queriesSent(),
                        table.size());
            }
        }
    }

    /**
     * The peers a get_peers lookup found, plus those announced to this node itself: we are one of
     * the DHT's nodes, and may be one of the k closest to the info-hash, where announces land. In
     * a small DHT (two nodes that announced to each other) they would otherwise never find each other.
     */
    private List<InetSocketAddress> withOurOwn(Lookup l, long now) {
        java.util.LinkedHashSet<InetSocketAddress> all = new java.util.LinkedHashSet<>(l.peers());
        for (InetSocketAddress p : peers.peers(l.target, MAX_LOOKUP_PEERS, now, random)) {
            if (all.size() >= MAX_LOOKUP_PEERS) {
                break;
            }
            all.add(p);
        }
        return List.copyOf(all);
    }

    private static void fail(Goal goal, Exception why) {
        switch (goal) {
            case Goal.Find f -> f.result().completeExceptionally(why);
            case Goal.Peers p -> p.result().completeExceptionally(why);
            case Goal.Announce a -> a.result().completeExceptionally(why);
            case Goal.Maintenance m -> { }
        }
    }

    private void announce(LookupOp op, Goal.Announce goal, PeersResult found, long now) {
        AnnounceOp a = new AnnounceOp(found.infoHash(), goal.result(), found);
        for (Map.Entry<NodeInfo, byte[]> e : op.lookup.closestWithTokens()) {
            if (e.getValue() == null) {
                continue;
            }
            Method m = new AnnouncePeer(found.infoHash(), goal.port(), e.getValue(), goal.impliedPort());
            if (query(e.getKey().address(), e.getKey().id(), m, new Purpose.AnnounceQuery(a), now) == Sent.SENT) {
                a.asked++;
            }
        }
        a.outstanding = a.asked;
        if (a.asked == 0) {
            a.result.complete(new AnnounceResult(a.infoHash, 0, 0, found));
        } else {
            announces.add(a);
        }
    }

    private void announceAnswered(AnnounceOp a, boolean accepted) {
        if (accepted) {
            a.accepted++;
        }
        if (--a.outstanding == 0) {
            announces.remove(a);
            a.result.complete(new AnnounceResult(a.infoHash, a.asked, a.accepted, a.found));
        }
    }

    // ---- timers -------------------------------------------------------------------------------

    private void timers(long now) {
        if (!pending.isEmpty()) {
            List<Pending> expired = new ArrayList<>();
            for (Pending p : pending.values()) {
                if (now >= p.deadline()) {
                    expired.add(p);
                }
            }
            for (Pending p : expired) {
                pending.remove(p.transactionId());
            }
            for (Pending p : expired) {
                timedOut(p, now);
            }
        }
        for (LookupOp op : List.copyOf(lookups)) {
            if (op.stalled && !op.done && pending.size() < config.maxPendingTransactions()) {
                drive(op, now);
            }
        }
        if (joined && now >= nextRefreshCheck) {
            nextRefreshCheck = now + 1000;
            for (DhtId target : table.refreshTargets(now, config.bucketRefresh().toMillis(), random)) {
                lookup(Lookup.Kind.FIND_NODE, target, new Goal.Maintenance(false), now);
            }
        }
        if (now >= nextExpiry) {
            nextExpiry = now + 10_000;
            peers.expire(now);
        }
        if (saver != null && now >= nextSave) {
            nextSave = now + config.saveInterval().toMillis();
            if (table.version() != savedVersion) {
                savedVersion = table.version();
                saver.accept(table.snapshot(now));
            }
        }
    }
}
