package org.loomnet.dht;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The peers other nodes announced to us ({@code announce_peer}), by info-hash, and returned to
 * {@code get_peers}. Pure data with time passed in; owned by one thread.
 *
 * <h2>Bounds and policy when full</h2>
 * <ul>
 *   <li>An entry expires {@code ttl} (30 minutes) after its last announce; announcers re-announce
 *       periodically to stay listed.</li>
 *   <li>Per info-hash at most {@code maxPerInfoHash} (100) peers: when full, a new peer takes the
 *       place of the one announced longest ago. Swarms churn, and the fresh announce is the more
 *       likely to be alive.</li>
 *   <li>At most {@code maxInfoHashes} (10,000) info-hashes and {@code maxPeers} (100,000) peers in
 *       all: when full, announces that would need a new entry are refused
 *       ({@link Result#REFUSED_FULL}, answered with error 202) until entries expire. We do not
 *       evict other info-hashes, so a flood of announces for made-up info-hashes cannot push out
 *       the real ones. Re-announces of stored peers are always accepted.</li>
 * </ul>
 */
final class PeerStore {

    /** What {@link #announce} did. */
    enum Result {
        /** A new peer was stored. */
        ADDED,
        /** The peer was stored already; its expiry starts again. */
        REFRESHED,
        /** The info-hash was full; the peer replaced the one announced longest ago. */
        REPLACED_OLDEST,
        /** The store is full; nothing was stored. */
        REFUSED_FULL
    }

    private final int maxPerInfoHash;
    private final int maxInfoHashes;
    private final int maxPeers;
    private final long ttlMillis;
    /** Per info-hash: peer to expiry time, least recently announced first. */
    private final Map<DhtId, LinkedHashMap<InetSocketAddress, Long>> byInfoHash = new HashMap<>();
    private int peers;

    /**
     * @param maxPerInfoHash peers kept per info-hash
     * @param maxInfoHashes  info-hashes kept
     * @param maxPeers       peers kept in all
     * @param ttl            how long an announce lasts
     */
    PeerStore(int maxPerInfoHash, int maxInfoHashes, int maxPeers, Duration ttl) {
        if (maxPerInfoHash < 1 || maxInfoHashes < 1 || maxPeers < 1) {
            throw new IllegalArgumentException("peer store limits must be positive");
        }
        this.maxPerInfoHash = maxPerInfoHash;
        this.maxInfoHashes = maxInfoHashes;
        this.maxPeers = maxPeers;
        this.ttlMillis = ttl.toMillis();
    }

    /**
     * @param infoHash the key
     * @param peer     the announcing peer's address (IPv4 and the port it listens on)
     * @param now      the current time
     * @return what happened
     */
    Result announce(DhtId infoHash, InetSocketAddress peer, long now) {
        LinkedHashMap<InetSocketAddress, Long> swarm = byInfoHash.get(infoHash);
        if (swarm != null && swarm.remove(peer) != null) {
            swarm.put(peer, now + ttlMillis); // to the newest end
            return Result.REFRESHED;
        }
        if (swarm != null && swarm.size() >= maxPerInfoHash) {
            Iterator<Long> oldest = swarm.values().iterator();
            oldest.next();
            oldest.remove();
            swarm.put(peer, now + ttlMillis);
            return Result.REPLACED_OLDEST;
        }
        if (peers >= maxPeers || (swarm == null && byInfoHash.size() >= maxInfoHashes)) {
            return Result.REFUSED_FULL;
        }
        if (swarm == null) {
            swarm = new LinkedHashMap<>();
            byInfoHash.put(infoHash, swarm);
        }
        swarm.put(peer, now + ttlMillis);
        peers++;
        return Result.ADDED;
    }

    /**
     * @param infoHash the key
     * @param max      the most peers to return
     * @param now      the current time
     * @param random   picks which peers when there are more than {@code max}
     * @return up to {@code max} unexpired peers
     */
    List<InetSocketAddress> peers(DhtId infoHash, int max, long now, RandomGenerator random) {
        LinkedHashMap<InetSocketAddress, Long> swarm = byInfoHash.get(infoHash);
        if (swarm == null) {
            return List.of();
        }
        List<InetSocketAddress> live = new ArrayList<>(swarm.size());
        for (Map.Entry<InetSocketAddress, Long> e : swarm.entrySet()) {
            if (e.getValue() > now) {
                live.add(e.getKey());
            }
        }
        if (live.size() <= max) {
            return live;
        }
        // A partial Fisher-Yates shuffle: a uniform sample, so every stored peer gets its turn.
        for (int i = 0; i < max; i++) {
            int j = i + random.nextInt(live.size() - i);
            InetSocketAddress t = live.get(i);
            live.set(i, live.get(j));
            live.set(j, t);
        }
        return new ArrayList<>(live.subList(0, max));
    }

    /**
     * Removes expired entries.
     *
     * @param now the current time
     * @return how many peers were removed
     */
    int expire(long now) {
        int removed = 0;
        Iterator<LinkedHashMap<InetSocketAddress, Long>> swarms = byInfoHash.values().iterator();
        while (swarms.hasNext()) {
            LinkedHashMap<InetSocketAddress, Long> swarm = swarms.next();
            // Oldest announces come first, so expired entries are a prefix.
            Iterator<Long> it = swarm.values().iterator();
            while (it.hasNext() && it.next() <= now) {
                it.remove();
                removed++;
            }
            if (swarm.isEmpty()) {
                swarms.remove();
            }
        }
        peers -= removed;
        return removed;
    }

    /** @return the peers stored (some may have expired since the last {@link #expire}) */
    int size() {
        return peers;
    }

    /** @return the info-hashes stored */
    int infoHashes() {
        return byInfoHash.size();
    }
}
