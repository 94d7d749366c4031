package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.loomnet.crypto.Identity;
import org.loomnet.node.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command in its own JVM, as an operator runs it: what it logs, and that SIGTERM stops
 * it with exit code 0. Loopback only, port 0.
 */
class MainProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The core's first line: {@code ... [main] INFO Node - node <id> listening on <host:port> (network <name>)}. */
    private static final Pattern LISTENING =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[main\\] INFO Node - node ([0-9a-f]{40}) listening on ([0-9.]+):(\\d+) \\(network (\\S+)\\)");
    private static final String EOF = "\u0000end of output";

    @TempDir
    Path home;

    private final List<Daemon> daemons = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Daemon d : daemons) {
            if (d.process.isAlive()) {
                d.process.destroyForcibly();
                d.process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /** A running {@code node} process and the lines it wrote to stderr. */
    private final class Daemon {
        final Process process;
        private final BlockingQueue<String> incoming = new LinkedBlockingQueue<>();
        /** Lines already taken from {@link #incoming}, in order. */
        final List<String> seen = new ArrayList<>();
        private boolean ended;

        Daemon(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--api", "127.0.0.1:0")); // never the fixed default port: daemons run side by side
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("HOME", home.toString()); // the default data dir, should one be used
            process = pb.start();
            daemons.add(this);
            Thread.ofVirtual().name("stderr-of-" + process.pid()).start(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        incoming.add(line);
                    }
                } catch (IOException e) {
                    incoming.add("(reading stderr failed: " + e + ")");
                } finally {
                    incoming.add(EOF);
                }
            });
        }

        /** The first line, seen or to come, that matches; fails at the deadline or at the end of the output. */
        String awaitLine(Predicate<String> match, String what) throws InterruptedException {
            for (String line : seen) {
                if (match.test(line)) {
                    return line;
                }
            }
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!ended) {
                String line = incoming.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null) {
                    break;
                }
                if (line.equals(EOF)) {
                    ended = true;
                    break;
                }
                seen.add(line);
                if (match.test(line)) {
                    return line;
                }
            }
            throw new AssertionError((ended ? "output ended" : "timed out after " + TIMEOUT) + " waiting for " + what
                    + "; stderr so far:\n" + String.join("\n", seen));
        }

        /** Every line, once the output has ended. */
        List<String> allLines() throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!ended) {
                String line = incoming.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("output did not end within " + TIMEOUT + ":\n" + String.join("\n", seen));
                }
                if (line.equals(EOF)) {
                    ended = true;
                } else {
                    seen.add(line);
                }
            }
            return seen;
        }

        /** Sends SIGTERM, as the operator's Ctrl-C or a service manager would, and returns the exit code. */
        int stop() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("stopped in time").isTrue();
            return process.exitValue();
        }
    }

    /** The id and port the first INFO line names; that line must be the core's "listening" line. */
    private static Matcher listening(Daemon d) throws InterruptedException {
        String first = d.awaitLine(l -> l.contains(" INFO "), "the first INFO line");
        Matcher m = LISTENING.matcher(first);
        assertThat(m.matches()).as("first INFO line is the node id: %s", first).isTrue();
        return m;
    }

    @Test
    void twoDaemonsConnectEncryptedLogEachOthersIdAndKeepTheirIdsAcrossRestarts(@TempDir Path dir) throws Exception {
        Path dirA = dir.resolve("a");
        Path dirB = dir.resolve("b");
        // A peers file with nothing for this network: its note (INFO) must come after the id line.
        Path peersFile = Files.writeString(dir.resolve("peers.json"), "{\"networks\": {\"other\": []}}");

        Daemon a = new Daemon("--host", "127.0.4.1", "--port", "0", "--network", "process-test",
                "--data-dir", dirA.toString(), "--peers-file", peersFile.toString());
        Matcher la = listening(a);
        String idA = la.group(1);
        String addressA = la.group(2) + ":" + la.group(3);
        assertThat(addressA).startsWith("127.0.4.1:");
        // The id in the log is the one the key file on disk gives.
        assertThat(NodeId.of(Identity.loadOrCreate(dirA).nodeId())).hasToString(idA);
        a.awaitLine(l -> l.endsWith("INFO Main - new node key written to " + dirA.resolve("node.key")), "the key note");
        a.awaitLine(l -> l.contains("lists no seeds for network 'process-test'"), "the peers file note");

        // b pins a with the id from a's log.
        Daemon b = new Daemon("--host", "127.0.4.2", "--port", "0", "--network", "process-test",
                "--data-dir", dirB.toString(), "--peers", idA + "@" + addressA);
        String idB = listening(b).group(1);
        assertThat(idB).isNotEqualTo(idA);

        a.awaitLine(l -> l.contains("INFO Node - connected from " + idB + " "), "a logs b's id");
        b.awaitLine(l -> l.contains("INFO Node - connected to " + idA + " 127.0.4.1:"), "b logs a's id");
        assertThat(a.seen).noneMatch(l -> l.contains("WARN") || l.contains("ERROR"));
        assertThat(b.seen).noneMatch(l -> l.contains("WARN") || l.contains("ERROR"));

        assertThat(b.stop()).isZero();
        a.awaitLine(l -> l.contains("disconnected " + idB) && l.contains("node shutting down"), "a sees b leave");
        assertThat(a.stop()).isZero();

        // Restarted on the same data directory (and another port): the same id.
        Daemon again = new Daemon("--host", "127.0.4.1", "--port", "0", "--network", "process-test",
                "--data-dir", dirA.toString());
        assertThat(listening(again).group(1)).isEqualTo(idA);
        again.awaitLine(l -> l.endsWith("INFO Main - node key loaded from " + dirA.resolve("node.key")), "the key note");
        assertThat(again.stop()).isZero();
    }

    @Test
    void aBadKeyFileStopsTheDaemonWithOneLine(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("node.key"), "not a key\n");

        Daemon d = new Daemon("--host", "127.0.4.3", "--port", "0", "--data-dir", dir.toString());

        assertThat(d.process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(d.process.exitValue()).isEqualTo(1);
        // One line and nothing else: no stack trace, no INFO line.
        assertThat(d.allLines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("node: cannot load the node key " + key + ": malformed key file"));
        assertThat(Files.readString(key)).isEqualTo("not a key\n");
    }
}
