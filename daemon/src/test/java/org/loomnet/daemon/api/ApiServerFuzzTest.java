package org.loomnet.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomnet.dht.DhtConfig;
import org.loomnet.fuzz.NameLookups;
import org.loomnet.node.Node;

/**
 * The JSON bodies of the HTTP API's POST endpoints, sent by anyone who holds the token: each
 * request is answered (a 2xx) or refused with an {@link ApiException} (a 4xx, or a 503 from a
 * busy node): never another exception, which the server would answer with a 500 and a stack trace
 * in the log. The requests go to a real API of a real node on loopback (DHT on, no peers, no
 * bootstrap), in process: {@link ApiServer#respond} with an exchange that holds the fuzzer's body.
 * The API takes IP literals only, so a name lookup is a finding too.
 *
 * <p>Not fuzzed: {@code POST /api/network/dial}, which resolves host names and dials the address
 * it is given: a fuzzer must not send packets to the addresses it makes up.
 *
 * <p>The input: a byte that picks the endpoint, a byte whose lowest bit leaves the
 * {@code Content-Length} header out (as a chunked request does), then the body.
 */
class ApiServerFuzzTest {

    private static final List<String> ENDPOINTS = List.of("/api/network/disconnect", "/api/network/ban",
            "/api/network/unban", "/api/network/quality", "/api/messages", "/api/dht/announce");

    /** The numbers each endpoint reads, with their documented ranges; other endpoints ignore these keys. */
    private static final Map<String, Map<String, long[]>> NUMBERS = Map.of(
            "/api/dht/announce", Map.of("port", new long[] {1, 65535}),
            "/api/network/quality", Map.of("delta", new long[] {-10_000, 10_000}));

    private static Node node;
    private static ApiServer api;

    @FuzzTest
    void post(byte[] input) throws Exception {
        if (input.length < 2) {
            return;
        }
        start();
        String path = ENDPOINTS.get((input[0] & 0xFF) % ENDPOINTS.size());
        byte[] body = java.util.Arrays.copyOfRange(input, 2, input.length);
        Exchange x = new Exchange(path, body, (input[1] & 1) == 0, api.token().value());
        NameLookups.forbidden(() -> {
            ApiServer.Response response;
            try {
                response = api.respond(x);
            } catch (ApiException e) {
                assertThat(e.status()).as(e.getMessage()).isBetween(400, 503).isNotEqualTo(500);
                return;
            }
            assertThat(response.status()).isBetween(200, 299);
            assertThat(JsonParser.parseString(new String(response.body(), StandardCharsets.UTF_8)).isJsonObject())
                    .isTrue();
            acceptedNumbersAreInRange(path, body);
        });
    }

    /**
     * A number the API accepted is the number sent, within its documented range: not one wrapped to
     * fit. Only the endpoint that reads a key is held to it: a ban with a stray {@code "delta": 1e5}
     * in its body is rightly accepted.
     */
    private static void acceptedNumbersAreInRange(String path, byte[] body) {
        JsonObject request = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
        for (Map.Entry<String, long[]> range : NUMBERS.getOrDefault(path, Map.of()).entrySet()) {
            JsonElement e = request.get(range.getKey());
            if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                BigDecimal v = new BigDecimal(e.getAsString());
                assertThat(v.stripTrailingZeros().scale()).as(range.getKey() + " " + v).isLessThanOrEqualTo(0);
                assertThat(v).as(range.getKey()).isBetween(BigDecimal.valueOf(range.getValue()[0]),
                        BigDecimal.valueOf(range.getValue()[1]));
            }
        }
    }

    /** One node and its API for the whole run, started at the first input. */
    private static synchronized void start() throws IOException {
        if (api != null) {
            return;
        }
        node = Node.builder().network("api-fuzz").listen("127.0.0.1", 0).targetOutgoing(0)
                .dht(DhtConfig.builder().bindAddress(new InetSocketAddress("127.0.0.1", 0)).build())
                .build().start();
        java.nio.file.Path dir = Files.createTempDirectory("api-fuzz");
        ApiToken token = ApiToken.create(dir.resolve(ApiToken.FILE));
        api = ApiServer.start(node, new InetSocketAddress("127.0.0.1", 0), token,
                () -> new ApiServer.Response(200, "text/plain", new byte[0]), true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            node.close();
            token.delete();
            dir.toFile().delete();
        }));
    }

    /** A POST as the HTTP server hands it over, with the fuzzer's body. */
    private static final class Exchange extends HttpExchange {
        private final URI uri;
        private final Headers requestHeaders = new Headers();
        private final Headers responseHeaders = new Headers();
        private final InputStream body;
        private final ByteArrayOutputStream responseBody = new ByteArrayOutputStream();

        Exchange(String path, byte[] body, boolean withLength, String token) {
            this.uri = URI.create(path);
            this.body = new ByteArrayInputStream(body);
            requestHeaders.add("Host", "127.0.0.1");
            requestHeaders.add("Authorization", "Bearer " + token);
            requestHeaders.add("Content-Type", "application/json");
            if (withLength) {
                requestHeaders.add("Content-Length", Integer.toString(body.length));
            }
        }

        @Override
        public Headers getRequestHeaders() {
            return requestHeaders;
        }

        @Override
        public Headers getResponseHeaders() {
            return responseHeaders;
        }

        @Override
        public URI getRequestURI() {
            return uri;
        }

        @Override
        public String getRequestMethod() {
            return "POST";
        }

        @Override
        public HttpContext getHttpContext() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }

        @Override
        public InputStream getRequestBody() {
            return body;
        }

        @Override
        public OutputStream getResponseBody() {
            return responseBody;
        }

        @Override
        public void sendResponseHeaders(int code, long length) {
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return new InetSocketAddress("127.0.0.1", 50000);
        }

        @Override
        public int getResponseCode() {
            return -1;
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return api.address();
        }

        @Override
        public String getProtocol() {
            return "HTTP/1.1";
        }

        @Override
        public Object getAttribute(String name) {
            return null;
        }

        @Override
        public void setAttribute(String name, Object value) {
        }

        @Override
        public void setStreams(InputStream i, OutputStream o) {
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return null;
        }
    }

    static Map<String, byte[]> seeds() {
        String id = "\"node_id\": \"0123456789abcdef0123456789abcdef01234567\"";
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("disconnect", input(0, "{" + id + "}"));
        seeds.put("ban-address", input(1, "{\"address\": \"127.0.0.9\", \"duration\": \"1h\"}"));
        seeds.put("ban-node", input(1, "{" + id + ", \"duration\": \"30m\"}"));
        seeds.put("ban-ipv6-chunked", input(1, 1, "{\"address\": \"[::1]\"}"));
        seeds.put("unban-address", input(2, "{\"address\": \"127.0.0.9\"}"));
        seeds.put("quality", input(3, "{" + id + ", \"delta\": -40}"));
        seeds.put("quality-exponent", input(3, "{" + id + ", \"delta\": 1e5}"));
        seeds.put("send-text", input(4, "{\"type\": \"chat\", \"payload\": \"hello\"}"));
        seeds.put("send-base64-gossip", input(4, "{\"type\": \"news\", \"payload_base64\": \"aGVsbG8=\", \"target\": \"gossip\"}"));
        seeds.put("send-to-node", input(4, "{\"type\": \"chat\", \"payload\": \"x\", \"target\": \"0123456789abcdef0123456789abcdef01234567\"}"));
        seeds.put("announce", input(5, "{\"info_hash\": \"0102030405060708090a0b0c0d0e0f1011121314\", \"port\": 7700}"));
        seeds.put("not-an-object", input(1, "[1, 2]"));
        seeds.put("deep-nesting", input(4, "[".repeat(5000)));
        return seeds;
    }

    private static byte[] input(int endpoint, String body) {
        return input(endpoint, 0, body);
    }

    private static byte[] input(int endpoint, int flags, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] in = new byte[b.length + 2];
        in[0] = (byte) endpoint;
        in[1] = (byte) flags;
        System.arraycopy(b, 0, in, 2, b.length);
        return in;
    }
}
