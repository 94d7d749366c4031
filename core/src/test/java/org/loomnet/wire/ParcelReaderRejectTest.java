package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ParcelReader} refuses every broken header with the right {@link DisconnectReason}, and
 * decides on the header alone: the streams here hold only the 28 header bytes and fail the test
 * if the reader asks for more.
 */
class ParcelReaderRejectTest {

    private static final int NETWORK = NetworkId.of("loomnet");
    private static final WireLimits LIMITS = new WireLimits(1024, 10_000);
    private static final int VERSION = ParcelWriter.PROTOCOL_VERSION;

    private RawFrame.RecordingListener listener;

    private ParcelReader reader(InputStream in) {
        listener = new RawFrame.RecordingListener();
        return new ParcelReader(in, NETWORK, LIMITS, listener);
    }

    /** Reads a header-only stream and asserts the reader threw the reason without reading further. */
    private void assertHeaderRejected(byte[] header, DisconnectReason reason) {
        assertThat(header).hasSize(Parcel.HEADER_SIZE);
        RawFrame.HeaderOnlyStream in = new RawFrame.HeaderOnlyStream(header);
        Throwable thrown = catchThrowable(reader(in)::read);
        assertThat(thrown).isInstanceOf(ProtocolException.class);
        assertThat(((ProtocolException) thrown).reason()).isEqualTo(reason);
        assertThat(thrown.getMessage()).startsWith(reason.text());
        assertThat(in.consumed()).isEqualTo(Parcel.HEADER_SIZE);
        assertThat(listener.events).as("a rejected frame is started, never finished").containsExactly("started");
    }

    private void assertFrameRejected(byte[] frame, DisconnectReason reason) {
        Throwable thrown = catchThrowable(reader(new ByteArrayInputStream(frame))::read);
        assertThat(thrown).isInstanceOf(ProtocolException.class);
        assertThat(((ProtocolException) thrown).reason()).isEqualTo(reason);
        assertThat(listener.events).containsExactly("started");
    }

    private static byte[] header(ParcelType type, long length, int partNumber, int partCount) {
        return RawFrame.header(NETWORK, VERSION, type.code(), 0, length, 0, partNumber, partCount, 1);
    }

    @Test
    void theHeaderOnlyStreamFailsWhenAReaderWantsThePayload() {
        // Without this, every "did not read the payload" assertion below could pass vacuously.
        byte[] h = header(ParcelType.MESSAGE, 5, 0, 1);
        assertThatThrownBy(reader(new RawFrame.HeaderOnlyStream(h))::read)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("read past the header");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, -1})
    void wrongNetworkIsRejected(int delta) {
        int other = delta == 0 ? NetworkId.of("testnet") : NETWORK + delta;
        byte[] h = RawFrame.header(other, VERSION, ParcelType.MESSAGE.code(), 0, 5, 0, 0, 1, 1);
        assertHeaderRejected(h, DisconnectReason.WRONG_NETWORK);
    }

    @Test
    void networkIsCheckedBeforeEverythingElse() {
        byte[] h = RawFrame.header(NETWORK ^ 0x8000_0000, VERSION, 0xEE, 0xFF, 0xFFFF_FFFFL, 0, 9, 0, 1);
        assertHeaderRejected(h, DisconnectReason.WRONG_NETWORK);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10, 11, 0x7F, 0x80, 0xFF})
    void unknownTypeCodeIsRejected(int code) {
        assertThat(ParcelType.fromCode(code)).isNull();
        assertHeaderRejected(RawFrame.header(NETWORK, VERSION, code, 0, 5, 0, 0, 1, 1),
                DisconnectReason.UNKNOWN_PARCEL_TYPE);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 0x40, 0x80, 0xFF})
    void nonZeroFlagsAreRejected(int flags) {
        assertHeaderRejected(RawFrame.header(NETWORK, VERSION, ParcelType.MESSAGE.code(), flags, 5, 0, 0, 1, 1),
                DisconnectReason.BAD_FLAGS);
    }

    static Stream<Arguments> oversizedLengths() {
        return Stream.of(
                Arguments.of(ParcelType.MESSAGE, 1025L),
                Arguments.of(ParcelType.MESSAGE, 0x7FFF_FFFFL),
                Arguments.of(ParcelType.MESSAGE, 0x8000_0000L),
                Arguments.of(ParcelType.MESSAGE, 0xFFFF_FFFFL),
                Arguments.of(ParcelType.PEER_RESPONSE, 1025L),
                Arguments.of(ParcelType.PEER_RESPONSE, 0xFFFF_FFFFL),
                Arguments.of(ParcelType.HELLO, (long) ParcelReader.MAX_HELLO + 1),
                Arguments.of(ParcelType.HELLO, 0xFFFF_FFFFL),
                Arguments.of(ParcelType.DISCONNECT, (long) ParcelReader.MAX_DISCONNECT + 1),
                Arguments.of(ParcelType.DISCONNECT, 0xFFFF_FFFFL),
                Arguments.of(ParcelType.PEER_REQUEST, (long) ParcelReader.MAX_PEER_REQUEST + 1),
                Arguments.of(ParcelType.PEER_REQUEST, 0xFFFF_FFFFL),
                Arguments.of(ParcelType.PING, 0xFFFF_FFFFL),
                Arguments.of(ParcelType.PONG, 0x8000_0008L));
    }

    @ParameterizedTest
    @MethodSource("oversizedLengths")
    void lengthOverTheLimitIsRejectedBeforeThePayloadIsRead(ParcelType type, long length) {
        assertHeaderRejected(header(type, length, 0, 1), DisconnectReason.FRAME_TOO_LARGE);
    }

    @ParameterizedTest
    @ValueSource(longs = {1025L, 0x7FFF_FFFFL, 0xFFFF_FFFFL})
    void messagePartOverTheFrameLimitIsRejected(long length) {
        assertHeaderRejected(header(ParcelType.MESSAGE_PART, length, 0, 2), DisconnectReason.FRAME_TOO_LARGE);
    }

    @ParameterizedTest
    @CsvSource({"PING, 0, MALFORMED_PAYLOAD", "PING, 7, MALFORMED_PAYLOAD", "PING, 9, FRAME_TOO_LARGE",
            "PONG, 0, MALFORMED_PAYLOAD", "PONG, 1, MALFORMED_PAYLOAD", "PONG, 16, FRAME_TOO_LARGE"})
    void pingAndPongMustCarryExactlyEightBytes(ParcelType type, long length, DisconnectReason reason) {
        assertHeaderRejected(header(type, length, 0, 1), reason);
    }

    @Test
    void payloadsAtTheLimitOfTheirTypeAreAccepted() throws IOException {
        int[][] cases = {
            {ParcelType.HELLO.code(), ParcelReader.MAX_HELLO},
            {ParcelType.DISCONNECT.code(), ParcelReader.MAX_DISCONNECT},
            {ParcelType.PEER_REQUEST.code(), ParcelReader.MAX_PEER_REQUEST},
            {ParcelType.PEER_RESPONSE.code(), LIMITS.maxFrameSize()},
            {ParcelType.MESSAGE.code(), LIMITS.maxFrameSize()},
            {ParcelType.PING.code(), ParcelReader.PING_SIZE},
            {ParcelType.PONG.code(), ParcelReader.PING_SIZE},
        };
        for (int[] c : cases) {
            ParcelType type = ParcelType.fromCode(c[0]);
            byte[] payload = new byte[c[1]];
            Arrays.fill(payload, (byte) 0x5A);
            Parcel p = reader(new ByteArrayInputStream(RawFrame.frame(NETWORK, type, 0, 1, 3, payload))).read();
            assertThat(p.type()).isEqualTo(type);
            assertThat(p.length()).as("%s", type).isEqualTo(c[1]);
            assertThat(reader(new ByteArrayInputStream(new byte[0])).maxPayload(type)).isEqualTo(c[1]);
        }
    }

    @Test
    void wrongChecksumFieldIsRejected() {
        byte[] frame = RawFrame.frame(NETWORK, ParcelType.MESSAGE, 0, 1, 1, AppMessage.encode("chat", new byte[100]));
        frame[15] ^= 0x01;
        assertFrameRejected(frame, DisconnectReason.BAD_CHECKSUM);
    }

    @Test
    void corruptedPayloadByteIsRejected() {
        byte[] frame = RawFrame.frame(NETWORK, ParcelType.MESSAGE, 0, 1, 1, AppMessage.encode("chat", new byte[100]));
        frame[frame.length - 1] ^= 0x40;
        assertFrameRejected(frame, DisconnectReason.BAD_CHECKSUM);
    }

    @Test
    void emptyPayloadWithNonZeroChecksumIsRejected() {
        byte[] h = RawFrame.header(NETWORK, VERSION, ParcelType.PEER_REQUEST.code(), 0, 0, 0x2D3DD0AE, 0, 1, 1);
        assertFrameRejected(h, DisconnectReason.BAD_CHECKSUM);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "0, 2", "1, 1", "1, 2", "65535, 65535"})
    void messageMustBeASinglePart(int partNumber, int partCount) {
        assertHeaderRejected(header(ParcelType.MESSAGE, 5, partNumber, partCount), DisconnectReason.BAD_PART);
    }

    @ParameterizedTest
    @EnumSource(value = ParcelType.class, mode = EnumSource.Mode.EXCLUDE, names = "MESSAGE_PART")
    void everyUnsplitTypeMustBeASinglePart(ParcelType type) {
        long length = type == ParcelType.PING || type == ParcelType.PONG ? ParcelReader.PING_SIZE : 0;
        assertHeaderRejected(header(type, length, 0, 2), DisconnectReason.BAD_PART);
    }

    @ParameterizedTest
    @CsvSource({"2, 2", "3, 2", "5, 3", "65535, 2", "0, 1", "0, 0", "1, 1"})
    void messagePartNumberAndCountMustBeInRange(int partNumber, int partCount) {
        assertHeaderRejected(header(ParcelType.MESSAGE_PART, 5, partNumber, partCount), DisconnectReason.BAD_PART);
    }

    @ParameterizedTest
    @ValueSource(ints = {11, 12, 1000, 65535})
    void partCountAboveTheLimitIsRejected(int partCount) {
        assertThat(LIMITS.maxParts()).isEqualTo(10);
        assertHeaderRejected(header(ParcelType.MESSAGE_PART, 5, 0, partCount), DisconnectReason.MESSAGE_TOO_LARGE);
    }

    @Test
    void partCountAtTheLimitIsAccepted() throws IOException {
        byte[] payload = new byte[LIMITS.maxFrameSize()];
        byte[] frame = RawFrame.frame(NETWORK, ParcelType.MESSAGE_PART, 9, LIMITS.maxParts(), 1, payload);
        Parcel p = reader(new ByteArrayInputStream(frame)).read();
        assertThat(p.partNumber()).isEqualTo(9);
        assertThat(p.partCount()).isEqualTo(10);
    }

    @Test
    void cleanEndOfStreamBeforeAFrameReturnsNull() throws IOException {
        ParcelReader r = reader(new ByteArrayInputStream(new byte[0]));
        assertThat(r.read()).isNull();
        assertThat(listener.events).isEmpty();
    }

    @Test
    void cleanEndAfterACompleteFrameReturnsTheFrameThenNull() throws IOException {
        byte[] frame = RawFrame.frame(NETWORK, ParcelType.PING, 0, 1, 5, new byte[8]);
        ParcelReader r = reader(new ByteArrayInputStream(frame));
        assertThat(r.read()).isNotNull();
        assertThat(r.read()).isNull();
        assertThat(listener.events).containsExactly("started", "finished 36");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 27})
    void endOfStreamInsideTheHeaderThrowsEof(int available) {
        byte[] frame = RawFrame.frame(NETWORK, ParcelType.MESSAGE, 0, 1, 1, new byte[10]);
        ParcelReader r = reader(new ByteArrayInputStream(Arrays.copyOf(frame, available)));
        assertThatThrownBy(r::read).isExactlyInstanceOf(EOFException.class);
        assertThat(listener.events).containsExactly("started");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 99})
    void endOfStreamInsideThePayloadThrowsEof(int payloadBytesSent) {
        byte[] frame = RawFrame.frame(NETWORK, ParcelType.MESSAGE, 0, 1, 1, new byte[100]);
        ParcelReader r = reader(new ByteArrayInputStream(Arrays.copyOf(frame, Parcel.HEADER_SIZE + payloadBytesSent)));
        assertThatThrownBy(r::read).isExactlyInstanceOf(EOFException.class);
        assertThat(listener.events).containsExactly("started");
    }
}
