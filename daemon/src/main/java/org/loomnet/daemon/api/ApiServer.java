package org.loomnet.daemon.api;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.loomnet.connection.ConnectionState;
import org.loomnet.connection.Direction;
import org.loomnet.daemon.Durations;
import org.loomnet.daemon.HostPort;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Node;
import org.loomnet.node.NodeId;
import org.loomnet.node.PeerAddress;
import org.loomnet.node.Subscription;
import org.loomnet.wire.AppMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP API, its Prometheus metrics and its dashboard, on the JDK's own
 * {@link HttpServer} with one virtual thread per request.
 *
 * <h2>Endpoints</h2>
 * <pre>
 *   GET  /                           the dashboard (one self-contained page)
 *   GET  /metrics                    Prometheus text format
 *   GET  /api/node                   identity, versions, addresses, uptime, counters
 *   GET  /api/network/connections    ?state=online|handshake|closing  ?direction=inbound|outbound
 *   GET  /api/network/peers          the address book              ?banned=true|false
 *   GET  /api/network/bans           the bans that hold, by IP and by node id
 *   POST /api/network/dial           {"address": "[NODE_ID@]HOST:PORT", "special": false}
 *   POST /api/network/disconnect     {"node_id": "..."}
 *   POST /api/network/ban            {"node_id": "..."} or {"address": "IP"}, "duration": "1h" optional
 *   POST /api/network/unban          {"node_id": "..."} or {"address": "IP"}
 *   POST /api/network/quality        {"node_id": "...", "delta": -10}
 *   POST /api/messages               {"type": "chat", "payload": "text" | "payload_base64": "...",
 *                                     "target": "broadcast" | "all" | "random" | "gossip" | NODE_ID}
 *   GET  /api/messages               the most recent received messages  ?type=chat  ?limit=100
 * </pre>
 *   GET  /api/dht                    the DHT: our id, address, routing table, counters
 *   GET  /api/dht/peers              a get_peers lookup                 ?info_hash=40 hex digits
 *   POST /api/dht/announce           {"info_hash": "40 hex digits", "port": 7700}
 * </pre>
 * <pre>
 *
 * <h2>Who may call what</h2>
 * Every {@code POST} needs {@code Authorization: Bearer <token>}, the token being the content of
 * {@link ApiToken#FILE} in the data directory, which only the node's user can read. Bound to an
 * address other than loopback, every endpoint needs it except the dashboard page itself, which
 * holds no data: the page takes the token from its URL fragment, {@code /#token=...}, which
 * browsers never send to the server, and sends it with each of its data requests.
 * Bound to loopback, requests must also name a loopback host in their {@code Host} header, so
 * that a web page from elsewhere cannot reach the API through DNS rebinding.
 *
 * <h2>Errors</h2>
 * Every error is JSON, {@code {"error": {"status": 400, "code": "bad_json", "message": "..."}}}:
 * 400 for a malformed body or parameter, 401 without the token, 403 for a foreign Host, 404 for an
 * unknown path or peer, 405 for a wrong method, 409 when the node cannot do it now, 413 for a
 * body over the limit, 503 when the node is busy or stopping. A 500 means a bug in the node; its
 * details go to the log, never to the client.
 */
public final class ApiServer implements AutoCloseable {

    /** The default API address: loopback only, the port Skycoin's node used. */
    public static final InetSocketAddress DEFAULT_ADDRESS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 6420);
    /** Largest request body in general. */
    static final int MAX_BODY = 64 * 1024;
    /** Largest body of {@code POST /api/messages}: a 1 MiB payload in base64, with room to spare. */
    static final int MAX_MESSAGE_BODY = 2 * 1024 * 1024;
    /** Over-limit bodies up to this size are read and dropped before the 413; larger ones end the connection. */
    static final long DRAIN_LIMIT = 16L * 1024 * 1024;
    /** How long a DHT lookup through the API may take before answering 504. */
    static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(30);
    /** How long a request waits for the node's processing thread before answering 503. */
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(5);
    /** Messages kept for {@code GET /api/messages}, and the bytes kept of each payload. */
    static final int RECENT_MESSAGES = 500;
    static final int RECENT_PAYLOAD = 16 * 1024;

    /** Not static: the daemon's flags refer to this class before logging is configured (see Logging). */
    private final Logger log = LoggerFactory.getLogger(ApiServer.class);

    /** What an endpoint answers: a status and a JSON body (or a page). */
    public record Response(int status, String contentType, byte[] body) {
        /**
         * @param status the HTTP status
         * @param value  turned into JSON by the API's Gson
         * @return the response
         */
        public static Response json(int status, Object value) {
            return new Response(status, "application/json; charset=utf-8",
                    Views.GSON.toJson(value).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A parsed request, as endpoints see it. */
    public record Request(String method, String path, Map<String, String> query, JsonObject body) {
        /**
         * @param name a query parameter
         * @return its value, or null
         */
        public String param(String name) {
            return query.get(name);
        }
    }

    /** One endpoint. */
    @FunctionalInterface
    public interface Endpoint {
        /**
         * @param request the request
         * @return the answer
         * @throws ApiException to refuse it with a 4xx
         */
        Response handle(Request request);
    }

    private final Node node;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ApiToken token;
    private final boolean loopbackOnly;
    private final Supplier<Response> metrics;
    private final Instant startedAt = Instant.now();
    private final RecentMessages recent = new RecentMessages(RECENT_MESSAGES, RECENT_PAYLOAD);
    private final Subscription recorder;
    /** "METHOD /path" to endpoint; filled before start, read-only after. */
    private final Map<String, Endpoint> routes = new HashMap<>();
    private final byte[] dashboard;

    private ApiServer(Node node, HttpServer server, ApiToken token, Supplier<Response> metrics, boolean loopbackOnly) {
        this.node = node;
        this.server = server;
        this.token = token;
        this.metrics = metrics;
        this.loopbackOnly = loopbackOnly;
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("api-", 0).factory());
        this.dashboard = Dashboard.page();
        routes.put("GET /", r -> new Response(200, "text/html; charset=utf-8", dashboard));
        routes.put("GET /metrics", r -> metrics.get());
        routes.put("GET /api/node", r -> Response.json(200, Views.node(node, url(),
                token.file().toAbsolutePath().toString(), startedAt)));
        routes.put("GET /api/network/connections", this::connections);
        routes.put("GET /api/network/peers", this::peers);
        routes.put("GET /api/network/bans", this::bans);
        routes.put("POST /api/network/dial", this::dial);
        routes.put("POST /api/network/disconnect", this::disconnect);
        routes.put("POST /api/network/ban", this::ban);
        routes.put("POST /api/network/unban", this::unban);
        routes.put("POST /api/network/quality", this::quality);
        routes.put("POST /api/messages", this::send);
        routes.put("GET /api/messages", this::received);
        routes.put("GET /api/dht", r -> Response.json(200, Views.dht(dht(), await(dht().routingTable()))));
        routes.put("GET /api/dht/peers", this::dhtPeers);
        routes.put("POST /api/dht/announce", this::dhtAnnounce);
        this.recorder = node.subscribeAll(m -> recent.add(m, Instant.now()));
    }

    /**
     * Binds the API, with the node's Prometheus metrics at {@code /metrics}, and starts serving.
     *
     * @param node    the running node it serves
     * @param address where to listen; port 0 picks a free port
     * @param token   the token that mutating requests must present
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static ApiServer start(Node node, InetSocketAddress address, ApiToken token) throws IOException {
        return start(node, address, token, metricsOf(node));
    }

    /** {@code GET /metrics} for a node: its {@link NodeMetrics}, rendered at each scrape. */
    private static Supplier<Response> metricsOf(Node node) {
        NodeMetrics metrics = new NodeMetrics(node);
        return () -> new Response(200, NodeMetrics.CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Binds the API and starts serving.
     *
     * @param node    the running node it serves
     * @param address where to listen; port 0 picks a free port
     * @param token   the token that mutating requests must present
     * @param metrics renders {@code GET /metrics}
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static ApiServer start(Node node, InetSocketAddress address, ApiToken token, Supplier<Response> metrics)
            throws IOException {
        return start(node, address, token, metrics, address.getAddress().isLoopbackAddress());
    }

    /**
     * As {@link #start(Node, InetSocketAddress, ApiToken, Supplier)}, with the rules for a public
     * address ({@code loopbackOnly} false: every request needs the token, any Host) chosen by the
     * caller: tests check those rules without binding to a public address.
     */
    static ApiServer start(Node node, InetSocketAddress address, ApiToken token, Supplier<Response> metrics,
                           boolean loopbackOnly) throws IOException {
        HttpServer http = HttpServer.create(address, 64);
        ApiServer api = new ApiServer(node, http, token, metrics, loopbackOnly);
        http.createContext("/", api::exchange);
        http.setExecutor(api.executor);
        http.start();
        return api;
    }

    /**
     * Adds an endpoint (the DHT's, for example). Call before the first request.
     *
     * @param method   GET or POST
     * @param path     the exact path
     * @param endpoint the handler
     */
    public void addRoute(String method, String path, Endpoint endpoint) {
        routes.put(method + " " + path, endpoint);
    }

    /** @return the address the API listens on, with the real port */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** @return the API's base URL, for example {@code http://127.0.0.1:6420} */
    public String url() {
        InetSocketAddress a = address();
        return "http://" + HostPort.format(a);
    }

    /** @return the token mutating requests need */
    public ApiToken token() {
        return token;
    }

    /** Stops serving: requests in progress get a second to finish. */
    @Override
    public void close() {
        recorder.close();
        server.stop(1);
        executor.shutdownNow();
    }

    // ---- the request cycle --------------------------------------------------------------------

    private void exchange(HttpExchange x) {
        Response response;
        try {
            response = respond(x);
        } catch (ApiException e) {
            response = error(e);
        } catch (RuntimeException e) {
            log.error("API {} {} failed", x.getRequestMethod(), x.getRequestURI().getRawPath(), e);
            response = error(new ApiException(500, "internal_error", "internal error; see the node's log"));
        }
        try (x) {
            var h = x.getResponseHeaders();
            h.set("Content-Type", response.contentType());
            h.set("Cache-Control", "no-store");
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Content-Security-Policy",
                    "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:");
            if (response.status() == 401) {
                h.set("WWW-Authenticate", "Bearer realm=\"loomnet\"");
            }
            boolean head = "HEAD".equals(x.getRequestMethod());
            x.sendResponseHeaders(response.status(), head ? -1 : response.body().length);
            if (!head) {
                try (OutputStream out = x.getResponseBody()) {
                    out.write(response.body());
                }
            }
        } catch (IOException e) {
            log.debug("API client went away: {}", e.toString());
        }
    }

    Response respond(HttpExchange x) {
        String method = x.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = x.getRequestURI().getRawPath();
        if (loopbackOnly && !loopbackHost(x.getRequestHeaders().getFirst("Host"))) {
            throw new ApiException(403, "host_not_allowed",
                    "the API answers requests for localhost only (Host: " + x.getRequestHeaders().getFirst("Host") + ")");
        }
        String lookup = "HEAD".equals(method) ? "GET" : method;
        Endpoint endpoint = routes.get(lookup + " " + path);
        if (endpoint == null) {
            boolean otherMethod = routes.keySet().stream().anyMatch(k -> k.endsWith(" " + path));
            throw otherMethod
                    ? new ApiException(405, "method_not_allowed", method + " is not allowed on " + path)
                    : ApiException.notFound("not_found", "no such endpoint: " + path);
        }
        boolean mutating = !"GET".equals(lookup);
        // The dashboard page itself holds no data: it is served to anyone, so that a browser can
        // load it and then send the token from its URL fragment with every data request.
        boolean page = path.equals("/");
        if ((mutating || (!loopbackOnly && !page)) && !token.matches(bearer(x.getRequestHeaders().getFirst("Authorization")))) {
            throw new ApiException(401, "unauthorized", "this request needs 'Authorization: Bearer <token>', the token "
                    + "being the content of " + ApiToken.FILE + " in the node's data directory");
        }
        JsonObject body = mutating ? body(x, path.equals("/api/messages") ? MAX_MESSAGE_BODY : MAX_BODY) : null;
        return endpoint.handle(new Request(lookup, path, query(x.getRequestURI().getRawQuery()), body));
    }

    private static Response error(ApiException e) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("status", e.status());
        inner.put("code", e.code());
        inner.put("message", e.getMessage());
        return Response.json(e.status(), Map.of("error", inner));
    }

    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String h = header.strip();
        return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : null;
    }

    /** True for localhost, 127.x.y.z and [::1], with or without a port. */
    static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 && h.substring(1, end).equals("::1");
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        return h.equals("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /**
     * Reads a JSON object body, checking its size before reading it. A body over the limit is
     * read and thrown away up to {@link #DRAIN_LIMIT}, so that the client, still sending, gets
     * the 413 instead of a connection reset; a larger one ends the connection.
     */
    private static JsonObject body(HttpExchange x, int limit) {
        String declared = x.getRequestHeaders().getFirst("Content-Length");
        long length = -1;
        if (declared != null) {
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Content-Length is not a number");
            }
        }
        byte[] bytes;
        try (InputStream in = x.getRequestBody()) {
            if (length > limit) {
                if (length <= DRAIN_LIMIT) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                throw tooLarge(limit);
            }
            bytes = in.readNBytes(limit + 1); // chunked bodies have no length: read one byte past the limit
            if (bytes.length > limit) {
                throw tooLarge(limit);
            }
        } catch (IOException e) {
            throw ApiException.badRequest("the body could not be read: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw ApiException.badRequest("this request needs a JSON object body");
        }
        JsonElement e;
        try {
            e = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonParseException | StackOverflowError ex) {
            throw new ApiException(400, "bad_json", "the body is not valid JSON");
        }
        if (!e.isJsonObject()) {
            throw new ApiException(400, "bad_json", "the body must be a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static ApiException tooLarge(int limit) {
        return new ApiException(413, "body_too_large", "the body is larger than " + limit + " bytes");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("malformed query string");
            }
        }
        return out;
    }

    // ---- endpoints ----------------------------------------------------------------------------

    private Response connections(Request r) {
        ConnectionState state = choice(r, "state", ConnectionState.class);
        Direction direction = choice(r, "direction", Direction.class);
        List<Views.ConnectionView> out = node.connections().stream()
                .filter(c -> state == null || c.state() == state)
                .filter(c -> direction == null || c.direction() == direction)
                .map(Views::connection)
                .toList();
        return Response.json(200, Map.of("count", out.size(), "connections", out));
    }

    private Response peers(Request r) {
        String banned = r.param("banned");
        if (banned != null && !banned.equals("true") && !banned.equals("false")) {
            throw ApiException.badRequest("banned must be true or false");
        }
        long now = System.currentTimeMillis();
        List<Views.PeerView> out = await(node.addressBook()).stream()
                .filter(p -> banned == null || (p.bannedUntil() > now) == Boolean.parseBoolean(banned))
                .map(Views::peer)
                .toList();
        return Response.json(200, Map.of("count", out.size(), "peers", out));
    }

    private Response bans(Request r) {
        List<Views.BanView> out = await(node.bans()).stream().map(Views::ban).toList();
        return Response.json(200, Map.of("count", out.size(), "bans", out));
    }

    private Response dial(Request r) {
        String text = string(r.body(), "address", true);
        PeerAddress peer;
        try {
            peer = HostPort.parsePeer(text);
            peer = new PeerAddress(HostPort.resolve(peer.address()), peer.nodeId());
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            throw ApiException.badRequest("address: " + e.getMessage());
        }
        boolean special = bool(r.body(), "special");
        if (!await(node.dial(peer, special))) {
            throw new ApiException(409, "not_dialing", "the node cannot dial now (stopping, or its dial plan is full)");
        }
        return Response.json(202, Map.of("dialing", HostPort.format(peer), "special", special));
    }

    private Response disconnect(Request r) {
        NodeId id = nodeId(r.body(), true);
        if (!await(node.disconnect(id))) {
            throw ApiException.notFound("unknown_peer", "no connected peer has node id " + id);
        }
        return Response.json(200, Map.of("disconnected", id.toString()));
    }

    private Response ban(Request r) {
        String d = string(r.body(), "duration", false);
        Duration duration;
        try {
            duration = d == null ? null : Durations.parse(d);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("duration: " + e.getMessage());
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw ApiException.badRequest("duration must be positive");
        }
        Duration effective = duration == null ? node.config().banDuration() : duration;
        Map<String, Object> out = new LinkedHashMap<>();
        int dropped;
        if (r.body().has("node_id")) {
            NodeId id = nodeId(r.body(), true);
            dropped = await(node.ban(id, duration));
            out.put("banned", id.toString());
        } else {
            InetAddress ip = ipAddress(r.body());
            dropped = await(node.banAddress(ip, duration));
            out.put("banned", ip.getHostAddress());
        }
        out.put("duration", Durations.format(effective));
        out.put("disconnected", dropped);
        return Response.json(200, out);
    }

    private Response unban(Request r) {
        boolean was;
        String what;
        if (r.body().has("node_id")) {
            NodeId id = nodeId(r.body(), true);
            was = await(node.unban(id));
            what = id.toString();
        } else {
            InetAddress ip = ipAddress(r.body());
            was = await(node.unbanAddress(ip));
            what = ip.getHostAddress();
        }
        if (!was) {
            throw ApiException.notFound("not_banned", what + " is not banned");
        }
        return Response.json(200, Map.of("unbanned", what));
    }

    private Response quality(Request r) {
        NodeId id = nodeId(r.body(), true);
        int delta = integer(r.body(), "delta", -10_000, 10_000);
        Integer q = await(node.adjustQuality(id, delta));
        if (q == null) {
            throw ApiException.notFound("unknown_peer", "no connected peer has node id " + id);
        }
        return Response.json(200, Map.of("node_id", id.toString(), "quality", q));
    }

    private Response send(Request r) {
        String type = string(r.body(), "type", true);
        try {
            AppMessage.typeBytes(type);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("type: " + e.getMessage());
        }
        byte[] payload = payload(r.body());
        if (payload.length > node.config().limits().maxMessageSize()) {
            throw new ApiException(413, "message_too_large", "payload of " + payload.length + " bytes is over the "
                    + node.config().limits().maxMessageSize() + "-byte message limit");
        }
        String target = string(r.body(), "target", false);
        target = target == null ? "broadcast" : target;
        int sentTo = switch (target) {
            case "broadcast" -> await(node.broadcast(type, payload));
            case "all" -> await(node.sendToAll(type, payload));
            case "random" -> await(node.sendToRandom(type, payload));
            case "gossip" -> {
                try {
                    yield await(node.gossip(type, payload));
                } catch (IllegalArgumentException e) {
                    throw new ApiException(413, "message_too_large", e.getMessage());
                }
            }
            default -> {
                NodeId id = parseNodeId(target, "target");
                int n = await(node.send(id, type, payload));
                if (n == 0) {
                    throw ApiException.notFound("unknown_peer", "no connected peer has node id " + id);
                }
                yield n;
            }
        };
        return Response.json(200, Map.of("type", type, "target", target, "size", payload.length, "sent_to", sentTo));
    }

    private Response received(Request r) {
        String type = r.param("type");
        int limit = 100;
        String l = r.param("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > recent.capacity()) {
                throw ApiException.badRequest("limit must be a number from 1 to " + recent.capacity());
            }
        }
        List<Views.MessageView> out = recent.newest(type == null || type.isEmpty() ? null : type, limit).stream()
                .map(Views::message).toList();
        return Response.json(200, Map.of("count", out.size(), "received_total", recent.seen(), "messages", out));
    }

    // ---- the DHT ------------------------------------------------------------------------------

    private org.loomnet.dht.DhtNode dht() {
        org.loomnet.dht.DhtNode dht = node.dht();
        if (dht == null) {
            throw new ApiException(409, "dht_off", "this node runs no DHT (started with --no-dht)");
        }
        return dht;
    }

    private Response dhtPeers(Request r) {
        org.loomnet.dht.DhtNode dht = dht();
        org.loomnet.dht.DhtId infoHash = infoHash(r.param("info_hash"));
        return Response.json(200, Views.peers(awaitLookup(dht.getPeers(infoHash))));
    }

    private Response dhtAnnounce(Request r) {
        org.loomnet.dht.DhtNode dht = dht();
        org.loomnet.dht.DhtId infoHash = infoHash(string(r.body(), "info_hash", true));
        int port = integer(r.body(), "port", 1, 65535);
        return Response.json(200, Views.announced(awaitLookup(dht.announce(infoHash, port, false))));
    }

    /** A lookup takes seconds: it gets longer than the node's answers, and its timeout is a 504. */
    private static <T> T awaitLookup(CompletableFuture<T> f) {
        try {
            return f.get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RejectedExecutionException busy) {
                throw new ApiException(503, "dht_busy", busy.getMessage());
            }
            if (e.getCause() instanceof TimeoutException) {
                throw new ApiException(504, "lookup_timeout", "the DHT lookup timed out");
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(504, "lookup_timeout", "the DHT lookup did not end within "
                    + LOOKUP_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "stopping", "the API is stopping");
        }
    }

    private static org.loomnet.dht.DhtId infoHash(String text) {
        if (text == null || !text.strip().matches("[0-9a-fA-F]{40}")) {
            throw ApiException.badRequest("info_hash must be 40 hex digits (a SHA-1)");
        }
        return org.loomnet.dht.DhtId.fromHex(text.strip());
    }

    // ---- reading bodies and parameters --------------------------------------------------------

    /** Waits for the processing thread's answer; a busy or stopped node is a 503. */
    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(NODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RejectedExecutionException r) {
                throw new ApiException(503, "node_busy", r.getMessage());
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(503, "node_busy", "the node did not answer within " + NODE_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "stopping", "the API is stopping");
        }
    }

    private static <E extends Enum<E>> E choice(Request r, String name, Class<E> type) {
        String v = r.param(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        v = switch (v.toLowerCase(Locale.ROOT)) {
            case "incoming" -> "inbound"; // the words people also use
            case "outgoing" -> "outbound";
            default -> v;
        };
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        throw ApiException.badRequest(name + " must be one of "
                + String.join(", ", java.util.Arrays.stream(type.getEnumConstants()).map(Views::lower).toList()));
    }

    private static String string(JsonObject body, String key, boolean required) {
        JsonElement e = body.get(key);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw ApiException.badRequest("missing \"" + key + "\"");
            }
            return null;
        }
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw ApiException.badRequest("\"" + key + "\" must be a string");
        }
        return p.getAsString();
    }

    private static boolean bool(JsonObject body, String key) {
        JsonElement e = body.get(key);
        if (e == null || e.isJsonNull()) {
            return false;
        }
        if (!(e instanceof JsonPrimitive p) || !p.isBoolean()) {
            throw ApiException.badRequest("\"" + key + "\" must be true or false");
        }
        return p.getAsBoolean();
    }

    /**
     * A whole number within a range, as written: {@code 1e3} is 1000 and {@code 7700.0} is 7700.
     * Compared as a decimal before anything converts it: Gson's {@code getAsLong} keeps the low 64
     * bits of a larger number (2^64 + 7700 read as 7700) and throws for an exponent past 10000.
     */
    private static int integer(JsonObject body, String key, int min, int max) {
        if (body.get(key) instanceof JsonPrimitive p && p.isNumber()) {
            try {
                java.math.BigDecimal v = new java.math.BigDecimal(p.getAsString());
                if (v.compareTo(java.math.BigDecimal.valueOf(min)) >= 0 && v.compareTo(java.math.BigDecimal.valueOf(max)) <= 0) {
                    return v.intValueExact(); // in range, so only a fraction can make it throw
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // not a whole number: refused below
            }
        }
        throw ApiException.badRequest(key + " must be a whole number from " + min + " to " + max);
    }

    private static NodeId nodeId(JsonObject body, boolean required) {
        return parseNodeId(string(body, "node_id", required), "node_id");
    }

    private static NodeId parseNodeId(String text, String what) {
        String s = text.strip();
        if (!s.matches("[0-9a-fA-F]{40}")) {
            throw ApiException.badRequest(what + " must be a node id (40 hex digits)"
                    + (what.equals("target") ? " or one of broadcast, all, random, gossip" : "") + ": '" + text + "'");
        }
        return NodeId.parse(s);
    }

    private static InetAddress ipAddress(JsonObject body) {
        String text = string(body, "address", false);
        if (text == null) {
            throw ApiException.badRequest("give \"node_id\" or \"address\" (an IP address)");
        }
        String s = text.strip();
        // Literals only: the API never waits for DNS.
        if (!s.matches("\\[?[0-9a-fA-F:.]+]?") || !(s.contains(".") || s.contains(":"))) {
            throw ApiException.badRequest("address must be an IP address, like 127.0.0.5 or ::1: '" + text + "'");
        }
        try {
            return HostPort.parseIpLiteral(s); // "cafe.be" passes the pattern above, and is a host name
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("address: " + e.getMessage());
        }
    }

    private static byte[] payload(JsonObject body) {
        boolean text = body.has("payload");
        boolean binary = body.has("payload_base64");
        if (text == binary) {
            throw ApiException.badRequest("give exactly one of \"payload\" (text) and \"payload_base64\"");
        }
        if (text) {
            return string(body, "payload", true).getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(string(body, "payload_base64", true));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("payload_base64 is not base64: " + e.getMessage());
        }
    }
}
