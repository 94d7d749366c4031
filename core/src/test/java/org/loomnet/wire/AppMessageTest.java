package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Application messages: type string plus payload. */
class AppMessageTest {

    private static void assertMalformed(byte[] data) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> AppMessage.decode(data, 0, data.length));
        assertThat(e).as("decoding %s", Arrays.toString(data)).isNotNull();
        assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
    }

    @Test
    void encodeFollowsTheLayout() {
        assertThat(AppMessage.encode("chat", new byte[] {1, 2, 3}))
                .containsExactly(4, 'c', 'h', 'a', 't', 1, 2, 3);
    }

    @Test
    void roundTrips() throws ProtocolException {
        byte[] payload = new byte[300];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        byte[] encoded = AppMessage.encode("block", payload);
        AppMessage m = AppMessage.decode(encoded, 0, encoded.length);
        assertThat(m.type()).isEqualTo("block");
        assertThat(m.payload()).isEqualTo(payload);
    }

    @Test
    void encodingCopiesThePayload() {
        byte[] payload = {1, 2, 3};
        byte[] encoded = AppMessage.encode("t", payload);
        payload[0] = 99;
        assertThat(encoded).containsExactly(1, 't', 1, 2, 3);
    }

    @Test
    void emptyPayloadRoundTrips() throws ProtocolException {
        byte[] encoded = AppMessage.encode("ping", new byte[0]);
        AppMessage m = AppMessage.decode(encoded, 0, encoded.length);
        assertThat(m.type()).isEqualTo("ping");
        assertThat(m.payload()).isEmpty();
    }

    @Test
    void decodesFromASliceAndCopiesThePayloadOut() throws ProtocolException {
        byte[] encoded = AppMessage.encode("сообщение", new byte[] {10, 20, 30});
        byte[] array = new byte[encoded.length + 8];
        Arrays.fill(array, (byte) 0x77);
        System.arraycopy(encoded, 0, array, 4, encoded.length);
        AppMessage m = AppMessage.decode(array, 4, encoded.length);
        assertThat(m.type()).isEqualTo("сообщение");
        assertThat(m.payload()).containsExactly(10, 20, 30);
        array[4 + encoded.length - 1] = 0;
        assertThat(m.payload()).containsExactly(10, 20, 30);
    }

    @Test
    void typeOfExactly64BytesIsAllowed() throws ProtocolException {
        String type = "é".repeat(32);
        assertThat(type.getBytes(StandardCharsets.UTF_8)).hasSize(AppMessage.MAX_TYPE);
        byte[] encoded = AppMessage.encode(type, new byte[] {5});
        assertThat(AppMessage.decode(encoded, 0, encoded.length).type()).isEqualTo(type);
    }

    @Test
    void emptyTypeIsRefusedWhenEncoding() {
        assertThatThrownBy(() -> AppMessage.encode("", new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AppMessage.typeBytes("")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {65, 100, 255, 256, 1000})
    void overLongTypeIsRefusedWhenEncoding(int length) {
        assertThatThrownBy(() -> AppMessage.encode("t".repeat(length), new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void typeLimitCountsBytesNotCharacters() {
        assertThatThrownBy(() -> AppMessage.typeBytes("é".repeat(33))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emptyTypeIsMalformedWhenDecoding() {
        assertMalformed(new byte[] {0, 1, 2, 3});
        assertMalformed(new byte[] {0});
    }

    @Test
    void overLongTypeIsMalformedWhenDecoding() {
        byte[] data = new byte[1 + 65 + 3];
        data[0] = 65;
        Arrays.fill(data, 1, data.length, (byte) 'a');
        assertMalformed(data);
        data[0] = (byte) 255;
        assertMalformed(data);
    }

    @Test
    void missingOrTruncatedTypeIsMalformed() {
        assertMalformed(new byte[0]);
        assertMalformed(new byte[] {5, 'c', 'h'});
    }

    @Test
    void truncationWithinASliceIsMalformed() {
        byte[] encoded = AppMessage.encode("chat", new byte[0]);
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> AppMessage.decode(encoded, 0, 3));
        assertThat(e.reason()).isEqualTo(DisconnectReason.MALFORMED_PAYLOAD);
    }

    @Test
    void invalidUtf8TypeIsMalformed() {
        assertMalformed(new byte[] {2, (byte) 0xC3, 0x28, 1, 2});
        assertMalformed(new byte[] {1, (byte) 0x80});
    }

    @Test
    void asciiAndNonAsciiTypesDecodeFromTheMiddleOfAnArray() throws ProtocolException {
        // ASCII takes a fast path without a decoder; both must read the slice, not the array.
        for (String type : new String[] {"chat", "tx-é✓"}) {
            byte[] encoded = AppMessage.encode(type, new byte[] {9, 8});
            byte[] padded = new byte[encoded.length + 7];
            Arrays.fill(padded, (byte) 'x');
            System.arraycopy(encoded, 0, padded, 3, encoded.length);
            AppMessage m = AppMessage.decode(padded, 3, encoded.length);
            assertThat(m.type()).isEqualTo(type);
            assertThat(m.payload()).containsExactly(9, 8);
        }
    }
}
