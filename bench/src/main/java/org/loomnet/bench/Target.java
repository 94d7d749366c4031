package org.loomnet.bench;

import java.util.Locale;

/**
 * A target from the benchmarks issue, for the report only: whether a figure met it, and by how much
 * it was missed. Never used to fail anything.
 *
 * @param text      the target as the issue states it, e.g. "≥ 1,000,000 msg/s"
 * @param kind      what is compared
 * @param threshold the number compared against, in the result's unit (or as a ratio)
 */
public record Target(String text, Kind kind, double threshold) {

    /** What a target compares. */
    public enum Kind {
        /** LoomNet's median is at least the threshold. */
        AT_LEAST,
        /** LoomNet's median is below the threshold. */
        BELOW,
        /** LoomNet's median is at most the threshold. */
        AT_MOST,
        /** LoomNet's median over the baseline's is at least the threshold. */
        RATIO_AT_LEAST,
        /** LoomNet's median over the baseline's is at most the threshold. */
        RATIO_AT_MOST
    }

    /**
     * @param met  whether the target was met
     * @param text "met" or "missed by ...", with the margin
     */
    public record Verdict(boolean met, String text) {
    }

    /**
     * @param value LoomNet's median
     * @param ratio LoomNet's median over the baseline's
     * @return met or missed, and by how much
     */
    public Verdict check(double value, double ratio) {
        return switch (kind) {
            case AT_LEAST -> atLeast(value, threshold, "");
            case BELOW -> value < threshold
                    ? new Verdict(true, pct("met, %.0f%% under", (threshold - value) / threshold))
                    : new Verdict(false, pct("missed by %.0f%% (over)", (value - threshold) / threshold));
            case AT_MOST -> value <= threshold
                    ? new Verdict(true, pct("met, %.0f%% under", (threshold - value) / threshold))
                    : new Verdict(false, pct("missed by %.0f%% (over)", (value - threshold) / threshold));
            case RATIO_AT_LEAST -> atLeast(ratio, threshold, " of ratio");
            case RATIO_AT_MOST -> ratio <= threshold
                    ? new Verdict(true, pct("met, %.0f%% under", (threshold - ratio) / threshold))
                    : new Verdict(false, pct("missed by %.0f%% (over)", (ratio - threshold) / threshold));
        };
    }

    private static Verdict atLeast(double value, double threshold, String what) {
        return value >= threshold
                ? new Verdict(true, pct("met, %.0f%% over", (value - threshold) / threshold))
                : new Verdict(false, pct("missed by %.0f%%" + what, (threshold - value) / threshold));
    }

    private static String pct(String format, double fraction) {
        return String.format(Locale.ROOT, format, 100 * fraction);
    }
}
