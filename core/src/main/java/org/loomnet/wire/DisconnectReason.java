package org.loomnet.wire;

/**
 * Why a connection ended, with a stable wire code (sent in DISCONNECT) and a readable text.
 *
 * <p>Modelled on Skycoin's {@code src/daemon/errors.go}: every way a connection can end has a
 * name, so logs, metrics, the API and the peer on the other side all say the same thing. Codes
 * are part of the protocol and never change meaning; new reasons get new codes. Reasons marked
 * local-only describe something that happened to us (the socket broke, a dial failed) and are
 * never sent.
 */
public enum DisconnectReason {
    /** The remote sent a code this version does not know. */
    UNKNOWN(0, "unknown reason", true),
    /** The node is shutting down. */
    SHUTDOWN(1, "node shutting down", true),
    /** The application or the operator asked for the disconnect. */
    REQUESTED(2, "disconnect requested", true),
    /** No HELLO arrived within the handshake timeout. */
    HANDSHAKE_TIMEOUT(3, "handshake timeout", true),
    /** The peer belongs to another network. */
    WRONG_NETWORK(4, "wrong network", true),
    /** The peer's protocol version is below our minimum (or ours below its minimum). */
    VERSION_TOO_OLD(5, "protocol version too old", true),
    /** We connected to ourselves (the HELLO nonce is our own). */
    SELF_CONNECTION(6, "connected to self", true),
    /** Another connection to the same node exists; this one lost the tie-break. */
    DUPLICATE_CONNECTION(7, "duplicate connection", true),
    /** The node already has its maximum of incoming connections. */
    TOO_MANY_INCOMING(8, "too many incoming connections", true),
    /** Nothing was received for the idle timeout. */
    IDLE_TIMEOUT(9, "idle timeout", true),
    /** A frame did not arrive completely within the frame timeout (slow or stalled sender). */
    READ_TIMEOUT(10, "read timeout", true),
    /** Writing to the peer stalled for the write timeout (it does not read). */
    WRITE_TIMEOUT(11, "write timeout", true),
    /** A frame's payload length is over the limit for its type. */
    FRAME_TOO_LARGE(12, "frame too large", true),
    /** A frame's CRC-32 does not match its payload. */
    BAD_CHECKSUM(13, "bad checksum", true),
    /** A frame's parcel type is unknown. */
    UNKNOWN_PARCEL_TYPE(14, "unknown parcel type", true),
    /** Part number or part count is out of range, duplicated or inconsistent. */
    BAD_PART(15, "bad message part", true),
    /** A split message is larger than the maximum message size. */
    MESSAGE_TOO_LARGE(16, "message too large", true),
    /** A payload could not be decoded. */
    MALFORMED_PAYLOAD(17, "malformed payload", true),
    /** Parcels out of order, e.g. anything but HELLO first, or a second HELLO. */
    PROTOCOL_VIOLATION(18, "protocol violation", true),
    /** Reserved header bits are set. */
    BAD_FLAGS(19, "unsupported flags", true),
    /** Our send queue to the peer is full of parcels that cannot be dropped. */
    SLOW_PEER(20, "peer too slow", true),
    /** The peer is banned. */
    BANNED(21, "banned", true),
    /** The peer's quality score fell below the threshold. */
    LOW_QUALITY(22, "quality too low", true),
    /** A bug on the sending side; the peer did nothing wrong. */
    INTERNAL_ERROR(23, "internal error", true),
    /** One side speaks plaintext, the other requires encryption (sent in plaintext, after the preamble). */
    TRANSPORT_MISMATCH(24, "transport mismatch: plaintext against encrypted", true),
    /** An encrypted message failed authentication: a byte was changed on the way. */
    DECRYPTION_FAILED(25, "decryption failed", true),
    /** The peer's address already has the most incoming connections one address may hold. */
    TOO_MANY_FROM_ADDRESS(26, "too many connections from this address", true),
    /** The peer's address opened connections faster than the accept rate limit. */
    CONNECTING_TOO_FAST(27, "connecting too fast", true),
    /** The node runs in exclusive-incoming mode and the peer is not one of its special peers. */
    NOT_SPECIAL(28, "this node accepts only its special peers", true),

    /** Local only: the socket closed or failed without a DISCONNECT. */
    CONNECTION_LOST(100, "connection lost", false),
    /** Local only: the outgoing TCP connect failed. */
    DIAL_FAILED(101, "dial failed", false),
    /** Local only: the secure handshake failed (wrong network, bad keys, not a LoomNet peer); no channel to say so. */
    HANDSHAKE_FAILED(102, "secure handshake failed", false),
    /** Local only: a pinned peer proved a different node id; we stopped before revealing ours. */
    PEER_ID_MISMATCH(103, "peer id does not match the pinned id", false);

    private final int code;
    private final String text;
    private final boolean onWire;

    DisconnectReason(int code, String text, boolean onWire) {
        this.code = code;
        this.text = text;
        this.onWire = onWire;
    }

    /** @return the stable code, sent as an unsigned 16-bit number in DISCONNECT */
    public int code() {
        return code;
    }

    /** @return a short readable description */
    public String text() {
        return text;
    }

    /** @return false for reasons that describe a local event and are never sent */
    public boolean onWire() {
        return onWire;
    }

    /**
     * Looks a reason up by code.
     *
     * @param code a code from a DISCONNECT parcel
     * @return the reason, or {@link #UNKNOWN} for a code this version does not know
     */
    public static DisconnectReason fromCode(int code) {
        for (DisconnectReason r : values()) {
            if (r.code == code && r.onWire) {
                return r;
            }
        }
        return UNKNOWN;
    }

    @Override
    public String toString() {
        return name() + "(" + code + ": " + text + ")";
    }
}
