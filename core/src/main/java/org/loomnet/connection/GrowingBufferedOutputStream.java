package org.loomnet.connection;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A buffered output stream whose buffer starts empty and grows on demand, up to a limit.
 *
 * <p>{@link java.io.BufferedOutputStream} allocates its whole buffer when it is made, so every
 * idle plaintext connection would carry it. This one costs nothing until the writer thread writes,
 * grows by doubling while a batch of small parcels is gathered, and passes a write of
 * {@code limit} bytes or more straight to the socket after flushing what it holds (a large payload
 * is never copied). Used by the writer thread only; not thread-safe.
 */
final class GrowingBufferedOutputStream extends OutputStream {

    private static final int FIRST_SIZE = 512;

    private final OutputStream out;
    private final int limit;
    private byte[] buf = new byte[0];
    private int count;

    /**
     * @param out   the stream to write to
     * @param limit the largest the buffer grows
     */
    GrowingBufferedOutputStream(OutputStream out, int limit) {
        this.out = out;
        this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buf.length) {
            makeRoom(1);
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len >= limit) {
            drain();
            out.write(b, off, len);
            return;
        }
        if (buf.length - count < len) {
            makeRoom(len);
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    /** Grows the buffer to hold {@code len} more bytes, or writes it out if it cannot grow enough. */
    private void makeRoom(int len) throws IOException {
        if (count + len > limit) {
            drain();
        }
        if (buf.length - count < len) {
            int size = Math.max(FIRST_SIZE, buf.length);
            while (size < count + len) {
                size *= 2;
            }
            buf = Arrays.copyOf(buf, Math.min(limit, size));
        }
    }

    private void drain() throws IOException {
        if (count > 0) {
            out.write(buf, 0, count);
            count = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    /** @return the buffer's current size (for tests: 0 until the first write) */
    int capacity() {
        return buf.length;
    }

    @Override
    public void close() throws IOException {
        flush();
        out.close();
    }
}
