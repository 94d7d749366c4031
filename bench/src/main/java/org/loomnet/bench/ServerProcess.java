package org.loomnet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A server program the benchmarks run as a process of its own: the daemon ({@code node.jar}) or a
 * baseline class. Its stderr is read line by line, on a thread of its own, until the process ends:
 * the first line that says "listening on HOST:PORT" marks it ready, every line goes to a listener
 * the benchmark gives, and the last few are kept to explain a failure. Its stdout is discarded.
 *
 * <p>Closing stops it (SIGTERM, then SIGKILL after {@value #STOP_SECONDS} s) and deletes its data
 * directory. A JVM shutdown hook does the same if the benchmark JVM ends first (Ctrl-C), so that
 * no server outlives the benchmark that started it.
 */
final class ServerProcess implements AutoCloseable {

    /** The last argument that asks for a new temporary directory in its place. */
    static final String NEW_DATA_DIR = "--data-dir";

    private static final int STOP_SECONDS = 10;
    private static final int TAIL_LINES = 20;
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");

    private final Process process;
    private final Path dataDir;
    private final long startedNanos;
    private final Thread drain;
    private final Thread cleanup;
    private final Deque<String> tail = new ConcurrentLinkedDeque<>();
    /** Completed with the "listening on" line and the nanoTime it was read, by the drain thread. */
    private final CompletableFuture<Listening> listening = new CompletableFuture<>();

    /**
     * The server's "listening on" line.
     *
     * @param nanos {@link System#nanoTime()} when it was read
     * @param port  the port it names
     * @param line  the whole line
     */
    record Listening(long nanos, int port, String line) {
    }

    private ServerProcess(List<String> command, Consumer<String> lines, boolean withStdin) throws IOException {
        List<String> cmd = new ArrayList<>(command);
        Path dir = null;
        if (cmd.getLast().equals(NEW_DATA_DIR)) {
            dir = Files.createTempDirectory("loomnet-bench-");
            cmd.add(dir.toString());
        }
        this.dataDir = dir;
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (!withStdin) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        startedNanos = System.nanoTime();
        try {
            process = pb.start();
        } catch (IOException e) {
            deleteDataDir();
            throw e;
        }
        drain = Thread.ofPlatform().daemon().name("stderr-" + process.pid()).start(() -> drain(lines));
        cleanup = new Thread(this::stop, "stop-" + process.pid());
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Starts the command; a last argument {@value #NEW_DATA_DIR} gets a new temporary directory,
     * deleted again on {@link #close()}.
     *
     * @param command   the command line
     * @param lines     gets every line of the server's stderr, on the drain thread
     * @param withStdin whether the benchmark talks to it on its stdin ({@link #tell}); else it reads /dev/null
     * @return the running process (not yet listening: see {@link #awaitListening})
     * @throws IOException if it cannot be started
     */
    static ServerProcess start(List<String> command, Consumer<String> lines, boolean withStdin) throws IOException {
        return new ServerProcess(command, lines, withStdin);
    }

    private void drain(Consumer<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!listening.isDone()) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(new Listening(System.nanoTime(), Integer.parseInt(m.group(2)), line));
                    }
                }
                lines.accept(line);
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) {
                    tail.pollFirst();
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        listening.completeExceptionally(new IllegalStateException("exited before \"listening on\": " + tail()));
    }

    /**
     * Waits for the "listening on" line.
     *
     * @param timeout how long to wait
     * @return the line, its port and when it was read
     * @throws IllegalStateException if the process ended first or did not say it within the timeout
     */
    Listening awaitListening(Duration timeout) throws InterruptedException {
        try {
            return listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no \"listening on\" within " + timeout + ": " + process.info().commandLine()
                    .orElse("?") + "; last lines: " + tail());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Writes one line to the server's stdin.
     *
     * @param line the line, without its end
     * @throws IOException if the process no longer reads
     */
    void tell(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** @return the process id */
    long pid() {
        return process.pid();
    }

    /** @return {@link System#nanoTime()} just before the process was started */
    long startedNanos() {
        return startedNanos;
    }

    /**
     * @throws IllegalStateException if the process has ended
     */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the server exited with " + process.exitValue() + "; last lines: " + tail());
        }
    }

    /** @return the last lines of its stderr, joined */
    String tail() {
        return String.join(" | ", tail);
    }

    @Override
    public void close() throws IOException {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: it stops the process too
        }
    }

    /** SIGTERM, SIGKILL if it lingers, then the data directory; safe to call twice. */
    private void stop() {
        try {
            process.destroy();
            if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
            }
            drain.join(TimeUnit.SECONDS.toMillis(STOP_SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            deleteDataDir();
        }
    }

    private void deleteDataDir() {
        if (dataDir == null || !Files.exists(dataDir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dataDir + ": " + e);
        }
    }
}
