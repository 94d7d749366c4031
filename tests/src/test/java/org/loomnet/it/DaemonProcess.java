package org.loomnet.it;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code node.jar} process, started as an operator starts it ({@code java -jar node.jar ...}),
 * with its stderr kept (in memory and in a log file) and its HTTP API at hand. Used by the crash
 * test and the soak run; both must end every process they start ({@link #kill} or {@link #stop}
 * in a {@code finally} or a shutdown hook).
 */
final class DaemonProcess {

    /** The system property that names the daemon jar; the tests module's POM sets it. */
    static final String JAR_PROPERTY = "loomnet.daemonJar";
    /** The exit code of a JVM ended by SIGKILL: 128 + 9. */
    static final int SIGKILL_EXIT = 137;

    private static final Pattern LISTENING =
            Pattern.compile(" INFO Node - node ([0-9a-f]{40}) listening on (\\S+) \\(network ");
    private static final Pattern API = Pattern.compile(" INFO Main - API and dashboard on (http://\\S+)/ \\(token in (.+)\\)$");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread drain;
    /** Every stderr line so far; guarded by itself. */
    private final List<String> lines = new ArrayList<>();
    private volatile boolean outputEnded;
    private volatile String nodeId;
    private volatile String listenAddress;
    private volatile URI api;
    private volatile String token;

    private DaemonProcess(String name, Process process, Path log) throws IOException {
        this.name = name;
        this.process = process;
        this.log = log;
        BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        this.drain = Thread.ofVirtual().name("stderr-of-" + name).start(() -> drain(out));
    }

    /** The daemon jar: the property the POM sets, else the reactor's path from the tests module. */
    static Path jar() {
        Path jar = Path.of(System.getProperty(JAR_PROPERTY, "../daemon/target/node.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the daemon jar " + jar + " is missing: build it with "
                    + "`mvn -B -q -pl daemon -am package -DskipTests`");
        }
        return jar;
    }

    /**
     * Starts {@code java JVM_OPTIONS -jar node.jar ARGS} with the JDK running this code.
     *
     * @param name    for thread names and messages
     * @param log     where its stderr goes (replaced)
     * @param jvm     JVM options, e.g. {@code -Xmx64m}
     * @param args    the node's flags
     * @return the process, started; {@link #awaitReady} waits for its API
     */
    static DaemonProcess start(String name, Path log, List<String> jvm, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return new DaemonProcess(name, p, log);
    }

    private void drain(BufferedWriter out) {
        try (out; BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                Matcher m = LISTENING.matcher(line);
                if (nodeId == null && m.find()) {
                    nodeId = m.group(1);
                    listenAddress = m.group(2);
                }
                Matcher a = API.matcher(line);
                if (api == null && a.find()) {
                    token = Files.readString(Path.of(a.group(2)), StandardCharsets.US_ASCII).strip();
                    api = URI.create(a.group(1)); // last: readers wait for it
                }
                synchronized (lines) {
                    lines.add(line);
                }
                out.write(line);
                out.newLine();
                out.flush();
            }
        } catch (IOException e) {
            synchronized (lines) {
                lines.add("(reading stderr failed: " + e + ")");
            }
        } finally {
            outputEnded = true;
        }
    }

    /**
     * Waits until the API is up (the daemon's last start-up line); fails at the deadline or if the
     * process ends first.
     *
     * @return this
     */
    DaemonProcess awaitReady(Duration timeout) {
        try {
            Await.until(name + "'s API", () -> api != null || outputEnded, timeout);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; stderr:\n" + tail(40), e);
        }
        if (api == null) {
            throw new AssertionError(name + " ended before its API was up; stderr:\n" + tail(40));
        }
        return this;
    }

    /** @return the name given at start */
    String name() {
        return name;
    }

    /** @return the OS process id */
    long pid() {
        return process.pid();
    }

    /** @return whether the process runs */
    boolean alive() {
        return process.isAlive();
    }

    /** @return the exit code of a process that has ended */
    int exitCode() {
        return process.exitValue();
    }

    /** @return the node id from its "listening on" line, or null before that line */
    String nodeId() {
        return nodeId;
    }

    /** @return HOST:PORT from its "listening on" line */
    String listenAddress() {
        return listenAddress;
    }

    /** @return its stderr log file */
    Path log() {
        return log;
    }

    /** @return a copy of every stderr line so far */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** @return whether a stderr line so far matches */
    boolean logged(Predicate<String> match) {
        synchronized (lines) {
            return lines.stream().anyMatch(match);
        }
    }

    /** @return the last {@code n} stderr lines, one per line */
    String tail(int n) {
        List<String> all = lines();
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    /** {@code GET path} on its API; a status other than 200 is an {@link IOException}. */
    JsonObject get(String pathAndQuery) throws IOException {
        return send(HttpRequest.newBuilder(api.resolve(pathAndQuery)).GET());
    }

    /** {@code POST path} with a JSON body and the token; a status other than 200 or 202 is an {@link IOException}. */
    JsonObject post(String path, JsonObject body) throws IOException {
        return send(HttpRequest.newBuilder(api.resolve(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)));
    }

    private JsonObject send(HttpRequest.Builder request) throws IOException {
        if (api == null) {
            throw new IOException(name + " has no API yet");
        }
        HttpResponse<String> r;
        try {
            r = HTTP.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() != 200 && r.statusCode() != 202) {
            throw new IOException(name + ": " + r.request().method() + " " + r.uri().getPath() + " answered "
                    + r.statusCode() + ": " + r.body());
        }
        JsonElement e = JsonParser.parseString(r.body());
        return e.getAsJsonObject();
    }

    /** The same as {@link #get} for callers that cannot throw. */
    JsonObject getUnchecked(String pathAndQuery) {
        try {
            return get(pathAndQuery);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SIGKILL ({@link Process#destroyForcibly} on Linux): no shutdown hook, no last save. Waits for
     * the process and its output to end.
     *
     * @return the exit code, {@link #SIGKILL_EXIT} if the signal killed it
     */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return awaitExit(Duration.ofSeconds(30));
    }

    /**
     * SIGTERM ({@link Process#destroy}): the daemon's clean stop. Falls back to SIGKILL if it has
     * not ended by the deadline.
     *
     * @return the exit code
     */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return kill();
        }
        return awaitExit(timeout);
    }

    private int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " (pid " + pid() + ") did not end within " + timeout);
        }
        drain.join(timeout); // the log is complete once the pipe is drained
        return process.exitValue();
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ", " + listenAddress + ")";
    }
}
