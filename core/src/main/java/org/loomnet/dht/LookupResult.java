package org.loomnet.dht;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of an iterative lookup.
 *
 * @param target       the id sought
 * @param closest      the up to k closest nodes to it that answered, closest first; fewer than k
 *                     only if the lookup could not find k live nodes
 * @param rounds       the longest chain of answers followed: 1 if only the nodes from our own
 *                     routing table were asked, 2 if some of the nodes they named were asked, ...
 * @param queriesSent  queries the lookup sent
 * @param queriesFailed queries that timed out or were answered with an error
 * @param duration     the time from start to finish
 */
public record LookupResult(DhtId target, List<NodeInfo> closest, int rounds, int queriesSent, int queriesFailed,
                           Duration duration) {

    /** Copies the list. */
    public LookupResult {
        Objects.requireNonNull(target, "target");
        closest = List.copyOf(closest);
    }
}
