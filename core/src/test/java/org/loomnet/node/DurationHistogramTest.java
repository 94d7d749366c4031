package org.loomnet.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationHistogramTest {

    @Test
    void aValueFallsIntoTheFirstBucketWhoseBoundIsNotBelowIt() {
        DurationHistogram h = new DurationHistogram(0.001, 0.01, 1);
        h.record(0);                             // bucket 0.001
        h.record(1_000_000);                     // exactly 1 ms: still bucket 0.001 (le)
        h.record(1_000_001);                     // bucket 0.01
        h.record(Duration.ofMillis(500));        // bucket 1
        h.record(Duration.ofSeconds(1));         // bucket 1 (le)
        h.record(Duration.ofSeconds(3));         // +Inf

        DurationHistogram.Snapshot s = h.snapshot();
        assertThat(s.upperBounds()).containsExactly(0.001, 0.01, 1.0);
        assertThat(s.bucketCounts()).containsExactly(2, 1, 2, 1);
        assertThat(s.count()).isEqualTo(6);
        assertThat(s.cumulativeCount(0)).isEqualTo(2);
        assertThat(s.cumulativeCount(2)).isEqualTo(5);
        assertThat(s.cumulativeCount(3)).isEqualTo(s.count());
        assertThat(s.sumSeconds()).isCloseTo(0.002000001 + 4.5, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void negativeDurationsCountAsZeroAndHugeOnesGoToInfinity() {
        DurationHistogram h = new DurationHistogram(1);
        h.record(-5);
        h.record(Duration.ofSeconds(-2));
        h.record(Duration.ofDays(365L * 1000)); // does not fit in a long of nanoseconds
        DurationHistogram.Snapshot s = h.snapshot();
        assertThat(s.bucketCounts()).containsExactly(2, 1);
        assertThat(s.sumSeconds()).isPositive();
    }

    @Test
    void theSnapshotIsACopy() {
        DurationHistogram h = new DurationHistogram(1, 2);
        DurationHistogram.Snapshot s = h.snapshot();
        s.upperBounds()[0] = 99;
        s.bucketCounts()[0] = 99;
        h.upperBounds()[1] = 99;
        assertThat(h.snapshot().upperBounds()).containsExactly(1.0, 2.0);
        assertThat(h.snapshot().bucketCounts()).containsExactly(0, 0, 0);
    }

    @Test
    void badBoundsAreRefusedWithTheReason() {
        assertThatThrownBy(DurationHistogram::new).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> new DurationHistogram(1, 1)).hasMessageContaining("ascend");
        assertThatThrownBy(() -> new DurationHistogram(2, 1)).hasMessageContaining("ascend");
        assertThatThrownBy(() -> new DurationHistogram(0)).hasMessageContaining("positive finite");
        assertThatThrownBy(() -> new DurationHistogram(Double.NaN)).hasMessageContaining("positive finite");
        assertThatThrownBy(() -> new DurationHistogram(1, Double.POSITIVE_INFINITY))
                .hasMessageContaining("positive finite");
    }

    @Test
    void handshakeBucketsRunFromAMillisecondToTheHandshakeTimeout() {
        double[] b = DurationHistogram.forHandshakes().upperBounds();
        assertThat(b[0]).isEqualTo(0.001);
        assertThat(b[b.length - 1]).isEqualTo((double) NodeConfig.DEFAULTS.handshakeTimeout().toSeconds());
    }
}
