package org.loomnet.bench;

/**
 * Runs LoomNet and the baseline in turn: warm-up iterations first (both, results thrown away), then
 * the measured iterations, alternating which of the two goes first so that neither always runs on
 * a machine the other just warmed or loaded.
 */
final class Measure {

    /** One iteration of one side: does the work once and returns its figures (one per metric). */
    @FunctionalInterface
    interface Trial {
        double[] run() throws Exception;
    }

    /**
     * The figures of every measured iteration.
     *
     * @param loomnet  [metric][iteration]
     * @param baseline [metric][iteration]
     */
    record Samples(double[][] loomnet, double[][] baseline) {

        Stats loomnet(int metric) {
            return Stats.of(loomnet[metric]);
        }

        Stats baseline(int metric) {
            return Stats.of(baseline[metric]);
        }
    }

    private Measure() {
    }

    /**
     * @param run        the run's settings (for progress lines)
     * @param what       names the case in progress lines
     * @param metrics    the names of the figures each trial returns, for progress lines
     * @param warmup     warm-up iterations
     * @param iterations measured iterations
     * @param loomnet    LoomNet's trial
     * @param baseline   the plain-socket trial
     * @return the measured figures
     * @throws Exception whatever a trial throws
     */
    static Samples interleaved(RunSettings run, String what, String[] metrics, int warmup, int iterations,
                               Trial loomnet, Trial baseline) throws Exception {
        for (int i = 0; i < warmup; i++) {
            double[] b = baseline.run();
            double[] l = loomnet.run();
            run.log("  %s warm-up %d/%d: %s", what, i + 1, warmup, line(metrics, l, b));
        }
        double[][] ls = new double[metrics.length][iterations];
        double[][] bs = new double[metrics.length][iterations];
        for (int i = 0; i < iterations; i++) {
            double[] l;
            double[] b;
            if (i % 2 == 0) {
                b = baseline.run();
                l = loomnet.run();
            } else {
                l = loomnet.run();
                b = baseline.run();
            }
            for (int m = 0; m < metrics.length; m++) {
                ls[m][i] = l[m];
                bs[m][i] = b[m];
            }
            run.log("  %s iteration %d/%d: %s", what, i + 1, iterations, line(metrics, l, b));
        }
        return new Samples(ls, bs);
    }

    private static String line(String[] metrics, double[] l, double[] b) {
        StringBuilder s = new StringBuilder();
        for (int m = 0; m < metrics.length; m++) {
            if (m > 0) {
                s.append("; ");
            }
            s.append(metrics[m]).append(" LoomNet ").append(Table.number(l[m]))
                    .append(", plain ").append(Table.number(b[m]));
        }
        return s.toString();
    }
}
