package org.loomnet.daemon;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, never a fixed sleep: the daemon tests' one way to wait. */
public final class Await {

    /** Long enough for a loaded 2-core machine. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Await() {
    }

    /**
     * @param what      what is awaited, for the failure message
     * @param condition polled every 20 ms
     * @throws AssertionError if it does not hold within {@link #TIMEOUT}
     */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting until " + what);
            }
            Thread.sleep(20); // the polling interval, not a wait for an event
        }
    }
}
