package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reassembly under any sequence of parts two peers may send: message ids, part numbers, part
 * counts and lengths of the fuzzer's choosing, interleaved with the passing of time. Each part
 * goes through a real {@link ParcelReader} first, as on a connection, and a broken rule closes
 * that connection (everything it held is released, and a new one takes its place). After every
 * step: no connection holds more partial messages or bytes than its limits, the shared budget
 * holds exactly what the connections hold and never more than its limit, and a completed message
 * has all its parts, in order, each with the bytes that were sent for it, and decodes the same
 * from its parts as from their joined bytes. At the end, closing both frees the whole budget.
 *
 * <p>The script: three bytes of limits (partial messages per connection, bytes per connection,
 * the shared budget), then steps of six bytes: {@code op, id, part number, part count, length
 * (2 bytes)}. Bit 0 of {@code op} picks the connection; {@code op & 6 == 6} is a tick that
 * advances the clock by {@code id * 10} ms and expires old partial messages on both.
 */
class ReassemblerFuzzTest {

    private static final WireLimits LIMITS = new WireLimits(1024, 16 * 1024);
    private static final long TIMEOUT_MILLIS = 1000;
    private static final int MAX_PAYLOAD = 16 * 1024;

    private ReassemblyBudget budget;
    private final Reassembler[] connections = new Reassembler[2];
    private int maxPartials;
    private long maxBytes;

    @FuzzTest
    void parts(byte[] script) throws IOException {
        if (script.length < 3) {
            return;
        }
        maxPartials = 1 + (script[0] & 0xFF) % 8;
        maxBytes = 512L * (1 + (script[1] & 0xFF) % 16);
        budget = new ReassemblyBudget(512L * (1 + (script[2] & 0xFF) % 32));
        connections[0] = newConnection();
        connections[1] = newConnection();
        long now = 0;
        ByteBuffer steps = ByteBuffer.wrap(script, 3, script.length - 3);
        while (steps.remaining() >= 6) {
            int op = steps.get() & 0xFF;
            int id = steps.get() & 0xFF;
            int partNumber = steps.get() & 0xFF;
            int partCount = steps.get() & 0xFF;
            int length = (steps.getShort() & 0xFFFF) % (LIMITS.maxFrameSize() + 64);
            if ((op & 6) == 6) {
                now += id * 10L;
                for (Reassembler r : connections) {
                    r.expire(now);
                }
            } else {
                part(op & 1, id, partNumber, partCount, length, now);
            }
            checkLimits();
        }
        for (Reassembler r : connections) {
            r.releaseAll();
            assertThat(r.heldBytes()).isZero();
            assertThat(r.partialCount()).isZero();
        }
        assertThat(budget.used()).isZero();
        assertThat(budget.holders()).isZero();
    }

    private Reassembler newConnection() {
        return new Reassembler(LIMITS, budget, maxPartials, maxBytes, TIMEOUT_MILLIS);
    }

    private void part(int connection, int id, int partNumber, int partCount, int length, long now)
            throws IOException {
        byte[] payload = content(id, partNumber, length);
        byte[] frame = RawFrame.frame(WireSeeds.NETWORK, ParcelType.MESSAGE_PART, partNumber, partCount, id, payload);
        Reassembler r = connections[connection];
        Parcel[] parts;
        try {
            Parcel p = new ParcelReader(new ByteArrayInputStream(frame), WireSeeds.NETWORK, LIMITS,
                    ParcelReader.FrameListener.NONE).read();
            parts = r.acceptPart(p, now);
        } catch (ProtocolException e) {
            r.releaseAll(); // the connection closes
            connections[connection] = newConnection();
            return;
        }
        if (parts != null) {
            checkComplete(id, parts);
        }
    }

    private static void checkComplete(int id, Parcel[] parts) {
        assertThat(parts.length).isBetween(2, LIMITS.maxParts());
        for (int i = 0; i < parts.length; i++) {
            assertThat(parts[i].messageId()).isEqualTo(id);
            assertThat(parts[i].partNumber()).isEqualTo(i);
            assertThat(parts[i].partCount()).isEqualTo(parts.length);
            assertThat(parts[i].payloadCopy()).isEqualTo(content(id, i, parts[i].length()));
        }
        // Decoding straight from the parts must agree with decoding their joined bytes.
        String fromParts;
        String fromJoined;
        try {
            AppMessage m = AppMessage.decode(parts, MAX_PAYLOAD);
            fromParts = m.type() + java.util.HexFormat.of().formatHex(m.payload());
        } catch (ProtocolException e) {
            fromParts = e.reason().toString();
        }
        try {
            byte[] whole = Reassembler.join(parts);
            AppMessage m = AppMessage.decode(whole, 0, whole.length, MAX_PAYLOAD);
            fromJoined = m.type() + java.util.HexFormat.of().formatHex(m.payload());
        } catch (ProtocolException e) {
            fromJoined = e.reason().toString();
        }
        assertThat(fromParts).isEqualTo(fromJoined);
    }

    private void checkLimits() {
        long held = 0;
        int holding = 0;
        for (Reassembler r : connections) {
            assertThat(r.partialCount()).isLessThanOrEqualTo(maxPartials);
            assertThat(r.heldBytes()).isBetween(0L, maxBytes);
            held += r.heldBytes();
            holding += r.heldBytes() > 0 ? 1 : 0;
        }
        assertThat(budget.used()).isEqualTo(held);
        assertThat(budget.holders()).as("connections holding partial messages").isEqualTo(holding);
        assertThat(budget.used()).isLessThanOrEqualTo(budget.limit());
    }

    /** The bytes sent as part {@code partNumber} of message {@code id}: recognisable, so a mix-up shows. */
    private static byte[] content(int id, int partNumber, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (id * 31 + partNumber * 7 + i);
        }
        if (partNumber == 0 && length > 0) {
            b[0] = (byte) Math.min(length - 1, 4); // a type length that fits: the message decodes
        }
        return b;
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        // Limits: 4 partials, 4 KiB per connection, 8 KiB shared.
        seeds.put("one-message", script(new byte[] {3, 7, 15},
                step(0, 1, 0, 2, 1024), step(0, 1, 1, 2, 100)));
        seeds.put("out-of-order-interleaved", script(new byte[] {3, 7, 15},
                step(0, 1, 2, 3, 1024), step(1, 1, 0, 2, 500), step(0, 2, 0, 2, 1024), step(0, 1, 0, 3, 1024),
                step(1, 1, 1, 2, 10), step(0, 2, 1, 2, 5), step(0, 1, 1, 3, 1024)));
        seeds.put("duplicate-part", script(new byte[] {3, 7, 15}, step(0, 1, 0, 2, 1024), step(0, 1, 0, 2, 1024)));
        seeds.put("count-changes", script(new byte[] {3, 7, 15}, step(0, 1, 0, 2, 1024), step(0, 1, 1, 3, 1024)));
        seeds.put("evictions", script(new byte[] {0, 1, 2},
                step(0, 1, 0, 4, 1024), step(0, 2, 0, 4, 1024), step(1, 3, 0, 4, 1024), step(0, 4, 1, 4, 1024)));
        seeds.put("expiry", script(new byte[] {3, 7, 15},
                step(0, 1, 0, 2, 1024), step(6, 50, 0, 0, 0), step(6, 60, 0, 0, 0), step(0, 1, 1, 2, 3)));
        seeds.put("frame-too-large", script(new byte[] {3, 7, 15}, step(0, 1, 0, 2, 1030)));
        return seeds;
    }

    private static byte[] step(int op, int id, int partNumber, int partCount, int length) {
        return new byte[] {(byte) op, (byte) id, (byte) partNumber, (byte) partCount, (byte) (length >>> 8),
                (byte) length};
    }

    private static byte[] script(byte[] limits, byte[]... steps) {
        byte[][] all = new byte[steps.length + 1][];
        all[0] = limits;
        System.arraycopy(steps, 0, all, 1, steps.length);
        return WireSeeds.concat(all);
    }
}
