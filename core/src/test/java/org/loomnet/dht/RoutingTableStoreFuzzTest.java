package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dht.json} as it may be found after a crash, a bad disk or a hand edit: the loader returns
 * the table or says why the file is unusable ({@link RoutingTableStore.BadFile}, which
 * {@link RoutingTableStore#load} turns into a warning and an empty table), and never throws
 * anything else. A table it loads holds at most its limit of IPv4 nodes with real ports, and
 * saves to a file that loads to the same table.
 */
class RoutingTableStoreFuzzTest {

    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("dht-json-fuzz");
            DIR.toFile().deleteOnExit();
            DIR.resolve("dht.json").toFile().deleteOnExit(); // first, at exit
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final RoutingTableStore store = new RoutingTableStore(InstantSource.fixed(Instant.ofEpochMilli(1)));

    @FuzzTest
    void load(byte[] file) throws IOException, RoutingTableStore.BadFile {
        RoutingTableStore.Loaded loaded;
        try {
            loaded = RoutingTableStore.parse(file);
        } catch (RoutingTableStore.BadFile e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(loaded.outcome()).isEqualTo(RoutingTableStore.Outcome.LOADED);
        assertThat(loaded.nodes()).hasSizeLessThanOrEqualTo(10_000);
        for (NodeInfo n : loaded.nodes()) {
            assertThat(n.address().getAddress()).isInstanceOf(Inet4Address.class);
            assertThat(n.address().getPort()).isBetween(1, 65535);
        }
        List<RoutingTableSnapshot.Node> nodes = loaded.nodes().stream()
                .map(n -> new RoutingTableSnapshot.Node(n, NodeStatus.GOOD, null, null, 0))
                .toList();
        Path saved = DIR.resolve("dht.json");
        store.save(new RoutingTableSnapshot(loaded.id(), 160, List.of(
                new RoutingTableSnapshot.Bucket(0, 0, true, Instant.EPOCH, nodes, List.of()))), saved);
        RoutingTableStore.Loaded again = RoutingTableStore.parse(Files.readAllBytes(saved));
        assertThat(again.id()).isEqualTo(loaded.id());
        assertThat(again.nodes()).isEqualTo(loaded.nodes());
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        String id = "0102030405060708090a0b0c0d0e0f1011121314";
        String node = "{\"id\": \"ffeeddccbbaa99887766554433221100ffeeddcc\", \"ip\": \"203.0.113.7\", \"port\": 6881}";
        seeds.put("saved", utf8("{\n \"format\": \"loomnet-dht\",\n \"version\": 1,\n \"savedAt\": 1700000000000,\n"
                + " \"id\": \"" + id + "\",\n \"nodes\": [\n  " + node + ",\n  " + node.replace("203.0.113.7", "10.0.0.1")
                + "\n ]\n}\n"));
        seeds.put("empty-table", utf8("{\"format\":\"loomnet-dht\",\"version\":1,\"id\":\"" + id + "\",\"nodes\":[]}"));
        seeds.put("version-as-float", utf8("{\"format\":\"loomnet-dht\",\"version\":1.0,\"id\":\"" + id
                + "\",\"nodes\":[]}"));
        seeds.put("port-fraction", utf8("{\"format\":\"loomnet-dht\",\"version\":1,\"id\":\"" + id + "\",\"nodes\":["
                + node.replace("6881", "6881.5") + "]}"));
        seeds.put("huge-exponent", utf8("{\"format\":\"loomnet-dht\",\"version\":1e999999999,\"id\":\"" + id
                + "\",\"nodes\":[]}"));
        seeds.put("truncated", utf8("{\"format\":\"loomnet-dht\",\"version\":1,\"id\":\"" + id + "\",\"nodes\":[{\"id"));
        seeds.put("deep-nesting", utf8("[".repeat(5000)));
        seeds.put("not-utf8", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        return seeds;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
