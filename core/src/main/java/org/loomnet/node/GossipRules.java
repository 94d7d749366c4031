package org.loomnet.node;

/**
 * The quality scoring policy, as far as it exists so far, and the gossip acceptance rules.
 *
 * <p>Every connection starts at quality 0, bounded to [-1000, 1000]. Valid, useful traffic earns
 * credit; provable misbehaviour costs points. Below {@link #DISCONNECT_BELOW} the peer is
 * disconnected with {@code LOW_QUALITY}.
 *
 * <table>
 *   <caption>Quality changes</caption>
 *   <tr><th>event</th><th>points</th></tr>
 *   <tr><td>a new, correctly signed gossip message</td><td>{@value #VALID_GOSSIP}</td></tr>
 *   <tr><td>a gossip message whose signature does not verify (forged or altered)</td><td>{@value #BAD_SIGNATURE}</td></tr>
 * </table>
 *
 * <p>A gossip message is accepted when its id is not in the seen-cache, its timestamp is within
 * the TTL of our clock (either way), and its origin signature verifies. It is then delivered to
 * subscribers and forwarded to up to {@code fanout} peers other than the one it came from, unless
 * it has already made {@code gossipMaxHops} hops.
 */
final class GossipRules {

    /** Credit for a new valid gossip message. */
    static final int VALID_GOSSIP = 1;
    /** Penalty for a gossip message whose signature does not verify. */
    static final int BAD_SIGNATURE = -50;
    /** A peer whose quality falls below this is disconnected. */
    static final int DISCONNECT_BELOW = -100;

    private GossipRules() {
    }
}
