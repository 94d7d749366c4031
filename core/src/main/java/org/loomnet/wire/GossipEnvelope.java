package org.loomnet.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The GOSSIP payload: a message signed by its origin and flooded through the network.
 *
 * <pre>
 * size  field
 *    1  hops          times the message was forwarded so far; not signed (relays change it)
 *   32  origin key    the origin's Ed25519 public key; its node id is derived from it
 *    8  sequence      uint64, chosen by the origin, increasing
 *    8  timestamp     the origin's clock, ms since the epoch; too old or too far ahead is dropped
 *  1+n  type          length byte + UTF-8, 1..64 bytes
 *  4+m  payload       uint32 length + bytes
 *   64  signature     Ed25519 by the origin key over every byte from "origin key" to the payload
 * </pre>
 * The message id, which the seen-cache keys on, is SHA-256 over
 * {@code "loomnet-gossip-id:" || origin key || sequence || type length (1) || type ||
 * payload length (4) || payload}, lengths making the encoding unambiguous: the same message
 * relayed along any path has the same id, whatever its hop count.
 *
 * @param hops      forwards so far
 * @param originKey the origin's Ed25519 public key
 * @param sequence  the origin's sequence number
 * @param timestamp the origin's time, ms since the epoch
 * @param type      the message type
 * @param payload   the application's bytes
 * @param signature the origin's signature over the signed part
 */
public record GossipEnvelope(int hops, byte[] originKey, long sequence, long timestamp, String type, byte[] payload,
                             byte[] signature) {

    /** Length of the origin key. */
    public static final int KEY_LENGTH = 32;
    /** Length of the signature. */
    public static final int SIGNATURE_LENGTH = 64;
    /** Bytes around the type and payload: hops, key, sequence, timestamp, lengths, signature. */
    public static final int OVERHEAD = 1 + KEY_LENGTH + 8 + 8 + 1 + 4 + SIGNATURE_LENGTH;

    private static final byte[] ID_DOMAIN = "loomnet-gossip-id:".getBytes(StandardCharsets.US_ASCII);

    /**
     * The bytes the origin signs.
     *
     * @param originKey the origin's key
     * @param sequence  the sequence number
     * @param timestamp the origin's time
     * @param type      the message type
     * @param payload   the payload
     * @return the signed part of the envelope
     */
    public static byte[] signedPart(byte[] originKey, long sequence, long timestamp, String type, byte[] payload) {
        byte[] t = AppMessage.typeBytes(type);
        return ByteBuffer.allocate(KEY_LENGTH + 8 + 8 + 1 + t.length + 4 + payload.length)
                .put(originKey).putLong(sequence).putLong(timestamp).put((byte) t.length).put(t)
                .putInt(payload.length).put(payload).array();
    }

    /** @return the bytes the signature covers */
    public byte[] signedPart() {
        return signedPart(originKey, sequence, timestamp, type, payload);
    }

    /** @return the payload bytes of a GOSSIP parcel */
    public byte[] encode() {
        byte[] signed = signedPart();
        return ByteBuffer.allocate(1 + signed.length + SIGNATURE_LENGTH)
                .put((byte) hops).put(signed).put(signature).array();
    }

    /**
     * @param newHops the hop count for the relayed copy
     * @return this envelope with another hop count (the signature stays valid)
     */
    public GossipEnvelope withHops(int newHops) {
        return new GossipEnvelope(newHops, originKey, sequence, timestamp, type, payload, signature);
    }

    /** @return the message id: the same on every path, 32 bytes */
    public byte[] messageId() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(ID_DOMAIN);
            d.update(originKey);
            byte[] t = type.getBytes(StandardCharsets.UTF_8);
            d.update(ByteBuffer.allocate(8 + 1).putLong(sequence).put((byte) t.length).array());
            d.update(t);
            d.update(ByteBuffer.allocate(4).putInt(payload.length).array());
            d.update(payload);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Decodes a GOSSIP parcel; checks every length before allocating.
     *
     * @param p the parcel
     * @return the envelope (its signature is not checked here)
     * @throws ProtocolException with {@link DisconnectReason#MALFORMED_PAYLOAD}
     */
    public static GossipEnvelope decode(Parcel p) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(p.payload(), p.offset(), p.length());
        int hops = PayloadCodec.readU8(in, "hops");
        if (in.remaining() < KEY_LENGTH + 16) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, "gossip envelope truncated");
        }
        byte[] key = new byte[KEY_LENGTH];
        in.get(key);
        long sequence = in.getLong();
        long timestamp = in.getLong();
        String type = PayloadCodec.readShortString(in, AppMessage.MAX_TYPE, "gossip type");
        if (type.isEmpty()) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD, "empty gossip type");
        }
        int length = PayloadCodec.readI32(in, "gossip payload length");
        if (length < 0 || length != in.remaining() - SIGNATURE_LENGTH) {
            throw new ProtocolException(DisconnectReason.MALFORMED_PAYLOAD,
                    "gossip payload length " + length + " does not match the parcel");
        }
        byte[] payload = new byte[length];
        in.get(payload);
        byte[] signature = new byte[SIGNATURE_LENGTH];
        in.get(signature);
        return new GossipEnvelope(hops, key, sequence, timestamp, type, payload, signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GossipEnvelope g && hops == g.hops && sequence == g.sequence && timestamp == g.timestamp
                && type.equals(g.type) && Arrays.equals(originKey, g.originKey) && Arrays.equals(payload, g.payload)
                && Arrays.equals(signature, g.signature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(originKey) * 31 + Long.hashCode(sequence);
    }

    @Override
    public String toString() {
        return "GossipEnvelope[" + type + ", seq " + sequence + ", hops " + hops + ", " + payload.length + " bytes]";
    }
}
