package org.loomnet.dht;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a {@link DhtNode} has done, for metrics and tests. Read by anyone at any time; written by
 * the receiver thread (packets in, malformed, rate-limited, queries by type) and the processing
 * thread (everything else). Counts only grow; the gauges ({@link #pendingTransactions()},
 * {@link #routingTableSize()}, {@link #peersStored()}, {@link #infoHashesStored()},
 * {@link #activeLookups()}) are the processing thread's latest values.
 */
public final class DhtCounters {
    final AtomicLong pingsReceived = new AtomicLong();
    final AtomicLong findNodesReceived = new AtomicLong();
    final AtomicLong getPeersReceived = new AtomicLong();
    final AtomicLong announcesReceived = new AtomicLong();
    final AtomicLong unknownMethodsReceived = new AtomicLong();
    final AtomicLong responsesReceived = new AtomicLong();
    final AtomicLong unmatchedResponses = new AtomicLong();
    final AtomicLong errorsReceived = new AtomicLong();
    final AtomicLong errorsSent = new AtomicLong();
    final AtomicLong malformedPackets = new AtomicLong();
    final AtomicLong rateLimitedPackets = new AtomicLong();
    final AtomicLong inboxDropped = new AtomicLong();
    final AtomicLong queriesSent = new AtomicLong();
    final AtomicLong timeouts = new AtomicLong();
    final AtomicLong refusedBusy = new AtomicLong();
    final AtomicLong packetsIn = new AtomicLong();
    final AtomicLong packetsOut = new AtomicLong();
    final AtomicLong bytesIn = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
    final AtomicLong peersAnnouncedToUs = new AtomicLong();
    final AtomicLong lookupsCompleted = new AtomicLong();
    volatile int pendingTransactions;
    volatile int routingTableSize;
    volatile int peersStored;
    volatile int infoHashesStored;
    volatile int activeLookups;

    DhtCounters() {
    }

    /** @return {@code ping} queries received and served (not rate-limited) */
    public long pingsReceived() {
        return pingsReceived.get();
    }

    /** @return {@code find_node} queries received and served */
    public long findNodesReceived() {
        return findNodesReceived.get();
    }

    /** @return {@code get_peers} queries received and served */
    public long getPeersReceived() {
        return getPeersReceived.get();
    }

    /** @return {@code announce_peer} queries received and served (accepted or not) */
    public long announcesReceived() {
        return announcesReceived.get();
    }

    /** @return queries with a method we do not know, answered with error 204 */
    public long unknownMethodsReceived() {
        return unknownMethodsReceived.get();
    }

    /** @return all queries received and served: the sum of the four methods and unknown ones */
    public long queriesReceived() {
        return pingsReceived() + findNodesReceived() + getPeersReceived() + announcesReceived()
                + unknownMethodsReceived();
    }

    /** @return responses that matched one of our pending queries */
    public long responsesReceived() {
        return responsesReceived.get();
    }

    /** @return responses and errors with an unknown transaction id, or from another address than the query went to */
    public long unmatchedResponses() {
        return unmatchedResponses.get();
    }

    /** @return error messages received for our queries */
    public long errorsReceived() {
        return errorsReceived.get();
    }

    /** @return error messages we sent (202..204; we never send 201) */
    public long errorsSent() {
        return errorsSent.get();
    }

    /** @return packets that were not valid KRPC (ignored, or answered with 203 when the transaction id was readable) */
    public long malformedPackets() {
        return malformedPackets.get();
    }

    /** @return queries dropped because their source IP was over its rate limit */
    public long rateLimitedPackets() {
        return rateLimitedPackets.get();
    }

    /** @return received packets dropped because the processing queue was full */
    public long inboxDropped() {
        return inboxDropped.get();
    }

    /** @return queries we sent */
    public long queriesSent() {
        return queriesSent.get();
    }

    /** @return our queries that got no answer in time */
    public long timeouts() {
        return timeouts.get();
    }

    /** @return queries not sent because {@link DhtConfig#maxPendingTransactions()} were pending, and refused lookups */
    public long refusedBusy() {
        return refusedBusy.get();
    }

    /** @return UDP packets received */
    public long packetsIn() {
        return packetsIn.get();
    }

    /** @return UDP packets sent */
    public long packetsOut() {
        return packetsOut.get();
    }

    /** @return UDP payload bytes received */
    public long bytesIn() {
        return bytesIn.get();
    }

    /** @return UDP payload bytes sent */
    public long bytesOut() {
        return bytesOut.get();
    }

    /** @return {@code announce_peer} queries that stored or refreshed a peer */
    public long peersAnnouncedToUs() {
        return peersAnnouncedToUs.get();
    }

    /** @return lookups finished, the node's own maintenance lookups included */
    public long lookupsCompleted() {
        return lookupsCompleted.get();
    }

    /** @return our queries awaiting a response now */
    public int pendingTransactions() {
        return pendingTransactions;
    }

    /** @return nodes in the routing table now */
    public int routingTableSize() {
        return routingTableSize;
    }

    /** @return peers stored for others now */
    public int peersStored() {
        return peersStored;
    }

    /** @return info-hashes with stored peers now */
    public int infoHashesStored() {
        return infoHashesStored;
    }

    /** @return lookups running now */
    public int activeLookups() {
        return activeLookups;
    }

    @Override
    public String toString() {
        return "DhtCounters[queriesReceived=" + queriesReceived() + ", responsesReceived=" + responsesReceived()
                + ", queriesSent=" + queriesSent() + ", timeouts=" + timeouts() + ", malformed=" + malformedPackets()
                + ", rateLimited=" + rateLimitedPackets() + ", errorsSent=" + errorsSent() + ", errorsReceived="
                + errorsReceived() + ", table=" + routingTableSize + ", pending=" + pendingTransactions
                + ", peersStored=" + peersStored + "]";
    }
}
