package org.loomnet.daemon.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.loomnet.daemon.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The client subcommands: {@code node status}, {@code node connections}, {@code node dial ...}
 * and the rest talk to a running node over its HTTP API and print what it answers, as aligned
 * tables for people or, with {@code --json}, the API's JSON for scripts.
 *
 * <p>Each subcommand is a few lines: which endpoint, what body, how to print the answer. What
 * they share (the API address, the token, errors as one line and exit code 1) is in
 * {@link ClientCommand}.
 */
public final class ClientCommands {

    private ClientCommands() {
    }

    /** Every client subcommand, for the top command's {@code subcommands}. */
    public static final Class<?>[] ALL = {Status.class, Connections.class, Peers.class, Dial.class, Disconnect.class,
        Ban.class, Unban.class, Send.class, Broadcast.class, Gossip.class, Messages.class, Dht.class};

    /** The flags every client subcommand takes. */
    public static final class ClientOptions {
        @Option(names = "--api", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:6420",
                description = "The node's API address (default: ${DEFAULT-VALUE}).")
        String api;

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "The node's API token file (default: the file the node names, DATA_DIR/api.token).")
        Path tokenFile;

        @Option(names = "--json", description = "Print the API's JSON answer instead of a table.")
        boolean json;

        /** Filled in by picocli. */
        public ClientOptions() {
        }
    }

    /**
     * What every client subcommand does around its request: build the client, run, print a
     * refusal as one line on stderr with exit code 1.
     */
    abstract static class ClientCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions options;

        /** Sends the request and returns the answer to print. */
        abstract JsonObject request(ApiClient api);

        /** Prints the answer for people. */
        abstract void print(JsonObject answer, PrintWriter out);

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String base;
            try {
                base = "http://" + HostPort.format(HostPort.parse(options.api));
            } catch (IllegalArgumentException e) {
                err.println(name() + ": --api: " + e.getMessage());
                return 2;
            }
            try {
                JsonObject answer = request(new ApiClient(base, options.tokenFile));
                if (options.json) {
                    out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(answer));
                } else {
                    print(answer, out);
                }
                out.flush();
                return 0;
            } catch (ApiClient.Failure e) {
                err.println(name() + ": " + e.getMessage());
                err.flush();
                return 1;
            }
        }

        private String name() {
            return spec.qualifiedName();
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    /** {@code node status}. */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the running node: id, network, addresses, uptime, peers.")
    static final class Status extends ClientCommand {
        @Override
        JsonObject request(ApiClient api) {
            return api.get("/api/node");
        }

        @Override
        void print(JsonObject n, PrintWriter out) {
            JsonObject c = n.getAsJsonObject("connections");
            JsonObject k = n.getAsJsonObject("counters");
            TextTable t = new TextTable("", "");
            t.row("node id", s(n, "id"));
            t.row("name", s(n, "node_name").isEmpty() ? "-" : s(n, "node_name"));
            t.row("network", s(n, "network") + " (network id " + s(n, "network_id") + ")");
            t.row("version", s(n, "user_agent") + ", protocol " + s(n, "protocol_version"));
            t.row("listening", s(n, "listen_address") + (n.get("encryption").getAsBoolean() ? ", encrypted (Noise XX)"
                    : ", PLAINTEXT"));
            t.row("api", s(n, "api_address"));
            t.row("uptime", human(Duration.ofSeconds(n.get("uptime_seconds").getAsLong())));
            t.row("connections", s(c, "online") + " online (" + s(c, "outbound") + " outbound, " + s(c, "inbound")
                    + " inbound), " + s(c, "handshake") + " in handshake");
            t.row("messages", s(k, "messages_received") + " received, " + s(k, "gossip_delivered") + " gossip delivered");
            out.print(headless(t));
        }
    }

    /** {@code node connections}. */
    @Command(name = "connections", mixinStandardHelpOptions = true, description = "List the node's connections with their traffic and quality.")
    static final class Connections extends ClientCommand {
        @Option(names = "--state", paramLabel = "STATE", description = "Only online, handshake or closing.")
        String state;

        @Option(names = "--direction", paramLabel = "DIR", description = "Only inbound or outbound.")
        String direction;

        @Override
        JsonObject request(ApiClient api) {
            return api.get("/api/network/connections" + query("state", state, "direction", direction));
        }

        @Override
        void print(JsonObject answer, PrintWriter out) {
            TextTable t = new TextTable("NODE ID", "ADDRESS", "DIR", "STATE", "QUALITY>", "RTT MS>", "SENT>",
                    "RECEIVED>", "MSGS OUT>", "MSGS IN>", "QUEUE>", "AGENT");
            for (JsonElement e : answer.getAsJsonArray("connections")) {
                JsonObject c = e.getAsJsonObject();
                t.row(s(c, "node_id"), s(c, "address"), s(c, "direction"), s(c, "state"), s(c, "quality"),
                        c.get("rtt_ms").isJsonNull() ? null : String.format("%.1f", c.get("rtt_ms").getAsDouble()),
                        bytes(c.get("bytes_sent").getAsLong()), bytes(c.get("bytes_received").getAsLong()),
                        s(c, "messages_sent"), s(c, "messages_received"), s(c, "queue_length"), s(c, "user_agent"));
            }
            out.print(t.isEmpty() ? "no connections\n" : t.toString());
        }
    }

    /** {@code node peers}. */
    @Command(name = "peers", mixinStandardHelpOptions = true, description = "List the address book: every peer address the node knows.")
    static final class Peers extends ClientCommand {
        @Option(names = "--banned", description = "Only banned addresses.")
        boolean banned;

        @Override
        JsonObject request(ApiClient api) {
            return api.get("/api/network/peers" + (banned ? "?banned=true" : ""));
        }

        @Override
        void print(JsonObject answer, PrintWriter out) {
            TextTable t = new TextTable("ADDRESS", "TABLE", "SOURCES", "QUALITY>", "FAILURES>", "LAST SEEN",
                    "BANNED UNTIL", "NODE ID");
            for (JsonElement e : answer.getAsJsonArray("peers")) {
                JsonObject p = e.getAsJsonObject();
                String table = s(p, "type").equals("special") ? "special" : p.get("tried").getAsBoolean() ? "tried" : "new";
                t.row(s(p, "address"), table, String.join(",", p.getAsJsonArray("sources").asList().stream()
                        .map(JsonElement::getAsString).toList()), s(p, "quality"), s(p, "failures"),
                        ago(p.get("last_seen")), p.get("banned_until").isJsonNull() ? null : s(p, "banned_until"),
                        p.get("node_id").isJsonNull() ? null : s(p, "node_id"));
            }
            out.print(t.isEmpty() ? "the address book is empty\n" : t.toString());
        }
    }

    /** {@code node messages}. */
    @Command(name = "messages", mixinStandardHelpOptions = true, description = "Show the most recent messages the node received.")
    static final class Messages extends ClientCommand {
        @Option(names = "--type", paramLabel = "TYPE", description = "Only this message type.")
        String type;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        JsonObject request(ApiClient api) {
            return api.get("/api/messages" + query("type", type, "limit", String.valueOf(limit)));
        }

        @Override
        void print(JsonObject answer, PrintWriter out) {
            TextTable t = new TextTable("RECEIVED", "FROM", "TYPE", "SIZE>", "PAYLOAD");
            for (JsonElement e : answer.getAsJsonArray("messages")) {
                JsonObject m = e.getAsJsonObject();
                String payload = m.get("payload").isJsonNull() ? "base64:" + s(m, "payload_base64") : s(m, "payload");
                t.row(time(m.get("received_at")), m.get("from").isJsonNull() ? null : s(m, "from"), s(m, "type"), s(m, "size"),
                        shorten(payload.replaceAll("\\p{Cntrl}", " "), 60));
            }
            out.print(t.isEmpty() ? "no messages received\n" : t.toString());
        }
    }

    // ---- changing -----------------------------------------------------------------------------

    /** {@code node dial}. */
    @Command(name = "dial", mixinStandardHelpOptions = true, description = "Connect to a peer.")
    static final class Dial extends ClientCommand {
        @Parameters(paramLabel = "[NODE_ID@]HOST:PORT", description = "The peer; a node id in front pins it.")
        String address;

        @Option(names = "--special", description = "Keep it connected: redial it forever with backoff.")
        boolean special;

        @Override
        JsonObject request(ApiClient api) {
            JsonObject b = new JsonObject();
            b.addProperty("address", address);
            b.addProperty("special", special);
            return api.post("/api/network/dial", b);
        }

        @Override
        void print(JsonObject a, PrintWriter out) {
            out.println("dialing " + s(a, "dialing") + (a.get("special").getAsBoolean() ? " (special)" : ""));
        }
    }

    /** {@code node disconnect}. */
    @Command(name = "disconnect", mixinStandardHelpOptions = true, description = "Disconnect a peer (a special peer is redialed).")
    static final class Disconnect extends ClientCommand {
        @Parameters(paramLabel = "NODE_ID", description = "The peer's node id (40 hex digits).")
        String nodeId;

        @Override
        JsonObject request(ApiClient api) {
            JsonObject b = new JsonObject();
            b.addProperty("node_id", nodeId);
            return api.post("/api/network/disconnect", b);
        }

        @Override
        void print(JsonObject a, PrintWriter out) {
            out.println("disconnected " + s(a, "disconnected"));
        }
    }

    /** Which peer a ban or unban names: a node id or an IP address. */
    static JsonObject subject(String what) {
        JsonObject b = new JsonObject();
        b.addProperty(what.strip().matches("[0-9a-fA-F]{40}") ? "node_id" : "address", what.strip());
        return b;
    }

    /** {@code node ban}. */
    @Command(name = "ban", mixinStandardHelpOptions = true, description = "Ban a node id or an IP address: disconnected now, refused until the ban ends.")
    static final class Ban extends ClientCommand {
        @Parameters(paramLabel = "NODE_ID|IP", description = "A node id (40 hex digits) or an IP address.")
        String subject;

        @Option(names = "--duration", paramLabel = "DURATION",
                description = "How long, e.g. 30m, 24h, 7d (default: the node's --ban-duration).")
        String duration;

        @Override
        JsonObject request(ApiClient api) {
            JsonObject b = subject(subject);
            if (duration != null) {
                b.addProperty("duration", duration);
            }
            return api.post("/api/network/ban", b);
        }

        @Override
        void print(JsonObject a, PrintWriter out) {
            out.println("banned " + s(a, "banned") + " for " + s(a, "duration") + "; " + s(a, "disconnected")
                    + " connection(s) closed");
        }
    }

    /** {@code node unban}. */
    @Command(name = "unban", mixinStandardHelpOptions = true, description = "Lift the ban on a node id or an IP address.")
    static final class Unban extends ClientCommand {
        @Parameters(paramLabel = "NODE_ID|IP", description = "A node id (40 hex digits) or an IP address.")
        String subject;

        @Override
        JsonObject request(ApiClient api) {
            return api.post("/api/network/unban", subject(subject));
        }

        @Override
        void print(JsonObject a, PrintWriter out) {
            out.println("unbanned " + s(a, "unbanned"));
        }
    }

    /** The largest file sent as a payload: 1 MiB, which fits the API's message body in base64. */
    static final long MAX_FILE = 1024 * 1024;

    /** Puts the payload into a message body: the text given, or the bytes of the file given. */
    static void payload(JsonObject body, String text, Path file) {
        if ((text == null) == (file == null)) {
            throw new ApiClient.Failure("give the payload as TEXT or --file FILE (one of them)");
        }
        if (text != null) {
            body.addProperty("payload", text);
            return;
        }
        try {
            if (Files.size(file) > MAX_FILE) {
                throw new ApiClient.Failure(file + " is larger than " + MAX_FILE + " bytes");
            }
            body.addProperty("payload_base64", Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new ApiClient.Failure("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Sends {@code {"type", payload, "target"}} to {@code POST /api/messages}. */
    abstract static class MessageCommand extends ClientCommand {
        @Parameters(index = "0", paramLabel = "TYPE", description = "The message type, e.g. chat.")
        String type;

        @Parameters(index = "1", paramLabel = "TEXT", arity = "0..1", description = "The payload, as UTF-8 text.")
        String text;

        @Option(names = "--file", paramLabel = "FILE", description = "Send the bytes of FILE instead of TEXT.")
        Path file;

        abstract String target();

        @Override
        JsonObject request(ApiClient api) {
            JsonObject b = new JsonObject();
            b.addProperty("type", type);
            payload(b, text, file);
            b.addProperty("target", target());
            return api.post("/api/messages", b);
        }

        @Override
        void print(JsonObject a, PrintWriter out) {
            out.println("sent " + s(a, "type") + " (" + s(a, "size") + " bytes) to " + s(a, "sent_to") + " peer(s)");
        }
    }

    /** {@code node send}. */
    @Command(name = "send", mixinStandardHelpOptions = true, description = "Send a message to one connected peer.")
    static final class Send extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NODE_ID", description = "The peer's node id.")
        String nodeId;

        @Parameters(index = "1", paramLabel = "TYPE", description = "The message type, e.g. chat.")
        String type;

        @Parameters(index = "2", paramLabel = "TEXT", arity = "0..1", description = "The payload, as UTF-8 text.")
        String text;

        @Option(names = "--file", paramLabel = "FILE", description = "Send the bytes of FILE instead of TEXT.")
        Path file;

        @Override
        JsonObject request(ApiClient api) {
            JsonObject b = new JsonObject();
            b.addProperty("type", type);
            payload(b, text, file);
            b.addProperty("target", nodeId);
            return api.post("/api/messages", b);
        }

        @Override
        void print(JsonObject a, PrintWriter out) {
            out.println("sent " + s(a, "type") + " (" + s(a, "size") + " bytes) to " + nodeId);
        }
    }

    /** {@code node broadcast}. */
    @Command(name = "broadcast", mixinStandardHelpOptions = true, description = "Send a message to the node's fan-out peers (or all, or one at random).")
    static final class Broadcast extends MessageCommand {
        @Option(names = "--to", paramLabel = "WHO", defaultValue = "broadcast",
                description = "broadcast (fan-out peers, specials included), all, or random (default: ${DEFAULT-VALUE}).")
        String to;

        @Override
        String target() {
            return to;
        }
    }

    /** {@code node gossip}. */
    @Command(name = "gossip", mixinStandardHelpOptions = true, description = "Flood a signed message to the whole network.")
    static final class Gossip extends MessageCommand {
        @Override
        String target() {
            return "gossip";
        }
    }

    // ---- the DHT ------------------------------------------------------------------------------

    /** {@code node dht lookup} and {@code node dht announce}. */
    @Command(name = "dht", mixinStandardHelpOptions = true, description = "Ask the node's DHT.",
            subcommands = {Dht.Lookup.class, Dht.Announce.class})
    static final class Dht implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        /** {@code node dht} alone: say what it takes. */
        @Override
        public Integer call() {
            spec.commandLine().getErr().println("node dht: give a subcommand, lookup or announce (see node dht --help)");
            return 2;
        }

        /** {@code node dht lookup}. */
        @Command(name = "lookup", mixinStandardHelpOptions = true, description = "Find the peers announced under an info-hash.")
        static final class Lookup extends ClientCommand {
            @Parameters(paramLabel = "INFO_HASH", description = "40 hex digits.")
            String infoHash;

            @Override
            JsonObject request(ApiClient api) {
                return api.get("/api/dht/peers" + query("info_hash", infoHash));
            }

            @Override
            void print(JsonObject a, PrintWriter out) {
                JsonArray peers = a.getAsJsonArray("peers");
                out.println(peers.size() + " peer(s) for " + infoHash);
                peers.forEach(p -> out.println("  " + p.getAsString()));
            }
        }

        /** {@code node dht announce}. */
        @Command(name = "announce", mixinStandardHelpOptions = true, description = "Announce a port under an info-hash.")
        static final class Announce extends ClientCommand {
            @Parameters(index = "0", paramLabel = "INFO_HASH", description = "40 hex digits.")
            String infoHash;

            @Parameters(index = "1", paramLabel = "PORT", description = "The TCP port to announce.")
            int port;

            @Override
            JsonObject request(ApiClient api) {
                JsonObject b = new JsonObject();
                b.addProperty("info_hash", infoHash);
                b.addProperty("port", port);
                return api.post("/api/dht/announce", b);
            }

            @Override
            void print(JsonObject a, PrintWriter out) {
                out.println("announced port " + port + " to " + s(a, "accepted") + " node(s)");
            }
        }
    }

    // ---- formatting ---------------------------------------------------------------------------

    private static String s(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? "-" : e.getAsString();
    }

    private static String query(String... pairs) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                q.append(q.isEmpty() ? '?' : '&').append(pairs[i]).append('=')
                        .append(java.net.URLEncoder.encode(pairs[i + 1], java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return q.toString();
    }

    /** A two-column table without its (empty) heading row. */
    private static String headless(TextTable t) {
        String s = t.toString();
        return s.substring(s.indexOf('\n') + 1);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String units = "KMGTPE";
        int u = (63 - Long.numberOfLeadingZeros(n)) / 10;
        return String.format("%.1f %siB", n / (double) (1L << (10 * u)), units.charAt(u - 1));
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86_400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
    }

    /** A time of today as local hh:mm:ss, an older one as its date and time. */
    private static String time(JsonElement time) {
        java.time.ZonedDateTime t = Instant.parse(time.getAsString()).atZone(java.time.ZoneId.systemDefault());
        boolean today = t.toLocalDate().equals(java.time.LocalDate.now());
        return t.format(java.time.format.DateTimeFormatter.ofPattern(today ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss"));
    }

    private static String ago(JsonElement time) {
        if (time == null || time.isJsonNull()) {
            return "never";
        }
        Duration d = Duration.between(Instant.parse(time.getAsString()), Instant.now());
        return d.isNegative() ? "now" : human(d) + " ago";
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
