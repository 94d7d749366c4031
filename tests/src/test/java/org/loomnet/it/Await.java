package org.loomnet.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; never a fixed sleep. */
final class Await {

    /** Generous: tests must pass on a loaded 2-core machine. */
    static final Duration DEFAULT = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(10);

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        until(what, condition, DEFAULT);
    }

    static void until(String what, BooleanSupplier condition, Duration timeout) {
        until(what, condition, timeout, POLL);
    }

    /** For a condition that is costly to evaluate (a thread dump): looks every {@code poll}. */
    static void until(String what, BooleanSupplier condition, Duration timeout, Duration poll) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            pause(poll);
        }
    }

    /** Waits until the supplier returns non-null and returns it. */
    static <T> T value(String what, Supplier<T> supplier) {
        long deadline = System.nanoTime() + DEFAULT.toNanos();
        T v;
        while ((v = supplier.get()) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            pause();
        }
        return v;
    }

    private static void pause() {
        pause(POLL);
    }

    private static void pause(Duration poll) {
        try {
            Thread.sleep(poll); // polling interval, not a wait for an outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
