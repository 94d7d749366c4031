package org.loomnet.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * Valid payloads made by the real encoders, the raw material of the wire fuzz targets' seeds:
 * the fuzzer mutates what a real peer sends rather than searching for it from nothing.
 */
final class WireSeeds {

    static final int NETWORK = NetworkId.of("loomnet");

    private WireSeeds() {
    }

    static Hello hello(String name) {
        byte[] id = HexFormat.of().parseHex("f8cef6adddb6237c777563de0d776bdb51d0664e");
        return new Hello(NETWORK, ParcelWriter.PROTOCOL_VERSION, ParcelWriter.MIN_PROTOCOL_VERSION,
                0x0123456789abcdefL, id, 7700, "loomnet/0.1.0", name);
    }

    static byte[] goodbye() {
        return Goodbye.of(DisconnectReason.TOO_MANY_INCOMING, "limit 64").encode();
    }

    static byte[] peerResponse() {
        return PeerList.encodeResponse(List.of(address("203.0.113.7", 7700), address("2001:db8::1", 7701)));
    }

    static byte[] message(String type, String payload) {
        return AppMessage.encode(type, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A gossip envelope; its signature is not checked by the decoder, so any 64 bytes do. */
    static byte[] gossip() {
        byte[] key = new byte[GossipEnvelope.KEY_LENGTH];
        byte[] signature = new byte[GossipEnvelope.SIGNATURE_LENGTH];
        for (int i = 0; i < signature.length; i++) {
            key[i % key.length] = (byte) (i * 7);
            signature[i] = (byte) (i * 13);
        }
        return new GossipEnvelope(2, key, 42, 1_700_000_000_000L, "news",
                "reaches every node once".getBytes(StandardCharsets.UTF_8), signature).encode();
    }

    static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port); // literals: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
