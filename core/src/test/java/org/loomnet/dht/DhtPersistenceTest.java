package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.loomnet.dht.DhtTestSupport.await;
import static org.loomnet.dht.DhtTestSupport.config;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomnet.dht.DhtTestSupport.TestClock;

/** The routing table file: saved atomically, reloaded after a restart, a bad file moved aside. */
class DhtPersistenceTest {

    private static final long WAIT = DhtTestSupport.DEADLINE.toSeconds();

    @TempDir
    Path dir;

    @Test
    void theTableAndTheIdSurviveARestart() throws Exception {
        Path data = dir.resolve("data");
        try (DhtNode b = DhtNode.create(config("127.0.0.3").build()).start();
             DhtNode c = DhtNode.create(config("127.0.0.4").build()).start()) {
            DhtId firstId;
            try (DhtNode a = DhtNode.create(config("127.0.0.2").dataDir(data).build()).start()) {
                firstId = a.id();
                a.ping(b.localAddress()).get(WAIT, TimeUnit.SECONDS);
                a.ping(c.localAddress()).get(WAIT, TimeUnit.SECONDS);
            }
            Path file = data.resolve(DhtNode.TABLE_FILE);
            assertThat(file).exists();
            assertThat(data.resolve(DhtNode.TABLE_FILE + ".tmp")).doesNotExist();
            JsonObject json = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            assertThat(json.get("format").getAsString()).isEqualTo("loomnet-dht");
            assertThat(json.get("id").getAsString()).isEqualTo(firstId.hex());
            assertThat(json.getAsJsonArray("nodes")).hasSize(2);

            try (DhtNode again = DhtNode.create(config("127.0.0.2").dataDir(data).build()).start()) {
                assertThat(again.id()).isEqualTo(firstId);
                RoutingTableSnapshot table = again.routingTable().get(WAIT, TimeUnit.SECONDS);
                assertThat(table.nodes()).extracting(n -> n.info())
                        .containsExactlyInAnyOrder(new NodeInfo(b.id(), b.localAddress()),
                                new NodeInfo(c.id(), c.localAddress()));
                // With no bootstrap node, the own-id lookup at start goes through the reloaded nodes,
                // whose answers make them good again.
                await(() -> {
                    RoutingTableSnapshot t = again.routingTable().join();
                    return t.nodes().stream().allMatch(n -> n.status() == NodeStatus.GOOD);
                }, "the reloaded nodes answered");
            }
        }
    }

    @Test
    void aChangedTableIsSavedPeriodicallyByTheStoreThread() throws Exception {
        TestClock clock = new TestClock();
        Path data = dir.resolve("periodic");
        try (DhtNode b = DhtNode.create(config("127.0.0.3").build()).start();
             DhtNode a = DhtNode.create(config("127.0.0.2").dataDir(data).clock(clock)
                     .saveInterval(Duration.ofMinutes(1)).build()).start()) {
            a.ping(b.localAddress()).get(WAIT, TimeUnit.SECONDS);
            assertThat(data.resolve(DhtNode.TABLE_FILE)).doesNotExist();
            clock.advance(Duration.ofMinutes(2));
            await(() -> Files.exists(data.resolve(DhtNode.TABLE_FILE)), "the table file was written");
            await(() -> read(data.resolve(DhtNode.TABLE_FILE)).contains(b.id().hex()), "the file lists b");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return ""; // not there yet
        }
    }

    @Test
    void aCorruptFileIsMovedAsideAndTheNodeStartsEmpty() throws Exception {
        for (String bad : List.of("{\"format\":\"loomnet-dht\",\"version\":1,", "not json at all",
                "{\"format\":\"loomnet-dht\",\"version\":1,\"id\":\"" + "ab".repeat(20) + "\",\"nodes\":"
                        + "[{\"id\":\"" + "cd".repeat(20) + "\",\"ip\":\"127.0.0.9\",\"port\":70000}]}",
                "{\"format\":\"loomnet-dht\",\"version\":1,\"id\":\"" + "ab".repeat(20) + "\",\"nodes\":"
                        + "[{\"id\":\"" + "cd".repeat(20) + "\",\"ip\":\"localhost\",\"port\":7}]}",
                "{\"format\":\"something-else\",\"version\":1}", "\u0000\u00ff\u00fe")) {
            Path data = Files.createTempDirectory(dir, "corrupt");
            Files.writeString(data.resolve(DhtNode.TABLE_FILE), bad, StandardCharsets.ISO_8859_1);
            try (DhtNode node = DhtNode.create(config("127.0.0.2").dataDir(data).build()).start()) {
                assertThat(node.routingTable().get(WAIT, TimeUnit.SECONDS).size()).isZero();
                assertThat(node.id()).isNotEqualTo(DhtId.fromHex("ab".repeat(20)));
            }
            try (Stream<Path> files = Files.list(data)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                assertThat(names).as(bad).anyMatch(n -> n.startsWith(DhtNode.TABLE_FILE + ".corrupt-"));
                assertThat(names).as(bad).contains(DhtNode.TABLE_FILE); // a fresh one written at close
            }
        }
    }

    @Test
    void aValidFileWithAConfiguredIdKeepsTheConfiguredId() throws Exception {
        Path data = Files.createDirectories(dir.resolve("configured"));
        DhtId saved = DhtId.fromHex("ab".repeat(20));
        DhtId configured = DhtId.fromHex("12".repeat(20));
        Files.writeString(data.resolve(DhtNode.TABLE_FILE), "{\"format\":\"loomnet-dht\",\"version\":1,\"id\":\""
                + saved.hex() + "\",\"nodes\":[{\"id\":\"" + "cd".repeat(20) + "\",\"ip\":\"127.0.0.9\",\"port\":7},"
                + "{\"id\":\"" + configured.hex() + "\",\"ip\":\"127.0.0.8\",\"port\":8}]}");
        DhtNode node = DhtNode.create(config("127.0.0.2").dataDir(data).nodeId(configured).build());
        try (node) {
            assertThat(node.id()).isEqualTo(configured);
            node.start();
            // Our own id in the file is not taken into the table.
            assertThat(node.routingTable().get(WAIT, TimeUnit.SECONDS).nodes()).extracting(n -> n.info().id().hex())
                    .containsExactly("cd".repeat(20));
        }
    }
}
