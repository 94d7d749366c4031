package org.loomnet.daemon.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The API's bearer token, kept in a file only the node's user can read, like bitcoind's cookie
 * file: whoever can read the file may change the node (dial, ban, send), nobody else.
 *
 * <p>A new token is written at every start ({@link #create}), so that a token copied from an old
 * run stops working; the CLI subcommands read the file ({@link #read}). The file is written to a
 * temporary name ({@code api.token.tmp}) with owner-only permissions from the start and then moved
 * into place, so that no other user ever sees it readable, and a reader never sees half a token.
 */
public final class ApiToken {

    /** The token file's name inside the data directory. */
    public static final String FILE = "api.token";

    private static final int BYTES = 32;
    private static final int MAX_FILE = 1024;

    private final String value;
    private final Path file;

    private ApiToken(String value, Path file) {
        this.value = value;
        this.file = file;
    }

    /**
     * Writes a fresh random token to {@code file} (replacing an old one), readable by the owner only.
     *
     * @param file where to write it; its directory is created if missing
     * @return the token
     * @throws IOException if the file cannot be written
     */
    public static ApiToken create(Path file) throws IOException {
        byte[] random = new byte[BYTES];
        new SecureRandom().nextBytes(random);
        String value = HexFormat.of().formatHex(random);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // One fixed temp name, not a fresh random one: a start killed between creating it and the
        // move leaves it behind, and the next start removes it here instead of adding another.
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, ownerOnly());
        try {
            Files.writeString(tmp, value + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new ApiToken(value, file);
    }

    /**
     * Reads the token a running node wrote.
     *
     * @param file the token file
     * @return the token text
     * @throws IOException if the file cannot be read, or does not hold a token
     */
    public static String read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE) {
            throw new IOException(file + " is not a token file: " + Files.size(file) + " bytes");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.isEmpty() || !text.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IOException(file + " does not hold a token");
        }
        return text;
    }

    /** @return the token */
    public String value() {
        return value;
    }

    /** @return the file it was written to */
    public Path file() {
        return file;
    }

    /**
     * Compares a presented token with this one in time independent of where they differ, so that
     * response times do not leak the token byte by byte.
     *
     * @param presented the token from an {@code Authorization: Bearer} header, or null
     * @return true if it is this token
     */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** Removes the file, when the node stops: a stale token must not outlive its node. */
    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Nothing to do: the next start replaces it.
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        Set<PosixFilePermission> rw = PosixFilePermissions.fromString("rw-------");
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(rw)};
    }
}
