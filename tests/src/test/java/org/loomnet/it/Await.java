package org.loomnet.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; never a fixed sleep. */
final class Await {

    /** Generous: tests must pass on a loaded 2-core machine. */
    static final Duration DEFAULT = Duration.ofSeconds(20);

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        until(what, condition, DEFAULT);
    }

    static void until(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            pause();
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
        try {
            Thread.sleep(10); // polling interval, not a wait for an outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
