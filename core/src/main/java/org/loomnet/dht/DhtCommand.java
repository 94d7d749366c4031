package org.loomnet.dht;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Everything that reaches the DHT processing thread: received messages from the receiver thread,
 * and requests from the application. One bounded queue carries them all; the processing thread
 * handles them one at a time with an exhaustive {@code switch}.
 */
sealed interface DhtCommand {

    /** A valid KRPC message from the receiver thread (queries already passed the rate limit). */
    record Inbound(KrpcMessage message, InetSocketAddress from) implements DhtCommand {
    }

    /** Posted once by {@link DhtNode#start()}: ping the bootstrap nodes, then look up our own id. */
    record Start() implements DhtCommand {
    }

    /**
     * Ping an address.
     *
     * @param to      the address
     * @param contact true for {@link DhtNode#addNode}: if our table is small, a lookup of our own
     *                id follows the answer
     * @param result  completes with the node that answered
     */
    record Ping(InetSocketAddress to, boolean contact, CompletableFuture<NodeInfo> result) implements DhtCommand {
    }

    /** A {@code find_node} lookup. */
    record FindNode(DhtId target, CompletableFuture<LookupResult> result) implements DhtCommand {
    }

    /** A {@code get_peers} lookup. */
    record GetPeers(DhtId infoHash, CompletableFuture<PeersResult> result) implements DhtCommand {
    }

    /** A {@code get_peers} lookup followed by {@code announce_peer} to the closest nodes. */
    record Announce(DhtId infoHash, int port, boolean impliedPort, CompletableFuture<AnnounceResult> result)
            implements DhtCommand {
    }

    /** A copy of the routing table. */
    record Snapshot(CompletableFuture<RoutingTableSnapshot> result) implements DhtCommand {
    }
}
