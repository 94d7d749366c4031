package org.loomnet.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writing a file so that a crash never leaves half of one: the bytes go to {@code <name>.tmp}
 * next to it, are forced to disk, and the temp file is renamed over the old one in one atomic
 * step; then the directory is forced so that the rename itself survives a power cut. A reader
 * sees the old file or the new one, never a mix. The address book and the DHT's routing table
 * are saved this way.
 */
public final class AtomicFile {

    private static final Logger LOG = LoggerFactory.getLogger(AtomicFile.class);

    private AtomicFile() {
    }

    /**
     * @param file a file written by {@link #write}
     * @return the temp file its writes go to first: {@code <name>.tmp} next to it; one left over
     *         by a crash is never read, only deleted
     */
    public static Path tempFileFor(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    /**
     * Replaces {@code file} with {@code bytes} atomically. Any thread; not two at once for one file.
     *
     * @param file  the file
     * @param bytes its new content
     * @throws IOException if it could not be written; the previous file is then unchanged
     */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path target = file.toAbsolutePath();
        Path tmp = tempFileFor(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING); // file systems without it
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(target.getParent());
    }

    private static void syncDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            // Not every platform can open or force a directory (Windows cannot); the rename is
            // still atomic, only its durability across a power cut is less certain.
            LOG.debug("Could not force directory {} after writing a file: {}", dir, e.toString());
        }
    }
}
