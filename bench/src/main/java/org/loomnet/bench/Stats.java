package org.loomnet.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The iterations of one measurement: their median and spread (min, max).
 *
 * @param median  the median of the samples
 * @param min     the smallest sample
 * @param max     the largest sample
 * @param samples every sample, in the order measured
 */
public record Stats(double median, double min, double max, List<Double> samples) {

    /**
     * @param samples one value per iteration, at least one
     * @return their statistics
     */
    public static Stats of(double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return new Stats(percentile(sorted, 50), sorted[0], sorted[sorted.length - 1],
                Arrays.stream(samples).boxed().toList());
    }

    /**
     * The p-th percentile of sorted values, by the nearest-rank method on the lower side, with the
     * median of an even count being the mean of the two middle values.
     *
     * @param sorted values in ascending order, at least one
     * @param p      0..100
     * @return the percentile
     */
    public static double percentile(double[] sorted, double p) {
        if (p == 50) {
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    /** @return the spread as a fraction of the median: (max - min) / median */
    public double spread() {
        return median == 0 ? 0 : (max - min) / median;
    }
}
