package org.loomnet.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.loomnet.node.NodeId;
import org.loomnet.node.PeerAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeersFileTest {

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("peers.json"), json);
    }

    private static List<String> formatted(PeersFile.Seeds seeds) {
        return seeds.peers().stream().map(HostPort::format).toList();
    }

    @Test
    void goodFileGivesTheSeedsOfTheNodesNetworkInOrderWithoutDuplicates() throws IOException {
        Path f = write("""
                {"networks": {
                   "loomnet": ["127.0.0.1:7700", "[::1]:7701", "127.0.0.1:7700", "seed.example.org:7702"],
                   "testnet": ["127.0.0.9:9000"]
                }}""");

        PeersFile.Seeds seeds = PeersFile.load(f, "loomnet");

        assertThat(seeds.warning()).isEmpty();
        assertThat(seeds.note()).isEmpty();
        assertThat(formatted(seeds)).containsExactly(
                "127.0.0.1:7700", "[0:0:0:0:0:0:0:1]:7701", "seed.example.org:7702");
        assertThat(formatted(PeersFile.load(f, "testnet"))).containsExactly("127.0.0.9:9000");
    }

    @Test
    void networkNotListedMeansNoSeedsAndANoteButNoWarning() throws IOException {
        Path f = write("{\"networks\": {\"loomnet\": [\"127.0.0.1:7700\"]}}");

        PeersFile.Seeds seeds = PeersFile.load(f, "private-net");

        assertThat(seeds.peers()).isEmpty();
        assertThat(seeds.warning()).isEmpty();
        assertThat(seeds.note()).hasValueSatisfying(n -> assertThat(n)
                .contains(f.toString()).contains("no seeds for network 'private-net'"));
    }

    @Test
    void emptyListIsFine() throws IOException {
        PeersFile.Seeds seeds = PeersFile.load(write("{\"networks\": {\"loomnet\": []}}"), "loomnet");
        assertThat(seeds.peers()).isEmpty();
        assertThat(seeds.warning()).isEmpty();
        assertThat(seeds.note()).isEmpty();
    }

    /** Every broken file: no seeds at all, and one warning line naming the file and the problem. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "not JSON              | `{networks`                                              | not valid JSON",
            "truncated             | `{\"networks\": {\"loomnet\": [\"127.0.0.1:7700\"`       | not valid JSON",
            "trailing comma        | `{\"networks\": {\"loomnet\": [\"127.0.0.1:7700\",]}}`   | not valid JSON",
            "comment               | `// seeds\n{\"networks\": {}}`                           | not valid JSON",
            "single quotes         | `{'networks': {}}`                                       | not valid JSON",
            "empty                 | ` `                                                      | the file is empty",
            "top level array       | `[\"127.0.0.1:7700\"]`                                   | top level: expected an object",
            "missing networks      | `{}`                                                     | missing key \"networks\"",
            "misspelt key          | `{\"network\": {\"loomnet\": [\"127.0.0.1:7700\"]}}`     | unknown key 'network'",
            "networks twice        | `{\"networks\": {}, \"networks\": {}}`                   | key 'networks' given twice",
            "networks is a list    | `{\"networks\": [\"127.0.0.1:7700\"]}`                   | networks: expected an object",
            "network twice         | `{\"networks\": {\"loomnet\": [], \"loomnet\": []}}`     | network 'loomnet' listed twice",
            "address not a string  | `{\"networks\": {\"loomnet\": [7700]}}`                  | networks.loomnet[0]: expected a \"host:port\" string, found a number",
            "list not a list       | `{\"networks\": {\"loomnet\": \"127.0.0.1:7700\"}}`      | networks.loomnet: expected a list",
            "bad address           | `{\"networks\": {\"loomnet\": [\"127.0.0.1:7700\", \"127.0.0.1\"]}}` | networks.loomnet[1]: '127.0.0.1': missing port",
            "bad address, good id  | `{\"networks\": {\"loomnet\": [\"0123456789abcdef0123456789abcdef01234567@127.0.0.1\"]}}` | networks.loomnet[0]: '0123456789abcdef0123456789abcdef01234567@127.0.0.1': missing port",
            "bad address and id    | `{\"networks\": {\"loomnet\": [\"xyz@127.0.0.1\"]}}` | networks.loomnet[0]: 'xyz@127.0.0.1': missing port",
            "bad address elsewhere | `{\"networks\": {\"loomnet\": [\"127.0.0.1:7700\"], \"x\": [\"::1:1\"]}}` | networks.x[0]: '::1:1': an IPv6 address needs brackets",
            "data after the object | `{\"networks\": {}} {}`                                  | unexpected data after the top-level object"})
    void brokenFileIsNotUsedAndTheWarningSaysWhy(String what, String json, String problem) throws IOException {
        Path f = write(json.replace("\\n", "\n"));

        PeersFile.Seeds seeds = PeersFile.load(f, "loomnet");

        assertThat(seeds.peers()).isEmpty();
        assertThat(seeds.note()).isEmpty();
        assertThat(seeds.skipped()).isEmpty();
        assertThat(seeds.warning()).hasValueSatisfying(w -> assertThat(w)
                .startsWith("peers file " + f + ": ")
                .contains(problem)
                .endsWith("; starting without its seeds")
                .doesNotContain("\n")
                .doesNotContain("setStrictness"));
    }

    @Test
    void oversizedFileIsRefusedBeforeParsing() throws IOException {
        // Valid JSON padded past the limit: refused for its size alone.
        String json = "{\"networks\": {\"loomnet\": [\"127.0.0.1:7700\"]}}";
        Path f = write(json + " ".repeat(PeersFile.MAX_BYTES + 1 - json.length()));

        PeersFile.Seeds seeds = PeersFile.load(f, "loomnet");

        assertThat(seeds.peers()).isEmpty();
        assertThat(seeds.warning()).hasValueSatisfying(w -> assertThat(w).contains(f.toString()).contains("larger than 1 MiB"));
    }

    @Test
    void fileOfExactlyTheLimitIsRead() throws IOException {
        String json = "{\"networks\": {\"loomnet\": [\"127.0.0.1:7700\"]}}";
        Path f = write(json + " ".repeat(PeersFile.MAX_BYTES - json.length()));
        assertThat(Files.size(f)).isEqualTo(PeersFile.MAX_BYTES);

        assertThat(formatted(PeersFile.load(f, "loomnet"))).containsExactly("127.0.0.1:7700");
    }

    @Test
    void missingFileIsAWarning() {
        Path f = dir.resolve("nope.json");
        PeersFile.Seeds seeds = PeersFile.load(f, "loomnet");
        assertThat(seeds.peers()).isEmpty();
        assertThat(seeds.warning()).hasValue("peers file " + f + ": cannot read it: no such file; starting without its seeds");
    }

    @Test
    void directoryIsAWarning() {
        assertThat(PeersFile.load(dir, "loomnet").warning()).hasValueSatisfying(w -> assertThat(w).contains("cannot read it"));
    }

    @Test
    void invalidUtf8IsAWarning() throws IOException {
        Path f = dir.resolve("latin1.json");
        Files.write(f, "{\"networks\": {\"caf\u00e9\": []}}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(PeersFile.load(f, "loomnet").warning()).hasValueSatisfying(w -> assertThat(w).contains("not UTF-8 text"));
    }

    @Test
    void unicodeNetworkNamesWork() throws IOException {
        Path f = Files.write(dir.resolve("u.json"), "{\"networks\": {\"caf\u00e9\": [\"10.0.0.1:1\"]}}".getBytes(UTF_8));
        assertThat(formatted(PeersFile.load(f, "caf\u00e9"))).containsExactly("10.0.0.1:1");
    }

    @Test
    void theShippedPeersFileIsValidAndSeedsTheDefaultNetwork() {
        // Surefire runs in the module directory; the project's peers.json is one level up.
        Path shipped = Path.of("..", "peers.json");
        PeersFile.Seeds seeds = PeersFile.load(shipped, org.loomnet.node.NodeConfig.DEFAULTS.network());
        assertThat(seeds.warning()).isEmpty();
        assertThat(seeds.skipped()).isEmpty();
        assertThat(seeds.peers()).contains(
                PeerAddress.of(new InetSocketAddress("127.0.0.1", org.loomnet.node.NodeConfig.DEFAULT_PORT)));
    }

    private static final String ID_A = "0123456789abcdef0123456789abcdef01234567";
    private static final String ID_B = "fedcba9876543210fedcba9876543210fedcba98";

    @Test
    void aNodeIdInFrontPinsTheSeed() throws IOException {
        Path f = write("{\"networks\": {\"loomnet\": [\"" + ID_A + "@127.0.0.1:7700\", \"127.0.0.2:7701\", \""
                + ID_A + "@127.0.0.1:7700\"]}}");

        PeersFile.Seeds seeds = PeersFile.load(f, "loomnet");

        assertThat(seeds.warning()).isEmpty();
        assertThat(seeds.skipped()).isEmpty();
        assertThat(seeds.peers()).containsExactly(
                new PeerAddress(new InetSocketAddress("127.0.0.1", 7700), NodeId.parse(ID_A)),
                PeerAddress.of(new InetSocketAddress("127.0.0.2", 7701)));
    }

    @Test
    void aSeedWithABadNodeIdIsSkippedWithAWarningAndTheRestIsUsed() throws IOException {
        Path f = write("{\"networks\": {\"loomnet\": [\"abc@127.0.0.1:7700\", \"" + ID_B + "@127.0.0.2:7701\", "
                + "\"127.0.0.3:7702\"], \"testnet\": [\"@127.0.0.9:9\"]}}");

        PeersFile.Seeds seeds = PeersFile.load(f, "loomnet");

        assertThat(seeds.warning()).isEmpty();
        assertThat(formatted(seeds)).containsExactly(ID_B + "@127.0.0.2:7701", "127.0.0.3:7702");
        // Every list is checked, as for addresses; each bad seed is one line naming file and place.
        assertThat(seeds.skipped()).satisfiesExactly(
                w -> assertThat(w).startsWith("peers file " + f + ": networks.loomnet[0]: 'abc@127.0.0.1:7700': ")
                        .contains("node id 'abc' has 3 hex digits, not 40")
                        .endsWith("; skipping this seed"),
                w -> assertThat(w).startsWith("peers file " + f + ": networks.testnet[0]: '@127.0.0.9:9': ")
                        .contains("missing node id before '@'")
                        .endsWith("; skipping this seed"));
        assertThat(seeds.skipped()).allSatisfy(w -> assertThat(w).doesNotContain("\n"));
    }
}
