package org.loomnet.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps a module's committed seed corpus in step with its targets' {@code seeds()}: every seed a
 * target makes with today's encoders must be in its inputs directory, byte for byte, so that a
 * change to a wire format cannot leave the corpus testing yesterday's. With
 * {@code -Dfuzz.writeSeeds=true} it writes what is missing or different instead of failing.
 * Inputs that are not seeds (findings kept as regression inputs) are left alone.
 */
public final class SeedCorpus {

    private SeedCorpus() {
    }

    /**
     * @param targets       the module's targets
     * @param resourcesRoot the module's {@code src/test/resources}
     * @throws IOException if the corpus cannot be read or written
     */
    public static void check(FuzzTargets targets, Path resourcesRoot) throws IOException {
        boolean write = Boolean.getBoolean("fuzz.writeSeeds");
        List<String> stale = new ArrayList<>();
        for (FuzzTargets.Target target : targets.targets()) {
            Path dir = target.inputs(resourcesRoot);
            for (Map.Entry<String, byte[]> seed : target.seeds().entrySet()) {
                Path file = dir.resolve(seed.getKey());
                if (Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), seed.getValue())) {
                    continue;
                }
                if (write) {
                    Files.createDirectories(dir);
                    Files.write(file, seed.getValue());
                } else {
                    stale.add(resourcesRoot.relativize(file).toString());
                }
            }
        }
        assertThat(stale)
                .as("seed inputs missing or out of date; rewrite them with -Dfuzz.writeSeeds=true (docs/robustness.md)")
                .isEmpty();
    }
}
