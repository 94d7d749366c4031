package org.loomnet.it;

import java.util.List;

/**
 * The soak run's rule for "keeps growing", applied to one metric of one process lifetime: the
 * samples in time order are cut into thirds; the first third is warm-up and ignored; the metric
 * keeps growing if the median of the last third exceeds the median of the middle third by more
 * than a margin, the larger of an absolute amount and a fraction of the middle median. Medians
 * make one spike (a GC that had not run yet, a burst of connections) count for nothing; the
 * margin absorbs what churn moves up and down (a few connections, their threads and sockets).
 *
 * @param absolute the least rise counted as growth, in the metric's unit
 * @param relative the least rise counted as growth, as a fraction of the middle median
 */
record Growth(double absolute, double relative) {

    /** Fewer samples than this (three minutes at the soak run's one per 10 s) are not judged. */
    static final int MIN_SAMPLES = 18;

    /**
     * @param middle   median of the middle third
     * @param last     median of the last third
     * @param allowed  the largest rise not counted as growth
     * @param growing  true if {@code last - middle > allowed}
     */
    record Verdict(double middle, double last, double allowed, boolean growing) {
    }

    /**
     * @param samples the metric's values in time order
     * @return the verdict, or null if there are fewer than {@link #MIN_SAMPLES} samples
     */
    Verdict judge(List<Double> samples) {
        int n = samples.size();
        if (n < MIN_SAMPLES) {
            return null;
        }
        double middle = median(samples.subList(n / 3, 2 * n / 3));
        double last = median(samples.subList(2 * n / 3, n));
        double allowed = Math.max(absolute, relative * middle);
        return new Verdict(middle, last, allowed, last - middle > allowed);
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    @Override
    public String toString() {
        return "more than max(" + absolute + ", " + Math.round(relative * 100) + "% of the middle median)";
    }
}
