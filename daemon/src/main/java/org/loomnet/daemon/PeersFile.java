package org.loomnet.daemon;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.loomnet.node.PeerAddress;

/**
 * Reads the seed peers file, {@code peers.json} at the top of the project:
 *
 * <pre>{@code
 * {"networks": {"loomnet": ["127.0.0.1:7700", "<40 hex digits>@[::1]:7700"], "testnet": []}}
 * }</pre>
 *
 * The addresses listed under the node's network become special peers (dialed at start, kept
 * connected); the other networks' lists are checked but not used. A node id in front of an
 * address pins that seed: the node there must prove the id in the handshake.
 *
 * <p>The file is read strictly: at most {@link #MAX_BYTES} bytes of UTF-8, strict JSON (no
 * comments, single quotes or trailing commas), no unknown or repeated keys, every address in
 * {@link HostPort#parsePeer} form. A file that breaks any rule is not used at all, and the reason
 * comes back as a one-line warning naming the file and the place in it: seeds are a convenience,
 * so a bad file must not stop the node, but it must not be half-used silently either (a typo such
 * as {@code "network"} for {@code "networks"} would otherwise just mean "no seeds").
 *
 * <p>One exception: a seed whose address is well-formed but whose node id is not is skipped with
 * a warning of its own ({@link Seeds#skipped()}) and the rest of the file is used. The id only
 * narrows whom the node accepts at that address; dropping that one seed cannot connect the node
 * to anyone it was not meant to reach, whereas dialing it unpinned could.
 */
public final class PeersFile {

    /** The largest file read; anything bigger is refused before parsing. */
    public static final int MAX_BYTES = 1 << 20;

    private static final String NETWORKS = "networks";

    private PeersFile() {
    }

    /**
     * What a peers file gave.
     *
     * @param peers   the seeds for the node's network, in file order, no duplicates; empty if the
     *                file was not usable
     * @param warning why the file was not used, one line naming the file; empty if it was used
     * @param note    something worth telling the operator about a usable file (for example that
     *                it lists no seeds for this network); empty otherwise
     * @param skipped one warning line per seed left out of a usable file for a malformed node id,
     *                naming the file, the place and the problem; empty if none
     */
    public record Seeds(List<PeerAddress> peers, Optional<String> warning, Optional<String> note,
                        List<String> skipped) {
        /** Copies the lists. */
        public Seeds {
            peers = List.copyOf(peers);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Reads the seeds of one network. Never throws for a bad file: see {@link Seeds#warning()}.
     *
     * @param file    the file
     * @param network the node's network name
     * @return the seeds, or none and a warning
     */
    public static Seeds load(Path file, String network) {
        String text;
        try {
            text = readText(file);
        } catch (IOException e) {
            return unusable(file, "cannot read it: " + describe(e));
        } catch (BadFile e) {
            return unusable(file, e.getMessage());
        }
        try {
            List<PeerAddress> seeds = new ArrayList<>();
            Set<String> networks = new HashSet<>();
            List<String> skipped = new ArrayList<>();
            parse(text, network, seeds, networks, skipped);
            List<String> warnings = skipped.stream()
                    .map(w -> "peers file " + file + ": " + w + "; skipping this seed").toList();
            if (!networks.contains(network)) {
                return new Seeds(List.of(), Optional.empty(), Optional.of("peers file " + file
                        + " lists no seeds for network '" + network + "'"), warnings);
            }
            return new Seeds(seeds, Optional.empty(), Optional.empty(), warnings);
        } catch (BadFile e) {
            return unusable(file, e.getMessage());
        } catch (IOException e) {
            // MalformedJsonException and friends: Gson's messages carry a troubleshooting link
            // on a second line and advice meant for programmers; keep the position only.
            return unusable(file, "not valid JSON: " + jsonProblem(e));
        }
    }

    private static String readText(Path file) throws IOException, BadFile {
        byte[] bytes;
        // Read at most one byte more than allowed: enough to know the file is too big, without
        // trusting its size (it may grow, or be a pipe).
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new BadFile("larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadFile("not UTF-8 text");
        }
    }

    private static void parse(String text, String network, List<PeerAddress> seeds, Set<String> networks,
                              List<String> skipped) throws IOException, BadFile {
        if (text.isBlank()) {
            throw new BadFile("the file is empty; expected {\"" + NETWORKS + "\": {\"<network>\": [\"host:port\", ...]}}");
        }
        JsonReader in = new JsonReader(new StringReader(text));
        in.setStrictness(Strictness.STRICT);
        expect(in, JsonToken.BEGIN_OBJECT, "an object {\"" + NETWORKS + "\": {...}}");
        in.beginObject();
        boolean sawNetworks = false;
        while (in.hasNext()) {
            String key = in.nextName();
            if (!key.equals(NETWORKS)) {
                throw new BadFile(where(in) + ": unknown key '" + key + "'; the only key is \"" + NETWORKS + "\"");
            }
            if (sawNetworks) {
                throw new BadFile(where(in) + ": key '" + NETWORKS + "' given twice");
            }
            sawNetworks = true;
            readNetworks(in, network, seeds, networks, skipped);
        }
        in.endObject();
        boolean end;
        try {
            end = in.peek() == JsonToken.END_DOCUMENT;
        } catch (IOException e) {
            end = false; // strict mode refuses a second top-level value outright
        }
        if (!end) {
            throw new BadFile("unexpected data after the top-level object");
        }
        if (!sawNetworks) {
            throw new BadFile("missing key \"" + NETWORKS + "\"");
        }
    }

    private static void readNetworks(JsonReader in, String network, List<PeerAddress> seeds,
                                     Set<String> networks, List<String> skipped) throws IOException, BadFile {
        expect(in, JsonToken.BEGIN_OBJECT, "an object of network name to address list");
        in.beginObject();
        while (in.hasNext()) {
            String name = in.nextName();
            if (!networks.add(name)) {
                throw new BadFile(where(in) + ": network '" + name + "' listed twice");
            }
            expect(in, JsonToken.BEGIN_ARRAY, "a list of \"host:port\" strings");
            in.beginArray();
            while (in.hasNext()) {
                expect(in, JsonToken.STRING, "a \"host:port\" string");
                String path = where(in);
                PeerAddress peer;
                try {
                    peer = HostPort.parsePeer(in.nextString());
                } catch (HostPort.BadNodeId e) {
                    // Checked in every network's list, like the addresses; only this seed is lost.
                    skipped.add(path + ": " + e.getMessage());
                    continue;
                } catch (IllegalArgumentException e) {
                    throw new BadFile(path + ": " + e.getMessage());
                }
                if (name.equals(network) && !seeds.contains(peer)) {
                    seeds.add(peer);
                }
            }
            in.endArray();
        }
        in.endObject();
    }

    private static void expect(JsonReader in, JsonToken token, String what) throws IOException, BadFile {
        JsonToken actual = in.peek();
        if (actual != token) {
            throw new BadFile(where(in) + ": expected " + what + ", found " + describe(actual));
        }
    }

    private static String where(JsonReader in) {
        // "$.networks.loomnet[1]" -> "networks.loomnet[1]"; the top level is "top level".
        String path = in.getPath();
        if (path.equals("$")) {
            return "top level";
        }
        return path.startsWith("$.") ? path.substring(2) : path.substring(1);
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case BEGIN_ARRAY -> "a list";
            case BEGIN_OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "true/false";
            case NULL -> "null";
            case END_DOCUMENT -> "the end of the file";
            default -> t.toString();
        };
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Gson says "WHAT at line L column C path $.x.y" (plus a link); we say "line L column C: WHAT". */
    private static final Pattern GSON_MESSAGE = Pattern.compile("(.*?) at line (\\d+) column (\\d+) path \\$\\.?(\\S*).*");

    private static String jsonProblem(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        m = m.lines().findFirst().orElse(m);
        Matcher g = GSON_MESSAGE.matcher(m);
        if (!g.matches()) {
            return m;
        }
        String what = g.group(1);
        if (what.startsWith("Use JsonReader.setStrictness")) {
            what = "malformed JSON"; // Gson's advice is for programmers; the file is simply wrong
        } else if (what.equals("End of input")) {
            what = "unexpected end of file";
        }
        return "line " + g.group(2) + " column " + g.group(3) + ": " + what
                + (g.group(4).isEmpty() ? "" : " (in " + g.group(4) + ")");
    }

    private static Seeds unusable(Path file, String problem) {
        return new Seeds(List.of(), Optional.of("peers file " + file + ": " + problem
                + "; starting without its seeds"), Optional.empty(), List.of());
    }

    /** A rule of the file format is broken; the message says which and where. */
    private static final class BadFile extends Exception {
        private static final long serialVersionUID = 1L;

        BadFile(String message) {
            super(message, null, false, false);
        }
    }
}
