package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Disconnect reason codes are unique, fit the wire and look up both ways. */
class DisconnectReasonTest {

    private static List<DisconnectReason> onWire() {
        return Arrays.stream(DisconnectReason.values()).filter(DisconnectReason::onWire).toList();
    }

    @Test
    void wireCodesAreUniqueAndFitSixteenBits() {
        List<Integer> codes = onWire().stream().map(DisconnectReason::code).toList();
        assertThat(codes).doesNotHaveDuplicates().allMatch(c -> c >= 0 && c <= 0xFFFF);
        assertThat(Arrays.stream(DisconnectReason.values()).map(DisconnectReason::code).toList()).doesNotHaveDuplicates();
    }

    @Test
    void fromCodeRoundTripsForEveryWireReason() {
        for (DisconnectReason r : onWire()) {
            assertThat(DisconnectReason.fromCode(r.code())).as("%s", r).isSameAs(r);
        }
    }

    @Test
    void localOnlyReasonsAreNeverDecodedFromTheWire() {
        assertThat(DisconnectReason.CONNECTION_LOST.onWire()).isFalse();
        assertThat(DisconnectReason.DIAL_FAILED.onWire()).isFalse();
        assertThat(DisconnectReason.fromCode(DisconnectReason.CONNECTION_LOST.code())).isEqualTo(DisconnectReason.UNKNOWN);
        assertThat(DisconnectReason.fromCode(DisconnectReason.DIAL_FAILED.code())).isEqualTo(DisconnectReason.UNKNOWN);
    }

    @Test
    void unknownCodesGiveUnknown() {
        for (int code : new int[] {-1, 40, 99, 102, 65535, 70000}) {
            assertThat(DisconnectReason.fromCode(code)).isEqualTo(DisconnectReason.UNKNOWN);
        }
    }

    @Test
    void protocolExceptionCarriesTheReasonAndItsText() {
        ProtocolException e = new ProtocolException(DisconnectReason.BAD_PART, "part 3 of 2");
        assertThat(e.reason()).isEqualTo(DisconnectReason.BAD_PART);
        assertThat(e.getMessage()).isEqualTo("bad message part: part 3 of 2");
    }
}
