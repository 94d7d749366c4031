package org.loomnet.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A node's long-term keys and the node id derived from them.
 *
 * <ul>
 *   <li>An X25519 static key: the {@code s} of the Noise XX handshake.</li>
 *   <li>An Ed25519 signing key: signs the static key during the handshake (so the id below is
 *       bound to the encrypted connection) and signs gossip.</li>
 *   <li>The <b>node id</b>: the first 20 bytes of BLAKE2b-512 over
 *       {@code "loomnet-node-id:" || ed25519 public key}, written as 40 hex digits. It names the
 *       node in logs, the API, the address book, bans and duplicate checks. 160 bits keeps ids
 *       short in logs while a second preimage stays out of reach (2^160 work).</li>
 * </ul>
 *
 * <p>Persisted as {@code node.key} in the data directory: two lines of text
 * ({@code x25519-private <hex>}, {@code ed25519-seed <hex>}), created on first start with
 * owner-only permissions (rw-------): written and synced to a temp file, then hard-linked to its
 * name, so a crash never leaves half a key and an existing key is never replaced. An unreadable or malformed key file is an error, never silently replaced:
 * replacing it would change the node's identity.
 */
public final class Identity {

    /** Length of a node id in bytes. */
    public static final int NODE_ID_LENGTH = 20;
    /** Length of the identity proof carried in handshake messages 2 and 3. */
    public static final int PROOF_LENGTH = Ed25519.PUBLIC_KEY_LENGTH + Ed25519.SIGNATURE_LENGTH;
    /** The key file's name inside the data directory. */
    public static final String KEY_FILE = "node.key";

    private static final byte[] ID_DOMAIN = "loomnet-node-id:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROOF_DOMAIN = "loomnet-noise-static-key:".getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();

    /** The static key pair every handshake uses: its public half is derived once, not per connection. */
    private final X25519.KeyPair staticKey;
    private final Ed25519.SigningKey signing;
    private final byte[] nodeId;
    /**
     * The identity proof, signed once: Ed25519 is deterministic and the signed bytes never change,
     * so signing it again for every handshake would only cost time.
     */
    private final byte[] proof;

    private Identity(byte[] staticPrivate, Ed25519.SigningKey signing) {
        this.staticKey = X25519.KeyPair.fromPrivate(staticPrivate);
        this.signing = signing;
        this.nodeId = nodeIdOf(signing.publicKey());
        this.proof = signProof();
    }

    /** @return a fresh identity, kept in memory only */
    public static Identity generate() {
        return new Identity(X25519.generatePrivateKey(), Ed25519.generate());
    }

    /**
     * Loads {@code node.key} from the data directory, or creates it (and the directory) on first start.
     *
     * @param dataDir the node's data directory
     * @return the identity
     * @throws IOException if the file cannot be read or written, or is malformed (it is left as it is)
     */
    public static Identity loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(KEY_FILE);
        removeLeftoverTempFiles(dataDir);
        if (Files.exists(file)) {
            return load(file);
        }
        Files.createDirectories(dataDir);
        Identity fresh = generate();
        String text = "x25519-private " + HEX.formatHex(fresh.staticKey.privateKey()) + "\n"
                + "ed25519-seed " + HEX.formatHex(fresh.signing.seed()) + "\n";
        // A unique temp file, then a hard link to the final name: link() fails if node.key exists,
        // so a second process starting at the same moment never replaces the first one's key.
        Path tmp = dataDir.resolve(KEY_FILE + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        if (supportsPosix(dataDir)) {
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(owner));
        } else {
            Files.createFile(tmp);
        }
        try {
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            try {
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException e) {
                return load(file); // another process created it meanwhile: that one wins
            } catch (UnsupportedOperationException e) {
                try {
                    Files.move(tmp, file); // no hard links here: a plain move, which also refuses to replace
                } catch (FileAlreadyExistsException raced) {
                    return load(file);
                }
            }
            syncDirectory(dataDir);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return fresh;
    }

    private static Identity load(Path file) throws IOException {
        if (Files.size(file) > 4096) {
            throw new IOException(file + ": not a LoomNet key file (too large)");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        byte[] x = null;
        byte[] seed = null;
        try {
            for (String line : lines) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals("x25519-private")) {
                    x = HEX.parseHex(kv[1]);
                } else if (kv.length == 2 && kv[0].equals("ed25519-seed")) {
                    seed = HEX.parseHex(kv[1]);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": malformed key file: " + e.getMessage());
        }
        if (x == null || x.length != X25519.KEY_LENGTH || seed == null || seed.length != Ed25519.SEED_LENGTH) {
            throw new IOException(file + ": malformed key file: expected 'x25519-private <64 hex>' and "
                    + "'ed25519-seed <64 hex>'");
        }
        return new Identity(x, Ed25519.fromSeed(seed));
    }

    /** A crash between writing and linking leaves a temp file holding private keys: remove it. */
    private static void removeLeftoverTempFiles(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        try (var files = Files.newDirectoryStream(dataDir, KEY_FILE + ".*.tmp")) {
            for (Path leftover : files) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (var ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true); // the new directory entry survives a power cut
        } catch (IOException e) {
            // not every platform can open a directory; the key is written, only its durability is weaker
        }
    }

    private static boolean supportsPosix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * @param ed25519PublicKey a node's signing public key
     * @return its node id
     */
    public static byte[] nodeIdOf(byte[] ed25519PublicKey) {
        byte[] h = Blake2b.hash(ID_DOMAIN, ed25519PublicKey, 0, ed25519PublicKey.length);
        return Arrays.copyOf(h, NODE_ID_LENGTH);
    }

    /**
     * The handshake payload that binds this node's id to its Noise static key: the Ed25519 public
     * key, then its signature over {@code "loomnet-noise-static-key:" || x25519 static public key}.
     *
     * @return {@link #PROOF_LENGTH} bytes
     */
    public byte[] proof() {
        return proof.clone();
    }

    private byte[] signProof() {
        byte[] signature = signing.sign(concat(PROOF_DOMAIN, staticKey.publicKey()));
        byte[] out = new byte[PROOF_LENGTH];
        System.arraycopy(signing.publicKey(), 0, out, 0, Ed25519.PUBLIC_KEY_LENGTH);
        System.arraycopy(signature, 0, out, Ed25519.PUBLIC_KEY_LENGTH, Ed25519.SIGNATURE_LENGTH);
        return out;
    }

    /**
     * Checks a peer's proof against the static key the handshake authenticated.
     *
     * @param proof        the peer's handshake payload
     * @param remoteStatic the peer's X25519 static public key from the handshake
     * @return the peer's Ed25519 public key
     * @throws NoiseException if the proof is malformed or its signature does not verify
     */
    public static byte[] verifyProof(byte[] proof, byte[] remoteStatic) throws NoiseException {
        if (proof.length != PROOF_LENGTH) {
            throw new NoiseException("identity proof of " + proof.length + " bytes, expected " + PROOF_LENGTH);
        }
        byte[] key = Arrays.copyOf(proof, Ed25519.PUBLIC_KEY_LENGTH);
        byte[] signature = Arrays.copyOfRange(proof, Ed25519.PUBLIC_KEY_LENGTH, PROOF_LENGTH);
        if (!Ed25519.verify(key, concat(PROOF_DOMAIN, remoteStatic), signature)) {
            throw new NoiseException("identity proof signature does not verify");
        }
        return key;
    }

    /**
     * @param message bytes to sign
     * @return the Ed25519 signature
     */
    public byte[] sign(byte[] message) {
        return signing.sign(message);
    }

    /** @return the node id, 20 bytes */
    public byte[] nodeId() {
        return nodeId.clone();
    }

    /** @return the Ed25519 public key */
    public byte[] signingPublicKey() {
        return signing.publicKey();
    }

    /** @return the X25519 static public key */
    public byte[] staticPublicKey() {
        return staticKey.publicKey().clone();
    }

    /**
     * Starts a Noise XX handshake with this node's static key; the private key never leaves
     * this package.
     *
     * @param initiator true on the side that dialed
     * @param prologue  the bytes both sides must agree on
     * @return a fresh handshake with a random ephemeral key
     */
    public NoiseHandshake handshake(boolean initiator, byte[] prologue) {
        return NoiseHandshake.start(initiator, prologue, staticKey);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public String toString() {
        return "Identity[" + HEX.formatHex(nodeId) + "]";
    }
}
