package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GOSSIP payloads, decoded before their signature is checked: {@link GossipEnvelope#decode}
 * returns a value or throws {@link ProtocolException}, and what it returns encodes back to
 * exactly the input and has a message id.
 */
class GossipEnvelopeFuzzTest {

    @FuzzTest
    void decode(byte[] payload) throws ProtocolException {
        GossipEnvelope envelope;
        try {
            envelope = GossipEnvelope.decode(Parcel.of(ParcelType.GOSSIP, 0, payload));
        } catch (ProtocolException e) {
            assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
            return;
        }
        assertThat(envelope.encode()).isEqualTo(payload);
        assertThat(envelope.messageId()).hasSize(32);
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] gossip = WireSeeds.gossip();
        seeds.put("news", gossip);
        seeds.put("truncated", Arrays.copyOf(gossip, 40));
        byte[] lying = gossip.clone();
        lying[1 + 32 + 8 + 8 + 1 + 4] = (byte) 0x7F; // payload length byte past the parcel
        seeds.put("payload-length-too-large", lying);
        return seeds;
    }
}
