package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomnet.dht.KrpcMessage.AnnouncePeer;
import org.loomnet.dht.KrpcMessage.ErrorMessage;
import org.loomnet.dht.KrpcMessage.FindNode;
import org.loomnet.dht.KrpcMessage.GetPeers;
import org.loomnet.dht.KrpcMessage.Ping;
import org.loomnet.dht.KrpcMessage.Query;
import org.loomnet.dht.KrpcMessage.Response;

/**
 * KRPC packets from anyone on the Internet: {@link KrpcCodec#decode} returns a message or throws
 * {@link KrpcException}. A decoded message encodes to a packet that decodes to the same message;
 * a rejected packet that may be answered yields an error reply that is itself a valid packet.
 */
class KrpcFuzzTest {

    private static final Bencode.Limits LIMITS = Bencode.Limits.DEFAULTS;

    @FuzzTest
    void decode(byte[] packet) throws KrpcException {
        KrpcMessage message;
        try {
            message = KrpcCodec.decode(packet, LIMITS);
        } catch (KrpcException e) {
            if (e.answerable()) {
                assertThat(e.transactionId()).isNotNull();
                ErrorMessage reply = e.reply();
                assertThat(KrpcCodec.decode(KrpcCodec.encode(reply), LIMITS)).isEqualTo(reply);
            }
            return;
        }
        assertThat(message.transactionId().length).isLessThanOrEqualTo(KrpcCodec.MAX_TRANSACTION_ID);
        assertThat(KrpcCodec.decode(KrpcCodec.encode(message), LIMITS)).isEqualTo(message);
    }

    static Map<String, byte[]> seeds() {
        DhtId a = DhtId.fromHex("0102030405060708090a0b0c0d0e0f1011121314");
        DhtId b = DhtId.fromHex("ffeeddccbbaa99887766554433221100ffeeddcc");
        byte[] t = {'a', 'a'};
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("ping", KrpcCodec.encode(new Query(t, a, new Ping(), false)));
        seeds.put("ping-read-only", KrpcCodec.encode(new Query(t, a, new Ping(), true)));
        seeds.put("find-node", KrpcCodec.encode(new Query(t, a, new FindNode(b), false)));
        seeds.put("get-peers", KrpcCodec.encode(new Query(t, a, new GetPeers(b), false)));
        seeds.put("announce-peer", KrpcCodec.encode(
                new Query(t, a, new AnnouncePeer(b, 6881, new byte[] {1, 2, 3}, true), false)));
        seeds.put("response-nodes", KrpcCodec.encode(new Response(t, b,
                List.of(new NodeInfo(a, new InetSocketAddress("10.1.2.3", 65535))), new byte[] {9}, null)));
        seeds.put("response-values", KrpcCodec.encode(new Response(t, b, null, new byte[] {9},
                List.of(new InetSocketAddress("192.0.2.1", 1), new InetSocketAddress("192.0.2.2", 6881)))));
        seeds.put("error", KrpcCodec.encode(new ErrorMessage(t, 201, "A Generic Error Ocurred")));
        seeds.put("unknown-method", ascii("d1:ad2:id20:abcdefghij0123456789e1:q4:fake1:t2:aa1:y1:qe"));
        seeds.put("bep5-example-with-version", ascii("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:v4:LT011:y1:qe"));
        seeds.put("values-ipv6", ascii("d1:rd2:id20:abcdefghij01234567896:valuesl18:0123456789abcdefXYee1:t2:aa1:y1:re"));
        return seeds;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
