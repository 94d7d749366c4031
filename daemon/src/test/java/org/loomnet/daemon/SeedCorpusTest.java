package org.loomnet.daemon;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.loomnet.fuzz.SeedCorpus;

/** The daemon's committed seed corpus holds what its targets' seeds() make today ({@link SeedCorpus}). */
class SeedCorpusTest {

    @Test
    void everySeedIsCommittedAsTheEncodersMakeIt() throws IOException {
        SeedCorpus.check(AllFuzzTargets.TARGETS, Path.of("src", "test", "resources"));
    }
}
