package org.loomnet.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.loomnet.daemon.Await;
import org.junit.jupiter.api.io.TempDir;
import org.loomnet.daemon.Main;

/** {@code node demo}: its nodes find each other from one seed, exchange messages, and stop cleanly. */
class DemoTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static boolean knowsFromTheDht(Demo.Member m) {
        try {
            return m.node().addressBook().get().stream()
                    .anyMatch(e -> e.sources().contains(org.loomnet.peers.PeerSource.DHT));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theNodesFindEachOtherThroughASeedAndTheDhtAndEveryOneReceivesMessages() throws Exception {
        StringWriter log = new StringWriter();
        Demo demo = Demo.start(4, new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100), "demo-test",
                new PrintWriter(log));
        List<Demo.Member> members = demo.members();
        try {
            Await.until("fully connected (peer exchange found the others)", demo::fullyConnected);
            Await.until("every node received chat and news", () -> members.stream()
                    .allMatch(m -> m.chats().get() > 0 && m.news().get() > 0));
            // The odd nodes had no seed, only node 1's DHT address; every node announces itself in the
            // DHT, and what an announce finds goes into the address book with the source "dht".
            assertThat(members.get(2).node().config().seedPeers()).isEmpty();
            Await.until("an address learned from the DHT", () -> members.stream().anyMatch(DemoTest::knowsFromTheDht));
            String summary = demo.summary();
            assertThat(summary.lines()).hasSize(5);
            assertThat(summary).contains("demo-1").contains("demo-4").contains(members.get(0).api().url());
        } finally {
            demo.close();
        }
        assertThat(members).allSatisfy(m -> assertThat(m.node().connections()).isEmpty());
        assertThat(members).allSatisfy(m -> assertThat(m.api().token().file()).doesNotExist());
    }

    @Test
    void theDemoProcessPrintsTheDashboardAndStopsWithExitCode0OnSigterm(@TempDir Path dir) throws Exception {
        // Output to a file: reading a pipe while the process exits can lose its last lines.
        Path output = dir.resolve("demo.out");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "demo", "--nodes", "3", "--api", "127.0.0.1:0", "--interval", "100ms", "--summary-every", "300ms",
                "--network", "demo-process-test").redirectErrorStream(true).redirectOutput(output.toFile());
        Process p = pb.start();
        try {
            Await.until("connected line", () -> lines(output).contains("every node is connected to every other node"));
            assertThat(lines(output)).anySatisfy(l -> assertThat(l)
                    .matches("dashboard of demo-1: +http://127\\.0\\.0\\.1:\\d+/"));
            p.destroy(); // SIGTERM, as Ctrl-C would
            assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("stopped in time").isTrue();
            List<String> lines = lines(output);
            assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
            assertThat(lines).contains("stopped");
            assertThat(lines).noneSatisfy(l -> assertThat(l).contains("Exception"));
        } finally {
            p.destroyForcibly();
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
