package org.loomnet.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loomnet.daemon.Await;
import org.junit.jupiter.api.io.TempDir;
import org.loomnet.daemon.Main;
import org.loomnet.daemon.api.ApiServer;
import org.loomnet.daemon.api.ApiToken;
import org.loomnet.node.Node;
import picocli.CommandLine;

/** The client subcommands against a running node's API, as an operator types them. */
class ClientCommandsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeMe = new ArrayList<>();
    private Node a;
    private Node b;
    private ApiServer api;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void nodes() throws IOException {
        a = start("127.0.42.1");
        b = start("127.0.42.2");
        api = ApiServer.start(a, new InetSocketAddress("127.0.0.1", 0), ApiToken.create(dir.resolve(ApiToken.FILE)),
                () -> new ApiServer.Response(200, "text/plain", new byte[0]));
        closeMe.add(api);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closeMe.size() - 1; i >= 0; i--) {
            closeMe.get(i).close();
        }
    }

    private Node start(String host) {
        Node n = Node.builder().network("cli-test").listen(host, 0).nodeName("node " + host)
                .tickInterval(Duration.ofMillis(50)).targetOutgoing(0).build();
        closeMe.add(n);
        return n.start();
    }

    /** Runs {@code node ARGS --api <a's API>} as the jar's main would. */
    private Run run(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--api");
        all.add(api.address().getAddress().getHostAddress() + ":" + api.address().getPort());
        int code = cl.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private String bAddress() {
        return "127.0.42.2:" + b.listenAddress().getPort();
    }

    @Test
    void statusShowsTheNode() throws Exception {
        Run r = run("status");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("node id +" + a.id())
                .containsPattern("network +cli-test \\(network id [0-9a-f]{8}\\)")
                .containsPattern("listening +127\\.0\\.42\\.1:\\d+, encrypted");
    }

    @Test
    void dialThenConnectionsAndPeersAsAlignedTables() throws Exception {
        Run dial = run("dial", bAddress());
        assertThat(dial.exitCode()).as(dial.err()).isZero();
        assertThat(dial.out().strip()).isEqualTo("dialing " + bAddress());
        Await.until("connected", () -> a.peers().contains(b.id()));

        Run c = run("connections");
        assertThat(c.exitCode()).isZero();
        List<String> lines = c.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("NODE ID").contains("ADDRESS").contains("QUALITY");
        assertThat(lines.get(1)).startsWith(b.id().toString()).contains(bAddress()).contains("outbound")
                .contains("online");
        // Aligned: each heading starts where its column does.
        assertThat(lines.get(1).indexOf(bAddress())).isEqualTo(lines.get(0).indexOf("ADDRESS"));

        Run json = run("connections", "--json");
        assertThat(JsonParser.parseString(json.out()).getAsJsonObject().get("count").getAsInt()).isEqualTo(1);

        Run p = run("peers");
        assertThat(p.out()).contains(bAddress()).contains("tried");
    }

    @Test
    void sendBroadcastGossipAndMessages() throws Exception {
        run("dial", bAddress());
        Await.until("connected", () -> a.peers().contains(b.id()) && b.peers().contains(a.id()));
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        b.subscribeAll(m -> got.add(m.type() + ":" + new String(m.payload(), StandardCharsets.UTF_8)));

        assertThat(run("send", b.id().toString(), "chat", "hi b").out().strip())
                .isEqualTo("sent chat (4 bytes) to " + b.id());
        assertThat(run("broadcast", "chat", "hi all", "--to", "all").out().strip())
                .isEqualTo("sent chat (6 bytes) to 1 peer(s)");
        assertThat(run("gossip", "news", "flood").out().strip()).isEqualTo("sent news (5 bytes) to 1 peer(s)");
        Path file = Files.write(dir.resolve("payload.bin"), new byte[] {1, 2, 3});
        assertThat(run("broadcast", "bin", "--file", file.toString()).exitCode()).isZero();
        Await.until("b got all four", () -> got.size() == 4);
        assertThat(got).contains("chat:hi b", "chat:hi all", "news:flood");

        b.send(a.id(), "reply", "thanks".getBytes(StandardCharsets.UTF_8));
        Await.until("a got the reply", () -> a.counters().messagesReceived() == 1);
        Await.until("the reply is listed", () -> {
            try {
                return run("messages").out().contains("thanks");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void banUnbanAndDisconnect() throws Exception {
        run("dial", bAddress());
        Await.until("connected", () -> a.peers().contains(b.id()));
        assertThat(run("disconnect", b.id().toString()).out().strip()).isEqualTo("disconnected " + b.id());
        Run ban = run("ban", "127.0.42.9", "--duration", "2h");
        assertThat(ban.out().strip()).isEqualTo("banned 127.0.42.9 for 2h; 0 connection(s) closed");
        assertThat(run("unban", "127.0.42.9").out().strip()).isEqualTo("unbanned 127.0.42.9");
    }

    @Test
    void refusalsAreOneLineOnStderrWithExitCode1() throws Exception {
        Run unknown = run("disconnect", "ab".repeat(20));
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err().strip()).isEqualTo("node disconnect: no connected peer has node id " + "ab".repeat(20));
        assertThat(unknown.out()).isEmpty();

        Run notBanned = run("unban", "127.0.42.8");
        assertThat(notBanned.err().strip()).isEqualTo("node unban: 127.0.42.8 is not banned");

        Run noPayload = run("broadcast", "chat");
        assertThat(noPayload.exitCode()).isEqualTo(1);
        assertThat(noPayload.err()).contains("give the payload as TEXT or --file FILE");

        Run badToken = run("dial", bAddress(), "--token-file", dir.resolve("missing").toString());
        assertThat(badToken.exitCode()).isEqualTo(1);
        assertThat(badToken.err()).contains("no such file");
    }

    @Test
    void noNodeAnsweringIsOneLine() throws Exception {
        api.close();
        Run r = run("status");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("node status: no node answers at http://127.0.0.1:");
    }

    @Test
    void aTableAlignsAndRightAlignsNumbers() {
        String t = new TextTable("NAME", "COUNT>").row("a", 5).row("longer", 12345).toString();
        assertThat(t).isEqualTo("NAME    COUNT\na           5\nlonger  12345\n");
    }

    @Test
    void everySubcommandHasHelpAndTheNodesVersion() throws Exception {
        for (String[] cmd : new String[][] {{"status"}, {"dial"}, {"dht", "lookup"}, {"demo"}}) {
            String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
            args[cmd.length] = "--version";
            Run v = run(args);
            assertThat(v.out().strip()).as(String.join(" ", cmd)).isEqualTo("loomnet " + org.loomnet.node.NodeConfig.VERSION);
            args[cmd.length] = "--help";
            assertThat(run(args).out()).as(String.join(" ", cmd)).startsWith("Usage: node " + String.join(" ", cmd));
        }
        StringWriter err = new StringWriter();
        int bare = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true)).execute("dht");
        assertThat(bare).isEqualTo(2);
        assertThat(err.toString()).contains("node dht: give a subcommand, lookup or announce");
        Run unknown = run("status", "--bogus");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err().strip()).isEqualTo("node status: Unknown option: '--bogus' (see node status --help)");
    }
}
