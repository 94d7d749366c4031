package org.loomnet.fuzz;

import java.lang.management.ManagementFactory;

/**
 * Measures the heap a piece of code allocates on the calling thread, so that a fuzz target can
 * assert that a decoder never allocates more than its limits allow, whatever length a hostile
 * input announces: an allocation sized by the peer before the check shows up here even when the
 * heap is large enough for it to succeed.
 *
 * <p>The first run of a code path may also load classes, which the fuzzer instruments on this
 * thread: megabytes that are not the decoder's. So a run over the bound is run again, up to three
 * times, and fails only if every run is over the bound; an allocation sized by the input repeats, class loading
 * does not.
 */
public final class AllocationMeter {

    /** Room for what the decoder's own bookkeeping and exception messages may take besides its limit. */
    public static final long SLACK = 1L << 20;

    /** Runs again before an allocation over the bound counts: the first rerun may still load classes. */
    private static final int WARM_RUNS = 3;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The measured code, run again when the first run was over the bound. */
    @FunctionalInterface
    public interface Run {
        /**
         * @throws Exception whatever the code throws; the meter ignores it
         */
        void run() throws Exception;
    }

    private final long start = THREADS.getCurrentThreadAllocatedBytes();

    private AllocationMeter() {
    }

    /** @return a meter that counts from now */
    public static AllocationMeter start() {
        return new AllocationMeter();
    }

    /** @return bytes allocated by this thread since {@link #start()} */
    public long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes() - start;
    }

    /**
     * @param limit the most bytes the code may allocate by its own limits; {@link #SLACK} is added
     * @param what  what was measured, for the failure message
     * @param again the same code, to run again if the first run was over the bound
     * @throws AssertionError if every run allocated more
     */
    public void assertAtMost(long limit, String what, Run again) {
        long used = allocated();
        for (int rerun = 0; used > limit + SLACK; rerun++) {
            if (rerun == WARM_RUNS) {
                throw new AssertionError(what + " allocated " + used + " bytes, more than its bound of " + limit
                        + " + " + SLACK);
            }
            AllocationMeter meter = start();
            try {
                again.run();
            } catch (Exception ignored) {
                // the caller judged the outcome of the first run
            }
            used = meter.allocated();
        }
    }
}
