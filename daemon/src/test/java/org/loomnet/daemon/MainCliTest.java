package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
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
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;
import org.loomnet.node.Node;
import org.loomnet.node.NodeConfig;
import org.loomnet.node.NodeId;
import org.loomnet.node.PeerAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.Level;
import picocli.CommandLine.Model.OptionSpec;

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
        // The two settings the daemon decides itself: where the key lives, and that a DHT runs (the
        // library's default is none), with the DHT library's defaults but for its port: the TCP port's number.
        assertThat(c.dataDir()).isEqualTo(home.resolve(".loomnet").resolve("loomnet-" + NodeConfig.DEFAULT_PORT));
        assertThat(c.dht()).isEqualTo(org.loomnet.dht.DhtConfig.DEFAULTS.toBuilder()
                .bindAddress(new InetSocketAddress("0.0.0.0", NodeConfig.DEFAULT_PORT)).build());
        assertThat(new Node.Builder(c).dataDir(NodeConfig.DEFAULTS.dataDir()).dht(null).config())
                .isEqualTo(NodeConfig.DEFAULTS);
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
    void helpListsEveryFlagUnderItsSectionWithItsDefault() {
        Run r = run("--help");
        assertThat(r.exitCode()).isZero();
        String help = r.out().replace("\r\n", "\n");
        String flat = help.replaceAll("\\s+", " ");
        List<OptionSpec> options = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getCommandSpec().options();

        // Every flag, by every name, with the default DefaultValues gives it where it has one.
        for (OptionSpec o : options) {
            for (String name : o.names()) {
                assertThat(help).as("--help lists %s", name).containsPattern("(^|[ ,])" + Pattern.quote(name) + "([ =,]|$)");
            }
            String value = DefaultValues.VALUES.get(o.longestName());
            if (value != null && !value.isEmpty() && o.descriptionKey().isEmpty()
                    && String.join(" ", o.description()).contains("${DEFAULT-VALUE}")) {
                String line = flat.substring(flat.indexOf(o.longestName()));
                assertThat(line).as("default of %s", o.longestName())
                        .startsWith(o.longestName()).contains("(default: " + value + ")");
            }
        }
        assertThat(help).doesNotContain("(default: null)");
        // Each flag in exactly one section; the sections in order, none left for "Other".
        List<String> listed = HelpSections.SECTIONS.stream().flatMap(s -> s.flags().stream()).toList();
        assertThat(listed).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(options.stream().map(OptionSpec::longestName).toList());
        assertThat(help).doesNotContain(HelpSections.OTHER + ":");
        assertThat(help.lines().filter(l -> l.endsWith(":") && !l.startsWith(" ")).toList()).containsExactly(
                "Network:", "Peers and discovery:", "DHT:", "Limits:", "Gossip:", "API and dashboard:",
                "Configuration and logging:", "Help:", "Commands:", "Exit codes:");
        for (HelpSections.Section s : HelpSections.SECTIONS) {
            String body = help.substring(help.indexOf("\n" + s.heading() + ":\n"));
            int end = body.indexOf("\n\n");
            String section = end < 0 ? body : body.substring(0, end);
            for (String flag : s.flags()) {
                assertThat(section).as("%s under %s", flag, s.heading()).contains(flag);
            }
        }
        // The new flags, as an operator reads them.
        NodeConfig d = NodeConfig.DEFAULTS;
        assertThat(help)
                .contains("--target-outgoing=N").contains("--max-incoming-per-ip=N")
                .contains("--accepts-per-ip-per-second=N").contains("--seed-url=URL")
                .contains("--dns-seed=HOST[:PORT]").contains("--exclusive ").contains("--exclusive-incoming")
                .contains("--ban-duration=DURATION").contains("--peer-exchange-max=N")
                .contains("--peer-exchange-interval=DURATION").contains("--gossip-max-hops=N")
                .contains("--gossip-cache=N").contains("--gossip-ttl=DURATION").contains("--fanout=N");
        assertThat(flat)
                .contains("(default: " + d.targetOutgoing() + ")")
                .contains("(default: " + d.gossipSeenCapacity() + ")")
                .contains("How long a ban lasts when no other time is given (default: 1d)")
                .contains("this node's clock (default: 5m)")
                .contains("short of peers (default: 1m)")
                .contains("A DURATION is a whole number and a unit, ms, s, m, h or d (30s, 15m, 24h, 7d), or ISO-8601");
        assertThat(help).startsWith("Usage: node [OPTIONS]");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void versionComesFromNodeConfig() {
        Run r = run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().strip()).isEqualTo("loomnet " + NodeConfig.VERSION);
    }

    /** Every flag with a value unlike its default: {@link #everyFlagReachesTheConfig} gives them all. */
    static final String[] EVERY_FLAG = {
            "--host", "127.0.0.2", "--port", "7801", "--network", "testnet", "--name", "alice",
            "--data-dir", "/srv/alice", "--plaintext",
            "--peers", "127.0.0.3:7701,[::1]:7702", "--peers", ID_A + "@127.0.0.4:7703", "--peers-file", "none.json",
            "--seed-url", "https://seeds.example.org/loomnet.txt", "--seed-url", "http://127.0.0.9:8080/peers",
            "--dns-seed", "seed.example.org", "--dns-seed", "[::1]:7704",
            "--target-outgoing", "2", "--exclusive", "--exclusive-incoming",
            "--peer-exchange-max", "9", "--peer-exchange-interval", "90s", "--book-save-interval", "5s",
            "--max-incoming", "7", "--max-incoming-per-ip", "2", "--accepts-per-ip-per-second", "11",
            "--ban-duration", "7d",
            "--fanout", "3", "--gossip-max-hops", "4", "--gossip-cache", "1000", "--gossip-ttl", "PT2M30S",
            "--dht-port", "7809", "--dht-bootstrap", "127.0.0.7:6881,127.0.0.8:6882", "--no-dht",
            "--dht-save-interval", "10s",
            "--api", "127.0.0.1:6499", "--no-api",
            "--log-level", "DEBUG"};

    @Test
    void everyFlagReachesTheConfig(@TempDir Path dir) throws Exception {
        String[] args = EVERY_FLAG.clone();
        Path peersFile = Files.writeString(dir.resolve("peers.json"), "{\"networks\": {\"testnet\": [\"127.0.0.5:7705\"]}}");
        args[List.of(args).indexOf("none.json")] = peersFile.toString();
        Main main = parse(args);
        NodeConfig c = main.options.toBuilder((l, m) -> reported.add(m)).config();

        // Network
        assertThat(c.listenAddress()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 7801));
        assertThat(c.network()).isEqualTo("testnet");
        assertThat(c.nodeName()).isEqualTo("alice");
        assertThat(c.dataDir()).isEqualTo(Path.of("/srv/alice"));
        assertThat(c.encryption()).isFalse();
        // Peers and discovery
        assertThat(c.specialPeers()).containsExactly(
                peer("127.0.0.3", 7701), peer("::1", 7702), peer(ID_A, "127.0.0.4", 7703));
        assertThat(c.seedPeers()).containsExactly(peer("127.0.0.5", 7705).address()); // the file's: seeds, not special
        assertThat(c.seedUrls()).containsExactly(
                URI.create("https://seeds.example.org/loomnet.txt"), URI.create("http://127.0.0.9:8080/peers"));
        assertThat(c.dnsSeeds()).containsExactly("seed.example.org", "[::1]:7704");
        assertThat(c.targetOutgoing()).isEqualTo(2);
        assertThat(c.exclusive()).isTrue();
        assertThat(c.exclusiveIncoming()).isTrue();
        assertThat(c.peerExchangeMax()).isEqualTo(9);
        assertThat(c.peerExchangeInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.bookSaveInterval()).isEqualTo(Duration.ofSeconds(5));
        // Limits
        assertThat(c.maxIncoming()).isEqualTo(7);
        assertThat(c.maxIncomingPerAddress()).isEqualTo(2);
        assertThat(c.acceptsPerAddressPerSecond()).isEqualTo(11);
        assertThat(c.banDuration()).isEqualTo(Duration.ofDays(7));
        // Gossip
        assertThat(c.fanout()).isEqualTo(3);
        assertThat(c.gossipMaxHops()).isEqualTo(4);
        assertThat(c.gossipSeenCapacity()).isEqualTo(1000);
        assertThat(c.gossipTtl()).isEqualTo(Duration.ofSeconds(150));
        // DHT: off (its other flags are checked in theDhtFlagsReachTheDhtConfig)
        assertThat(c.dht()).isNull();
        // The daemon's own
        assertThat(main.api).isEqualTo(new InetSocketAddress("127.0.0.1", 6499));
        assertThat(main.noApi).isTrue();
        assertThat(main.logLevel).isEqualTo(LogLevel.DEBUG);
        // Nothing else moved.
        NodeConfig d = NodeConfig.DEFAULTS;
        assertThat(c.userAgent()).isEqualTo(d.userAgent());
        assertThat(c.limits()).isEqualTo(d.limits());
        assertThat(c.idleTimeout()).isEqualTo(d.idleTimeout());
        assertThat(c.bootstrapInterval()).isEqualTo(d.bootstrapInterval());
    }

    @Test
    void everyFlagIsCoveredByEveryFlagReachesTheConfig() {
        List<String> given = List.of(EVERY_FLAG);
        assertThat(Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getCommandSpec().options())
                .filteredOn(o -> !o.usageHelp() && !o.versionHelp())
                .filteredOn(o -> !o.longestName().equals("--config")) // see theConfigFile* tests
                .allSatisfy(o -> assertThat(given).as("EVERY_FLAG gives %s", o.longestName()).contains(o.longestName()));
    }

    @Test
    void eachNewFlagAloneChangesOnlyItsOwnSetting() {
        NodeConfig d = new Node.Builder(config()).config();
        assertThat(config("--target-outgoing", "0")).isEqualTo(new Node.Builder(d).targetOutgoing(0).config());
        assertThat(config("--max-incoming-per-ip", "1")).isEqualTo(
                new Node.Builder(d).incomingPerAddress(1, d.acceptsPerAddressPerSecond()).config());
        assertThat(config("--accepts-per-ip-per-second", "1")).isEqualTo(
                new Node.Builder(d).incomingPerAddress(d.maxIncomingPerAddress(), 1).config());
        assertThat(config("--seed-url", "https://a.example/s")).isEqualTo(
                new Node.Builder(d).seedUrl(URI.create("https://a.example/s")).config());
        assertThat(config("--dns-seed", "a.example")).isEqualTo(new Node.Builder(d).dnsSeed("a.example").config());
        assertThat(config("--exclusive")).isEqualTo(new Node.Builder(d).exclusive(true, false).config());
        assertThat(config("--exclusive-incoming")).isEqualTo(new Node.Builder(d).exclusive(false, true).config());
        assertThat(config("--ban-duration", "30s")).isEqualTo(new Node.Builder(d).banDuration(Duration.ofSeconds(30)).config());
        assertThat(config("--peer-exchange-max", "1")).isEqualTo(
                new Node.Builder(d).peerExchange(d.peerExchangeInterval(), 1).config());
        assertThat(config("--peer-exchange-interval", "15m")).isEqualTo(
                new Node.Builder(d).peerExchange(Duration.ofMinutes(15), d.peerExchangeMax()).config());
        assertThat(config("--gossip-max-hops", "1")).isEqualTo(
                new Node.Builder(d).gossip(1, d.gossipSeenCapacity(), d.gossipTtl()).config());
        assertThat(config("--gossip-cache", "16")).isEqualTo(
                new Node.Builder(d).gossip(d.gossipMaxHops(), 16, d.gossipTtl()).config());
        assertThat(config("--gossip-ttl", "24h")).isEqualTo(
                new Node.Builder(d).gossip(d.gossipMaxHops(), d.gossipSeenCapacity(), Duration.ofHours(24)).config());
        assertThat(config("--book-save-interval", "2s")).isEqualTo(
                new Node.Builder(d).bookSaveInterval(Duration.ofSeconds(2)).config());
        assertThat(config("--dht-save-interval", "2s")).isEqualTo(new Node.Builder(d)
                .dht(d.dht().toBuilder().saveInterval(Duration.ofSeconds(2)).build()).config());
    }

    @Test
    void seedUrlsAndDnsSeedsAddUpInOrderWithoutDuplicates() {
        NodeConfig c = config("--seed-url", "https://b.example/s", "--dns-seed", "b.example",
                "--seed-url", "https://a.example/s", "--seed-url", " https://b.example/s ",
                "--dns-seed", "a.example:7701", "--dns-seed", "b.example");
        assertThat(c.seedUrls()).containsExactly(URI.create("https://b.example/s"), URI.create("https://a.example/s"));
        assertThat(c.dnsSeeds()).containsExactly("b.example", "a.example:7701");
        // Seeds are asked later, by the node: reading the flags looks nothing up.
        assertThat(reported).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--ban-duration=500ms          | PT0.5S",
            "--ban-duration=30s            | PT30S",
            "--ban-duration=15m            | PT15M",
            "--ban-duration=24h            | PT24H",
            "--ban-duration=7d             | PT168H",
            "--ban-duration=PT1H30M        | PT1H30M",
            "--ban-duration=P2D            | PT48H",
            "--gossip-ttl=90s              | PT90S",
            "--peer-exchange-interval=2m   | PT2M"})
    void durationFlagsTakeAUnitOrIso8601(String arg, String iso) {
        NodeConfig c = config(arg);
        Duration d = Duration.parse(iso);
        assertThat(arg.startsWith("--ban-duration") ? c.banDuration()
                : arg.startsWith("--gossip-ttl") ? c.gossipTtl() : c.peerExchangeInterval()).isEqualTo(d);
    }

    @Test
    void theDefaultsAreNodeConfigDefaultsAsTheFlagsTakeThem() {
        NodeConfig d = NodeConfig.DEFAULTS;
        assertThat(DefaultValues.VALUES).contains(
                entry("--target-outgoing", String.valueOf(d.targetOutgoing())),
                entry("--max-incoming-per-ip", String.valueOf(d.maxIncomingPerAddress())),
                entry("--accepts-per-ip-per-second", String.valueOf(d.acceptsPerAddressPerSecond())),
                entry("--exclusive", String.valueOf(d.exclusive())),
                entry("--exclusive-incoming", String.valueOf(d.exclusiveIncoming())),
                entry("--peer-exchange-max", String.valueOf(d.peerExchangeMax())),
                entry("--gossip-max-hops", String.valueOf(d.gossipMaxHops())),
                entry("--gossip-cache", String.valueOf(d.gossipSeenCapacity())));
        assertThat(Durations.parse(DefaultValues.VALUES.get("--ban-duration"))).isEqualTo(d.banDuration());
        assertThat(Durations.parse(DefaultValues.VALUES.get("--peer-exchange-interval"))).isEqualTo(d.peerExchangeInterval());
        assertThat(Durations.parse(DefaultValues.VALUES.get("--gossip-ttl"))).isEqualTo(d.gossipTtl());
        assertThat(Durations.parse(DefaultValues.VALUES.get("--book-save-interval"))).isEqualTo(d.bookSaveInterval());
        assertThat(Durations.parse(DefaultValues.VALUES.get("--dht-save-interval")))
                .isEqualTo(org.loomnet.dht.DhtConfig.DEFAULTS.saveInterval());
        // The list flags have no default of their own: they add to these, which help calls "none".
        assertThat(d.seedUrls()).isEmpty();
        assertThat(d.dnsSeeds()).isEmpty();
        assertThat(d.specialPeers()).isEmpty();
        // And parsed with no flags, each takes exactly its default (the whole config, in noFlagsGive...).
        Main main = parse();
        NodeOptions o = main.options;
        assertThat(List.of(o.targetOutgoing, o.maxIncomingPerIp, o.acceptsPerIpPerSecond, o.peerExchangeMax,
                o.gossipMaxHops, o.gossipCache)).containsExactly(d.targetOutgoing(), d.maxIncomingPerAddress(),
                d.acceptsPerAddressPerSecond(), d.peerExchangeMax(), d.gossipMaxHops(), d.gossipSeenCapacity());
        assertThat(List.of(o.banDuration, o.peerExchangeInterval, o.gossipTtl, o.bookSaveInterval, o.dhtSaveInterval))
                .containsExactly(d.banDuration(), d.peerExchangeInterval(), d.gossipTtl(), d.bookSaveInterval(),
                        org.loomnet.dht.DhtConfig.DEFAULTS.saveInterval());
        assertThat(o.exclusive).isEqualTo(d.exclusive());
        assertThat(o.exclusiveIncoming).isEqualTo(d.exclusiveIncoming());
        assertThat(o.seedUrls).isEmpty();
        assertThat(o.dnsSeeds).isEmpty();
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

        // The flag's peer is special; the file's other entry is a seed for the address book.
        assertThat(c.specialPeers()).extracting(HostPort::format).containsExactly("127.0.0.3:7701");
        assertThat(c.seedPeers()).extracting(HostPort::format).containsExactly("127.0.0.5:7800");
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

        assertThat(c.seedPeers()).extracting(HostPort::format).containsExactly("127.0.0.6:2");
    }

    @Test
    void aSeedThatIsThisNodeItselfIsNotDialed(@TempDir Path dir) throws IOException {
        // The shipped peers.json names 127.0.0.1:7700: with the defaults, that is this very node.
        Path f = Files.writeString(dir.resolve("peers.json"), "{\"networks\": {\"loomnet\": [\"127.0.0.1:7700\"]}}");

        assertThat(config("--peers-file", f.toString()).seedPeers()).isEmpty();
        assertThat(config("--peers-file", f.toString(), "--host", "127.0.0.1").seedPeers()).isEmpty();
        assertThat(config("--peers-file", f.toString(), "--port", "7701").seedPeers())
                .extracting(HostPort::format).containsExactly("127.0.0.1:7700");
        assertThat(config("--peers-file", f.toString(), "--host", "127.0.0.2").seedPeers())
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
            "--seed-url=ftp://seeds.example.org/",
            "--seed-url=seeds.example.org",
            "--seed-url=http://",
            "--seed-url=http://a b/",
            "--seed-url=https://seeds.example.org:99999/",
            "--seed-url=",
            "--dns-seed=",
            "--dns-seed=::1",
            "--dns-seed=seed.example.org:0",
            "--dns-seed=bad_host",
            "--ban-duration=30",
            "--ban-duration=abc",
            "--ban-duration=0s",
            "--ban-duration=-5s",
            "--ban-duration=PT-5S",
            "--ban-duration=1.5h",
            "--ban-duration=999999999999999999d",
            "--ban-duration=",
            "--gossip-ttl=forever",
            "--peer-exchange-interval=10x",
            "--target-outgoing=x",
            "--target-outgoing=",
            "--max-incoming-per-ip=1.5",
            "--accepts-per-ip-per-second=fast",
            "--gossip-cache=99999999999",
            "--gossip-max-hops=x",
            "--peer-exchange-max=1e3",
            "--exclusive=maybe",
            "--exclusive-incoming=maybe",
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

    @Test
    void aBadSeedUrlNamesTheInputAndTheExpectedForm() {
        Run r = run("--seed-url", "ftp://seeds.example.org/peers.txt");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("node: Invalid value for option '--seed-url' (URL): "
                + "'ftp://seeds.example.org/peers.txt': scheme 'ftp' is not http or https; "
                + "expected an http:// or https:// URL such as https://seeds.example.org/peers.txt (see node --help)");
    }

    @Test
    void aBadDurationNamesTheInputAndTheExpectedForms() {
        Run r = run("--ban-duration", "30");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("node: Invalid value for option '--ban-duration': "
                + "'30' has no unit; expected a whole number and a unit (ms, s, m, h, d) such as 30s, 15m, 24h, 7d, "
                + "or ISO-8601 such as PT15M (see node --help)");
    }

    @Test
    void aBadNumberNamesTheFlag() {
        Run r = run("--target-outgoing", "many");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("node: Invalid value for option '--target-outgoing': 'many' is not an int"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--target-outgoing=-1          | --target-outgoing must be at least 0: -1",
            "--max-incoming-per-ip=0       | --max-incoming-per-ip must be at least 1: 0",
            "--accepts-per-ip-per-second=0 | --accepts-per-ip-per-second must be at least 1: 0",
            "--peer-exchange-max=0         | --peer-exchange-max must be at least 1: 0",
            "--peer-exchange-max=1025      | --peer-exchange-max must be at most 1024",
            "--gossip-max-hops=0           | --gossip-max-hops must be at least 1: 0",
            "--gossip-cache=15             | --gossip-cache must be at least 16: 15",
            "--fanout=0                    | --fanout must be at least 1: 0",
            "--max-incoming=-1             | --max-incoming must be at least 0: -1"})
    void aSettingOutOfRangeIsNamedByItsFlag(String arg, String message) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run("--host=127.0.0.1", "--port=" + taken.getLocalPort(), arg);

            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.errLines()).containsExactly("node: invalid setting: " + message + " (see node --help)");
        }
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
    void apiPortInUseIsOneLineAndExitCode1() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            Run r = run("--host", "127.0.0.1", "--port", "0", "--no-dht", "--api", "127.0.0.1:" + port);

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).startsWith("node: cannot listen for the API on 127.0.0.1:" + port + ": ")
                    .contains("--no-api");
        }
    }

    @Test
    void dhtPortInUseIsOneLineAndExitCode1() throws IOException {
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            Run r = run("--host", "127.0.0.1", "--port", "0", "--dht-port", String.valueOf(port), "--no-api");

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).contains("DHT").contains(String.valueOf(port));
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

    // ---- --config -----------------------------------------------------------------------------

    private Path configFile(Path dir, String json) throws IOException {
        return Files.writeString(dir.resolve("node.json"), json);
    }

    @Test
    void theConfigFileSetsFlagsAndTheCommandLineWins(@TempDir Path dir) throws IOException {
        Path file = configFile(dir, """
                {"host": "127.0.0.2", "port": 7801, "network": "testnet", "name": "from-file",
                 "peers": ["127.0.0.3:7701", "127.0.0.4:7702"], "plaintext": true, "fanout": 5,
                 "ban-duration": "2h", "api": "127.0.0.1:6499", "log-level": "debug", "exclusive": false}
                """);
        Main fileOnly = parse("--config", file.toString(), "--data-dir", dir.toString());
        NodeConfig c = fileOnly.options.toBuilder((l, m) -> { }).config();
        assertThat(c.listenAddress()).isEqualTo(new InetSocketAddress("127.0.0.2", 7801));
        assertThat(c.network()).isEqualTo("testnet");
        assertThat(c.nodeName()).isEqualTo("from-file");
        assertThat(c.specialPeers()).extracting(PeerAddress::address).containsExactly(
                new InetSocketAddress("127.0.0.3", 7701), new InetSocketAddress("127.0.0.4", 7702));
        assertThat(c.encryption()).isFalse();
        assertThat(c.fanout()).isEqualTo(5);
        assertThat(c.banDuration()).isEqualTo(Duration.ofHours(2));
        assertThat(c.exclusive()).isFalse();
        assertThat(fileOnly.api).isEqualTo(new InetSocketAddress("127.0.0.1", 6499));
        assertThat(fileOnly.logLevel).isEqualTo(LogLevel.DEBUG);

        // Flags win, lists included: the command line's peers replace the file's.
        Main both = parse("--port", "7900", "--config", file.toString(), "--peers", "127.0.0.9:7709",
                "--data-dir", dir.toString());
        NodeConfig d = both.options.toBuilder((l, m) -> { }).config();
        assertThat(d.listenAddress().getPort()).isEqualTo(7900);
        assertThat(d.specialPeers()).extracting(PeerAddress::address)
                .containsExactly(new InetSocketAddress("127.0.0.9", 7709));
        assertThat(d.nodeName()).isEqualTo("from-file");
    }

    @Test
    void theConfigFileWinsOverTheDefaults(@TempDir Path dir) throws IOException {
        Path file = configFile(dir, "{\"max-incoming\": 7}");
        assertThat(config("--config", file.toString()).maxIncoming()).isEqualTo(7);
        assertThat(config().maxIncoming()).isEqualTo(NodeConfig.DEFAULTS.maxIncoming());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"prot\": 7700}                 | unknown key \"prot\"",
        "{\"port\": \"seventy\"}          | '--port'",
        "{\"port\": [7700, 7701]}         | takes one value, not a list",
        "{\"plaintext\": \"yes\"}         | \"plaintext\" must be true or false",
        "{\"peers\": [{\"a\": 1}]}        | must be a string or a number",
        "{\"config\": \"other.json\"}     | unknown key \"config\"",
        "[1, 2]                           | must hold a JSON object",
        "{\"port\": 7700                  | not valid JSON"})
    void aBadConfigFileIsOneLineNamingTheFileAndExitCode2(String json, String expected, @TempDir Path dir)
            throws IOException {
        Path file = configFile(dir, json);
        Run r = run("--config", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("node: config file " + file + ": ").contains(expected);
    }

    @Test
    void aMissingConfigFileIsOneLine(@TempDir Path dir) {
        Run r = run("--config", dir.resolve("nope.json").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("node: config file " + dir.resolve("nope.json") + ": no such file");
    }

    // ---- the DHT ------------------------------------------------------------------------------

    @Test
    void theDhtRunsByDefaultOnTheTcpPortNumber() {
        NodeConfig c = config("--host", "127.0.0.2", "--port", "7805");
        assertThat(c.dht()).isNotNull();
        assertThat(c.dht().bindAddress()).isEqualTo(new InetSocketAddress("127.0.0.2", 7805));
        assertThat(c.dht().bootstrap()).isEmpty();
        assertThat(config("--port", "0").dht().bindAddress().getPort()).isZero();
    }

    @Test
    void theDhtFlagsReachTheDhtConfig() {
        NodeConfig c = config("--host", "127.0.0.2", "--dht-port", "7809",
                "--dht-bootstrap", "127.0.0.7:6881,127.0.0.8:6882", "--dht-bootstrap", "127.0.0.7:6881");
        assertThat(c.dht().bindAddress()).isEqualTo(new InetSocketAddress("127.0.0.2", 7809));
        assertThat(c.dht().bootstrap()).containsExactly(
                new InetSocketAddress("127.0.0.7", 6881), new InetSocketAddress("127.0.0.8", 6882));
        assertThat(c.dht().saveInterval()).isEqualTo(org.loomnet.dht.DhtConfig.DEFAULTS.saveInterval());
        assertThat(config("--dht-save-interval", "1500ms").dht().saveInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config("--no-dht").dht()).isNull();
    }

    @Test
    void anIpv6HostNeedsNoDht() {
        assertThat(config("--host", "::").dht().bindAddress().getAddress().isAnyLocalAddress()).isTrue();
        assertThatThrownBy(() -> config("--host", "::1")).hasMessageContaining("the DHT speaks IPv4 only");
        assertThat(config("--host", "::1", "--no-dht").dht()).isNull();
    }

    @Test
    void peersFileNoneMeansNoPeersFile() {
        NodeConfig c = config("--peers-file", "none");
        assertThat(c.seedPeers()).isEmpty();
        assertThat(reported).isEmpty(); // no warning about a missing file
    }
}
