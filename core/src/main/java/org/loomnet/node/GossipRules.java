package org.loomnet.node;

/**
 * The quality scoring policy and the gossip acceptance rules.
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
 *   <tr><td>a peer request sooner than the exchange interval (ignored)</td><td>{@value #PEX_TOO_FREQUENT}</td></tr>
 *   <tr><td>a peer response we did not ask for (ignored)</td><td>{@value #PEX_UNSOLICITED}</td></tr>
 *   <tr><td>a peer response announcing more addresses than we take (ignored)</td><td>{@value #PEX_OVERSIZED}</td></tr>
 *   <tr><td>we closed its connection for a protocol violation (bad frame, checksum, part, payload,
 *       flags, decryption, network)</td><td>{@value #PROTOCOL_BROKEN}, on its address in the book</td></tr>
 *   <tr><td>we closed its connection for a timeout or for being too slow</td><td>{@value #TIMED_OUT}, on its
 *       address in the book; nothing for a special peer</td></tr>
 *   <tr><td>the application or operator ({@code Node.adjustQuality})</td><td>any</td></tr>
 * </table>
 *
 * <p>Below {@link #BAN_BELOW} the peer's node id and IP are banned for the ban duration.
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
    /** A peer whose quality falls below this is banned (node id and IP) for the ban duration. */
    static final int BAN_BELOW = -500;
    /** Penalty for a peer request sooner than the exchange interval allows. */
    static final int PEX_TOO_FREQUENT = -10;
    /** Penalty for a PEER_RESPONSE we did not ask for. */
    static final int PEX_UNSOLICITED = -10;
    /** Penalty for a PEER_RESPONSE announcing more addresses than we take (it is ignored). */
    static final int PEX_OVERSIZED = -25;
    /** Penalty on an address whose connection we closed for breaking the protocol. */
    static final int PROTOCOL_BROKEN = -100;
    /** Penalty on an address whose connection timed out (handshake, idle, read, write) or was too slow. */
    static final int TIMED_OUT = -20;

    /**
     * @param why     how a connection ended
     * @param special true if the peer is one of our special peers
     * @return the quality change the address book records for the peer's address
     */
    static int penaltyFor(org.loomnet.connection.CloseInfo why, boolean special) {
        if (why.byRemote()) {
            return 0; // the peer's reasons are its own; its misbehaviour is what we saw
        }
        return switch (why.reason()) {
            case FRAME_TOO_LARGE, BAD_CHECKSUM, UNKNOWN_PARCEL_TYPE, BAD_PART, MESSAGE_TOO_LARGE, MALFORMED_PAYLOAD,
                 PROTOCOL_VIOLATION, BAD_FLAGS, DECRYPTION_FAILED, WRONG_NETWORK -> PROTOCOL_BROKEN;
            // A timeout is also what any network fault looks like from here. A special peer is
            // redialed forever, so one fault that lasts would add up, a timeout per redial, to the
            // repeat-offender ban (26 of them), and the peer would not be dialed for a day after
            // the network healed. Its timeouts cost nothing.
            case HANDSHAKE_TIMEOUT, IDLE_TIMEOUT, READ_TIMEOUT, WRITE_TIMEOUT, SLOW_PEER -> special ? 0 : TIMED_OUT;
            default -> 0;
        };
    }

    private GossipRules() {
    }
}
