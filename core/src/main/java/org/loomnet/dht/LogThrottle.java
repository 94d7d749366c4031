package org.loomnet.dht;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs protocol violations at WARN at most once per interval and the rest at DEBUG, with a count
 * of what was held back: a flood of garbage packets must not become a flood of log lines. Any
 * thread. Uses {@link System#nanoTime()}: log pacing is not behaviour anyone tests.
 */
final class LogThrottle {

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextWarn;
    private final AtomicLong heldBack = new AtomicLong();

    LogThrottle(Logger log, long intervalSeconds) {
        this.log = log;
        this.intervalNanos = intervalSeconds * 1_000_000_000L;
        this.nextWarn = new AtomicLong(System.nanoTime());
    }

    /** Logs at WARN if the interval has passed since the last WARN, else at DEBUG. */
    void warn(String format, Object... args) {
        long now = System.nanoTime();
        long next = nextWarn.get();
        if (now - next >= 0 && nextWarn.compareAndSet(next, now + intervalNanos)) {
            long held = heldBack.getAndSet(0);
            log.warn(held == 0 ? format : format + " (and " + held + " more since the last warning, at DEBUG)", args);
        } else {
            heldBack.incrementAndGet();
            log.debug(format, args);
        }
    }
}
