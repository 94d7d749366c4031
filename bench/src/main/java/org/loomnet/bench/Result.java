package org.loomnet.bench;

/**
 * One line of the results table: LoomNet's figure and the plain-socket baseline's, measured in the
 * same run, and their ratio.
 *
 * @param benchmark the benchmark's name
 * @param number    the benchmark's number in the issue
 * @param variant   the case, e.g. "encrypted", "plaintext", "p50"
 * @param metric    what is measured, e.g. "throughput", "round trip"
 * @param unit      the unit of both figures, e.g. "msg/s", "GB/s", "µs", "ms", "MB"
 * @param loomnet   LoomNet's figures over the iterations
 * @param baseline  the plain-socket baseline's figures over the same iterations
 * @param target    the target for this line, or null if it sets none
 * @param notes     how it was measured and anything the reader must know (drops, window), or ""
 */
public record Result(String benchmark, int number, String variant, String metric, String unit, Stats loomnet,
                     Stats baseline, Target target, String notes) {

    /** @return LoomNet's median over the baseline's median */
    public double ratio() {
        return loomnet.median() / baseline.median();
    }

    /** @return whether the target was met and by how much, or null without a target */
    public Target.Verdict verdict() {
        return target == null ? null : target.check(loomnet.median(), ratio());
    }
}
