package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.loomnet.dht.KrpcMessage.AnnouncePeer;
import org.loomnet.dht.KrpcMessage.ErrorMessage;
import org.loomnet.dht.KrpcMessage.FindNode;
import org.loomnet.dht.KrpcMessage.GetPeers;
import org.loomnet.dht.KrpcMessage.Ping;
import org.loomnet.dht.KrpcMessage.Query;
import org.loomnet.dht.KrpcMessage.Response;

/** KRPC messages: round trips, optional keys, and every kind of bad packet. */
class KrpcCodecTest {

    private static final Bencode.Limits LIMITS = Bencode.Limits.DEFAULTS;
    private static final DhtId A = DhtId.fromHex("0102030405060708090a0b0c0d0e0f1011121314");
    private static final DhtId B = DhtId.fromHex("ffeeddccbbaa99887766554433221100ffeeddcc");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static KrpcException failure(String packet) {
        try {
            KrpcMessage m = KrpcCodec.decode(ascii(packet), LIMITS);
            throw new AssertionError("decoded " + m);
        } catch (KrpcException e) {
            return e;
        }
    }

    @Test
    void everyMessageRoundTrips() throws KrpcException {
        byte[] t = {7, 9};
        List<KrpcMessage> messages = List.of(
                new Query(t, A, new Ping(), false),
                new Query(t, A, new Ping(), true),
                new Query(t, A, new FindNode(B), false),
                new Query(t, A, new GetPeers(B), false),
                new Query(t, A, new AnnouncePeer(B, 6881, new byte[] {1, 2, 3}, true), false),
                new Query(t, A, new AnnouncePeer(B, 1, new byte[0], null), false),
                Response.of(t, B),
                new Response(t, B, List.of(new NodeInfo(A, new InetSocketAddress("10.1.2.3", 65535))), new byte[] {9},
                        null),
                new Response(t, B, null, new byte[] {9}, List.of(new InetSocketAddress("192.0.2.1", 1))),
                new ErrorMessage(t, 201, "A Generic Error Ocurred"));
        for (KrpcMessage m : messages) {
            assertThat(KrpcCodec.decode(KrpcCodec.encode(m), LIMITS)).isEqualTo(m);
        }
    }

    @Test
    void readOnlyFlagIsATopLevelKey() {
        String encoded = new String(KrpcCodec.encode(new Query(ascii("aa"), A, new Ping(), true)),
                StandardCharsets.ISO_8859_1);
        assertThat(encoded).contains("2:roi1e").endsWith("1:t2:aa1:y1:qe");
    }

    @Test
    void unusedOptionalKeysAreTolerated() throws KrpcException {
        String id = "abcdefghij0123456789";
        // v (client version), ip (BEP 42), nodes6 (BEP 32) and an IPv6 value (18 bytes) are ignored.
        String response = "d2:ip6:\u007f\u0000\u0000\u0001\u001a\u00e11:rd2:id20:" + id + "6:nodes60:"
                + "5:token2:tk6:valuesl6:\u007f\u0000\u0000\u0001\u001a\u00e118:" + "x".repeat(18) + "ee"
                + "1:t2:aa1:v4:LT011:y1:re";
        Response r = (Response) KrpcCodec.decode(ascii(response), LIMITS);
        assertThat(r.values()).containsExactly(new InetSocketAddress("127.0.0.1", 6881));
        assertThat(r.nodes()).isNull();
        Query q = (Query) KrpcCodec.decode(ascii("d1:ad2:id20:" + id + "e1:q4:ping2:roi1e1:t2:aa1:v4:UT011:y1:qe"),
                LIMITS);
        assertThat(q.readOnly()).isTrue();
    }

    @Test
    void wrongTypesAreProtocolErrorsAnsweredWhenTheTransactionIdIsReadable() {
        KrpcException intId = failure("d1:ad2:idi42ee1:q4:ping1:t2:aa1:y1:qe");
        assertThat(intId.errorCode()).isEqualTo(203);
        assertThat(intId.answerable()).isTrue();
        assertThat(intId.getMessage()).contains("`id` must be a 20-byte string");
        assertThat(intId.reply()).isEqualTo(new ErrorMessage(ascii("aa"), 203, intId.getMessage()));

        assertThat(failure("d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe").errorCode()).isEqualTo(203);
        assertThat(failure("d1:ad2:id20:abcdefghij0123456789e1:q9:get_peers1:t2:aa1:y1:qe").getMessage())
                .contains("missing required `a.info_hash`");
        assertThat(failure("d1:ad2:id20:abcdefghij01234567899:info_hash20:abcdefghij01234567894:port4:68815:token"
                + "2:tke1:q13:announce_peer1:t2:aa1:y1:qe").getMessage()).contains("`port` must be an integer");
        assertThat(failure("d1:ad2:id20:abcdefghij01234567899:info_hash20:abcdefghij01234567894:porti70000e5:token"
                + "2:tke1:q13:announce_peer1:t2:aa1:y1:qe").getMessage()).contains("out of range");
        assertThat(failure("d1:ad2:id20:abcdefghij012345678912:implied_port1:19:info_hash20:abcdefghij0123456789"
                + "4:porti1e5:token2:tke1:q13:announce_peer1:t2:aa1:y1:qe").getMessage())
                .contains("`implied_port` must be an integer");
        assertThat(failure("d1:q4:ping1:t2:aa1:y1:qe").getMessage()).contains("missing required `a`");
        assertThat(failure("d1:ai1e1:q4:ping1:t2:aa1:y1:qe").answerable()).isTrue();
        assertThat(failure("d1:ad2:id20:abcdefghij0123456789e1:t2:aa1:y1:qe").getMessage())
                .contains("missing required `q`");
        KrpcException badType = failure("d1:t2:aa1:y1:xe");
        assertThat(badType.answerable()).isTrue();
        assertThat(failure("d1:t2:aae").answerable()).isTrue();
    }

    @Test
    void anyNonZeroImpliedPortMeansYes() throws KrpcException {
        Query q = (Query) KrpcCodec.decode(ascii("d1:ad2:id20:abcdefghij012345678912:implied_porti7e"
                + "9:info_hash20:abcdefghij01234567894:porti1e5:token2:tke1:q13:announce_peer1:t2:aa1:y1:qe"), LIMITS);
        assertThat(((AnnouncePeer) q.method()).usesImpliedPort()).isTrue();
    }

    @Test
    void unknownMethodIs204() {
        KrpcException e = failure("d1:ad2:id20:abcdefghij0123456789e1:q3:foo1:t2:ah1:y1:qe");
        assertThat(e.errorCode()).isEqualTo(204);
        assertThat(e.answerable()).isTrue();
    }

    @Test
    void withoutAReadableTransactionIdNothingIsAnswered() {
        for (String bad : List.of("i1e", "le", "4:spam", "d1:y1:qe", "d1:ti1e1:y1:qe",
                "d1:t33:" + "x".repeat(33) + "1:y1:qe", "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q")) {
            KrpcException e = failure(bad);
            assertThat(e.answerable()).as(bad).isFalse();
            assertThat(e.transactionId()).as(bad).isNull();
            assertThatThrownBy(e::reply).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void badResponsesAndErrorsAreNeverAnswered() {
        for (String bad : List.of("d1:t2:aa1:y1:re", "d1:rd2:idi1ee1:t2:aa1:y1:re",
                "d1:rd2:id20:abcdefghij01234567895:nodes25:" + "x".repeat(25) + "e1:t2:aa1:y1:re",
                "d1:rd2:id20:abcdefghij01234567896:valuesi1ee1:t2:aa1:y1:re",
                "d1:rd2:id20:abcdefghij01234567896:valuesli1eee1:t2:aa1:y1:re",
                "d1:rd2:id20:abcdefghij01234567895:tokeni1ee1:t2:aa1:y1:re",
                "d1:eli203ee1:t2:aa1:y1:re", "d1:t2:aa1:y1:ee", "d1:e4:oops1:t2:aa1:y1:ee", "d1:el4:oopse1:t2:aa1:y1:ee")) {
            KrpcException e = failure(bad);
            assertThat(e.answerable()).as(bad).isFalse();
        }
    }

    @Test
    void errorWithoutMessageIsTolerated() throws KrpcException {
        assertThat(KrpcCodec.decode(ascii("d1:eli202ee1:t2:aa1:y1:ee"), LIMITS))
                .isEqualTo(new ErrorMessage(ascii("aa"), 202, ""));
    }

    @Test
    void randomAndTruncatedPacketsOnlyEverThrowKrpcException() {
        byte[] valid = KrpcCodec.encode(new Query(ascii("zz"), A,
                new AnnouncePeer(B, 6881, new byte[] {1, 2, 3, 4}, true), false));
        SplittableRandom random = new SplittableRandom(42);
        int decoded = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] input = n % 2 == 0 ? Arrays.copyOf(valid, random.nextInt(valid.length + 1)) : valid.clone();
            if (n % 2 == 1) {
                input[random.nextInt(input.length)] = (byte) random.nextInt(256);
            }
            try {
                KrpcCodec.decode(input, LIMITS);
                decoded++;
            } catch (KrpcException expected) {
                assertThat(expected.errorCode()).isBetween(201, 204);
            }
        }
        assertThat(decoded).isPositive(); // some single-byte changes still make valid packets
    }
}
