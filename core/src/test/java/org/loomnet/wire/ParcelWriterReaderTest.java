package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.loomnet.fuzz.AllocationMeter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parcels written by {@link ParcelWriter} come back unchanged from {@link ParcelReader}. */
class ParcelWriterReaderTest {

    private static final int NETWORK = NetworkId.of("loomnet");
    private static final WireLimits LIMITS = new WireLimits(1024, 10_000);

    private static byte[] samplePayload(ParcelType type) {
        return switch (type) {
            case PING, PONG -> new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) 0xF8};
            case HELLO -> new Hello(NETWORK, 1, 1, 0x1122334455667788L, new byte[20], 4242, "loomnet/test", "node-a").encode();
            case DISCONNECT -> Goodbye.of(DisconnectReason.SHUTDOWN, "bye").encode();
            case MESSAGE, MESSAGE_PART -> AppMessage.encode("chat", "hello, world".getBytes());
            case PEER_REQUEST -> new byte[] {9, 8, 7};
            case PEER_RESPONSE -> randomBytes(200, 5);
            case GOSSIP -> new GossipEnvelope(2, new byte[32], 7, 1_700_000_000_000L, "news", "hi".getBytes(),
                    new byte[64]).encode();
        };
    }

    private static Parcel sample(ParcelType type, long messageId, byte[] payload) {
        return type == ParcelType.MESSAGE_PART
                ? Parcel.part(type, messageId, 1, 3, payload, 0, payload.length)
                : Parcel.of(type, messageId, payload);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] writeAll(int network, List<Parcel> parcels) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ParcelWriter writer = new ParcelWriter(out, network);
        int total = 0;
        for (Parcel p : parcels) {
            int n = writer.write(p);
            assertThat(n).isEqualTo(Parcel.HEADER_SIZE + p.length()).isEqualTo(p.wireSize());
            total += n;
        }
        assertThat(out.size()).isEqualTo(total);
        return out.toByteArray();
    }

    private static ParcelReader reader(byte[] bytes, WireLimits limits, ParcelReader.FrameListener listener) {
        return new ParcelReader(new ByteArrayInputStream(bytes), NETWORK, limits, listener);
    }

    private static void assertSameParcel(Parcel actual, Parcel expected) {
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.messageId()).isEqualTo(expected.messageId());
        assertThat(actual.partNumber()).isEqualTo(expected.partNumber());
        assertThat(actual.partCount()).isEqualTo(expected.partCount());
        assertThat(actual.length()).isEqualTo(expected.length());
        assertThat(actual.payloadCopy()).isEqualTo(expected.payloadCopy());
        assertThat(actual.checksum()).isEqualTo(expected.checksum())
                .isEqualTo(Crc32Koopman.compute(expected.payloadCopy()));
        assertThat(actual).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(ParcelType.class)
    void everyTypeRoundTrips(ParcelType type) throws IOException {
        Parcel sent = sample(type, 0x0102030405060708L, samplePayload(type));
        RawFrame.RecordingListener listener = new RawFrame.RecordingListener();
        ParcelReader reader = reader(writeAll(NETWORK, List.of(sent)), LIMITS, listener);

        assertSameParcel(reader.read(), sent);
        assertThat(reader.read()).as("clean end of stream").isNull();
        assertThat(listener.events).containsExactly("started", "finished " + sent.wireSize());
    }

    @Test
    void allTypesInOneStreamComeBackInOrder() throws IOException {
        List<Parcel> sent = new ArrayList<>();
        long id = 100;
        for (ParcelType type : ParcelType.values()) {
            sent.add(sample(type, id++, samplePayload(type)));
        }
        RawFrame.RecordingListener listener = new RawFrame.RecordingListener();
        ParcelReader reader = reader(writeAll(NETWORK, sent), LIMITS, listener);
        for (Parcel expected : sent) {
            assertSameParcel(reader.read(), expected);
        }
        assertThat(reader.read()).isNull();
        assertThat(listener.events).hasSize(2 * sent.size());
    }

    @ParameterizedTest
    @EnumSource(value = ParcelType.class, mode = EnumSource.Mode.EXCLUDE, names = {"PING", "PONG"})
    void emptyPayloadRoundTrips(ParcelType type) throws IOException {
        Parcel sent = sample(type, 7, new byte[0]);
        byte[] bytes = writeAll(NETWORK, List.of(sent));
        assertThat(bytes).hasSize(Parcel.HEADER_SIZE);

        Parcel got = reader(bytes, LIMITS, ParcelReader.FrameListener.NONE).read();
        assertSameParcel(got, sent);
        assertThat(got.length()).isZero();
        assertThat(got.checksum()).isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, -1L, 0x8000_0000_0000_0001L, 0xFEDC_BA98_7654_3210L, 0L, Long.MAX_VALUE})
    void messageIdsKeepAll64Bits(long messageId) throws IOException {
        Parcel sent = Parcel.of(ParcelType.MESSAGE, messageId, samplePayload(ParcelType.MESSAGE));
        Parcel got = reader(writeAll(NETWORK, List.of(sent)), LIMITS, ParcelReader.FrameListener.NONE).read();
        assertThat(got.messageId()).isEqualTo(messageId);
        assertSameParcel(got, sent);
    }

    @Test
    void splitPartsAreWrittenAsTheirSliceAndRoundTrip() throws IOException {
        byte[] encoded = AppMessage.encode("blob", randomBytes(3000, 42));
        List<Parcel> parts = MessageSplitter.split(0x8000_0000_0000_00AAL, encoded, LIMITS);
        assertThat(parts).hasSize(3);
        assertThat(parts.get(1).offset()).as("the parts are slices of one array").isEqualTo(1024);

        ParcelReader reader = reader(writeAll(NETWORK, parts), LIMITS, ParcelReader.FrameListener.NONE);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (Parcel expected : parts) {
            Parcel got = reader.read();
            assertSameParcel(got, expected);
            assertThat(got.type()).isEqualTo(ParcelType.MESSAGE_PART);
            joined.write(got.payload(), got.offset(), got.length());
        }
        assertThat(reader.read()).isNull();
        assertThat(joined.toByteArray()).isEqualTo(encoded);
    }

    @Test
    void payloadOfExactlyTheFrameLimitIsAccepted() throws IOException {
        Parcel sent = Parcel.of(ParcelType.MESSAGE, 1, randomBytes(LIMITS.maxFrameSize(), 9));
        assertSameParcel(reader(writeAll(NETWORK, List.of(sent)), LIMITS, ParcelReader.FrameListener.NONE).read(), sent);
    }

    @Test
    void headerFieldsSitAtTheDocumentedOffsets() throws IOException {
        int network = 0xCAFEBABE;
        byte[] array = randomBytes(310, 1);
        Parcel p = Parcel.part(ParcelType.MESSAGE_PART, 0x8123_4567_89AB_CDEFL, 2, 5, array, 7, 300);
        byte[] wire = writeAll(network, List.of(p));
        int crc = Crc32Koopman.compute(array, 7, 300);

        byte[] expectedHeader = {
            (byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE,             // 0: network id
            (byte) (ParcelWriter.PROTOCOL_VERSION >>> 8), (byte) ParcelWriter.PROTOCOL_VERSION, // 4: version
            7,                                                              // 6: MESSAGE_PART
            0,                                                              // 7: flags
            0, 0, 0x01, 0x2C,                                               // 8: length 300
            (byte) (crc >>> 24), (byte) (crc >>> 16), (byte) (crc >>> 8), (byte) crc, // 12: checksum
            0, 2,                                                           // 16: part number
            0, 5,                                                           // 18: part count
            (byte) 0x81, 0x23, 0x45, 0x67, (byte) 0x89, (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, // 20: message id
        };
        assertThat(expectedHeader).hasSize(Parcel.HEADER_SIZE);
        assertThat(wire).hasSize(Parcel.HEADER_SIZE + 300);
        assertThat(Arrays.copyOfRange(wire, 0, Parcel.HEADER_SIZE)).isEqualTo(expectedHeader);
        assertThat(Arrays.copyOfRange(wire, Parcel.HEADER_SIZE, wire.length))
                .as("only the slice is written").isEqualTo(Arrays.copyOfRange(array, 7, 307));
        assertThat(ParcelWriter.PROTOCOL_VERSION).isEqualTo(1);

        byte[] h = new byte[Parcel.HEADER_SIZE];
        ParcelWriter.encodeHeader(h, network, p);
        assertThat(h).isEqualTo(expectedHeader);
    }

    @Test
    void typeCodesOnTheWireMatchTheEnum() throws IOException {
        for (ParcelType type : ParcelType.values()) {
            byte[] wire = writeAll(NETWORK, List.of(sample(type, 1, samplePayload(type))));
            assertThat(wire[6] & 0xFF).as("%s", type).isEqualTo(type.code());
            assertThat(ParcelType.fromCode(type.code())).isSameAs(type);
        }
        assertThat(ParcelType.fromCode(0)).isNull();
        assertThat(ParcelType.fromCode(255)).isNull();
        assertThat(ParcelType.fromCode(-1)).isNull();
        assertThat(ParcelType.fromCode(256)).isNull();
    }

    @Test
    void sixteenBitPartFieldsWithTheHighBitSetRoundTrip() throws IOException {
        WireLimits manyParts = new WireLimits(1024, 60_000_000);
        assertThat(manyParts.maxParts()).isGreaterThan(0xE000);
        byte[] payload = randomBytes(50, 3);
        Parcel sent = Parcel.part(ParcelType.MESSAGE_PART, -2L, 0x1234, 0xE000, payload, 0, payload.length);
        byte[] wire = writeAll(NETWORK, List.of(sent));
        assertThat(Arrays.copyOfRange(wire, 16, 20)).containsExactly(0x12, 0x34, (byte) 0xE0, 0x00);

        Parcel got = reader(wire, manyParts, ParcelReader.FrameListener.NONE).read();
        assertThat(got.partNumber()).isEqualTo(0x1234);
        assertThat(got.partCount()).isEqualTo(0xE000);
        assertSameParcel(got, sent);
    }

    @ParameterizedTest
    @ValueSource(ints = {ParcelReader.FIRST_CHUNK - 1, ParcelReader.FIRST_CHUNK, ParcelReader.FIRST_CHUNK + 1,
            3 * ParcelReader.FIRST_CHUNK + 7, WireLimits.DEFAULT_MAX_FRAME})
    void payloadsThatGrowPastTheFirstChunkArriveWhole(int size) throws IOException {
        // The reader allocates a large payload chunk by chunk as it arrives; every boundary
        // case must still give back exactly the bytes sent.
        Parcel sent = Parcel.of(ParcelType.MESSAGE, 9, randomBytes(size, size));
        byte[] wire = writeAll(NETWORK, List.of(sent, sent));
        ParcelReader reader = reader(wire, WireLimits.DEFAULTS, ParcelReader.FrameListener.NONE);
        assertSameParcel(reader.read(), sent);
        assertSameParcel(reader.read(), sent);
        assertThat(reader.read()).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1000, ParcelReader.FIRST_CHUNK - 1})
    void aFrameThatStallsEarlyHoldsTheFirstChunkNotWhatItsHeaderAnnounced(int arrived) throws Exception {
        // A header announcing a whole frame (1 MiB), then less than the first chunk of its
        // payload: the reader makes the frame's array only once the first chunk is in, so 28
        // bytes of header cannot buy a megabyte.
        byte[] payload = randomBytes(WireLimits.DEFAULT_MAX_FRAME, 3);
        byte[] frame = writeAll(NETWORK, List.of(Parcel.of(ParcelType.MESSAGE, 1, payload)));
        byte[] cut = Arrays.copyOf(frame, Parcel.HEADER_SIZE + arrived);
        long allocated = 0;
        for (int run = 0; run < 5; run++) { // the first runs may load and compile classes
            AllocationMeter meter = AllocationMeter.start();
            ParcelReader reader = reader(cut, WireLimits.DEFAULTS, ParcelReader.FrameListener.NONE);
            assertThatThrownBy(reader::read).isInstanceOf(EOFException.class);
            allocated = meter.allocated();
        }
        assertThat(allocated).as("bytes allocated for a frame cut after %d payload bytes", arrived)
                .isLessThan(ParcelReader.FIRST_CHUNK + 16 * 1024);
    }
}
