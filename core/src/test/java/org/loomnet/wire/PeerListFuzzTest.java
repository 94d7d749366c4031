package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomnet.connection.TransportPreamble;

/**
 * Peer exchange payloads, the same bytes read as a PEER_REQUEST and as a PEER_RESPONSE (also
 * the alternatives of a refusal, which nobody authenticated): each decoder returns a value or
 * throws {@link ProtocolException}; a response never yields more entries than the receiver's
 * limit, every entry has a real port, and what is decoded encodes back to an equal list.
 */
class PeerListFuzzTest {

    /** The two limits the node decodes with: a refusal's alternatives, and peer exchange. */
    private static final int[] LIMITS = {TransportPreamble.MAX_ALTERNATIVES, 1000};

    @FuzzTest
    void decode(byte[] payload) throws ProtocolException {
        Parcel request = Parcel.of(ParcelType.PEER_REQUEST, 0, payload);
        try {
            int wanted = PeerList.decodeRequest(request);
            assertThat(wanted).isBetween(1, 0xFFFF);
            assertThat(PeerList.encodeRequest(wanted)).isEqualTo(java.util.Arrays.copyOf(payload, 2));
        } catch (ProtocolException e) {
            assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
        }
        Parcel response = Parcel.of(ParcelType.PEER_RESPONSE, 0, payload);
        for (int limit : LIMITS) {
            PeerList list;
            try {
                list = PeerList.decodeResponse(response, limit);
            } catch (ProtocolException e) {
                assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
                continue;
            }
            assertThat(list.peers()).hasSize(Math.min(list.announced(), limit));
            for (InetSocketAddress a : list.peers()) {
                assertThat(a.isUnresolved()).isFalse();
                assertThat(a.getPort()).isBetween(1, 0xFFFF);
            }
            // An IPv4-mapped IPv6 entry comes back as IPv4: compare the values, not the bytes.
            List<InetSocketAddress> again = PeerList.decodeResponse(
                    Parcel.of(ParcelType.PEER_RESPONSE, 0, PeerList.encodeResponse(list.peers())), limit).peers();
            assertThat(again).isEqualTo(list.peers());
            if (list.announced() <= limit) {
                // Byte for byte too, unless an IPv4-mapped entry shrank to an IPv4 one.
                byte[] encoded = PeerList.encodeResponse(list.peers());
                if (encoded.length == payload.length) {
                    assertThat(encoded).isEqualTo(payload);
                } else {
                    assertThat(encoded.length).isLessThan(payload.length);
                }
            }
        }
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("request-32", PeerList.encodeRequest(32));
        seeds.put("request-0", new byte[] {0, 0});
        seeds.put("response-v4-v6", WireSeeds.peerResponse());
        seeds.put("response-empty", PeerList.encodeResponse(List.of()));
        seeds.put("response-v4-mapped", new byte[] {0, 1, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF,
                (byte) 203, 0, 113, 7, 0x1E, 0x14});
        seeds.put("response-announces-65535", new byte[] {(byte) 0xFF, (byte) 0xFF, 4, 10, 0, 0, 1, 0x1E, 0x14});
        seeds.put("response-port-0", new byte[] {0, 1, 4, 10, 0, 0, 1, 0, 0});
        seeds.put("response-family-5", new byte[] {0, 1, 5, 10, 0, 0, 1, 0x1E, 0x14});
        return seeds;
    }
}
