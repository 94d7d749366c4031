package org.loomnet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke run of {@code mvn verify}: every benchmark once with tiny counts, through the command
 * line, as a user runs it. It checks that each benchmark ran and reported a figure for LoomNet, one
 * for the baseline and their ratio, never how good the figures are: benchmarks report numbers, they
 * do not fail the build on one.
 */
class BenchSmokeTest {

    @Test
    void everyBenchmarkReportsAFigureAndARatio(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("smoke.json");

        int exit = Bench.execute("--smoke", "--json", json.toString());

        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertThat(root.getAsJsonArray("failures")).as("benchmarks that could not run").isEmpty();
        assertThat(exit).isZero();
        assertThat(root.get("smoke").getAsBoolean()).isTrue();
        assertThat(root.getAsJsonObject("machine").get("cpus").getAsInt()).isPositive();
        JsonArray results = root.getAsJsonArray("results");
        Set<String> reported = new HashSet<>();
        for (JsonElement e : results) {
            JsonObject r = e.getAsJsonObject();
            String line = r.get("benchmark").getAsString() + " " + r.get("case").getAsString();
            reported.add(r.get("benchmark").getAsString());
            assertThat(r.getAsJsonObject("loomnet").get("median").getAsDouble()).as(line + ": LoomNet").isPositive();
            assertThat(r.getAsJsonObject("baseline").get("median").getAsDouble()).as(line + ": baseline").isPositive();
            double ratio = r.get("ratio").getAsDouble();
            assertThat(Double.isFinite(ratio) && ratio > 0).as(line + ": ratio " + ratio).isTrue();
        }
        assertThat(reported).containsExactlyInAnyOrder(
                Bench.ALL.stream().map(Benchmark::name).toArray(String[]::new));
    }

    @Test
    void anUnknownBenchmarkIsABadCommandLine() {
        assertThat(Bench.execute("--smoke", "no-such-benchmark")).isEqualTo(2);
    }
}
