package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.loomnet.node.Node;
import org.loomnet.node.NodeConfig;
import org.loomnet.node.NodeId;
import org.loomnet.node.PeerAddress;
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

    static final String ID_A = "0123456789abcdef0123456789abcdef01234567";
    static final String ID_B = "fedcba9876543210fedcba9876543210fedcba98";

    /** Stands for the user's home directory: nothing here reads or writes the real one. */
    @TempDir
    Path home;

    /** Messages the options reported while building, as "LEVEL text". */
    private final List<String> reported = new ArrayList<>();

    private Main parse(String... args) {
        Main main = Main.parse(args);
        main.options.home = home;
        return main;
    }

    private NodeConfig config(String... args) {
        return parse(args).options.toBuilder((level, m) -> reported.add(level + " " + m)).config();
    }

    private static PeerAddress peer(String host, int port) throws IOException {
        return PeerAddress.of(new InetSocketAddress(InetAddress.getByName(host), port));
    }

    private static PeerAddress peer(String id, String host, int port) throws IOException {
        return new PeerAddress(new InetSocketAddress(InetAddress.getByName(host), port), NodeId.parse(id));
    }

    @Test
    void noFlagsGiveExactlyTheLibraryDefaults() {
        Main main = parse();
        NodeConfig c = main.options.toBuilder((l, m) -> reported.add(m)).config();
        // The one setting the daemon decides itself: where the key lives.
        assertThat(c.dataDir()).isEqualTo(home.resolve(".loomnet").resolve("loomnet-" + NodeConfig.DEFAULT_PORT));
        assertThat(new Node.Builder(c).dataDir(NodeConfig.DEFAULTS.dataDir()).config()).isEqualTo(NodeConfig.DEFAULTS);
        assertThat(c.encryption()).isTrue();
        assertThat(main.logLevel).isEqualTo(LogLevel.INFO);
        assertThat(main.options.peersFile).isNull();
        assertThat(reported).isEmpty();
    }

    @Test
    void theDefaultDataDirDependsOnNetworkAndPort() {
        Path base = home.resolve(".loomnet");
        assertThat(config().dataDir()).isEqualTo(base.resolve("loomnet-7700"));
        assertThat(config("--port", "7701").dataDir()).isEqualTo(base.resolve("loomnet-7701"));
        assertThat(config("--network", "testnet").dataDir()).isEqualTo(base.resolve("testnet-7700"));
        assertThat(config("--network", "testnet", "--port", "7801").dataDir()).isEqualTo(base.resolve("testnet-7801"));
        // A port picked at random has no directory of its own: a fresh identity in memory.
        assertThat(config("--port", "0").dataDir()).isNull();
        // --data-dir wins, port 0 included.
        assertThat(config("--data-dir", "/srv/node-a", "--port", "7801").dataDir()).isEqualTo(Path.of("/srv/node-a"));
        assertThat(config("--data-dir", "/srv/node-a", "--port", "0").dataDir()).isEqualTo(Path.of("/srv/node-a"));
        // Nothing is created by reading the flags.
        assertThat(base).doesNotExist();
    }

    @Test
    void aNetworkNameThatCannotNameADirectoryNeedsDataDir() {
        assertThatThrownBy(() -> config("--network", "../../etc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--network '../../etc' cannot name a directory")
                .hasMessageContaining("give --data-dir");
        assertThat(config("--network", "../../etc", "--data-dir", home.resolve("d").toString()).network())
                .isEqualTo("../../etc");
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
                .contains("--peers-file=FILE")
                .contains("--peers=[NODE_ID@]HOST:PORT")
                .contains("--data-dir=DIR")
                .contains("--plaintext");
        // The same text with picocli's line wrapping undone.
        assertThat(r.out().replaceAll("\\s+", " "))
                .contains("(default: $HOME/.loomnet/NETWORK-PORT")
                .contains("with --port 0, a new id at every start")
                .contains("A node id in front (40 hex digits, then @) pins the peer")
                .contains("For teaching and packet captures only")
                .contains("Both sides must use it: an encrypted and a plaintext node refuse each other.");
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
        Main main = parse("--host", "127.0.0.2", "--port", "7801", "--peers", "127.0.0.3:7701,[::1]:7702",
                "--peers", ID_A + "@127.0.0.4:7703", "--network", "testnet", "--name", "alice", "--max-incoming", "7",
                "--fanout", "3", "--log-level", "DEBUG", "--data-dir", "/srv/alice", "--plaintext");
        NodeConfig c = main.options.toBuilder((l, m) -> reported.add(m)).config();

        assertThat(c.listenAddress()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 7801));
        assertThat(c.specialPeers()).containsExactly(
                peer("127.0.0.3", 7701), peer("::1", 7702), peer(ID_A, "127.0.0.4", 7703));
        assertThat(c.network()).isEqualTo("testnet");
        assertThat(c.nodeName()).isEqualTo("alice");
        assertThat(c.maxIncoming()).isEqualTo(7);
        assertThat(c.fanout()).isEqualTo(3);
        assertThat(c.dataDir()).isEqualTo(Path.of("/srv/alice"));
        assertThat(c.encryption()).isFalse();
        assertThat(main.logLevel).isEqualTo(LogLevel.DEBUG);
        // Nothing else moved.
        assertThat(c.userAgent()).isEqualTo(NodeConfig.DEFAULTS.userAgent());
        assertThat(c.limits()).isEqualTo(NodeConfig.DEFAULTS.limits());
        assertThat(c.idleTimeout()).isEqualTo(NodeConfig.DEFAULTS.idleTimeout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"error", "warn", "info", "debug", "trace", "Info"})
    void logLevelsInAnyCase(String level) {
        assertThat(parse("--log-level", level).logLevel.toString()).isEqualTo(level.toLowerCase());
    }

    @Test
    void peersFileSeedsAreAddedAfterThePeersFlagWithoutDuplicates(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("peers.json"),
                "{\"networks\": {\"loomnet\": [\"127.0.0.5:7800\", \"127.0.0.3:7701\"], \"other\": [\"127.0.0.9:1\"]}}");

        NodeConfig c = config("--peers", "127.0.0.3:7701", "--peers-file", f.toString());

        assertThat(c.specialPeers()).extracting(HostPort::format).containsExactly("127.0.0.3:7701", "127.0.0.5:7800");
    }

    @Test
    void aPinnedPeerParsesToAPeerAddressWithItsNodeId() throws IOException {
        NodeConfig c = config("--peers", ID_A.toUpperCase() + "@127.0.0.3:7701");
        assertThat(c.specialPeers()).containsExactly(peer(ID_A, "127.0.0.3", 7701));
        assertThat(c.specialPeers().get(0).nodeId()).isEqualTo(NodeId.parse(ID_A));
    }

    @Test
    void aPinIsKeptWhereverTheAddressAppearsAgain(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("peers.json"), "{\"networks\": {\"loomnet\": [\"" + ID_A
                + "@127.0.0.3:7701\", \"127.0.0.4:7702\", \"" + ID_B + "@127.0.0.4:7702\", \"" + ID_A + "@127.0.0.4:7702\"]}}");

        NodeConfig c = config("--peers", "127.0.0.3:7701,127.0.0.3:7701", "--peers-file", f.toString());

        // The flag's unpinned entry takes the file's pin; one entry per address, in first-seen order.
        assertThat(c.specialPeers()).extracting(HostPort::format)
                .containsExactly(ID_A + "@127.0.0.3:7701", ID_B + "@127.0.0.4:7702");
        assertThat(reported).filteredOn(m -> m.startsWith("WARN")).containsExactly("WARN peers file " + f + ": 127.0.0.4:7702 is pinned to two node ids, "
                + ID_B + " and " + ID_A + "; skipping seed " + ID_A + "@127.0.0.4:7702");
    }

    @Test
    void peersFileSeedWithABadNodeIdIsSkippedWithAWarning(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("peers.json"), "{\"networks\": {\"loomnet\": [\"123@127.0.0.5:7800\", \""
                + ID_B + "@127.0.0.6:7801\"]}}");

        NodeConfig c = config("--peers-file", f.toString());

        assertThat(c.specialPeers()).containsExactly(peer(ID_B, "127.0.0.6", 7801));
        assertThat(reported).filteredOn(m -> m.startsWith("WARN")).singleElement().satisfies(m -> assertThat(m)
                .startsWith("WARN peers file " + f + ": networks.loomnet[0]: '123@127.0.0.5:7800': node id '123' has 3")
                .endsWith("; skipping this seed"));
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
            "--peers=123@127.0.0.1:7700",
            "--peers=@127.0.0.1:7700",
            "--peers=0123456789abcdef0123456789abcdef0123456z@127.0.0.1:7700",
            "--peers=0123456789abcdef0123456789abcdef01234567@127.0.0.1",
            "--plaintext=maybe",
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
        assertThat(r.errLines()).containsExactly("node: Invalid value for option '--peers' ([NODE_ID@]HOST:PORT): "
                + "'localhost': missing port; expected HOST:PORT or NODE_ID@HOST:PORT (NODE_ID: 40 hex digits), "
                + "IPv6 as [::1]:7700 (see node --help)");
    }

    @Test
    void badNodeIdInPeersNamesTheInputAndTheProblem() {
        Run r = run("--peers", "127.0.0.1:7700,abc@127.0.0.2:7700");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("node: Invalid value for option '--peers' ([NODE_ID@]HOST:PORT): "
                + "'abc@127.0.0.2:7700': node id 'abc' has 3 hex digits, not 40; expected HOST:PORT or "
                + "NODE_ID@HOST:PORT (NODE_ID: 40 hex digits), IPv6 as [::1]:7700 (see node --help)");
    }

    @Test
    void oneAddressPinnedToTwoIdsOnTheCommandLineIsRefused() {
        Run r = run("--peers", ID_A + "@127.0.0.2:7700," + ID_B + "@127.0.0.2:7700");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("node: invalid setting: --peers: 127.0.0.2:7700 is pinned to two "
                + "node ids, " + ID_A + " and " + ID_B + " (see node --help)");
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

            Run r = run("--host", "127.0.0.1", "--port", String.valueOf(port), "--data-dir", home.toString());

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).startsWith("node: cannot listen on 127.0.0.1:" + port + ": ")
                    .contains("in use");
        }
    }

    /**
     * Runs the command with a key file that must be refused. The port is taken: should the key
     * be accepted by mistake, the run ends at the bind instead of running a node.
     */
    private Run runWithKeyFile(Path dataDir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return run("--host=127.0.0.1", "--port=" + taken.getLocalPort(), "--data-dir", dataDir.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "hello\n", "x25519-private 00\ned25519-seed 00\n",
            "x25519-private zz\ned25519-seed zz\n"})
    void aMalformedKeyFileIsOneLineExitCode1AndIsNotReplaced(String content, @TempDir Path dir) throws IOException {
        Path key = Files.writeString(dir.resolve("node.key"), content);

        Run r = runWithKeyFile(dir);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("node: cannot load the node key " + key + ": malformed key file")
                .endsWith("; the file was left as it is (it holds this node's identity)")
                .doesNotContain("Exception"));
        assertThat(Files.readString(key)).isEqualTo(content);
        assertThat(dir.resolve("node.key.tmp")).doesNotExist();
    }

    @Test
    void aKeyFileThatIsNotTextIsOneLine(@TempDir Path dir) throws IOException {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n'};
        Path key = Files.write(dir.resolve("node.key"), binary);

        Run r = runWithKeyFile(dir);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("node: cannot load the node key " + key
                + ": malformed key file: not text; the file was left as it is (it holds this node's identity)");
        assertThat(Files.readAllBytes(key)).isEqualTo(binary);
    }

    @Test
    void anUnreadableKeyFileIsOneLineAndIsLeftAlone(@TempDir Path dir) throws IOException {
        // A directory where the key file should be: unreadable as a file, even for root, who
        // reads files whatever their permissions.
        Path key = Files.createDirectory(dir.resolve("node.key"));
        Files.writeString(key.resolve("keep"), "mine");

        Run r = runWithKeyFile(dir);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("node: cannot load the node key " + key + ": ")
                .endsWith("; the file was left as it is (it holds this node's identity)"));
        assertThat(Files.readString(key.resolve("keep"))).isEqualTo("mine");
    }

    @Test
    void aDataDirThatCannotBeCreatedIsOneLineExitCode1(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "data");
        Path dataDir = file.resolve("node");

        Run r = runWithKeyFile(dataDir);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("node: cannot create the node key " + dataDir.resolve("node.key") + ": ")
                .contains(file.toString()));
        assertThat(Files.readString(file)).isEqualTo("data");
    }
}
