package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DISCONNECT payloads, which also arrive unauthenticated in a refusal: {@link Goodbye#decode}
 * returns a value or throws {@link ProtocolException}, keeps an unknown code as received, and
 * what it returns encodes back to exactly the bytes it read.
 */
class GoodbyeFuzzTest {

    @FuzzTest
    void decode(byte[] payload) throws ProtocolException {
        Goodbye goodbye;
        try {
            goodbye = Goodbye.decode(Parcel.of(ParcelType.DISCONNECT, 0, payload));
        } catch (ProtocolException e) {
            assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
            return;
        }
        assertThat(goodbye.reason()).isNotNull();
        byte[] again = goodbye.encode();
        assertThat(again).isEqualTo(Arrays.copyOf(payload, again.length));
        assertThat(Goodbye.decode(Parcel.of(ParcelType.DISCONNECT, 0, again))).isEqualTo(goodbye);
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("too-many-incoming", WireSeeds.goodbye());
        seeds.put("shutdown", Goodbye.of(DisconnectReason.SHUTDOWN, "").encode());
        seeds.put("unknown-code", new Goodbye(DisconnectReason.UNKNOWN, 0xBEEF, "from the future").encode());
        seeds.put("utf8-detail", Goodbye.of(DisconnectReason.PROTOCOL_VIOLATION, "ungültig ✗").encode());
        seeds.put("detail-past-limit", new byte[] {0, 8, (byte) 250, 'x'});
        seeds.put("bad-utf8", new byte[] {0, 8, 2, (byte) 0xC3, (byte) 0x28});
        return seeds;
    }
}
