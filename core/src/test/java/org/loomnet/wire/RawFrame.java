package org.loomnet.wire;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: frames built byte by byte, so a test can break any rule of the header. */
final class RawFrame {

    private RawFrame() {
    }

    /** A 28-byte header with every field as given (the length as an unsigned 32-bit value). */
    static byte[] header(int network, int version, int typeCode, int flags, long length, int checksum,
                         int partNumber, int partCount, long messageId) {
        return ByteBuffer.allocate(Parcel.HEADER_SIZE)
                .putInt(network)
                .putShort((short) version)
                .put((byte) typeCode)
                .put((byte) flags)
                .putInt((int) length)
                .putInt(checksum)
                .putShort((short) partNumber)
                .putShort((short) partCount)
                .putLong(messageId)
                .array();
    }

    /** A well-formed header for {@code payload}, with the given type, parts and id. */
    static byte[] frame(int network, ParcelType type, int partNumber, int partCount, long messageId, byte[] payload) {
        byte[] h = header(network, ParcelWriter.PROTOCOL_VERSION, type.code(), 0, payload.length,
                Crc32Koopman.compute(payload), partNumber, partCount, messageId);
        return concat(h, payload);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Supplies the given bytes (normally one header) and fails the test if anyone reads past
     * them: proves a reader decided on the header alone, without reading or waiting for a payload.
     */
    static final class HeaderOnlyStream extends InputStream {
        private final byte[] data;
        private int pos;

        HeaderOnlyStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            if (pos >= data.length) {
                throw new AssertionError("read past the header");
            }
            return data[pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                throw new AssertionError("read past the header: asked for " + len + " more bytes");
            }
            int n = Math.min(len, data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }

        int consumed() {
            return pos;
        }
    }

    /** Records what a {@link ParcelReader} tells its listener. */
    static final class RecordingListener implements ParcelReader.FrameListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void frameStarted() {
            events.add("started");
        }

        @Override
        public void frameFinished(int wireBytes) {
            events.add("finished " + wireBytes);
        }
    }
}
