package org.loomnet.node;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram of durations with fixed bucket bounds, in the shape Prometheus expects of a classic
 * histogram (upper bounds in seconds, a count per bucket, the sum and the count), but with no
 * dependency on a metrics library: a daemon or an application turns a {@link #snapshot()} into
 * whatever its monitoring wants.
 *
 * <p>Any thread may record and read, without a lock: each bucket, the sum and the count are
 * {@link LongAdder}s. A snapshot taken while values are being recorded is not atomic, but its
 * {@link Snapshot#count()} is always the sum of its bucket counts.
 */
public final class DurationHistogram {

    /**
     * Bounds for handshakes, in seconds: from a sub-millisecond plaintext handshake on loopback to
     * an encrypted one across the world, up to the default handshake timeout of ten seconds.
     */
    private static final double[] HANDSHAKE_BOUNDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** Upper bounds in seconds, ascending, finite. */
    private final double[] bounds;
    /** The same bounds in nanoseconds, so that recording does no floating point. */
    private final long[] boundsNanos;
    /** One per bound, plus the last for everything above the largest bound (+Inf). Not cumulative. */
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();

    /**
     * @param upperBoundsSeconds the buckets' upper bounds in seconds (a value equal to a bound
     *                           falls into that bound's bucket); at least one, each positive and
     *                           finite, strictly ascending. The +Inf bucket is added implicitly.
     * @throws IllegalArgumentException if the bounds break a rule
     */
    public DurationHistogram(double... upperBoundsSeconds) {
        if (upperBoundsSeconds.length == 0) {
            throw new IllegalArgumentException("at least one bucket bound is needed");
        }
        bounds = upperBoundsSeconds.clone();
        boundsNanos = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            double b = bounds[i];
            if (!(b > 0) || Double.isInfinite(b)) {
                throw new IllegalArgumentException("bucket bound " + b + " is not a positive finite number of seconds");
            }
            if (i > 0 && b <= bounds[i - 1]) {
                throw new IllegalArgumentException("bucket bounds must ascend strictly: " + Arrays.toString(bounds));
            }
            boundsNanos[i] = Math.round(b * 1e9);
        }
        buckets = new LongAdder[bounds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /**
     * @return an empty histogram with bounds for handshakes: 1 ms to 10 s (the default handshake
     *         timeout), 13 buckets plus +Inf
     */
    public static DurationHistogram forHandshakes() {
        return new DurationHistogram(HANDSHAKE_BOUNDS);
    }

    /**
     * Records one duration.
     *
     * @param nanos the duration in nanoseconds; a negative value counts as zero
     */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        int i = Arrays.binarySearch(boundsNanos, v);
        // Found: the bucket of that bound. Not found: the first bound above v, or the +Inf bucket.
        buckets[i >= 0 ? i : -i - 1].increment();
        sumNanos.add(v);
    }

    /**
     * Records one duration.
     *
     * @param duration the duration; a negative one counts as zero
     */
    public void record(Duration duration) {
        record(duration.isNegative() ? 0 : saturatedNanos(duration));
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // about 292 years: the +Inf bucket either way
        }
    }

    /** @return a copy of the upper bounds in seconds, without the implicit +Inf */
    public double[] upperBounds() {
        return bounds.clone();
    }

    /** @return the counts now, the sum and the count */
    public Snapshot snapshot() {
        long[] counts = new long[buckets.length];
        long count = 0;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
            count += counts[i];
        }
        return new Snapshot(bounds.clone(), counts, count, sumNanos.sum() / 1e9);
    }

    /**
     * The histogram at one moment. The arrays are fresh copies that belong to the caller.
     *
     * @param upperBounds  the buckets' upper bounds in seconds, ascending, without the +Inf bucket
     * @param bucketCounts the count of each bucket, NOT cumulative: index {@code i} counts the
     *                     values above {@code upperBounds[i-1]} and at most {@code upperBounds[i]};
     *                     one more entry than {@code upperBounds}, the last counting the values
     *                     above the largest bound (the +Inf bucket)
     * @param count        how many durations were recorded: the sum of {@code bucketCounts}
     * @param sumSeconds   the sum of the recorded durations, in seconds
     */
    public record Snapshot(double[] upperBounds, long[] bucketCounts, long count, double sumSeconds) {
        /**
         * @param i a bucket index, {@code 0..upperBounds.length}
         * @return the cumulative count of values at most the bucket's bound (the Prometheus
         *         {@code le} count); for the last index, {@link #count()}
         */
        public long cumulativeCount(int i) {
            long c = 0;
            for (int j = 0; j <= i; j++) {
                c += bucketCounts[j];
            }
            return c;
        }
    }
}
