package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The soak run's "keeps growing" rule, on made-up series. */
class GrowthTest {

    private static final Growth RULE = new Growth(2, 0.10);

    private static List<Double> series(int n, java.util.function.IntToDoubleFunction f) {
        return IntStream.range(0, n).mapToDouble(f).boxed().toList();
    }

    @Test
    void aSteadyLeakIsGrowing() {
        // 60 samples: the medians of the middle and last thirds are 20 samples apart. A rise of
        // 0.05 per sample gives 1.0, under the margin of 2; 0.2 per sample gives 4.0, over it.
        assertThat(RULE.judge(series(60, i -> 10 + 0.05 * i)).growing()).isFalse();
        Growth.Verdict v = RULE.judge(series(60, i -> 10 + 0.2 * i));
        assertThat(v.growing()).isTrue();
        assertThat(v.last() - v.middle()).isEqualTo(4.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void warmUpGrowthThenAPlateauIsNot() {
        // Caches filling in the first third, then flat with noise.
        SplittableRandom r = new SplittableRandom(1);
        List<Double> s = series(60, i -> (i < 20 ? 5 + i : 25) + r.nextDouble(-1, 1));
        assertThat(RULE.judge(s).growing()).isFalse();
    }

    @Test
    void oneSpikeAtTheEndIsNot() {
        List<Double> s = new ArrayList<>(series(60, i -> 30));
        s.set(59, 300.0);
        s.set(58, 300.0);
        assertThat(RULE.judge(s).growing()).isFalse();
    }

    @Test
    void theMarginIsTheLargerOfAbsoluteAndRelative() {
        assertThat(RULE.judge(series(30, i -> 100)).allowed()).isEqualTo(10.0);
        assertThat(RULE.judge(series(30, i -> 5)).allowed()).isEqualTo(2.0);
        // A rise of 11 on 100 is growth; of 9 is not.
        assertThat(RULE.judge(series(30, i -> i < 20 ? 100 : 111)).growing()).isTrue();
        assertThat(RULE.judge(series(30, i -> i < 20 ? 100 : 109)).growing()).isFalse();
    }

    @Test
    void tooFewSamplesAreNotJudged() {
        assertThat(RULE.judge(series(Growth.MIN_SAMPLES - 1, i -> i * 100))).isNull();
        assertThat(RULE.judge(series(Growth.MIN_SAMPLES, i -> i * 100))).isNotNull();
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertThat(Growth.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Growth.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
    }
}
