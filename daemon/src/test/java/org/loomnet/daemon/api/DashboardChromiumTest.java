package org.loomnet.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomnet.connection.ConnectionState;
import org.loomnet.node.ConnectionInfo;
import org.loomnet.node.Node;
import org.loomnet.node.NodeId;

/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven over the DevTools protocol
 * (a WebSocket from the JDK's own {@link HttpClient}). Three nodes on loopback, A connected to B
 * and C; the page must show A's real connections, colour them by quality as it changes, show a
 * hostile peer name as text, say so when the node is gone, and use the token from its fragment.
 *
 * <p>Chromium is part of the build's tools (.ci/run installs it): without it this test fails,
 * with the command that installs it, rather than skipping silently.
 */
class DashboardChromiumTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** Generous: Chromium's first start on a loaded 2-core machine can take many seconds. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** A peer's node name and user agent reach the page from the network: they must stay text. */
    private static final String HOSTILE_NAME = "<img src=x onerror=alert(1)>";
    private static final String HOSTILE_AGENT = "</td><script>alert(2)</script>";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeMe = new ArrayList<>();
    private Node a;
    private Node b;
    private Node c;

    @BeforeAll
    static void chromiumIsInstalled() {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new AssertionError(CHROMIUM + " is missing: this test drives the dashboard in Debian's Chromium. "
                    + "Install it with `apt-get install chromium` (as root; .ci/run does it when it is missing)");
        }
    }

    @BeforeEach
    void threeNodesAConnectedToBAndC() throws Exception {
        a = node(Node.builder().listen("127.0.41.1", 0).nodeName("alpha"));
        b = node(Node.builder().listen("127.0.41.2", 0).nodeName("bravo"));
        c = node(Node.builder().listen("127.0.41.3", 0).nodeName(HOSTILE_NAME).userAgent(HOSTILE_AGENT));
        assertThat(a.dial(b.listenAddress(), false).get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(a.dial(c.listenAddress(), false).get(30, TimeUnit.SECONDS)).isTrue();
        await("A online with B and C", () -> a.connections(), list -> list.stream()
                .filter(i -> i.state() == ConnectionState.ONLINE && i.nodeId() != null)
                .map(ConnectionInfo::nodeId).toList().containsAll(List.of(b.id(), c.id())));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closeMe.size() - 1; i >= 0; i--) {
            closeMe.get(i).close();
        }
    }

    private Node node(Node.Builder builder) {
        Node n = builder.network("dashboard-test").tickInterval(Duration.ofMillis(50))
                .targetOutgoing(0) // connections only where the test dials
                .build();
        closeMe.add(n);
        return n.start();
    }

    private ApiServer api(Node n, boolean loopbackOnly) throws IOException {
        ApiToken token = ApiToken.create(dir.resolve("api-" + closeMe.size()).resolve(ApiToken.FILE));
        ApiServer s = ApiServer.start(n, new InetSocketAddress("127.0.0.1", 0), token,
                () -> new ApiServer.Response(200, "text/plain; charset=utf-8", new byte[0]), loopbackOnly);
        closeMe.add(s);
        return s;
    }

    // ---- the tests ----------------------------------------------------------------------------

    @Test
    void theTableShowsTheRealConnectionsColouredByQuality() throws Exception {
        ApiServer api = api(a, true);
        try (Chromium browser = Chromium.launch(); DevTools page = browser.page()) {
            page.call("Page.enable");
            // Any alert/confirm/prompt would be the hostile name running as script: record it.
            page.call("Page.addScriptToEvaluateOnNewDocument", object("source",
                    "window.__dialogs = []; for (const f of ['alert', 'confirm', 'prompt'])"
                            + " window[f] = m => { window.__dialogs.push(f + ':' + m); };"));
            desktop(page);
            page.call("Page.navigate", object("url", api.url() + "/"));

            // One row per connection, each with the right node id, address and state.
            List<ConnectionInfo> real = a.connections();
            assertThat(real).hasSize(2);
            Snapshot shown = awaitPage(page, "both connections in the table",
                    s -> s.live() && s.rows().size() == 2 && s.rows().stream().allMatch(r -> r.quality().equals("0")));
            for (ConnectionInfo info : real) {
                Views.ConnectionView expected = Views.connection(info);
                Row row = shown.row(info.nodeId());
                assertThat(row).as("a row with data-node-id=" + info.nodeId()).isNotNull();
                assertThat(row.address()).isEqualTo(expected.address());
                assertThat(row.state()).isEqualTo("online").isEqualTo(expected.state());
                assertThat(row.direction()).contains("outbound");
                assertThat(row.qualityClass()).as("quality 0").isEqualTo("q-yellow");
                assertThat(row.rowClasses()).contains("q-yellow");
            }
            assertThat(shown.identityId()).isEqualTo(a.id().toString());
            assertThat(shown.graphPeers()).containsExactlyInAnyOrder(b.id().toString(), c.id().toString());

            // The hostile name and user agent are text: no element was made of them, nothing ran.
            Row hostile = shown.row(c.id());
            assertThat(hostile.name()).isEqualTo(HOSTILE_NAME);
            assertThat(hostile.agent()).isEqualTo(HOSTILE_AGENT);
            assertThat(shown.row(b.id()).name()).isEqualTo("bravo");
            assertThat(shown.images()).as("<img> elements in the page").isZero();
            assertThat(shown.scripts()).as("<script> elements in the page").isEqualTo(1);
            assertThat(shown.dialogs()).as("dialogs opened by the page").isEmpty();

            // Quality changes show at the next refresh: C turns red, B green.
            assertThat(a.adjustQuality(c.id(), -80).get(10, TimeUnit.SECONDS)).isEqualTo(-80);
            assertThat(a.adjustQuality(b.id(), 150).get(10, TimeUnit.SECONDS)).isEqualTo(150);
            Snapshot after = awaitPage(page, "C red and B green",
                    s -> s.rows().size() == 2 && "-80".equals(quality(s, c.id())) && "150".equals(quality(s, b.id())));
            assertThat(after.row(c.id()).qualityClass()).isEqualTo("q-red");
            assertThat(after.row(c.id()).rowClasses()).contains("q-red");
            assertThat(after.row(b.id()).qualityClass()).isEqualTo("q-green");
            assertThat(after.graphClasses()).containsEntry(c.id().toString(), "q-red")
                    .containsEntry(b.id().toString(), "q-green");

            // At a phone's width, nothing sticks out sideways.
            page.call("Emulation.setDeviceMetricsOverride", object("width", 390, "height", 844,
                    "deviceScaleFactor", 1, "mobile", true));
            awaitPage(page, "the page fits 390 px", s -> s.viewportWidth() == 390 && s.pageWidth() <= 390);

            // The node goes away: the page says so (and keeps the last data).
            api.close();
            Snapshot gone = awaitPage(page, "the disconnected state", s -> !s.live() && s.statusText().contains("disconnected"));
            assertThat(gone.banner()).contains("Disconnected from node");
            assertThat(gone.rows()).hasSize(2);
        }
    }

    @Test
    void offLoopbackThePageSendsTheTokenFromItsFragmentInAHeader() throws Exception {
        ApiServer api = api(a, false); // the rules of a public address: every request needs the token
        String token = api.token().value();
        try (Chromium browser = Chromium.launch(); DevTools page = browser.page()) {
            desktop(page);
            page.call("Network.enable");
            // GET / needs the token too at such an address, and a browser never sends a fragment:
            // hand the token to that one document request only. The page's own requests must then
            // carry it themselves, taken from #token=.
            page.call("Fetch.enable", object("patterns", array(object("urlPattern", "*", "resourceType", "Document"))));
            CompletableFuture<JsonObject> navigated = page.send("Page.navigate",
                    object("url", api.url() + "/#token=" + token));
            JsonObject paused = page.nextEvent("Fetch.requestPaused");
            JsonArray headers = new JsonArray();
            for (Map.Entry<String, JsonElement> h : paused.getAsJsonObject("request").getAsJsonObject("headers").entrySet()) {
                headers.add(object("name", h.getKey(), "value", h.getValue().getAsString()));
            }
            headers.add(object("name", "Authorization", "value", "Bearer " + token));
            page.call("Fetch.continueRequest", object("requestId", paused.get("requestId").getAsString(),
                    "headers", headers));
            navigated.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            page.call("Fetch.disable");

            Snapshot shown = awaitPage(page, "the node's data, fetched with the token",
                    s -> s.live() && s.rows().size() == 2);
            assertThat(shown.identityId()).isEqualTo(a.id().toString());
            assertThat(shown.row(b.id())).isNotNull();

            // Every API request the page made carried the token in its header, never in its URL.
            List<JsonObject> apiRequests = page.events("Network.requestWillBeSent").stream()
                    .map(e -> e.getAsJsonObject("request"))
                    .filter(r -> r.get("url").getAsString().contains("/api/"))
                    .toList();
            assertThat(apiRequests).isNotEmpty().allSatisfy(r -> {
                assertThat(r.get("url").getAsString()).doesNotContain(token).doesNotContain("?");
                assertThat(r.getAsJsonObject("headers").get("Authorization").getAsString()).isEqualTo("Bearer " + token);
            });

            // A wrong token: disconnected, with a hint about the token. The right one again: live.
            page.evaluate("location.hash = '#token=" + "0".repeat(64) + "'");
            Snapshot refused = awaitPage(page, "the refused state", s -> !s.live() && s.banner().contains("token"));
            assertThat(refused.statusText()).contains("disconnected from node");
            int before = refused.refreshes();
            page.evaluate("location.hash = '#token=" + token + "'");
            awaitPage(page, "live again", s -> s.live() && s.refreshes() > before);
        }
    }

    // ---- reading the page ---------------------------------------------------------------------

    /** One table row as the page shows it. */
    record Row(String nodeId, String address, String direction, String state, String quality, String qualityClass,
               String rowClasses, String name, String agent) {
    }

    /** What the page shows, read in one evaluation. */
    record Snapshot(boolean live, String statusText, String banner, int refreshes, String identityId, List<Row> rows,
                    List<String> graphPeers, Map<String, String> graphClasses, int images, int scripts,
                    List<String> dialogs, int viewportWidth, int pageWidth) {
        Row row(NodeId id) {
            return rows.stream().filter(r -> r.nodeId().equals(id.toString())).findFirst().orElse(null);
        }
    }

    private static String quality(Snapshot s, NodeId id) {
        Row r = s.row(id);
        return r == null ? null : r.quality();
    }

    /** The page's own camelCase names, as they are (the API's Gson would expect snake_case). */
    private static final Gson PLAIN = new Gson();

    /** Reads the page ({@code returnByValue} brings the object back as JSON), null while it loads. */
    private static final String SNAPSHOT = """
            (() => {
              // null until our page has been parsed completely (its script then ran once, at the end)
              if (document.readyState === 'loading' || !document.getElementById('status')) return null;
              const q = e => ['q-red', 'q-yellow', 'q-green'].filter(k => e.classList.contains(k)).join(' ');
              const text = (root, sel) => root.querySelector(sel).textContent;
              const graph = {};
              for (const p of document.querySelectorAll('#graph .peer')) graph[p.dataset.nodeId] = q(p);
              return {
                live: document.getElementById('status').dataset.state === 'live',
                statusText: document.getElementById('status').textContent,
                banner: document.getElementById('banner').hidden ? '' : document.getElementById('banner').textContent,
                refreshes: Number(document.body.dataset.refreshes || 0),
                identityId: document.querySelector('#identity [data-field=id]').textContent,
                rows: [...document.querySelectorAll('#connections tbody tr.conn')].map(tr => ({
                  nodeId: tr.dataset.nodeId,
                  address: text(tr, '.c-address'),
                  direction: text(tr, '.c-direction'),
                  state: tr.dataset.state,
                  quality: text(tr, '.c-quality'),
                  qualityClass: q(tr.querySelector('.c-quality')),
                  rowClasses: tr.className,
                  name: text(tr, '.peer-name'),
                  agent: text(tr, '.c-agent'),
                })),
                graphPeers: Object.keys(graph),
                graphClasses: graph,
                images: document.querySelectorAll('img, image').length,
                scripts: document.querySelectorAll('script').length,
                dialogs: window.__dialogs || [],
                viewportWidth: document.documentElement.clientWidth,
                pageWidth: document.documentElement.scrollWidth,
              };
            })()""";

    private static Snapshot snapshot(DevTools page) {
        return PLAIN.fromJson(page.evaluate(SNAPSHOT), Snapshot.class);
    }

    private static Snapshot awaitPage(DevTools page, String what, Predicate<Snapshot> ok) throws InterruptedException {
        return await(what, () -> snapshot(page), s -> s != null && ok.test(s));
    }

    private static void desktop(DevTools page) {
        page.call("Emulation.setDeviceMetricsOverride", object("width", 1280, "height", 900,
                "deviceScaleFactor", 1, "mobile", false));
    }

    /** Polls until {@code ok} holds, with a deadline; the failure shows the last value seen. */
    private static <T> T await(String what, java.util.function.Supplier<T> probe, Predicate<T> ok)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        T last = probe.get();
        while (!ok.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
            }
            Thread.sleep(100);
            last = probe.get();
        }
        return last;
    }

    private static JsonObject object(Object... keysAndValues) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            o.add((String) keysAndValues[i], PLAIN.toJsonTree(keysAndValues[i + 1]));
        }
        return o;
    }

    private static JsonArray array(JsonElement... elements) {
        JsonArray a = new JsonArray();
        for (JsonElement e : elements) {
            a.add(e);
        }
        return a;
    }

    // ---- the browser --------------------------------------------------------------------------

    /**
     * A headless Chromium with a fresh profile in a temporary directory, its DevTools endpoint on
     * a free loopback port. Closing it ends the browser and every process it started, then
     * deletes the directory.
     */
    static final class Chromium implements AutoCloseable {
        private final Path home;
        private final Process process;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        private final List<DevTools> sessions = new ArrayList<>();

        private Chromium(Path home, Process process) {
            this.home = home;
            this.process = process;
        }

        static Chromium launch() throws IOException {
            Path home = Files.createTempDirectory("loomnet-chromium-");
            Path profile = Files.createDirectory(home.resolve("profile"));
            List<String> command = List.of(CHROMIUM.toString(),
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile,
                    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                    "--window-size=1280,900", "about:blank");
            Process p;
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(home.resolve("chromium.log").toFile()).start();
            } catch (IOException e) {
                deleteTree(home);
                throw e;
            }
            return new Chromium(home, p);
        }

        /** Connects to the browser's first tab, once the browser is up. */
        DevTools page() throws Exception {
            // With port 0 the browser writes the port it chose into DevToolsActivePort.
            Path portFile = home.resolve("profile").resolve("DevToolsActivePort");
            int port = await("Chromium's DevTools port (see " + home.resolve("chromium.log") + ")", () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("Chromium exited with " + process.exitValue() + ":\n" + log());
                }
                try {
                    List<String> lines = Files.readAllLines(portFile);
                    return lines.size() >= 2 ? Integer.parseInt(lines.get(0).strip()) : 0;
                } catch (NoSuchFileException | NumberFormatException e) {
                    return 0;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, n -> n > 0);
            URI list = URI.create("http://127.0.0.1:" + port + "/json/list");
            String ws = await("a page target in " + list, () -> {
                try {
                    String body = http.send(HttpRequest.newBuilder(list).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    for (JsonElement t : JsonParser.parseString(body).getAsJsonArray()) {
                        JsonObject o = t.getAsJsonObject();
                        if (o.get("type").getAsString().equals("page") && o.has("webSocketDebuggerUrl")) {
                            return o.get("webSocketDebuggerUrl").getAsString();
                        }
                    }
                    return null;
                } catch (IOException e) {
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }, s -> s != null);
            DevTools d = DevTools.connect(http, URI.create(ws));
            sessions.add(d);
            return d;
        }

        private String log() {
            try {
                List<String> lines = Files.readAllLines(home.resolve("chromium.log"), StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        @Override
        public void close() throws Exception {
            try {
                sessions.forEach(DevTools::close);
                // Chromium's helpers (zygotes, renderers, GPU, crash handler) are its descendants
                // only while it lives: note them first, so that none is left behind if it dies hard.
                List<ProcessHandle> helpers = process.descendants().toList();
                process.destroy(); // SIGTERM: Chromium shuts down and takes its helpers with it
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(15, TimeUnit.SECONDS);
                }
                for (ProcessHandle h : helpers) {
                    h.destroyForcibly();
                }
                for (ProcessHandle h : helpers) {
                    h.onExit().get(15, TimeUnit.SECONDS);
                }
            } finally {
                deleteTree(home);
            }
        }

        private static void deleteTree(Path root) throws IOException {
            // A helper may write one last file while going: try again a few times.
            for (int attempt = 1; ; attempt++) {
                try (Stream<Path> all = Files.walk(root)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                    return;
                } catch (NoSuchFileException e) {
                    return;
                } catch (IOException e) {
                    if (attempt == 5) {
                        throw e;
                    }
                }
            }
        }
    }

    /**
     * A DevTools protocol session with one page over a WebSocket: commands are JSON objects with
     * an id, answered by a message with the same id; events have a method and no id.
     */
    static final class DevTools implements WebSocket.Listener, AutoCloseable {
        private final AtomicInteger ids = new AtomicInteger();
        /** Commands sent and not answered yet, by id; failed all at once if the socket goes. */
        private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
        /** Every event received, in order; read by the test thread. */
        private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
        private final List<JsonObject> seenEvents = new ArrayList<>();
        /** A message arriving in parts; only the WebSocket's listener thread touches it. */
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static DevTools connect(HttpClient http, URI uri) throws Exception {
            DevTools d = new DevTools();
            d.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, d).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return d;
        }

        /** Sends a command; the future completes with its result. Call from one thread only. */
        CompletableFuture<JsonObject> send(String method, JsonObject params) {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonObject> answer = new CompletableFuture<>();
            pending.put(id, answer);
            JsonObject message = object("id", id, "method", method);
            message.add("params", params);
            socket.sendText(message.toString(), true).join();
            return answer;
        }

        JsonObject call(String method, JsonObject params) {
            try {
                return send(method, params).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(method + " failed: " + e, e);
            }
        }

        JsonObject call(String method) {
            return call(method, new JsonObject());
        }

        /** Evaluates an expression in the page and returns its value as JSON. */
        JsonElement evaluate(String expression) {
            JsonObject r = call("Runtime.evaluate", object("expression", expression, "returnByValue", true));
            if (r.has("exceptionDetails")) {
                throw new AssertionError("the page threw: " + r.get("exceptionDetails"));
            }
            return r.getAsJsonObject("result").get("value");
        }

        /** Waits for the next event of this kind, keeping the others for {@link #events}. */
        JsonObject nextEvent(String method) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                JsonObject e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no " + method + " event within " + TIMEOUT);
                }
                seenEvents.add(e);
                if (e.get("method").getAsString().equals(method)) {
                    return e.getAsJsonObject("params");
                }
            }
        }

        /** The parameters of every event of this kind received so far. */
        List<JsonObject> events(String method) {
            events.drainTo(seenEvents);
            return seenEvents.stream().filter(e -> e.get("method").getAsString().equals(method))
                    .map(e -> e.getAsJsonObject("params")).toList();
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonObject m = JsonParser.parseString(partial.toString()).getAsJsonObject();
                partial.setLength(0);
                if (m.has("id")) {
                    CompletableFuture<JsonObject> answer = pending.remove(m.get("id").getAsInt());
                    if (answer != null && m.has("error")) {
                        answer.completeExceptionally(new IllegalStateException(m.get("error").toString()));
                    } else if (answer != null) {
                        answer.complete(m.getAsJsonObject("result"));
                    }
                } else {
                    events.add(m);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            failAll(new IllegalStateException("DevTools closed the socket: " + status + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            failAll(error);
        }

        private void failAll(Throwable why) {
            pending.values().forEach(f -> f.completeExceptionally(why));
            pending.clear();
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.abort();
            }
        }
    }
}
