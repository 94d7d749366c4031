package org.loomnet.node;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.loomnet.connection.ParcelTraffic;
import org.loomnet.wire.DisconnectReason;

/**
 * Node-wide counters, read by anyone (the API, metrics). Written by the processing thread, except
 * {@code rejectedCommands} (application threads) and the {@link #traffic()} by parcel type (every
 * connection's reader and writer threads); all are atomics, adders or volatile.
 */
public final class NodeCounters {
    final AtomicLong messagesReceived = new AtomicLong();
    final AtomicLong queueDrops = new AtomicLong();
    final AtomicLong unroutable = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong refusedSilently = new AtomicLong();
    final AtomicLong peerExchangeIgnored = new AtomicLong();
    final AtomicLong rejectedCommands = new AtomicLong();
    final AtomicLong gossipDelivered = new AtomicLong();
    final AtomicLong peersLearned = new AtomicLong();
    final AtomicLong ticks = new AtomicLong();
    final AtomicLong gossipDuplicates = new AtomicLong();
    final AtomicLong gossipForged = new AtomicLong();
    final AtomicLong gossipStale = new AtomicLong();
    volatile int gossipSeenSize;
    volatile long gossipSeenEvicted;
    /** Parcels and bytes by type; added to by the connections' reader and writer threads. */
    final ParcelTraffic traffic = new ParcelTraffic();
    /** Successful handshakes, recorded by the processing thread when a connection comes online. */
    final DurationHistogram handshakes = DurationHistogram.forHandshakes();
    // The address book's sizes, published by the processing thread (which owns the book) at each tick.
    volatile int bookNew;
    volatile int bookTried;
    volatile int bookSpecial;
    volatile int bookBans;
    private final Map<DisconnectReason, AtomicLong> disconnects = new EnumMap<>(DisconnectReason.class);

    NodeCounters() {
        for (DisconnectReason r : DisconnectReason.values()) {
            disconnects.put(r, new AtomicLong());
        }
    }

    void disconnected(DisconnectReason r) {
        disconnects.get(r).incrementAndGet();
    }

    /** @return application messages received and handed to subscribers */
    public long messagesReceived() {
        return messagesReceived.get();
    }

    /** @return times a full send queue dropped older parcels */
    public long queueDrops() {
        return queueDrops.get();
    }

    /** @return sends that found no peer to go to */
    public long unroutable() {
        return unroutable.get();
    }

    /** @return incoming connections refused (over the limit, or while shutting down) */
    public long refused() {
        return refused.get();
    }

    /** @return refusals closed without a DISCONNECT because too many refusals were running */
    public long refusedSilently() {
        return refusedSilently.get();
    }

    /** @return timer rounds the processing thread has run (each checks timeouts and due dials) */
    public long ticks() {
        return ticks.get();
    }

    /** @return addresses added to the address book from peer exchange and refusals */
    public long peersLearned() {
        return peersLearned.get();
    }

    /** @return peer-exchange parcels ignored: too frequent, unsolicited or oversized */
    public long peerExchangeIgnored() {
        return peerExchangeIgnored.get();
    }

    /** @return application requests refused because the processing queue was full */
    public long rejectedCommands() {
        return rejectedCommands.get();
    }

    /** @return gossip messages accepted and delivered to subscribers */
    public long gossipDelivered() {
        return gossipDelivered.get();
    }

    /** @return gossip copies dropped because their id was already seen */
    public long gossipDuplicates() {
        return gossipDuplicates.get();
    }

    /** @return gossip messages dropped because the origin signature did not verify */
    public long gossipForged() {
        return gossipForged.get();
    }

    /** @return gossip messages dropped because their timestamp was outside the TTL window */
    public long gossipStale() {
        return gossipStale.get();
    }

    /** @return gossip ids in the seen-cache now */
    public int gossipSeenSize() {
        return gossipSeenSize;
    }

    /** @return gossip ids evicted from the full seen-cache */
    public long gossipSeenEvicted() {
        return gossipSeenEvicted;
    }

    /**
     * @return parcels and bytes sent and received by parcel type, summed over all connections
     *         (closed ones included) since the node was created
     */
    public ParcelTraffic traffic() {
        return traffic;
    }

    /**
     * @return how long successful handshakes took, from TCP connect until the peer's HELLO was
     *         accepted (see {@link org.loomnet.connection.Connection#handshakeNanos()}); failed
     *         handshakes are counted by their disconnect reason instead
     */
    public DurationHistogram handshakeDurations() {
        return handshakes;
    }

    /** @return entries in the address book's NEW table, as of the last timer round */
    public int addressBookNew() {
        return bookNew;
    }

    /** @return entries in the address book's TRIED table, as of the last timer round */
    public int addressBookTried() {
        return bookTried;
    }

    /** @return special entries in the address book, as of the last timer round */
    public int addressBookSpecial() {
        return bookSpecial;
    }

    /** @return bans the address book holds (ended ones not yet pruned included), as of the last timer round */
    public int addressBookBans() {
        return bookBans;
    }

    /**
     * @param reason a reason
     * @return how many connections ended with it
     */
    public long disconnects(DisconnectReason reason) {
        return disconnects.get(reason).get();
    }
}
