package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checksum field under each {@link Checksums} mode: checked on plaintext connections,
 * written as 0 and never read where the transport authenticates every byte.
 */
class ChecksumsTest {

    private static final int NETWORK = NetworkId.of("loomnet");
    private static final WireLimits LIMITS = new WireLimits(1024, 10_000);

    private static byte[] write(Checksums mode, Parcel p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ParcelWriter(out, NETWORK, mode).write(p);
        return out.toByteArray();
    }

    private static ParcelReader reader(byte[] bytes, Checksums mode) {
        return new ParcelReader(new ByteArrayInputStream(bytes), NETWORK, LIMITS, ParcelReader.FrameListener.NONE, mode);
    }

    private static int checksumField(byte[] wire) {
        return ((wire[12] & 0xFF) << 24) | ((wire[13] & 0xFF) << 16) | ((wire[14] & 0xFF) << 8) | (wire[15] & 0xFF);
    }

    @Test
    void aWriterLeavingIntegrityToTheTransportWritesZeroWhateverTheParcelHolds() throws IOException {
        Parcel p = Parcel.of(ParcelType.MESSAGE, 5, AppMessage.encode("chat", "hi".getBytes()));
        assertThat(p.checksum()).isNotZero();
        assertThat(checksumField(write(Checksums.CHECKED, p))).isEqualTo(p.checksum());
        assertThat(checksumField(write(Checksums.LEFT_TO_TRANSPORT, p))).isZero();
    }

    @Test
    void aReaderLeavingIntegrityToTheTransportIgnoresTheField() throws IOException {
        byte[] payload = AppMessage.encode("chat", "hi".getBytes());
        byte[] wire = write(Checksums.CHECKED, Parcel.of(ParcelType.MESSAGE, 5, payload));
        wire[15] ^= 1; // the field no longer matches the payload

        assertThatThrownBy(() -> reader(wire, Checksums.CHECKED).read())
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(DisconnectReason.BAD_CHECKSUM));
        Parcel read = reader(wire, Checksums.LEFT_TO_TRANSPORT).read();
        assertThat(read.payloadCopy()).isEqualTo(payload);
    }

    @Test
    void theSplitterComputesChecksumsOnlyWhenAsked() {
        byte[] encoded = new byte[3000];
        List<Parcel> checked = MessageSplitter.split(9, encoded, LIMITS, Checksums.CHECKED);
        List<Parcel> unchecked = MessageSplitter.split(9, encoded, LIMITS, Checksums.LEFT_TO_TRANSPORT);
        assertThat(checked).hasSize(3).hasSameSizeAs(unchecked);
        for (int i = 0; i < checked.size(); i++) {
            Parcel c = checked.get(i);
            assertThat(c.checksum()).isEqualTo(Crc32Koopman.compute(c.payloadCopy()));
            assertThat(unchecked.get(i).checksum()).isZero();
            assertThat(unchecked.get(i).payloadCopy()).isEqualTo(c.payloadCopy());
        }
    }

    @Test
    void theSplitterDefaultsToCheckedChecksums() {
        byte[] encoded = AppMessage.encode("chat", new byte[10]);
        assertThat(MessageSplitter.split(1, encoded, LIMITS).get(0).checksum()).isEqualTo(Crc32Koopman.compute(encoded));
    }
}
