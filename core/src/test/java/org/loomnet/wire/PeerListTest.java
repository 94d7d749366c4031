package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Peer exchange payloads: round trips, limits before allocation, malformed input. */
class PeerListTest {

    private static Parcel response(byte[] payload) {
        return Parcel.of(ParcelType.PEER_RESPONSE, 0, payload);
    }

    @Test
    void roundTripsIpv4AndIpv6() throws ProtocolException {
        List<InetSocketAddress> peers = List.of(new InetSocketAddress("127.0.0.2", 7700),
                new InetSocketAddress("::1", 65535), new InetSocketAddress("10.1.2.3", 1));
        byte[] payload = PeerList.encodeResponse(peers);
        assertThat(payload).hasSize(2 + 2 * PeerList.IPV4_ENTRY + PeerList.IPV6_ENTRY);
        PeerList decoded = PeerList.decodeResponse(response(payload), 10);
        assertThat(decoded.peers()).isEqualTo(peers);
        assertThat(decoded.announced()).isEqualTo(3);
    }

    @Test
    void aResponseOverTheLimitIsDecodedOnlyUpToIt() throws ProtocolException {
        // 65535 announced: the receiver reads its 32 and nothing more.
        List<InetSocketAddress> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new InetSocketAddress("127.0.1." + (i + 1), 7700));
        }
        byte[] payload = PeerList.encodeResponse(many);
        ByteBuffer.wrap(payload).putShort(0, (short) 0xFFFF);
        PeerList decoded = PeerList.decodeResponse(response(payload), 32);
        assertThat(decoded.peers()).hasSize(32);
        assertThat(decoded.announced()).isEqualTo(65535);
    }

    @Test
    void malformedEntriesAreRefused() {
        byte[] good = PeerList.encodeResponse(List.of(new InetSocketAddress("127.0.0.2", 7700)));
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertMalformed(cut);
        }
        byte[] badFamily = good.clone();
        badFamily[2] = 5;
        assertMalformed(badFamily);
        byte[] portZero = good.clone();
        portZero[good.length - 1] = 0;
        portZero[good.length - 2] = 0;
        assertMalformed(portZero);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertMalformed(trailing);
    }

    @Test
    void requestsRoundTripAndZeroIsMalformed() throws ProtocolException {
        assertThat(PeerList.decodeRequest(Parcel.of(ParcelType.PEER_REQUEST, 0, PeerList.encodeRequest(32)))).isEqualTo(32);
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> PeerList.decodeRequest(Parcel.of(ParcelType.PEER_REQUEST, 0, new byte[2])));
        assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
    }

    private static void assertMalformed(byte[] payload) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> PeerList.decodeResponse(response(payload), 10));
        assertThat(e).as("payload %s", Arrays.toString(payload)).isNotNull();
        assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
    }
}
