package org.loomnet.dht;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a {@code get_peers} lookup.
 *
 * @param infoHash the info-hash sought
 * @param peers    the peers the nodes returned (IPv4 address and the port each peer announced),
 *                 without duplicates, in the order they arrived; at most 1000
 * @param lookup   the lookup itself: the k closest nodes to the info-hash and the statistics
 */
public record PeersResult(DhtId infoHash, List<InetSocketAddress> peers, LookupResult lookup) {

    /** Copies the list. */
    public PeersResult {
        Objects.requireNonNull(infoHash, "infoHash");
        peers = List.copyOf(peers);
        Objects.requireNonNull(lookup, "lookup");
    }
}
