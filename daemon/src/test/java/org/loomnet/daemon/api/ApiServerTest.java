package org.loomnet.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loomnet.daemon.Await;
import org.junit.jupiter.api.io.TempDir;
import org.loomnet.node.Node;

/**
 * Every endpoint over real HTTP against running nodes on loopback: what it answers, the token
 * rules, and the 4xx answers to bad requests.
 */
class ApiServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeMe = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Node a;
    private Node b;
    private ApiServer apiA;
    private ApiServer apiB;

    @BeforeEach
    void twoNodesWithApis() throws Exception {
        a = node("127.0.40.1");
        b = node("127.0.40.2");
        apiA = api(a, "a", true);
        apiB = api(b, "b", true);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closeMe.size() - 1; i >= 0; i--) {
            closeMe.get(i).close();
        }
    }

    private Node node(String host) {
        Node n = Node.builder().network("api-test").listen(host, 0).tickInterval(Duration.ofMillis(50))
                .targetOutgoing(0).build(); // connections only where a test dials
        closeMe.add(n);
        return n.start();
    }

    private ApiServer api(Node n, String name, boolean loopbackOnly) throws IOException {
        ApiToken token = ApiToken.create(dir.resolve(name).resolve(ApiToken.FILE));
        ApiServer s = ApiServer.start(n, new InetSocketAddress("127.0.0.1", 0), token,
                () -> new ApiServer.Response(200, "text/plain; version=0.0.4; charset=utf-8",
                        "# metrics\n".getBytes(StandardCharsets.UTF_8)),
                loopbackOnly);
        closeMe.add(s);
        return s;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private record Reply(int status, String body) {
        JsonObject json() {
            return JsonParser.parseString(body).getAsJsonObject();
        }

        String errorCode() {
            return json().getAsJsonObject("error").get("code").getAsString();
        }
    }

    private Reply get(ApiServer api, String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(TIMEOUT).GET();
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> res = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(res.statusCode(), res.body());
    }

    private Reply get(ApiServer api, String path) throws Exception {
        return get(api, path, null);
    }

    private Reply post(ApiServer api, String path, String body, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> res = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(res.statusCode(), res.body());
    }

    private Reply post(ApiServer api, String path, String body) throws Exception {
        return post(api, path, body, api.token().value());
    }

    private void connectAtoB() throws Exception {
        Reply r = post(apiA, "/api/network/dial", "{\"address\": \"" + hostPort(b) + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        Await.until("a and b online", () -> a.peers().contains(b.id()) && b.peers().contains(a.id()));
    }

    private static String hostPort(Node n) {
        return n.listenAddress().getAddress().getHostAddress() + ":" + n.listenAddress().getPort();
    }

    // ---- reading ------------------------------------------------------------------------------

    @Test
    void nodeDescribesItself() throws Exception {
        Reply r = get(apiA, "/api/node");
        assertThat(r.status()).isEqualTo(200);
        JsonObject j = r.json();
        assertThat(j.get("id").getAsString()).isEqualTo(a.id().toString());
        assertThat(j.get("network").getAsString()).isEqualTo("api-test");
        assertThat(j.get("listen_address").getAsString()).isEqualTo(hostPort(a));
        assertThat(j.get("protocol_version").getAsInt()).isEqualTo(1);
        assertThat(j.get("user_agent").getAsString()).startsWith("loomnet/");
        assertThat(j.get("encryption").getAsBoolean()).isTrue();
        assertThat(j.get("uptime_seconds").getAsLong()).isNotNegative();
        assertThat(j.getAsJsonObject("connections").get("total").getAsInt()).isZero();
    }

    @Test
    void connectionsCarryEveryMetricAndFilter() throws Exception {
        connectAtoB();
        b.send(a.id(), "ping", new byte[10]);
        Await.until("a received", () -> a.counters().messagesReceived() == 1);

        Reply all = get(apiA, "/api/network/connections");
        assertThat(all.status()).isEqualTo(200);
        JsonArray list = all.json().getAsJsonArray("connections");
        assertThat(list).hasSize(1);
        JsonObject c = list.get(0).getAsJsonObject();
        for (String key : List.of("id", "node_id", "address", "direction", "state", "connected_at", "last_sent",
                "last_received", "bytes_sent", "bytes_received", "messages_sent", "messages_received", "rtt_ms",
                "quality", "peer_type", "user_agent", "listen_port", "queue_length", "queue_drops")) {
            assertThat(c.has(key)).as(key).isTrue();
        }
        assertThat(c.get("node_id").getAsString()).isEqualTo(b.id().toString());
        assertThat(c.get("direction").getAsString()).isEqualTo("outbound");
        assertThat(c.get("state").getAsString()).isEqualTo("online");
        assertThat(c.get("messages_received").getAsLong()).isEqualTo(1);
        assertThat(c.get("listen_port").getAsInt()).isEqualTo(b.listenAddress().getPort());
        assertThat(c.get("authenticated").getAsBoolean()).isTrue();

        assertThat(get(apiA, "/api/network/connections?direction=outbound").json().get("count").getAsInt()).isEqualTo(1);
        assertThat(get(apiA, "/api/network/connections?direction=incoming").json().get("count").getAsInt()).isZero();
        assertThat(get(apiA, "/api/network/connections?state=online").json().get("count").getAsInt()).isEqualTo(1);
        assertThat(get(apiA, "/api/network/connections?state=handshake").json().get("count").getAsInt()).isZero();
        Reply bad = get(apiA, "/api/network/connections?state=sleepy");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().getAsJsonObject("error").get("message").getAsString()).contains("online");
    }

    @Test
    void peersListTheAddressBookAndItsBans() throws Exception {
        connectAtoB();
        JsonArray peers = get(apiA, "/api/network/peers").json().getAsJsonArray("peers");
        assertThat(peers).anySatisfy(p -> assertThat(p.getAsJsonObject().get("address").getAsString())
                .isEqualTo(hostPort(b)));
        assertThat(get(apiA, "/api/network/peers?banned=true").json().get("count").getAsInt()).isZero();
        assertThat(get(apiA, "/api/network/peers?banned=maybe").status()).isEqualTo(400);
    }

    // ---- changing -----------------------------------------------------------------------------

    @Test
    void changingNeedsTheTokenReadingDoesNotOnLoopback() throws Exception {
        String body = "{\"address\": \"" + hostPort(b) + "\"}";
        Reply none = post(apiA, "/api/network/dial", body, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("unauthorized");
        assertThat(post(apiA, "/api/network/dial", body, "0".repeat(64)).status()).isEqualTo(401);
        assertThat(post(apiA, "/api/network/dial", body, apiB.token().value()).status()).isEqualTo(401);
        assertThat(a.connections()).isEmpty();

        assertThat(get(apiA, "/api/node").status()).isEqualTo(200);
        String fromFile = ApiToken.read(apiA.token().file());
        assertThat(post(apiA, "/api/network/dial", body, fromFile).status()).isEqualTo(202);
    }

    @Test
    void theTokenFileIsTheOwnersOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(apiA.token().file())))
                .isEqualTo("rw-------");
        assertThat(apiA.token().value()).hasSize(64).isNotEqualTo(apiB.token().value());
    }

    @Test
    void awayFromLoopbackEveryRequestNeedsTheToken() throws Exception {
        ApiServer open = api(a, "public", false);
        assertThat(get(open, "/api/node").status()).isEqualTo(401);
        assertThat(get(open, "/metrics").status()).isEqualTo(401);
        assertThat(get(open, "/api/node", open.token().value()).status()).isEqualTo(200);
        // The page holds no data: a browser loads it, then sends the token from the URL fragment.
        assertThat(get(open, "/").status()).isEqualTo(200);
    }

    @Test
    void aForeignHostHeaderIsRefused() throws Exception {
        // DNS rebinding: a page of evil.example resolved to 127.0.0.1 still says Host: evil.example.
        InetSocketAddress at = apiA.address();
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/node HTTP/1.1\r\nHost: evil.example:6420\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 403").contains("host_not_allowed");
        }
        assertThat(ApiServer.loopbackHost("localhost:6420")).isTrue();
        assertThat(ApiServer.loopbackHost("127.1.2.3")).isTrue();
        assertThat(ApiServer.loopbackHost("[::1]:80")).isTrue();
        assertThat(ApiServer.loopbackHost("127.0.0.1.evil.example")).isFalse();
        assertThat(ApiServer.loopbackHost("[::2]")).isFalse();
        assertThat(ApiServer.loopbackHost(null)).isFalse();
    }

    @Test
    void dialDisconnectAndQuality() throws Exception {
        connectAtoB();
        Reply q = post(apiA, "/api/network/quality", "{\"node_id\": \"" + b.id() + "\", \"delta\": -7}");
        assertThat(q.status()).as(q.body()).isEqualTo(200);
        assertThat(q.json().get("quality").getAsInt()).isEqualTo(-7);
        assertThat(post(apiA, "/api/network/quality", "{\"node_id\": \"" + b.id() + "\", \"delta\": 1.5}").status())
                .isEqualTo(400);
        // Too large for Gson to convert: a 400, not a 500 (an input of ApiServerFuzzTest too).
        Reply huge = post(apiA, "/api/network/quality", "{\"node_id\": \"" + b.id() + "\", \"delta\": 1e10001}");
        assertThat(huge.status()).as(huge.body()).isEqualTo(400);
        assertThat(huge.body()).contains("delta must be a whole number from -10000 to 10000");
        Reply exponent = post(apiA, "/api/network/quality", "{\"node_id\": \"" + b.id() + "\", \"delta\": 2e1}");
        assertThat(exponent.status()).as(exponent.body()).isEqualTo(200);
        assertThat(exponent.json().get("quality").getAsInt()).isEqualTo(13);

        Reply d = post(apiA, "/api/network/disconnect", "{\"node_id\": \"" + b.id() + "\"}");
        assertThat(d.status()).as(d.body()).isEqualTo(200);
        Await.until("b gone from a", () -> !a.peers().contains(b.id()));

        Reply unknown = post(apiA, "/api/network/disconnect", "{\"node_id\": \"" + "ab".repeat(20) + "\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("unknown_peer");
        assertThat(post(apiA, "/api/network/quality", "{\"node_id\": \"" + "ab".repeat(20) + "\", \"delta\": 1}")
                .status()).isEqualTo(404);
    }

    @Test
    void banAndUnbanByNodeIdAndByAddress() throws Exception {
        connectAtoB();
        Reply ban = post(apiA, "/api/network/ban", "{\"node_id\": \"" + b.id() + "\", \"duration\": \"1h\"}");
        assertThat(ban.status()).as(ban.body()).isEqualTo(200);
        assertThat(ban.json().get("disconnected").getAsInt()).isEqualTo(1);
        assertThat(ban.json().get("duration").getAsString()).isEqualTo("1h");
        Await.until("b disconnected", () -> !a.peers().contains(b.id()));

        Reply unban = post(apiA, "/api/network/unban", "{\"node_id\": \"" + b.id() + "\"}");
        assertThat(unban.status()).as(unban.body()).isEqualTo(200);
        Reply again = post(apiA, "/api/network/unban", "{\"node_id\": \"" + b.id() + "\"}");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.errorCode()).isEqualTo("not_banned");

        assertThat(post(apiA, "/api/network/ban", "{\"address\": \"127.0.40.9\"}").status()).isEqualTo(200);
        JsonArray bans = get(apiA, "/api/network/bans").json().getAsJsonArray("bans");
        assertThat(bans).hasSize(1);
        assertThat(bans.get(0).getAsJsonObject().get("kind").getAsString()).isEqualTo("ip");
        assertThat(bans.get(0).getAsJsonObject().get("subject").getAsString()).isEqualTo("127.0.40.9");
        assertThat(post(apiA, "/api/network/unban", "{\"address\": \"127.0.40.9\"}").status()).isEqualTo(200);

        assertThat(post(apiA, "/api/network/ban", "{\"address\": \"some.host.example\"}").status()).isEqualTo(400);
        assertThat(post(apiA, "/api/network/ban", "{\"node_id\": \"xyz\"}").status()).isEqualTo(400);
        assertThat(post(apiA, "/api/network/ban", "{\"node_id\": \"" + b.id() + "\", \"duration\": \"soon\"}")
                .status()).isEqualTo(400);
        assertThat(post(apiA, "/api/network/ban", "{}").status()).isEqualTo(400);
    }

    // ---- messages -----------------------------------------------------------------------------

    @Test
    void messagesSentThroughOneApiAreListedByTheOther() throws Exception {
        connectAtoB();
        Reply toPeer = post(apiA, "/api/messages",
                "{\"type\": \"chat\", \"payload\": \"hello b\", \"target\": \"" + b.id() + "\"}");
        assertThat(toPeer.status()).as(toPeer.body()).isEqualTo(200);
        assertThat(toPeer.json().get("sent_to").getAsInt()).isEqualTo(1);
        assertThat(post(apiA, "/api/messages", "{\"type\": \"chat\", \"payload\": \"to all\", \"target\": \"all\"}")
                .json().get("sent_to").getAsInt()).isEqualTo(1);
        byte[] binary = {0, (byte) 0xff, 1};
        assertThat(post(apiA, "/api/messages", "{\"type\": \"bin\", \"payload_base64\": \""
                + Base64.getEncoder().encodeToString(binary) + "\"}").status()).isEqualTo(200);
        assertThat(post(apiA, "/api/messages", "{\"type\": \"news\", \"payload\": \"flood\", \"target\": \"gossip\"}")
                .json().get("sent_to").getAsInt()).isEqualTo(1);

        Await.until("b received four", () -> {
            try {
                return get(apiB, "/api/messages").json().get("count").getAsInt() == 4;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        JsonArray chat = get(apiB, "/api/messages?type=chat").json().getAsJsonArray("messages");
        assertThat(chat).hasSize(2);
        JsonObject newest = chat.get(0).getAsJsonObject();
        assertThat(newest.get("payload").getAsString()).isEqualTo("to all");
        assertThat(newest.get("from").getAsString()).isEqualTo(a.id().toString());
        JsonObject bin = get(apiB, "/api/messages?type=bin").json().getAsJsonArray("messages").get(0).getAsJsonObject();
        assertThat(bin.get("payload").isJsonNull()).isTrue();
        assertThat(Base64.getDecoder().decode(bin.get("payload_base64").getAsString())).isEqualTo(binary);
        assertThat(get(apiB, "/api/messages?limit=1").json().get("count").getAsInt()).isEqualTo(1);
        assertThat(get(apiB, "/api/messages?limit=0").status()).isEqualTo(400);
    }

    @Test
    void badMessagesAreRefusedWithTheReason() throws Exception {
        connectAtoB();
        Reply unknownPeer = post(apiA, "/api/messages",
                "{\"type\": \"chat\", \"payload\": \"x\", \"target\": \"" + "cd".repeat(20) + "\"}");
        assertThat(unknownPeer.status()).isEqualTo(404);
        assertThat(unknownPeer.errorCode()).isEqualTo("unknown_peer");
        assertThat(post(apiA, "/api/messages", "{\"type\": \"chat\", \"payload\": \"x\", \"target\": \"everyone\"}")
                .status()).isEqualTo(400);
        assertThat(post(apiA, "/api/messages", "{\"payload\": \"x\"}").status()).isEqualTo(400);
        assertThat(post(apiA, "/api/messages", "{\"type\": \"\", \"payload\": \"x\"}").status()).isEqualTo(400);
        assertThat(post(apiA, "/api/messages", "{\"type\": \"" + "t".repeat(65) + "\", \"payload\": \"x\"}").status())
                .isEqualTo(400);
        assertThat(post(apiA, "/api/messages", "{\"type\": \"chat\"}").status()).isEqualTo(400);
        assertThat(post(apiA, "/api/messages", "{\"type\": \"chat\", \"payload_base64\": \"!!!\"}").status())
                .isEqualTo(400);
        assertThat(post(apiA, "/api/messages", "{\"type\": 5, \"payload\": \"x\"}").status()).isEqualTo(400);
    }

    // ---- bad requests -------------------------------------------------------------------------

    @Test
    void badRequestsGet4xxAsJsonNeverA500() throws Exception {
        Reply notJson = post(apiA, "/api/network/dial", "{not json");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.errorCode()).isEqualTo("bad_json");
        assertThat(post(apiA, "/api/network/dial", "[1, 2]").errorCode()).isEqualTo("bad_json");
        assertThat(post(apiA, "/api/network/dial", "").status()).isEqualTo(400);
        assertThat(post(apiA, "/api/network/dial", "{\"address\": 5}").status()).isEqualTo(400);
        assertThat(post(apiA, "/api/network/dial", "{\"address\": \"nowhere\"}").status()).isEqualTo(400);
        assertThat(post(apiA, "/api/network/dial", "{\"address\": \"127.0.0.1:99999\"}").status()).isEqualTo(400);
        assertThat(post(apiA, "/api/network/dial", "[".repeat(100_000)).status()).isEqualTo(413);
        assertThat(post(apiA, "/api/network/dial", "[".repeat(60_000)).status()).isEqualTo(400);

        Reply missing = get(apiA, "/api/nothing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("not_found");
        assertThat(get(apiA, "/api/network/dial").status()).isEqualTo(405);
        assertThat(post(apiA, "/api/node", "{}").status()).isEqualTo(405);

        JsonElement big = JsonParser.parseString(post(apiA, "/api/messages",
                "{\"type\": \"t\", \"payload\": \"" + "x".repeat(ApiServer.MAX_MESSAGE_BODY) + "\"}").body());
        assertThat(big.getAsJsonObject().getAsJsonObject("error").get("status").getAsInt()).isEqualTo(413);
        assertThat(get(apiA, "/api/node").status()).isEqualTo(200);
    }

    @Test
    void theDashboardAndMetricsAreServed() throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(apiA.url() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("<html").doesNotContain("http://").doesNotContain("https://");
        assertThat(get(apiA, "/metrics").status()).isEqualTo(200);
    }

    @Test
    void theRealMetricsPageIsServedAsPrometheusText() throws Exception {
        ApiServer real = ApiServer.start(a, new InetSocketAddress("127.0.0.1", 0),
                ApiToken.create(dir.resolve("real").resolve(ApiToken.FILE)));
        closeMe.add(real);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(real.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(NodeMetrics.CONTENT_TYPE);
        assertThat(r.body()).contains("# TYPE loomnet_connections gauge")
                .contains("loomnet_info{network=\"api-test\",node_id=\"" + a.id() + "\"");
    }

    // ---- the DHT ------------------------------------------------------------------------------

    @Test
    void withoutADhtTheDhtEndpointsSaySo() throws Exception {
        Reply r = get(apiA, "/api/dht");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("dht_off");
        assertThat(get(apiA, "/api/dht/peers?info_hash=" + "ab".repeat(20)).status()).isEqualTo(409);
    }

    @Test
    void dhtSummaryAnnounceAndLookup() throws Exception {
        try (org.loomnet.dht.DhtNode boot = org.loomnet.dht.DhtNode.create(
                org.loomnet.dht.DhtConfig.builder().bind("127.0.40.9", 0).build()).start()) {
            Node c = Node.builder().network("api-test").listen("127.0.40.3", 0).targetOutgoing(0)
                    .dht(org.loomnet.dht.DhtConfig.builder().bind("127.0.40.3", 0)
                            .bootstrap(List.of(boot.localAddress())).queryTimeout(Duration.ofMillis(500)).build())
                    .build();
            closeMe.add(c);
            c.start();
            ApiServer apiC = api(c, "c", true);
            Await.until("c's DHT joined", () -> c.dht().counters().routingTableSize() > 0);

            JsonObject summary = get(apiC, "/api/dht").json();
            assertThat(summary.get("id").getAsString()).isEqualTo(c.dht().id().hex());
            assertThat(summary.get("routing_table_nodes").getAsInt()).isPositive();
            assertThat(summary.getAsJsonArray("buckets")).isNotEmpty();

            String hash = "5a".repeat(20);
            Reply announced = post(apiC, "/api/dht/announce", "{\"info_hash\": \"" + hash + "\", \"port\": 7777}");
            assertThat(announced.status()).as(announced.body()).isEqualTo(200);
            assertThat(announced.json().get("accepted").getAsInt()).isPositive();
            // Another node's view: the boot node's store, through a lookup from c.
            Reply found = get(apiC, "/api/dht/peers?info_hash=" + hash);
            assertThat(found.status()).isEqualTo(200);
            assertThat(found.json().getAsJsonArray("peers").asList()).extracting(JsonElement::getAsString)
                    .contains("127.0.40.3:7777");

            assertThat(get(apiC, "/api/dht/peers?info_hash=xyz").status()).isEqualTo(400);
            assertThat(get(apiC, "/api/dht/peers").status()).isEqualTo(400);
            assertThat(post(apiC, "/api/dht/announce", "{\"info_hash\": \"" + hash + "\", \"port\": 0}").status())
                    .isEqualTo(400);
            // 2^64 + 7777: Gson's getAsLong would keep the low bits and announce port 7777.
            assertThat(post(apiC, "/api/dht/announce", "{\"info_hash\": \"" + hash
                    + "\", \"port\": 18446744073709559393}").status()).isEqualTo(400);
            assertThat(post(apiC, "/api/dht/announce", "{\"info_hash\": \"" + hash + "\", \"port\": 7777}", null)
                    .status()).isEqualTo(401);
        }
    }
}
