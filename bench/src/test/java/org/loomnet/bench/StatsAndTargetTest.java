package org.loomnet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The arithmetic behind the table: medians, percentiles, and how a target reads. */
class StatsAndTargetTest {

    @Test
    void medianAndSpreadOfIterations() {
        Stats odd = Stats.of(5, 1, 3);
        assertThat(odd.median()).isEqualTo(3);
        assertThat(odd.min()).isEqualTo(1);
        assertThat(odd.max()).isEqualTo(5);
        assertThat(odd.samples()).containsExactly(5.0, 1.0, 3.0);
        assertThat(Stats.of(4, 1, 3, 2).median()).isEqualTo(2.5);
    }

    @Test
    void percentilesByNearestRank() {
        double[] sorted = new double[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertThat(Stats.percentile(sorted, 99)).isEqualTo(99);
        assertThat(Stats.percentile(sorted, 100)).isEqualTo(100);
        assertThat(Stats.percentile(new double[] {7}, 99)).isEqualTo(7);
    }

    @Test
    void targetsSayMetOrByHowMuchTheyWereMissed() {
        Target atLeast = new Target("≥ 1,000,000 msg/s", Target.Kind.AT_LEAST, 1_000_000);
        assertThat(atLeast.check(1_100_000, 0.1)).isEqualTo(new Target.Verdict(true, "met, 10% over"));
        assertThat(atLeast.check(600_000, 0.1)).isEqualTo(new Target.Verdict(false, "missed by 40%"));

        Target below = new Target("< 1 s", Target.Kind.BELOW, 1000);
        assertThat(below.check(800, 5)).isEqualTo(new Target.Verdict(true, "met, 20% under"));
        assertThat(below.check(1500, 5)).isEqualTo(new Target.Verdict(false, "missed by 50% (over)"));

        Target atMost = new Target("≤ 32 KiB", Target.Kind.AT_MOST, 32);
        assertThat(atMost.check(32, 5)).isEqualTo(new Target.Verdict(true, "met, 0% under"));
        assertThat(atMost.check(48, 5)).isEqualTo(new Target.Verdict(false, "missed by 50% (over)"));

        Target ratioAtLeast = new Target("≥ 80% of plain socket", Target.Kind.RATIO_AT_LEAST, 0.8);
        assertThat(ratioAtLeast.check(1, 0.4)).isEqualTo(new Target.Verdict(false, "missed by 50% of ratio"));

        Target ratioAtMost = new Target("p50 ≤ 3× plain socket", Target.Kind.RATIO_AT_MOST, 3);
        assertThat(ratioAtMost.check(1, 4.5)).isEqualTo(new Target.Verdict(false, "missed by 50% (over)"));
        assertThat(ratioAtMost.check(1, 1.5)).isEqualTo(new Target.Verdict(true, "met, 50% under"));
    }
}
