package org.loomnet.node;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.loomnet.peers.PeerSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a node with an empty address book finds its first peers, besides its special peers:
 * seed URLs (an HTTP GET returning {@code host:port} lines) and DNS seeds (a host name whose A and
 * AAAA records are peers on the default port, or on {@code host:port}'s port).
 *
 * <p>Runs on its own virtual thread ({@code bootstrap}): DNS lookups and HTTP block, and the
 * processing thread must never wait for them. It asks every source once at start, and again every
 * {@code interval} while the node is short of its outgoing target; what it finds goes to the
 * processing thread as a command, into the address book.
 *
 * <p>Limits: a seed URL gets {@value #HTTP_TIMEOUT_SECONDS} s, must answer 200, and may send at
 * most {@value #MAX_BODY} bytes and {@value #MAX_ENTRIES} entries; more is refused whole, with a
 * warning. Malformed lines are skipped and counted in the warning.
 */
final class Bootstrap {

    static final int HTTP_TIMEOUT_SECONDS = 10;
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_ENTRIES = 1000;

    private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);

    private final List<URI> seedUrls;
    private final List<String> dnsSeeds;
    private final Duration interval;
    private final BooleanSupplier needsPeers;
    private final Consumer<Found> found;
    private volatile boolean stopping;
    private Thread thread;

    /** Addresses from one source. */
    record Found(List<InetSocketAddress> addresses, PeerSource source) {
    }

    Bootstrap(List<URI> seedUrls, List<String> dnsSeeds, Duration interval, BooleanSupplier needsPeers,
              Consumer<Found> found) {
        this.seedUrls = seedUrls;
        this.dnsSeeds = dnsSeeds;
        this.interval = interval;
        this.needsPeers = needsPeers;
        this.found = found;
    }

    void start() {
        if (seedUrls.isEmpty() && dnsSeeds.isEmpty()) {
            return;
        }
        thread = Thread.ofVirtual().name("bootstrap").start(this::run);
    }

    private void run() {
        try {
            do {
                askAll();
                Thread.sleep(interval.toMillis());
            } while (!stopping && waitUntilNeeded());
        } catch (InterruptedException e) {
            // stopping
        }
    }

    private boolean waitUntilNeeded() throws InterruptedException {
        while (!stopping && !needsPeers.getAsBoolean()) {
            Thread.sleep(interval.toMillis());
        }
        return !stopping;
    }

    private void askAll() {
        for (URI url : seedUrls) {
            try {
                found.accept(new Found(fetch(url), PeerSource.URL));
            } catch (IOException e) {
                log.warn("seed URL {}: {}", url, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (String seed : dnsSeeds) {
            try {
                found.accept(new Found(resolve(seed), PeerSource.DNS));
            } catch (IOException e) {
                log.warn("DNS seed {}: {}", seed, e.getMessage());
            }
        }
    }

    /** GET the URL and parse its {@code host:port} lines, within the limits. */
    static List<InetSocketAddress> fetch(URI url) throws IOException, InterruptedException {
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor();
             HttpClient http = HttpClient.newBuilder().executor(vt)
                     .connectTimeout(Duration.ofSeconds(HTTP_TIMEOUT_SECONDS))
                     .followRedirects(HttpClient.Redirect.NEVER).build()) {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(HTTP_TIMEOUT_SECONDS)).GET().build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP status " + response.statusCode() + ", expected 200");
                }
                byte[] bytes = body.readNBytes(MAX_BODY + 1);
                if (bytes.length > MAX_BODY) {
                    throw new IOException("answer larger than " + MAX_BODY + " bytes; ignored");
                }
                return parseLines(new String(bytes, StandardCharsets.UTF_8), url.toString());
            }
        }
    }

    static List<InetSocketAddress> parseLines(String text, String where) throws IOException {
        List<InetSocketAddress> out = new ArrayList<>();
        int bad = 0;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (out.size() >= MAX_ENTRIES) {
                throw new IOException("more than " + MAX_ENTRIES + " entries; ignored");
            }
            try {
                out.addAll(resolve(line, -1));
            } catch (IOException | IllegalArgumentException e) {
                bad++;
            }
        }
        if (bad > 0) {
            log.warn("{}: skipped {} malformed or unresolvable line(s)", where, bad);
        }
        return out;
    }

    /** A DNS seed: every A/AAAA record of the host, on its port or the default port. */
    static List<InetSocketAddress> resolve(String seed) throws IOException {
        return resolve(seed, NodeConfig.DEFAULT_PORT);
    }

    /**
     * @param hostPort    {@code host}, {@code host:port}, {@code [v6]:port}
     * @param defaultPort the port when none is given, or -1 if one is required
     */
    static List<InetSocketAddress> resolve(String hostPort, int defaultPort) throws IOException {
        String host = hostPort;
        int port = defaultPort;
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("unclosed [ in " + hostPort);
            }
            host = hostPort.substring(1, end);
            String rest = hostPort.substring(end + 1);
            if (rest.startsWith(":")) {
                port = Integer.parseInt(rest.substring(1));
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("junk after ] in " + hostPort);
            }
        } else if (hostPort.indexOf(':') >= 0 && hostPort.indexOf(':') == hostPort.lastIndexOf(':')) {
            int colon = hostPort.indexOf(':');
            host = hostPort.substring(0, colon);
            port = Integer.parseInt(hostPort.substring(colon + 1));
        }
        if (port < 1 || port > 65535 || host.isEmpty()) {
            throw new IllegalArgumentException("no valid host and port in " + hostPort);
        }
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IOException("cannot resolve " + host);
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetAddress a : all) {
            out.add(new InetSocketAddress(a, port));
        }
        return out;
    }

    void stop() {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
