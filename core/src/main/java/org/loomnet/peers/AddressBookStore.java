package org.loomnet.peers;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.loomnet.store.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes an {@link AddressBook} as a JSON file (Gson), so that a crash at any moment
 * leaves either the previous or the new file, never a broken one.
 *
 * <h2>Saving</h2>
 * The JSON is written to {@code <name>.tmp} in the same directory, forced to the disk
 * ({@link FileChannel#force}), renamed over the file in one atomic step, and then the directory
 * is forced too (best effort: some file systems and platforms refuse it), so that the rename
 * itself survives a power cut. One thread saves a given file at a time.
 *
 * <h2>Loading</h2>
 * A {@code <name>.tmp} left by a save that was interrupted is deleted first: it is never read. A
 * missing file gives an empty book. A file that cannot be used (unreadable, larger than the limit,
 * not UTF-8, not JSON, truncated, of another format version, or with a value out of range) is
 * never overwritten silently: it is logged at WARN with its name and the problem, moved aside to
 * {@code <name>.corrupt-<millis>}, and an empty book is returned with the reason, so the node
 * starts anyway and can say why its book is empty.
 *
 * <h2>Format (version {@value #FORMAT_VERSION})</h2>
 * <pre>{@code
 * { "format": "loomnet-address-book", "version": 1, "savedAt": 1700000000000,
 *   "secret": "<64 hex digits: the placement secret>",
 *   "entries": [ { "ip": "203.0.113.7", "port": 7700, "type": "regular", "tried": true,
 *                  "sources": ["pex"], "sourceGroups": ["198.51.0.0/16"],
 *                  "firstSeen": ..., "lastSeen": ..., "lastSuccess": ..., "lastAttempt": ...,
 *                  "nextAttemptAt": ..., "failures": 0, "quality": 40,
 *                  "nodeId": "<hex>", "userAgent": "loomnet/0.1" } ],
 *   "bans": [ { "kind": "ip", "subject": "192.0.2.9", "until": ... },
 *             { "kind": "nodeId", "subject": "<hex>", "until": ... } ] }
 * }</pre>
 * Times are epoch milliseconds, 0 for never. An entry's ban state is not stored with it: the
 * bans list is the one record of bans. Unknown fields are ignored.
 */
public final class AddressBookStore {

    /** The format version this build writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** The default largest file {@link #load} reads: 16 MiB, far above a full default book. */
    public static final long DEFAULT_MAX_FILE_BYTES = 16L << 20;

    private static final String FORMAT_NAME = "loomnet-address-book";
    private static final Logger LOG = LoggerFactory.getLogger(AddressBookStore.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final TypeAdapter<JsonElement> TREE = new Gson().getAdapter(JsonElement.class);
    private static final int MAX_LIST = 16;
    private static final int MAX_GROUP_CHARS = 64;
    private static final long MAX_FAILURES_STORED = 1_000_000;

    private final AddressBookSettings settings;
    private final RandomGenerator random;
    private final InstantSource clock;
    private final long maxFileBytes;

    /**
     * A store with the default file size limit.
     *
     * @param settings the settings of the books it loads
     * @param random   the random generator of the books it loads
     * @param clock    the time for loading (which bans have ended) and for naming bad files
     */
    public AddressBookStore(AddressBookSettings settings, RandomGenerator random, InstantSource clock) {
        this(settings, random, clock, DEFAULT_MAX_FILE_BYTES);
    }

    /**
     * @param settings     the settings of the books it loads
     * @param random       the random generator of the books it loads
     * @param clock        the time for loading and for naming bad files
     * @param maxFileBytes the largest file it reads or writes
     */
    public AddressBookStore(AddressBookSettings settings, RandomGenerator random, InstantSource clock,
            long maxFileBytes) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes must be positive: " + maxFileBytes);
        }
        this.maxFileBytes = maxFileBytes;
    }

    /** How a load went. */
    public enum Outcome {
        /** The file was read. */
        LOADED,
        /** There was no file: a first start. */
        MISSING,
        /** The file could not be used; the book is empty and {@link Loaded#problem()} says why. */
        CORRUPT
    }

    /**
     * The result of {@link #load}.
     *
     * @param book       the book: the file's content, or empty
     * @param outcome    how it went
     * @param problem    for {@link Outcome#CORRUPT}, what was wrong with the file; else null
     * @param movedAside for {@link Outcome#CORRUPT}, where the bad file now is, or null if it could
     *                   not be moved (then {@link #safeToSave()} is false)
     */
    public record Loaded(AddressBook book, Outcome outcome, String problem, Path movedAside) {

        /** Checks the fields. */
        public Loaded {
            Objects.requireNonNull(book, "book");
            Objects.requireNonNull(outcome, "outcome");
        }

        /**
         * @return false if a bad file is still in place (it could not be moved aside): saving
         *         would overwrite it, so the caller should not save to that path
         */
        public boolean safeToSave() {
            return outcome != Outcome.CORRUPT || movedAside != null;
        }
    }

    /**
     * Loads a book. Never throws for a bad file: see the class description.
     *
     * @param file the book file
     * @return the book and how the load went
     */
    public Loaded load(Path file) {
        removeLeftoverTemp(file);
        if (!Files.exists(file)) {
            return new Loaded(new AddressBook(settings, random), Outcome.MISSING, null, null);
        }
        String problem;
        try {
            AddressBookImage image = parse(read(file));
            return new Loaded(AddressBook.restore(image, settings, random, clock.millis()), Outcome.LOADED, null, null);
        } catch (BadBookException | IllegalArgumentException e) {
            problem = e.getMessage();
        } catch (IOException e) {
            problem = "cannot read it: " + e;
        }
        Path aside = moveAside(file);
        if (aside != null) {
            LOG.warn("Address book {} is unusable ({}); moved it to {} and starting with an empty address book",
                    file, problem, aside);
        } else {
            LOG.warn("Address book {} is unusable ({}) and could not be moved aside; starting with an empty address"
                    + " book that will not be saved over it", file, problem);
        }
        return new Loaded(new AddressBook(settings, random), Outcome.CORRUPT, problem, aside);
    }

    /**
     * Saves a book owned by the calling thread (convenience for {@code save(book.image(now), file)}).
     *
     * @param book the book
     * @param file the book file
     * @throws IOException if it could not be written; the previous file is then unchanged
     */
    public void save(AddressBook book, Path file) throws IOException {
        save(book.image(clock.millis()), file);
    }

    /**
     * Saves an image atomically: temp file, force, atomic rename, force the directory. Any thread.
     *
     * @param image what to write
     * @param file  the book file
     * @throws IOException if it could not be written (or would be larger than the limit); the
     *                     previous file is then unchanged
     */
    public void save(AddressBookImage image, Path file) throws IOException {
        byte[] json = toJson(image).getBytes(StandardCharsets.UTF_8);
        if (json.length > maxFileBytes) {
            throw new IOException("address book of " + json.length + " bytes is larger than the limit of "
                    + maxFileBytes + " bytes; not saved");
        }
        AtomicFile.write(file, json);
    }

    /**
     * @param file a book file
     * @return the temp file its saves write first: {@code <name>.tmp} next to it
     */
    public static Path tempFileFor(Path file) {
        return AtomicFile.tempFileFor(file);
    }

    // ---- writing -----------------------------------------------------------------------------

    static String toJson(AddressBookImage image) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonWriter w = new JsonWriter(out)) {
            w.setIndent("  ");
            w.setHtmlSafe(false);
            w.setStrictness(Strictness.STRICT);
            w.beginObject();
            w.name("format").value(FORMAT_NAME);
            w.name("version").value(FORMAT_VERSION);
            w.name("savedAt").value(image.takenAt());
            w.name("secret").value(HEX.formatHex(image.secret()));
            w.name("entries").beginArray();
            for (PeerEntry e : image.entries()) {
                w.beginObject();
                w.name("ip").value(e.ip().getHostAddress());
                w.name("port").value(e.port());
                w.name("type").value(e.special() ? "special" : "regular");
                w.name("tried").value(e.tried());
                w.name("sources").beginArray();
                for (PeerSource s : e.sources()) {
                    w.value(s.label());
                }
                w.endArray();
                w.name("sourceGroups").beginArray();
                for (String g : e.sourceGroups()) {
                    w.value(g);
                }
                w.endArray();
                w.name("firstSeen").value(e.firstSeen());
                w.name("lastSeen").value(e.lastSeen());
                w.name("lastSuccess").value(e.lastSuccess());
                w.name("lastAttempt").value(e.lastAttempt());
                w.name("nextAttemptAt").value(e.nextAttemptAt());
                w.name("failures").value(e.failures());
                w.name("quality").value(e.quality());
                if (e.nodeId() != null) {
                    w.name("nodeId").value(e.nodeId());
                }
                if (e.userAgent() != null) {
                    w.name("userAgent").value(e.userAgent());
                }
                w.endObject();
            }
            w.endArray();
            w.name("bans").beginArray();
            for (Ban b : image.bans()) {
                w.beginObject();
                w.name("kind").value(b.kind() == Ban.Kind.IP ? "ip" : "nodeId");
                w.name("subject").value(b.subject());
                w.name("until").value(b.until());
                w.endObject();
            }
            w.endArray();
            w.endObject();
        }
        return out.append('\n').toString();
    }

    // ---- reading -----------------------------------------------------------------------------

    private void removeLeftoverTemp(Path file) {
        Path tmp = tempFileFor(file);
        try {
            if (Files.deleteIfExists(tmp)) {
                LOG.info("Removed {}, left by an interrupted save of the address book; {} is unaffected", tmp, file);
            }
        } catch (IOException e) {
            LOG.warn("Could not remove {}, left by an interrupted save of the address book: {}", tmp, e.toString());
        }
    }

    private byte[] read(Path file) throws IOException, BadBookException {
        long size = Files.size(file);
        if (size > maxFileBytes) {
            throw new BadBookException("it is " + size + " bytes, larger than the limit of " + maxFileBytes + " bytes");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxFileBytes + 1));
        }
        if (bytes.length > maxFileBytes) {
            throw new BadBookException("it grew beyond the limit of " + maxFileBytes + " bytes while being read");
        }
        return bytes;
    }

    private Path moveAside(Path file) {
        long millis = clock.millis();
        for (int i = 0; i < 100; i++) {
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + millis + (i == 0 ? "" : "-" + i));
            try {
                // Without REPLACE_EXISTING: an earlier bad file of the same name is never lost.
                Files.move(file, aside);
                return aside;
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                LOG.warn("Could not move the unusable address book {} to {}: {}", file, aside, e.toString());
                return null;
            }
        }
        return null;
    }

    /** What was wrong with a book file, for the warning. */
    static final class BadBookException extends Exception {
        BadBookException(String message) {
            super(message);
        }
    }

    static AddressBookImage parse(byte[] bytes) throws BadBookException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadBookException("it is not UTF-8 text");
        }
        if (text.isBlank()) {
            throw new BadBookException("it is empty");
        }
        JsonElement root;
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            root = TREE.read(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new BadBookException("it is not valid JSON: more data after the end, at " + r.getPath());
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new BadBookException("it is not valid JSON (truncated or damaged?): " + jsonProblem(e));
        }
        if (!root.isJsonObject()) {
            throw new BadBookException("it is not a JSON object");
        }
        JsonObject top = root.getAsJsonObject();
        if (top.has("format") && !FORMAT_NAME.equals(optString(top, "format", "format", 64))) {
            throw new BadBookException("it is not an address book (format \"" + optString(top, "format", "format", 64)
                    + "\")");
        }
        long version = number(top, "version", "version", Long.MIN_VALUE, Long.MAX_VALUE);
        if (version != FORMAT_VERSION) {
            throw new BadBookException("it has format version " + version + "; this build reads version "
                    + FORMAT_VERSION);
        }
        String secretHex = string(top, "secret", "secret", 64);
        byte[] secret;
        try {
            secret = HEX.parseHex(secretHex);
        } catch (IllegalArgumentException e) {
            secret = new byte[0];
        }
        if (secret.length != AddressBook.SECRET_BYTES) {
            throw new BadBookException("secret: not " + AddressBook.SECRET_BYTES + " bytes of hex");
        }
        long savedAt = top.has("savedAt") ? number(top, "savedAt", "savedAt", 0, Long.MAX_VALUE) : 0;
        JsonArray entryArray = array(top, "entries", "entries");
        List<PeerEntry> entries = new ArrayList<>(entryArray.size());
        for (int i = 0; i < entryArray.size(); i++) {
            entries.add(entry(object(entryArray.get(i), "entries[" + i + "]"), "entries[" + i + "]"));
        }
        JsonArray banArray = array(top, "bans", "bans");
        List<Ban> bans = new ArrayList<>(banArray.size());
        for (int i = 0; i < banArray.size(); i++) {
            bans.add(ban(object(banArray.get(i), "bans[" + i + "]"), "bans[" + i + "]"));
        }
        return new AddressBookImage(secret, entries, bans, savedAt);
    }

    private static PeerEntry entry(JsonObject o, String where) throws BadBookException {
        InetAddress ip = ipLiteral(string(o, "ip", where + ".ip", 64), where + ".ip");
        int port = (int) number(o, "port", where + ".port", 1, 65535);
        InetSocketAddress address = new InetSocketAddress(ip, port);
        if (!AddressBook.isDialable(address)) {
            throw new BadBookException(where + ": " + AddressBook.hostPort(address) + " is not a dialable address");
        }
        String typeName = string(o, "type", where + ".type", 16);
        PeerType type = switch (typeName) {
            case "regular" -> PeerType.REGULAR;
            case "special" -> PeerType.SPECIAL;
            default -> throw new BadBookException(where + ".type: \"" + typeName + "\" is neither regular nor special");
        };
        boolean tried = bool(o, "tried", where + ".tried");
        if (tried && type == PeerType.SPECIAL) {
            throw new BadBookException(where + ": a special entry is not in the tried table");
        }
        JsonArray sourceArray = array(o, "sources", where + ".sources");
        if (sourceArray.size() > MAX_LIST) {
            throw new BadBookException(where + ".sources: more than " + MAX_LIST);
        }
        Set<PeerSource> sources = EnumSet.noneOf(PeerSource.class);
        for (int i = 0; i < sourceArray.size(); i++) {
            String label = stringValue(sourceArray.get(i), where + ".sources[" + i + "]", 16);
            try {
                sources.add(PeerSource.ofLabel(label));
            } catch (IllegalArgumentException e) {
                throw new BadBookException(where + ".sources[" + i + "]: " + e.getMessage());
            }
        }
        JsonArray groupArray = array(o, "sourceGroups", where + ".sourceGroups");
        if (groupArray.size() > MAX_LIST) {
            throw new BadBookException(where + ".sourceGroups: more than " + MAX_LIST);
        }
        List<String> sourceGroups = new ArrayList<>(groupArray.size());
        for (int i = 0; i < groupArray.size(); i++) {
            String g = stringValue(groupArray.get(i), where + ".sourceGroups[" + i + "]", MAX_GROUP_CHARS);
            if (g.isEmpty() || !printable(g)) {
                throw new BadBookException(where + ".sourceGroups[" + i + "]: empty or not printable");
            }
            sourceGroups.add(g);
        }
        long firstSeen = number(o, "firstSeen", where + ".firstSeen", 0, Long.MAX_VALUE);
        long lastSeen = number(o, "lastSeen", where + ".lastSeen", 0, Long.MAX_VALUE);
        long lastSuccess = number(o, "lastSuccess", where + ".lastSuccess", 0, Long.MAX_VALUE);
        long lastAttempt = number(o, "lastAttempt", where + ".lastAttempt", 0, Long.MAX_VALUE);
        long nextAttemptAt = number(o, "nextAttemptAt", where + ".nextAttemptAt", 0, Long.MAX_VALUE);
        int failures = (int) number(o, "failures", where + ".failures", 0, MAX_FAILURES_STORED);
        int quality = (int) number(o, "quality", where + ".quality", AddressBook.MIN_QUALITY, AddressBook.MAX_QUALITY);
        String nodeId = optString(o, "nodeId", where + ".nodeId", 128);
        if (nodeId != null) {
            try {
                nodeId = AddressBook.normalizeNodeId(nodeId);
            } catch (IllegalArgumentException e) {
                throw new BadBookException(where + ".nodeId: " + e.getMessage());
            }
        }
        String userAgent = optString(o, "userAgent", where + ".userAgent", AddressBook.MAX_USER_AGENT_CHARS);
        if (userAgent != null) {
            userAgent = AddressBook.cleanUserAgent(userAgent);
        }
        return new PeerEntry(address, AddressBook.groupOf(ip), type, tried, sources, sourceGroups, firstSeen,
                lastSeen, lastSuccess, lastAttempt, nextAttemptAt, failures, quality, 0, nodeId, userAgent);
    }

    private static Ban ban(JsonObject o, String where) throws BadBookException {
        String kindName = string(o, "kind", where + ".kind", 16);
        String subject = string(o, "subject", where + ".subject", 128);
        long until = number(o, "until", where + ".until", 0, Long.MAX_VALUE);
        return switch (kindName) {
            case "ip" -> new Ban(Ban.Kind.IP, ipLiteral(subject, where + ".subject").getHostAddress(), until);
            case "nodeId" -> {
                try {
                    yield new Ban(Ban.Kind.NODE_ID, AddressBook.normalizeNodeId(subject), until);
                } catch (IllegalArgumentException e) {
                    throw new BadBookException(where + ".subject: " + e.getMessage());
                }
            }
            default -> throw new BadBookException(where + ".kind: \"" + kindName + "\" is neither ip nor nodeId");
        };
    }

    /** Parses an IP literal without any name lookup. */
    static InetAddress ipLiteral(String s, String where) throws BadBookException {
        try {
            if (s.indexOf(':') >= 0) {
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.')) {
                        throw new BadBookException(where + ": \"" + s + "\" is not an IP address");
                    }
                }
                // In brackets, getByName only parses an IPv6 literal; it never looks a name up.
                return InetAddress.getByName("[" + s + "]");
            }
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                throw new BadBookException(where + ": \"" + s + "\" is not an IP address");
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new BadBookException(where + ": \"" + s + "\" is not an IP address");
                }
                int v = Integer.parseInt(p);
                if (v > 255) {
                    throw new BadBookException(where + ": \"" + s + "\" is not an IP address");
                }
                b[i] = (byte) v;
            }
            return InetAddress.getByAddress(b);
        } catch (IOException e) {
            throw new BadBookException(where + ": \"" + s + "\" is not an IP address");
        }
    }

    /** Gson's message without its advice to parse leniently and its link: for an operator. */
    private static String jsonProblem(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int newline = m.indexOf('\n');
        if (newline >= 0) {
            m = m.substring(0, newline);
        }
        return m.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
    }

    private static JsonObject object(JsonElement e, String where) throws BadBookException {
        if (e == null || !e.isJsonObject()) {
            throw new BadBookException(where + ": not an object");
        }
        return e.getAsJsonObject();
    }

    private static JsonArray array(JsonObject o, String name, String where) throws BadBookException {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonArray()) {
            throw new BadBookException(where + ": missing or not an array");
        }
        return e.getAsJsonArray();
    }

    private static boolean bool(JsonObject o, String name, String where) throws BadBookException {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new BadBookException(where + ": missing or not true/false");
        }
        return e.getAsBoolean();
    }

    private static long number(JsonObject o, String name, String where, long min, long max) throws BadBookException {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new BadBookException(where + ": missing or not a number");
        }
        String text = ((JsonPrimitive) e).getAsString();
        // Checked as text first: never hand an exponent like 1e999999999 to BigDecimal.
        if (text.length() > 20 || !text.matches("-?[0-9]+")) {
            throw new BadBookException(where + ": " + abbreviate(text) + " is not a whole number");
        }
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException x) {
            throw new BadBookException(where + ": " + text + " is out of range");
        }
        if (v < min || v > max) {
            throw new BadBookException(where + ": " + v + " is out of range [" + min + ", " + max + "]");
        }
        return v;
    }

    private static String string(JsonObject o, String name, String where, int maxChars) throws BadBookException {
        String s = optString(o, name, where, maxChars);
        if (s == null) {
            throw new BadBookException(where + ": missing");
        }
        return s;
    }

    private static String optString(JsonObject o, String name, String where, int maxChars) throws BadBookException {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        return stringValue(e, where, maxChars);
    }

    private static String stringValue(JsonElement e, String where, int maxChars) throws BadBookException {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new BadBookException(where + ": not a string");
        }
        String s = e.getAsString();
        if (s.length() > maxChars) {
            throw new BadBookException(where + ": longer than " + maxChars + " characters");
        }
        return s;
    }

    private static boolean printable(String s) {
        return s.chars().noneMatch(Character::isISOControl);
    }

    private static String abbreviate(String s) {
        return s.length() > 24 ? s.substring(0, 24) + "..." : s;
    }
}
