package org.loomnet.daemon;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;
import org.loomnet.fuzz.FuzzTargets;

/**
 * Every fuzz target of the daemon in one: what {@code mvn verify} fuzzes for a few seconds after
 * the tests (docs/robustness.md). The first byte of an input picks the target; the seeds are
 * every target's committed corpus. Not named {@code *Test}: the ordinary test run leaves it to
 * the surefire execution {@code fuzz}, which gives it a JVM of its own.
 */
class AllFuzzTargets {

    /** The daemon's targets; a new one is added here, and its selector byte is its index. */
    static final FuzzTargets TARGETS = FuzzTargets.of(
            "org.loomnet.daemon.ConfigFileFuzzTest",
            "org.loomnet.daemon.api.ApiServerFuzzTest");

    static Stream<byte[]> seeds() {
        return TARGETS.muxSeeds();
    }

    @MethodSource("seeds")
    @FuzzTest
    void everyTarget(byte[] input) throws Throwable {
        TARGETS.run(input);
    }
}
