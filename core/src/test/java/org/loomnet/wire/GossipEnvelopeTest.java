package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The gossip envelope: layout, id, and every malformed envelope refused before allocation. */
class GossipEnvelopeTest {

    private static final GossipEnvelope SAMPLE = new GossipEnvelope(3, filled(32, 1), 42L, 1_700_000_000_000L,
            "news", "payload".getBytes(), filled(64, 2));

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static Parcel parcel(byte[] payload) {
        return Parcel.of(ParcelType.GOSSIP, 0, payload);
    }

    @Test
    void roundTrips() throws ProtocolException {
        assertThat(GossipEnvelope.decode(parcel(SAMPLE.encode()))).isEqualTo(SAMPLE);
        assertThat(SAMPLE.encode()).hasSize(GossipEnvelope.OVERHEAD + 4 + 7);
    }

    @Test
    void theIdIgnoresHopsAndTimestampButNotTheRest() {
        byte[] id = SAMPLE.messageId();
        assertThat(SAMPLE.withHops(9).messageId()).isEqualTo(id);
        assertThat(new GossipEnvelope(3, SAMPLE.originKey(), 43L, SAMPLE.timestamp(), "news", SAMPLE.payload(),
                SAMPLE.signature()).messageId()).isNotEqualTo(id);
        assertThat(new GossipEnvelope(3, SAMPLE.originKey(), 42L, SAMPLE.timestamp(), "newz", SAMPLE.payload(),
                SAMPLE.signature()).messageId()).isNotEqualTo(id);
        assertThat(new GossipEnvelope(3, SAMPLE.originKey(), 42L, SAMPLE.timestamp(), "news", "payloaD".getBytes(),
                SAMPLE.signature()).messageId()).isNotEqualTo(id);
        assertThat(new GossipEnvelope(3, filled(32, 9), 42L, SAMPLE.timestamp(), "news", SAMPLE.payload(),
                SAMPLE.signature()).messageId()).isNotEqualTo(id);
    }

    @Test
    void theSignatureCoversEverythingButTheHops() {
        assertThat(SAMPLE.withHops(0).signedPart()).isEqualTo(SAMPLE.signedPart());
        byte[] encoded = SAMPLE.encode();
        assertThat(Arrays.copyOfRange(encoded, 1, encoded.length - 64)).isEqualTo(SAMPLE.signedPart());
    }

    @Test
    void everyTruncationIsMalformed() {
        byte[] full = SAMPLE.encode();
        for (int n = 0; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            ProtocolException e = catchThrowableOfType(ProtocolException.class,
                    () -> GossipEnvelope.decode(parcel(cut)));
            assertThat(e).as("truncated to %d", n).isNotNull();
            assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
        }
    }

    @Test
    void aPayloadLengthThatLiesIsMalformedWithoutAllocatingIt() {
        byte[] full = SAMPLE.encode();
        int lengthAt = 1 + 32 + 8 + 8 + 1 + 4;
        java.nio.ByteBuffer.wrap(full).putInt(lengthAt, Integer.MAX_VALUE);
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> GossipEnvelope.decode(parcel(full)));
        assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
        java.nio.ByteBuffer.wrap(full).putInt(lengthAt, -1);
        e = catchThrowableOfType(ProtocolException.class, () -> GossipEnvelope.decode(parcel(full)));
        assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
    }
}
