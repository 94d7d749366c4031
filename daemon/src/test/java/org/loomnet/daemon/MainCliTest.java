package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.loomnet.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.Level;

class MainCliTest {

    /** What a run of the command printed and returned. */
    record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    /**
     * Runs the command in-process. Only for command lines that end before a node would run:
     * one that started a node would block until the JVM exits, so a time limit turns that bug
     * into a failure instead of a hang.
     */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args));
        return new Run(code, out.toString(), err.toString());
    }

    /** Messages the options reported while building, as "LEVEL text". */
    private final List<String> reported = new ArrayList<>();

    private NodeConfig config(String... args) {
        return Main.parse(args).options.toBuilder((level, m) -> reported.add(level + " " + m)).config();
    }

    @Test
    void noFlagsGiveExactlyTheLibraryDefaults() {
        Main main = Main.parse();
        assertThat(main.options.toBuilder((l, m) -> reported.add(m)).config()).isEqualTo(NodeConfig.DEFAULTS);
        assertThat(main.logLevel).isEqualTo(LogLevel.INFO);
        assertThat(main.options.peersFile).isNull();
        assertThat(reported).isEmpty();
    }

    @Test
    void helpShowsTheDefaultsOfNodeConfig() {
        Run r = run("--help");
        assertThat(r.exitCode()).isZero();
        NodeConfig d = NodeConfig.DEFAULTS;
        assertThat(r.out())
                .contains("--host=HOST").contains("(default: " + d.listenAddress().getAddress().getHostAddress() + ")")
                .contains("(default: " + NodeConfig.DEFAULT_PORT + ")")
                .contains("(default: " + d.network() + ")")
                .contains("(default: " + d.maxIncoming() + ")")
                .contains("(default: " + d.fanout() + ")")
                .contains("error, warn, info, debug, trace")
                .contains("--peers-file=FILE");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void versionComesFromNodeConfig() {
        Run r = run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().strip()).isEqualTo("loomnet " + NodeConfig.VERSION);
    }

    @Test
    void everyFlagReachesTheConfig() throws Exception {
        Main main = Main.parse("--host", "127.0.0.2", "--port", "7801", "--peers", "127.0.0.3:7701,[::1]:7702",
                "--peers", "127.0.0.4:7703", "--network", "testnet", "--name", "alice", "--max-incoming", "7",
                "--fanout", "3", "--log-level", "DEBUG");
        NodeConfig c = main.options.toBuilder((l, m) -> reported.add(m)).config();

        assertThat(c.listenAddress()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 7801));
        assertThat(c.specialPeers()).containsExactly(
                new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 7701),
                new InetSocketAddress(InetAddress.getByName("::1"), 7702),
                new InetSocketAddress(InetAddress.getByName("127.0.0.4"), 7703));
        assertThat(c.network()).isEqualTo("testnet");
        assertThat(c.nodeName()).isEqualTo("alice");
        assertThat(c.maxIncoming()).isEqualTo(7);
        assertThat(c.fanout()).isEqualTo(3);
        assertThat(main.logLevel).isEqualTo(LogLevel.DEBUG);
        // Nothing else moved.
        assertThat(c.userAgent()).isEqualTo(NodeConfig.DEFAULTS.userAgent());
        assertThat(c.limits()).isEqualTo(NodeConfig.DEFAULTS.limits());
        assertThat(c.idleTimeout()).isEqualTo(NodeConfig.DEFAULTS.idleTimeout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"error", "warn", "info", "debug", "trace", "Info"})
    void logLevelsInAnyCase(String level) {
        assertThat(Main.parse("--log-level", level).logLevel.toString()).isEqualTo(level.toLowerCase());
    }

    @Test
    void peersFileSeedsAreAddedAfterThePeersFlagWithoutDuplicates(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("peers.json"),
                "{\"networks\": {\"loomnet\": [\"127.0.0.5:7800\", \"127.0.0.3:7701\"], \"other\": [\"127.0.0.9:1\"]}}");

        NodeConfig c = config("--peers", "127.0.0.3:7701", "--peers-file", f.toString());

        assertThat(c.specialPeers()).extracting(HostPort::format).containsExactly("127.0.0.3:7701", "127.0.0.5:7800");
    }

    @Test
    void malformedPeersFileWarnsAndTheNodeGetsNoSeeds(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("peers.json"), "{\"networks\": {\"loomnet\": [\"127.0.0.5:7700\",]}}");

        NodeConfig c = config("--peers", "127.0.0.3:7701", "--peers-file", f.toString());

        assertThat(c.specialPeers()).extracting(HostPort::format).containsExactly("127.0.0.3:7701");
        assertThat(reported).anySatisfy(m -> assertThat(m).startsWith(Level.WARN + " peers file " + f + ": not valid JSON"));
    }

    @Test
    void theLastPeersFileWins(@TempDir Path dir) throws IOException {
        // bin/node passes --peers-file first; the user's own comes after it and replaces it.
        Path shipped = Files.writeString(dir.resolve("a.json"), "{\"networks\": {\"loomnet\": [\"127.0.0.5:1\"]}}");
        Path mine = Files.writeString(dir.resolve("b.json"), "{\"networks\": {\"loomnet\": [\"127.0.0.6:2\"]}}");

        NodeConfig c = config("--peers-file", shipped.toString(), "--peers-file", mine.toString());

        assertThat(c.specialPeers()).extracting(HostPort::format).containsExactly("127.0.0.6:2");
    }

    @Test
    void aSeedThatIsThisNodeItselfIsNotDialed(@TempDir Path dir) throws IOException {
        // The shipped peers.json names 127.0.0.1:7700: with the defaults, that is this very node.
        Path f = Files.writeString(dir.resolve("peers.json"), "{\"networks\": {\"loomnet\": [\"127.0.0.1:7700\"]}}");

        assertThat(config("--peers-file", f.toString()).specialPeers()).isEmpty();
        assertThat(config("--peers-file", f.toString(), "--host", "127.0.0.1").specialPeers()).isEmpty();
        assertThat(config("--peers-file", f.toString(), "--port", "7701").specialPeers())
                .extracting(HostPort::format).containsExactly("127.0.0.1:7700");
        assertThat(config("--peers-file", f.toString(), "--host", "127.0.0.2").specialPeers())
                .extracting(HostPort::format).containsExactly("127.0.0.1:7700");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--peers=127.0.0.1",
            "--peers=::1:7700",
            "--peers=127.0.0.1:7700,,127.0.0.2:7700",
            "--peers=127.0.0.1:99999",
            "--peers=bad_host:7700",
            "--host=300.0.0.1",
            "--port=-1",
            "--port=65536",
            "--port=x",
            "--fanout=many",
            "--log-level=loud",
            "--no-such-flag",
            "stray-argument"})
    void badInputIsOneLineAndExitCode2(String arg) {
        Run r = run(arg);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("node: ").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void badHostPortNamesTheInputAndTheExpectedForm() {
        Run r = run("--peers", "127.0.0.1:7700,localhost");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("node: Invalid value for option '--peers' (HOST:PORT): "
                + "'localhost': missing port; expected HOST:PORT, IPv6 as [::1]:7700 (see node --help)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--fanout=0", "--max-incoming=-1", "--network=",
            "--name=a-name-that-is-much-longer-than-the-sixty-four-bytes-a-hello-can-carry"})
    void settingsTheNodeRefusesAreOneLineAndExitCode2(String arg) throws IOException {
        // These pass parsing and are refused when the node is built. The port is taken, so a
        // missed refusal ends in exit code 1 at the bind instead of running a node.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run("--host=127.0.0.1", "--port=" + taken.getLocalPort(), arg);

            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).startsWith("node: invalid setting: ");
        }
    }

    @Test
    void portInUseIsOneLineAndExitCode1() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            Run r = run("--host", "127.0.0.1", "--port", String.valueOf(port));

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).startsWith("node: cannot listen on 127.0.0.1:" + port + ": ")
                    .contains("in use");
        }
    }
}
