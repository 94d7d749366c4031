package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loomnet.fuzz.AllocationMeter;

/**
 * Bencode from anyone on the Internet: {@link Bencode#decode} returns a value or throws
 * {@link BencodeException}, allocates little whatever lengths the input announces, and what it
 * returns encodes back to the same number of bytes (only the order of dictionary keys may differ)
 * and decodes to the same value.
 */
class BencodeFuzzTest {

    /** Far above what a 4 KiB packet can legitimately cost, far below an announced length. */
    private static final long ALLOCATION_BOUND = 4L << 20;

    @FuzzTest
    void decode(byte[] packet) throws BencodeException {
        AllocationMeter meter = AllocationMeter.start();
        Bencoded value;
        try {
            value = Bencode.decode(packet, Bencode.Limits.DEFAULTS);
        } catch (BencodeException e) {
            meter.assertAtMost(ALLOCATION_BOUND, "a rejected packet", () -> Bencode.decode(packet, Bencode.Limits.DEFAULTS));
            return;
        }
        meter.assertAtMost(ALLOCATION_BOUND, "a packet of " + packet.length + " bytes",
                () -> Bencode.decode(packet, Bencode.Limits.DEFAULTS));
        byte[] again = Bencode.encode(value);
        assertThat(again).hasSameSizeAs(packet);
        assertThat(Bencode.decode(again, Bencode.Limits.DEFAULTS)).isEqualTo(value);
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> krpc : KrpcFuzzTest.seeds().entrySet()) {
            seeds.put("krpc-" + krpc.getKey(), krpc.getValue());
        }
        seeds.put("nested-lists", KrpcFuzzTest.ascii("lllllllli1eeeeeeee"));
        seeds.put("too-deep", KrpcFuzzTest.ascii("llllllllli1eeeeeeeee"));
        seeds.put("keys-out-of-order", KrpcFuzzTest.ascii("d1:bi1e1:ai2ee"));
        seeds.put("duplicate-key", KrpcFuzzTest.ascii("d1:ai1e1:ai2ee"));
        seeds.put("huge-string-length", KrpcFuzzTest.ascii("99999999999:x"));
        seeds.put("leading-zero", KrpcFuzzTest.ascii("i03e"));
        seeds.put("negative-zero", KrpcFuzzTest.ascii("i-0e"));
        seeds.put("long-min", KrpcFuzzTest.ascii("i-9223372036854775808e"));
        seeds.put("long-max", KrpcFuzzTest.ascii("i9223372036854775807e"));
        seeds.put("trailing-bytes", KrpcFuzzTest.ascii("i1ei2e"));
        return seeds;
    }
}
