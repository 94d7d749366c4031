package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The DISCONNECT payload. */
class GoodbyeTest {

    private static Parcel parcel(byte[] payload) {
        return Parcel.of(ParcelType.DISCONNECT, 0, payload);
    }

    private static Goodbye roundTrip(Goodbye g) throws ProtocolException {
        return Goodbye.decode(parcel(g.encode()));
    }

    private static void assertMalformed(byte[] payload) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Goodbye.decode(parcel(payload)));
        assertThat(e).as("decoding %s", Arrays.toString(payload)).isNotNull();
        assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static java.util.stream.Stream<DisconnectReason> wireReasons() {
        return Arrays.stream(DisconnectReason.values()).filter(DisconnectReason::onWire);
    }

    @ParameterizedTest
    @MethodSource("wireReasons")
    void everyReasonSentOnTheWireRoundTrips(DisconnectReason reason) throws ProtocolException {
        Goodbye g = Goodbye.of(reason, "détail " + reason.name());
        assertThat(g.code()).isEqualTo(reason.code());
        Goodbye back = roundTrip(g);
        assertThat(back).isEqualTo(g);
        assertThat(back.reason()).isEqualTo(reason);
    }

    @Test
    void layoutIsCodeThenLengthPrefixedDetail() {
        assertThat(Goodbye.of(DisconnectReason.BAD_CHECKSUM, "ab").encode()).containsExactly(0, 13, 2, 'a', 'b');
        assertThat(Goodbye.of(DisconnectReason.SHUTDOWN, "").encode()).containsExactly(0, 1, 0);
    }

    @Test
    void nullDetailBecomesEmpty() throws ProtocolException {
        Goodbye g = Goodbye.of(DisconnectReason.REQUESTED, null);
        assertThat(g.detail()).isEmpty();
        assertThat(roundTrip(g).detail()).isEmpty();
    }

    @Test
    void detailOfExactlyTheLimitIsKept() throws ProtocolException {
        String d = "x".repeat(Goodbye.MAX_DETAIL);
        assertThat(Goodbye.of(DisconnectReason.REQUESTED, d).detail()).isEqualTo(d);
        assertThat(roundTrip(Goodbye.of(DisconnectReason.REQUESTED, d)).detail()).isEqualTo(d);
    }

    @Test
    void longAsciiDetailIsCutToTheLimit() {
        String d = Goodbye.of(DisconnectReason.REQUESTED, "y".repeat(500)).detail();
        assertThat(d).isEqualTo("y".repeat(Goodbye.MAX_DETAIL));
    }

    @Test
    void cutFallsBeforeATwoByteCharacterThatWouldBeSplit() {
        // 'a' then two-byte characters: byte 200 is the second byte of the 100th 'é'.
        String d = Goodbye.of(DisconnectReason.REQUESTED, "a" + "é".repeat(150)).detail();
        assertThat(d).isEqualTo("a" + "é".repeat(99));
        assertThat(utf8Length(d)).isEqualTo(199);
    }

    @Test
    void cutFallsBeforeAFourByteCharacterThatWouldBeSplit() {
        // Each emoji is 4 bytes (a surrogate pair in Java): 'x' + 49 emoji = 197 bytes.
        String d = Goodbye.of(DisconnectReason.REQUESTED, "x" + "😀".repeat(60)).detail();
        assertThat(d).isEqualTo("x" + "😀".repeat(49));
    }

    @ParameterizedTest
    @ValueSource(strings = {"é", "€", "😀", "a€", "ab€", "a😀", "ab😀", "abc😀"})
    void cutIsAlwaysOnACharacterBoundaryAndAtMostTheLimit(String unit) throws ProtocolException {
        String original = unit.repeat(400 / utf8Length(unit) + 1);
        assertThat(utf8Length(original)).isGreaterThan(Goodbye.MAX_DETAIL);
        Goodbye g = Goodbye.of(DisconnectReason.PROTOCOL_VIOLATION, original);

        int bytes = utf8Length(g.detail());
        assertThat(bytes).isLessThanOrEqualTo(Goodbye.MAX_DETAIL).isGreaterThan(Goodbye.MAX_DETAIL - 4);
        assertThat(original).startsWith(g.detail());
        assertThat(g.detail()).doesNotContain("\uFFFD");
        assertThat(Character.isHighSurrogate(g.detail().charAt(g.detail().length() - 1))).isFalse();
        // And it encodes and decodes strictly.
        assertThat(roundTrip(g)).isEqualTo(g);
    }

    @ParameterizedTest
    @ValueSource(ints = {40, 99, 100, 101, 999, 65535})
    void unknownCodeDecodesAsUnknownKeepingTheCode(int code) throws ProtocolException {
        byte[] payload = ByteBuffer.allocate(3 + 4).putShort((short) code).put((byte) 4).put("why?".getBytes()).array();
        Goodbye g = Goodbye.decode(parcel(payload));
        assertThat(g.reason()).isEqualTo(DisconnectReason.UNKNOWN);
        assertThat(g.code()).isEqualTo(code);
        assertThat(g.detail()).isEqualTo("why?");
        // Relaying it keeps the original code.
        assertThat(g.encode()).isEqualTo(payload);
    }

    @Test
    void everyTruncationIsMalformed() {
        byte[] full = Goodbye.of(DisconnectReason.IDLE_TIMEOUT, "idle").encode();
        for (int n = 0; n < full.length; n++) {
            assertMalformed(Arrays.copyOf(full, n));
        }
    }

    @Test
    void invalidUtf8DetailIsMalformed() {
        assertMalformed(new byte[] {0, 2, 3, 'o', (byte) 0xC3, (byte) 0x28});
        assertMalformed(new byte[] {0, 2, 1, (byte) 0xFF});
    }

    @Test
    void overLongDetailIsMalformedWhenDecoding() {
        byte[] payload = new byte[3 + Goodbye.MAX_DETAIL + 1];
        payload[1] = 2;
        payload[2] = (byte) (Goodbye.MAX_DETAIL + 1);
        Arrays.fill(payload, 3, payload.length, (byte) 'z');
        assertMalformed(payload);
    }

    @Test
    void overLongDetailIsRefusedWhenEncodingWithoutOf() {
        Goodbye g = new Goodbye(DisconnectReason.REQUESTED, 2, "z".repeat(Goodbye.MAX_DETAIL + 1));
        assertThatThrownBy(g::encode).isInstanceOf(IllegalArgumentException.class);
    }
}
