package org.loomnet.peers;

import java.util.Locale;

/**
 * Where the address book heard of an address. An entry keeps the set of kinds it was heard from;
 * for addresses heard from another peer it also keeps that peer's network group (see
 * {@link AddressBook#groupOf(java.net.InetAddress)}), which decides its bucket.
 */
public enum PeerSource {
    /** The project's default seed list ({@code peers.json}). */
    SEED,
    /** Configured by the operator or the application as a special peer. */
    SPECIAL,
    /** Peer exchange: another peer sent it in a PEER_RESPONSE. */
    PEX,
    /** A DNS seed: an A/AAAA record of a seed host name. */
    DNS,
    /** The DHT. */
    DHT,
    /** A seed URL ({@code host:port} lines over HTTP). */
    URL,
    /** A peer that connected to us announced it as its listen address. */
    INCOMING,
    /**
     * We connected to it successfully without it being in the book (for example it was evicted
     * while we were dialing it).
     */
    DIALED;

    /** @return the name written in the book file, lower case */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param label a name as {@link #label()} writes it
     * @return the kind
     * @throws IllegalArgumentException if there is no such kind
     */
    public static PeerSource ofLabel(String label) {
        for (PeerSource s : values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown source kind \"" + label + "\"");
    }
}
