package org.loomnet.wire;

/**
 * The kinds of parcel, with their one-byte wire codes.
 *
 * <p>Control parcels keep the connection itself working (handshake, keep-alive, peer exchange,
 * disconnect). They are never dropped by a full send queue; application parcels are.
 */
public enum ParcelType {
    /** First parcel each side sends: network, versions, nonce, listen port, names. */
    HELLO(1, true),
    /** Keep-alive probe; carries an 8-byte token the peer echoes in PONG. */
    PING(2, true),
    /** Answer to PING, echoing its token; gives the round-trip time. */
    PONG(3, true),
    /** Asks the peer for addresses of other peers. */
    PEER_REQUEST(4, true),
    /** A list of peer addresses. */
    PEER_RESPONSE(5, true),
    /** A whole application message: message type and payload. */
    MESSAGE(6, false),
    /** One part of an application message too large for one frame. */
    MESSAGE_PART(7, false),
    /** The sender is closing the connection; carries a reason code. Last parcel on the stream. */
    DISCONNECT(8, true),
    /** A signed message flooded through the network ({@link GossipEnvelope}); at most one frame. */
    GOSSIP(9, false);

    private static final ParcelType[] BY_CODE = new ParcelType[256];

    static {
        for (ParcelType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final boolean control;

    ParcelType(int code, boolean control) {
        this.code = code;
        this.control = control;
    }

    /** @return the one-byte wire code */
    public int code() {
        return code;
    }

    /** @return true for parcels that keep the connection working and are never dropped */
    public boolean isControl() {
        return control;
    }

    /**
     * Looks a type up by its wire code.
     *
     * @param code the byte from the header, 0..255
     * @return the type, or {@code null} when no type has that code
     */
    public static ParcelType fromCode(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }
}
