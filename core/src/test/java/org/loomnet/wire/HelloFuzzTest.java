package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HELLO payloads from a peer nobody has authenticated yet: {@link Hello#decode} returns a value
 * or throws {@link ProtocolException}, and what it returns encodes back to exactly the bytes it
 * read (the decoder ignores what follows its last field, for later versions).
 */
class HelloFuzzTest {

    @FuzzTest
    void decode(byte[] payload) throws ProtocolException {
        Hello hello;
        try {
            hello = Hello.decode(Parcel.of(ParcelType.HELLO, 0, payload));
        } catch (ProtocolException e) {
            assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
            return;
        }
        byte[] again = hello.encode();
        assertThat(again).isEqualTo(Arrays.copyOf(payload, again.length));
        assertThat(Hello.decode(Parcel.of(ParcelType.HELLO, 0, again))).isEqualTo(hello);
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("hello", WireSeeds.hello("alpha").encode());
        seeds.put("hello-no-name", WireSeeds.hello("").encode());
        seeds.put("hello-utf8-name", WireSeeds.hello("nœud-α").encode());
        seeds.put("hello-trailing-field", WireSeeds.concat(WireSeeds.hello("alpha").encode(), new byte[] {1, 2, 3}));
        seeds.put("hello-truncated", Arrays.copyOf(WireSeeds.hello("alpha").encode(), 20));
        byte[] longId = WireSeeds.hello("alpha").encode();
        longId[16] = (byte) 200; // node id length far past the field's limit
        seeds.put("hello-id-too-long", longId);
        return seeds;
    }
}
