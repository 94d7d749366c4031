package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HELLO payload: round trips, and every malformed payload is MALFORMED_PAYLOAD. */
class HelloTest {

    private static final byte[] ID = {0x0A, 0x0B, 0x0C};

    private static final Hello SAMPLE = new Hello(NetworkId.of("loomnet"), 3, 1, 0x8877_6655_4433_2211L, ID, 65535,
            "loomnet/0.1.0 (ü)", "node-ä");

    private static Parcel parcel(byte[] payload) {
        return Parcel.of(ParcelType.HELLO, 0, payload);
    }

    private static void assertMalformed(byte[] payload) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Hello.decode(parcel(payload)));
        assertThat(e).as("decoding %s", Arrays.toString(payload)).isNotNull();
        assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
    }

    /** A HELLO payload with the given raw string fields (length byte first, bytes as given). */
    private static byte[] rawHello(int uaLength, byte[] ua, int nameLength, byte[] name) {
        return ByteBuffer.allocate(18 + 1 + ID.length + 1 + ua.length + 1 + name.length)
                .putInt(1).putShort((short) 1).putShort((short) 1).putLong(2)
                .put((byte) ID.length).put(ID).putShort((short) 3)
                .put((byte) uaLength).put(ua)
                .put((byte) nameLength).put(name)
                .array();
    }

    @Test
    void roundTrips() throws ProtocolException {
        assertThat(Hello.decode(parcel(SAMPLE.encode()))).isEqualTo(SAMPLE);
    }

    @Test
    void roundTripsWithEmptyNamesAndExtremeValues() throws ProtocolException {
        Hello h = new Hello(-1, 65535, 65535, Long.MIN_VALUE, ID, 0, "", "");
        assertThat(Hello.decode(parcel(h.encode()))).isEqualTo(h);
    }

    @Test
    void roundTripsWithStringsOfTheMaximumLength() throws ProtocolException {
        // 42 three-byte characters plus 2 ASCII = 128 bytes; 32 two-byte characters = 64 bytes.
        Hello h = new Hello(7, 1, 1, 9, ID, 8080, "€".repeat(42) + "ab", "é".repeat(32));
        assertThat(Hello.decode(parcel(h.encode()))).isEqualTo(h);
    }

    @Test
    void encodingFollowsTheDocumentedLayout() {
        byte[] b = new Hello(0x01020304, 0x0506, 0x0007, 0x08090A0B0C0D0E0FL, ID, 0x1011, "ab", "c").encode();
        assertThat(b).containsExactly(
                1, 2, 3, 4,                      // network id
                5, 6,                            // protocol version
                0, 7,                            // minimum version
                8, 9, 10, 11, 12, 13, 14, 15,    // nonce
                3, 0x0A, 0x0B, 0x0C,             // node id
                0x10, 0x11,                      // listen port
                2, 'a', 'b',                     // user agent
                1, 'c');                         // node name
    }

    @Test
    void decodesFromASliceAndIgnoresFieldsAppendedByLaterVersions() throws ProtocolException {
        byte[] encoded = SAMPLE.encode();
        byte[] array = new byte[encoded.length + 20];
        Arrays.fill(array, (byte) 0xFF);
        System.arraycopy(encoded, 0, array, 5, encoded.length);
        // The slice holds the HELLO plus 6 bytes of "future" fields; the rest of the array is junk.
        Parcel p = Parcel.part(ParcelType.HELLO, 0, 0, 1, array, 5, encoded.length + 6);
        assertThat(Hello.decode(p)).isEqualTo(SAMPLE);
    }

    @Test
    void everyTruncationIsMalformed() {
        byte[] full = SAMPLE.encode();
        for (int n = 0; n < full.length; n++) {
            assertMalformed(Arrays.copyOf(full, n));
        }
    }

    @Test
    void truncationInsideASliceIsMalformedEvenIfTheArrayGoesOn() {
        byte[] full = SAMPLE.encode();
        // The array holds the whole HELLO, but the parcel's length stops 3 bytes short.
        Parcel p = Parcel.part(ParcelType.HELLO, 0, 0, 1, full, 0, full.length - 3);
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Hello.decode(p));
        assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C328", "FF", "80", "C0AF", "EDA080", "E282", "F4908080"})
    void invalidUtf8InUserAgentIsMalformed(String hex) {
        byte[] bad = java.util.HexFormat.of().parseHex(hex);
        assertMalformed(rawHello(bad.length, bad, 0, new byte[0]));
    }

    @Test
    void invalidUtf8InNodeNameIsMalformed() {
        byte[] bad = {'o', 'k', (byte) 0xC3};
        assertMalformed(rawHello(2, new byte[] {'u', 'a'}, bad.length, bad));
    }

    @Test
    void overLongStringsAreMalformedWhenDecoding() {
        byte[] ua = new byte[Hello.MAX_USER_AGENT + 1];
        Arrays.fill(ua, (byte) 'a');
        assertMalformed(rawHello(ua.length, ua, 0, new byte[0]));

        byte[] name = new byte[Hello.MAX_NODE_NAME + 1];
        Arrays.fill(name, (byte) 'n');
        assertMalformed(rawHello(2, new byte[] {'u', 'a'}, name.length, name));
    }

    @Test
    void stringsAtTheLimitDecode() throws ProtocolException {
        byte[] ua = new byte[Hello.MAX_USER_AGENT];
        Arrays.fill(ua, (byte) 'a');
        byte[] name = new byte[Hello.MAX_NODE_NAME];
        Arrays.fill(name, (byte) 'n');
        Hello h = Hello.decode(parcel(rawHello(ua.length, ua, name.length, name)));
        assertThat(h.userAgent()).hasSize(128);
        assertThat(h.nodeName()).hasSize(64);
    }

    @Test
    void overLongStringsAreRefusedWhenEncoding() {
        assertThatThrownBy(() -> new Hello(1, 1, 1, 1, ID, 1, "a".repeat(129), "").encode())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Hello(1, 1, 1, 1, ID, 1, "ua", "n".repeat(65)).encode())
                .isInstanceOf(IllegalArgumentException.class);
        // Limits are bytes, not characters: 33 two-byte characters are 66 bytes.
        assertThatThrownBy(() -> new Hello(1, 1, 1, 1, ID, 1, "ua", "é".repeat(33)).encode())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Hello(1, 1, 1, 1, ID, 1, "€".repeat(43), "").encode())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void minimumVersionAboveOwnVersionIsMalformed() {
        assertMalformed(new Hello(1, 2, 3, 0, ID, 0, "ua", "").encode());
    }

    @Test
    void nodeIdOfZeroOrTooManyBytesIsRefused() {
        assertThatThrownBy(() -> new Hello(1, 1, 1, 1, new byte[0], 1, "ua", "").encode())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Hello(1, 1, 1, 1, new byte[33], 1, "ua", "").encode())
                .isInstanceOf(IllegalArgumentException.class);
        byte[] zeroId = ByteBuffer.allocate(16 + 1 + 2 + 2).putInt(1).putShort((short) 1).putShort((short) 1)
                .putLong(2).put((byte) 0).putShort((short) 3).put((byte) 0).put((byte) 0).array();
        assertMalformed(zeroId);
        byte[] longId = ByteBuffer.allocate(16 + 1 + 33 + 2 + 2).putInt(1).putShort((short) 1).putShort((short) 1)
                .putLong(2).put((byte) 33).put(new byte[33]).putShort((short) 3).put((byte) 0).put((byte) 0).array();
        assertMalformed(longId);
    }
}
