package org.loomnet.dht;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.loomnet.store.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the routing table file, {@code dht.json} in the data directory, so a restarted
 * node keeps its id (other nodes' tables hold it) and can rejoin through the nodes it knew.
 *
 * <h2>Format (version {@value #FORMAT_VERSION})</h2>
 * <pre>{@code
 * { "format": "loomnet-dht", "version": 1, "savedAt": 1700000000000,
 *   "id": "<40 hex digits: our node id>",
 *   "nodes": [ { "id": "<40 hex digits>", "ip": "203.0.113.7", "port": 6881 } ] }
 * }</pre>
 * Statuses and times are not kept: after a restart every reloaded node is questionable until it
 * answers, which the lookup of our own id at start soon settles. Unknown fields are ignored.
 *
 * <h2>Safety</h2>
 * Saving writes {@code dht.json.tmp}, forces it to disk and renames it over {@code dht.json} in
 * one atomic step, so a crash leaves the old or the new file, never half of one. Loading never
 * throws for a bad file: a file that cannot be used (too large, not UTF-8, not JSON, wrong format,
 * a value out of range) is logged at WARN, moved aside to {@code dht.json.corrupt-<millis>}, and
 * the node starts with an empty table.
 */
final class RoutingTableStore {

    static final int FORMAT_VERSION = 1;
    private static final String FORMAT_NAME = "loomnet-dht";
    /** Far above a full table: 160 buckets of 8 nodes with their replacement caches. */
    static final long MAX_FILE_BYTES = 4L << 20;
    private static final int MAX_NODES = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(RoutingTableStore.class);
    private static final TypeAdapter<JsonElement> TREE = new Gson().getAdapter(JsonElement.class);

    /** How a load went. */
    enum Outcome {
        /** The file was read. */
        LOADED,
        /** There was no file. */
        MISSING,
        /** The file was unusable and moved aside (or could not be moved). */
        CORRUPT
    }

    /**
     * @param id         the saved node id, or null
     * @param nodes      the saved nodes
     * @param outcome    how it went
     * @param problem    for CORRUPT, what was wrong
     * @param movedAside for CORRUPT, where the bad file went, or null if it could not be moved
     */
    record Loaded(DhtId id, List<NodeInfo> nodes, Outcome outcome, String problem, Path movedAside) {
        /** @return false if a bad file is still in place and must not be overwritten */
        boolean safeToSave() {
            return outcome != Outcome.CORRUPT || movedAside != null;
        }
    }

    private final InstantSource clock;

    RoutingTableStore(InstantSource clock) {
        this.clock = clock;
    }

    /** An unusable file: what is wrong with it, for the warning. */
    static final class BadFile extends Exception {
        private static final long serialVersionUID = 1L;

        BadFile(String message) {
            super(message);
        }
    }

    Loaded load(Path file) {
        try {
            Files.deleteIfExists(tempFileFor(file)); // a save interrupted by a crash: never read
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", tempFileFor(file), e.toString());
        }
        if (!Files.exists(file)) {
            return new Loaded(null, List.of(), Outcome.MISSING, null, null);
        }
        String problem;
        try {
            return parse(read(file));
        } catch (BadFile e) {
            problem = e.getMessage();
        } catch (IOException e) {
            problem = "cannot read it: " + e;
        }
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + clock.millis());
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.warn("DHT table file {} is unusable ({}); moved it to {} and starting with an empty table",
                    file, problem, aside);
        } catch (IOException e) {
            LOG.warn("DHT table file {} is unusable ({}) and could not be moved aside ({}); starting with an empty"
                    + " table that will not be saved over it", file, problem, e.toString());
            aside = null;
        }
        return new Loaded(null, List.of(), Outcome.CORRUPT, problem, aside);
    }

    private static byte[] read(Path file) throws IOException, BadFile {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new BadFile("it is " + size + " bytes, more than the limit of " + MAX_FILE_BYTES);
        }
        return Files.readAllBytes(file);
    }

    /**
     * @param bytes the file's content
     * @return the table it holds, {@link Outcome#LOADED}
     * @throws BadFile if it is unusable
     */
    static Loaded parse(byte[] bytes) throws BadFile {
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadFile("it is not UTF-8");
        }
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setStrictness(Strictness.STRICT);
            root = TREE.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new BadFile("it has data after the JSON object");
            }
        } catch (IOException | JsonParseException | IllegalStateException | StackOverflowError e) {
            // Gson appends advice for developers ("use lenient mode", a link): not for an operator.
            String why = String.valueOf(e.getMessage()).replace(
                    "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON ", "");
            int link = why.indexOf("\nSee ");
            throw new BadFile("it is not JSON: " + (link < 0 ? why : why.substring(0, link)));
        }
        if (!root.isJsonObject()) {
            throw new BadFile("it is not a JSON object");
        }
        JsonObject o = root.getAsJsonObject();
        if (!FORMAT_NAME.equals(string(o, "format"))) {
            throw new BadFile("format is not \"" + FORMAT_NAME + "\"");
        }
        JsonElement version = o.get("version");
        if (version == null || !version.isJsonPrimitive() || !version.getAsJsonPrimitive().isNumber()
                || version.getAsDouble() != FORMAT_VERSION) {
            throw new BadFile("version is not " + FORMAT_VERSION);
        }
        DhtId id = id(string(o, "id"), "id");
        JsonElement nodesElement = o.get("nodes");
        if (nodesElement == null || !nodesElement.isJsonArray()) {
            throw new BadFile("nodes is not a list");
        }
        JsonArray array = nodesElement.getAsJsonArray();
        if (array.size() > MAX_NODES) {
            throw new BadFile("more than " + MAX_NODES + " nodes");
        }
        List<NodeInfo> nodes = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String where = "nodes[" + i + "]";
            if (!array.get(i).isJsonObject()) {
                throw new BadFile(where + " is not an object");
            }
            JsonObject n = array.get(i).getAsJsonObject();
            DhtId nodeId = id(string(n, "id"), where + ".id");
            byte[] ip = ipv4(string(n, "ip"), where + ".ip");
            JsonElement port = n.get("port");
            if (port == null || !port.isJsonPrimitive() || !port.getAsJsonPrimitive().isNumber()) {
                throw new BadFile(where + ".port is not a number");
            }
            double p = port.getAsDouble();
            if (p != Math.rint(p) || p < 1 || p > 65535) {
                throw new BadFile(where + ".port " + port + " is not a port");
            }
            try {
                nodes.add(new NodeInfo(nodeId, new InetSocketAddress(InetAddress.getByAddress(ip), (int) p)));
            } catch (UnknownHostException e) {
                throw new AssertionError("4 bytes are always an address", e);
            }
        }
        return new Loaded(id, nodes, Outcome.LOADED, null, null);
    }

    private static String string(JsonObject o, String name) throws BadFile {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new BadFile(name + " is missing or not a string");
        }
        return e.getAsString();
    }

    private static DhtId id(String hex, String where) throws BadFile {
        try {
            return DhtId.fromHex(hex);
        } catch (IllegalArgumentException e) {
            throw new BadFile(where + " is not 40 hex digits");
        }
    }

    /** Parses a dotted-quad IPv4 literal without ever asking a name server. */
    private static byte[] ipv4(String text, String where) throws BadFile {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new BadFile(where + " is not an IPv4 address");
        }
        byte[] ip = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new BadFile(where + " is not an IPv4 address");
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new BadFile(where + " is not an IPv4 address");
            }
            ip[i] = (byte) v;
        }
        return ip;
    }

    /**
     * Writes the table atomically. Any thread.
     *
     * @param table the snapshot to write
     * @param file  {@code dht.json}
     * @throws IOException if it could not be written; the previous file is then unchanged
     */
    void save(RoutingTableSnapshot table, Path file) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter w = new JsonWriter(text)) {
            w.setIndent(" ");
            w.beginObject();
            w.name("format").value(FORMAT_NAME);
            w.name("version").value(FORMAT_VERSION);
            w.name("savedAt").value(clock.millis());
            w.name("id").value(table.self().hex());
            w.name("nodes").beginArray();
            for (RoutingTableSnapshot.Bucket b : table.buckets()) {
                for (RoutingTableSnapshot.Node n : b.nodes()) {
                    if (n.status() == NodeStatus.BAD) {
                        continue;
                    }
                    w.beginObject();
                    w.name("id").value(n.info().id().hex());
                    w.name("ip").value(n.info().address().getAddress().getHostAddress());
                    w.name("port").value(n.info().address().getPort());
                    w.endObject();
                }
            }
            w.endArray();
            w.endObject();
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, bytes);
    }

    static Path tempFileFor(Path file) {
        return AtomicFile.tempFileFor(file);
    }
}
