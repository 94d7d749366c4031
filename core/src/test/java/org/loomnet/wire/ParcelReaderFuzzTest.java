package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomnet.fuzz.AllocationMeter;

/**
 * The byte stream a connection's reader thread sees: {@link ParcelReader#read} returns parcels
 * until the stream ends, or throws {@link ProtocolException} for a broken rule or
 * {@link EOFException} for a frame cut short; it never allocates more than one frame's payload,
 * whatever length a header announces; the frame listener hears of every frame; and every parcel
 * read writes back as exactly the bytes it came from (but for the protocol version, which the
 * reader does not look at).
 */
class ParcelReaderFuzzTest {

    /** Small limits, so that the fuzzer reaches them and an allocation past them stands out. */
    private static final WireLimits LIMITS = new WireLimits(1024, 16 * 1024);
    private static final long ALLOCATION_BOUND = LIMITS.maxFrameSize() + 64 * 1024;

    @FuzzTest
    void read(byte[] stream) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(stream);
        int[] frames = new int[3]; // started, finished, bytes of the last finished
        ParcelReader reader = new ParcelReader(in, WireSeeds.NETWORK, LIMITS, new ParcelReader.FrameListener() {
            @Override
            public void frameStarted() {
                frames[0]++;
            }

            @Override
            public void frameFinished(int wireBytes) {
                frames[1]++;
                frames[2] = wireBytes;
            }
        });
        while (true) {
            int start = stream.length - in.available();
            AllocationMeter meter = AllocationMeter.start();
            Parcel p;
            try {
                p = reader.read();
            } catch (ProtocolException | EOFException e) {
                meter.assertAtMost(ALLOCATION_BOUND, "a rejected frame", () -> readOne(stream, start));
                assertThat(frames[0]).isEqualTo(frames[1] + 1);
                return;
            }
            meter.assertAtMost(ALLOCATION_BOUND, "a frame", () -> readOne(stream, start));
            if (p == null) {
                assertThat(start).isEqualTo(stream.length);
                assertThat(frames[0]).isEqualTo(frames[1]);
                return;
            }
            assertThat(p.length()).isLessThanOrEqualTo(reader.maxPayload(p.type()));
            byte[] again = write(p);
            assertThat(stream.length - in.available()).isEqualTo(start + again.length);
            assertThat(frames[2]).isEqualTo(again.length);
            byte[] original = Arrays.copyOfRange(stream, start, start + again.length);
            original[4] = again[4];
            original[5] = again[5];
            assertThat(again).isEqualTo(original);
        }
    }

    private static Parcel readOne(byte[] stream, int start) throws IOException {
        return new ParcelReader(new ByteArrayInputStream(stream, start, stream.length - start), WireSeeds.NETWORK,
                LIMITS, ParcelReader.FrameListener.NONE).read();
    }

    private static byte[] write(Parcel... parcels) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ParcelWriter writer = new ParcelWriter(out, WireSeeds.NETWORK);
        for (Parcel p : parcels) {
            writer.write(p);
        }
        return out.toByteArray();
    }

    static Map<String, byte[]> seeds() throws IOException {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        Parcel hello = Parcel.of(ParcelType.HELLO, 0, WireSeeds.hello("alpha").encode());
        Parcel ping = Parcel.of(ParcelType.PING, 0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Parcel pong = Parcel.of(ParcelType.PONG, 0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Parcel request = Parcel.of(ParcelType.PEER_REQUEST, 0, PeerList.encodeRequest(32));
        Parcel response = Parcel.of(ParcelType.PEER_RESPONSE, 0, WireSeeds.peerResponse());
        Parcel message = Parcel.of(ParcelType.MESSAGE, 7, WireSeeds.message("chat", "hello everyone"));
        List<Parcel> parts = MessageSplitter.split(8, "block", new byte[1500], LIMITS);
        Parcel gossip = Parcel.of(ParcelType.GOSSIP, 9, WireSeeds.gossip());
        Parcel goodbye = Parcel.of(ParcelType.DISCONNECT, 0, WireSeeds.goodbye());
        seeds.put("hello", write(hello));
        seeds.put("conversation", write(hello, ping, pong, request, response, message, parts.get(0), parts.get(1),
                gossip, goodbye));
        seeds.put("message-parts", write(parts.toArray(Parcel[]::new)));
        seeds.put("goodbye", write(goodbye));
        seeds.put("length-4GiB", RawFrame.header(WireSeeds.NETWORK, 1, ParcelType.MESSAGE.code(), 0, 0xFFFFFFFFL, 0,
                0, 1, 1));
        seeds.put("parts-65535", RawFrame.header(WireSeeds.NETWORK, 1, ParcelType.MESSAGE_PART.code(), 0, 16, 0,
                0, 0xFFFF, 1));
        seeds.put("wrong-network", RawFrame.frame(NetworkId.of("other"), ParcelType.PING, 0, 1, 0, new byte[8]));
        byte[] badChecksum = write(message);
        badChecksum[badChecksum.length - 1] ^= 1;
        seeds.put("bad-checksum", badChecksum);
        seeds.put("truncated-payload", Arrays.copyOf(write(message), Parcel.HEADER_SIZE + 3));
        return seeds;
    }
}
