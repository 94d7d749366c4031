package org.loomnet.dht;

/**
 * How much a routing table trusts a node, as BEP 5 defines it.
 *
 * <ul>
 *   <li>{@link #GOOD}: it answered one of our queries within the last 15 minutes, or it answered
 *       once and has sent us a query within the last 15 minutes.</li>
 *   <li>{@link #QUESTIONABLE}: 15 minutes without such activity, or it never answered us (we
 *       only heard its queries, or it came from a saved table). It is pinged before anything
 *       replaces it.</li>
 *   <li>{@link #BAD}: it failed to answer several queries in a row (2). It is replaced by the
 *       first candidate for its place.</li>
 * </ul>
 */
public enum NodeStatus {
    /** Recently proven alive. */
    GOOD,
    /** Not proven alive lately: ping before relying on it or replacing it. */
    QUESTIONABLE,
    /** Failed repeatedly: replaceable. */
    BAD
}
