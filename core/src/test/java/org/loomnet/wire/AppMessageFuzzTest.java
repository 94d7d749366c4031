package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Application messages, as a MESSAGE parcel carries them: {@link AppMessage#decode} returns a
 * value or throws {@link ProtocolException}, refuses a payload over the receiver's limit, and
 * what it returns encodes back to exactly the input.
 */
class AppMessageFuzzTest {

    /** A receiver's payload limit small enough for the fuzzer to cross. */
    private static final int MAX_PAYLOAD = 256;

    @FuzzTest
    void decode(byte[] encoded) throws ProtocolException {
        AppMessage message;
        try {
            message = AppMessage.decode(encoded, 0, encoded.length, MAX_PAYLOAD);
        } catch (ProtocolException e) {
            assertThat(e.reason()).isIn(DisconnectReason.MALFORMED_PAYLOAD, DisconnectReason.MESSAGE_TOO_LARGE);
            return;
        }
        assertThat(message.payload().length).isLessThanOrEqualTo(MAX_PAYLOAD);
        assertThat(AppMessage.encode(message.type(), message.payload())).isEqualTo(encoded);
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("chat", WireSeeds.message("chat", "hello everyone"));
        seeds.put("empty-payload", WireSeeds.message("block", ""));
        seeds.put("utf8-type", WireSeeds.message("τύπος", "x"));
        seeds.put("payload-over-limit", WireSeeds.message("big", "x".repeat(MAX_PAYLOAD + 1)));
        seeds.put("empty-type", new byte[] {0, 'x'});
        seeds.put("type-past-limit", new byte[] {65, 'a', 'b'});
        return seeds;
    }
}
