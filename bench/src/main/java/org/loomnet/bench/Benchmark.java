package org.loomnet.bench;

import java.util.List;

/**
 * One benchmark: the same work done by LoomNet and by plain {@code java.net} sockets with no
 * protocol, in the same JVM and the same run, so that its results hold as ratios on a noisy
 * machine. A benchmark reports numbers; it never decides whether they are good enough (that is
 * {@link Target}'s job, and only for the report).
 */
public interface Benchmark {

    /** @return the name it is selected by on the command line, e.g. {@code small-messages} */
    String name();

    /** @return its number in the benchmarks issue (1, 2, 3, 7, ...), also accepted on the command line */
    int number();

    /** @return one line saying what it measures */
    String title();

    /**
     * Runs the benchmark: warm-up, then several iterations of LoomNet and the baseline, interleaved.
     *
     * @param run the run's settings (smoke or full, overrides, where the daemon jar is)
     * @return one result per case (for example encrypted and plaintext), never empty
     * @throws Exception if the work could not be done at all (a stall, a process that never
     *                   started): a failure to run, never a number judged too low
     */
    List<Result> run(RunSettings run) throws Exception;
}
