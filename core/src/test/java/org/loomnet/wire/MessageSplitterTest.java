package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cutting encoded messages into parcels. */
class MessageSplitterTest {

    private static final WireLimits LIMITS = new WireLimits(1024, 10_000);

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 500, 1024})
    void messageThatFitsAFrameIsOneMessageParcel(int size) {
        byte[] encoded = randomBytes(size);
        List<Parcel> parcels = MessageSplitter.split(42, encoded, LIMITS);
        assertThat(parcels).hasSize(1);
        Parcel p = parcels.get(0);
        assertThat(p.type()).isEqualTo(ParcelType.MESSAGE);
        assertThat(p.messageId()).isEqualTo(42);
        assertThat(p.partNumber()).isZero();
        assertThat(p.partCount()).isEqualTo(1);
        assertThat(p.payloadCopy()).isEqualTo(encoded);
        assertThat(p.checksum()).isEqualTo(Crc32Koopman.compute(encoded));
    }

    @ParameterizedTest
    @ValueSource(ints = {1025, 2048, 2049, 5000, 10_065})
    void largerMessageIsCutIntoFrameSizedParts(int size) {
        byte[] encoded = randomBytes(size);
        long id = 0x8000_0000_0000_0007L;
        List<Parcel> parts = MessageSplitter.split(id, encoded, LIMITS);

        int expectedCount = (size + 1023) / 1024;
        assertThat(parts).hasSize(expectedCount);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < parts.size(); i++) {
            Parcel p = parts.get(i);
            assertThat(p.type()).isEqualTo(ParcelType.MESSAGE_PART);
            assertThat(p.messageId()).isEqualTo(id);
            assertThat(p.partNumber()).isEqualTo(i);
            assertThat(p.partCount()).isEqualTo(expectedCount);
            assertThat(p.length()).isBetween(1, LIMITS.maxFrameSize());
            assertThat(p.payload()).as("parts share the caller's array").isSameAs(encoded);
            assertThat(p.checksum()).isEqualTo(Crc32Koopman.compute(p.payloadCopy()));
            joined.write(p.payload(), p.offset(), p.length());
        }
        assertThat(joined.toByteArray()).isEqualTo(encoded);
        assertThat(parts.size()).isLessThanOrEqualTo(LIMITS.maxParts());
    }

    @Test
    void theLargestMessageNeedsExactlyMaxParts() {
        List<Parcel> parts = MessageSplitter.split(1, new byte[(int) LIMITS.maxEncodedMessage()], LIMITS);
        assertThat(parts).hasSize(LIMITS.maxParts());
    }

    @Test
    void encodedMessageOverTheLimitIsRefused() {
        assertThatThrownBy(() -> MessageSplitter.split(1, new byte[(int) LIMITS.maxEncodedMessage() + 1], LIMITS))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] longType = AppMessage.encode("t".repeat(64), new byte[LIMITS.maxMessageSize() + 1]);
        assertThatThrownBy(() -> MessageSplitter.split(1, longType, LIMITS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void payloadOfExactlyMaxMessageSizeIsAccepted() {
        byte[] encoded = AppMessage.encode("t".repeat(64), new byte[LIMITS.maxMessageSize()]);
        assertThat(MessageSplitter.split(1, encoded, LIMITS)).hasSize(LIMITS.maxParts());
    }

    @Test
    void payloadOverMaxMessageSizeIsRefusedWhateverTheTypeLength() {
        assertThatThrownBy(() -> MessageSplitter.split(1, "t", new byte[LIMITS.maxMessageSize() + 1], LIMITS))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
