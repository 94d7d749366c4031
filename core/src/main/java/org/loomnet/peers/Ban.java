package org.loomnet.peers;

import java.util.Objects;

/**
 * One ban, as the address book holds and persists it.
 *
 * @param kind    what is banned
 * @param subject the IP as {@link java.net.InetAddress#getHostAddress()} writes it, or the node id
 *                as lower-case hex
 * @param until   the ban holds while {@code now < until} (epoch milliseconds)
 */
public record Ban(Kind kind, String subject, long until) {

    /** What a ban applies to. */
    public enum Kind {
        /** Every connection from or to this IP, any port. */
        IP,
        /** The node that proves this id in the handshake, at any address. */
        NODE_ID
    }

    /** Checks the fields. */
    public Ban {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
    }
}
