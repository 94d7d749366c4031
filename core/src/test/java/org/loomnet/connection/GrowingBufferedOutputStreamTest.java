package org.loomnet.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GrowingBufferedOutputStreamTest {

    /** Records each write that reaches the socket side, so tests can see what was buffered. */
    private static final class Recorder extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> writes = new ArrayList<>();

        @Override
        public void write(int b) {
            bytes.write(b);
            writes.add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            writes.add(len);
        }
    }

    @Test
    void anUnusedStreamHoldsNoBuffer() {
        GrowingBufferedOutputStream out = new GrowingBufferedOutputStream(new Recorder(), 16 * 1024);
        assertThat(out.capacity()).isZero();
    }

    @Test
    void smallWritesAreGatheredUntilFlushAndTheBufferGrowsOnlyAsNeeded() throws IOException {
        Recorder sink = new Recorder();
        GrowingBufferedOutputStream out = new GrowingBufferedOutputStream(sink, 16 * 1024);
        out.write(new byte[28]);
        out.write(7);
        assertThat(out.capacity()).isEqualTo(512);
        out.write(new byte[1000]);
        assertThat(out.capacity()).isEqualTo(2048);
        assertThat(sink.writes).isEmpty();
        out.flush();
        assertThat(sink.writes).containsExactly(1029);
    }

    @Test
    void aWriteOfTheLimitOrMoreGoesStraightThroughAfterWhatIsBuffered() throws IOException {
        Recorder sink = new Recorder();
        GrowingBufferedOutputStream out = new GrowingBufferedOutputStream(sink, 1024);
        out.write(new byte[28]);
        out.write(new byte[5000]);
        assertThat(sink.writes).containsExactly(28, 5000);
        assertThat(out.capacity()).isLessThanOrEqualTo(1024);
    }

    @Test
    void everyByteArrivesInOrderWhateverTheWriteSizes() throws IOException {
        Random random = new Random(42);
        Recorder sink = new Recorder();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        GrowingBufferedOutputStream out = new GrowingBufferedOutputStream(sink, 4096);
        for (int i = 0; i < 2000; i++) {
            if (random.nextInt(10) == 0) {
                int b = random.nextInt(256);
                out.write(b);
                expected.write(b);
            } else {
                byte[] chunk = new byte[random.nextInt(random.nextBoolean() ? 100 : 9000)];
                random.nextBytes(chunk);
                int off = chunk.length == 0 ? 0 : random.nextInt(chunk.length);
                out.write(chunk, off, chunk.length - off);
                expected.write(chunk, off, chunk.length - off);
            }
            if (random.nextInt(50) == 0) {
                out.flush();
            }
            assertThat(out.capacity()).isLessThanOrEqualTo(4096);
        }
        out.flush();
        assertThat(sink.bytes.toByteArray()).isEqualTo(expected.toByteArray());
    }
}
