package org.loomnet.it;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Fails a test that runs past its deadline and leaves a thread dump behind, so that a hang shows
 * where it hangs (a {@code conn-…-writer} blocked in a socket write, a reader that never ended)
 * instead of ending as a build timeout with nothing to read.
 *
 * <pre>
 *   &#64;RegisterExtension
 *   final Watchdog watchdog = new Watchdog(Duration.ofSeconds(45));
 * </pre>
 *
 * <p>The test runs on its own thread as usual. A platform daemon thread, {@code watchdog-<test>},
 * waits for the deadline; if the test is still running then, it writes every thread's stack,
 * virtual threads included ({@link ThreadDumps#write}), to
 * {@code target/thread-dumps/<class>.<method>-<time>.txt}, then interrupts the test's thread,
 * and the test fails with an {@link AssertionError} naming the file. (Waits in these tests,
 * {@link Await} and {@code Node.close}, end on an interrupt; a test stuck where an interrupt
 * cannot reach still hangs, but its dump is on disk by then.)
 */
final class Watchdog implements InvocationInterceptor {

    /** Where dumps go: the module's target directory (the tests run with the module as working directory). */
    static final Path DUMPS = Path.of("target", "thread-dumps").toAbsolutePath();

    private final Duration deadline;

    Watchdog(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        String label = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        guard(label, deadline, DUMPS, invocation::proceed);
    }

    /** A test body. */
    interface Body {
        void run() throws Throwable;
    }

    /**
     * Runs {@code body} on the calling thread; if it is still running after {@code deadline}, dumps
     * every thread to {@code dir}, interrupts the caller and, once the body has returned, fails.
     *
     * @throws AssertionError if the deadline passed, with the body's own failure suppressed in it
     */
    static void guard(String label, Duration deadline, Path dir, Body body) throws Throwable {
        Thread testThread = Thread.currentThread();
        CountDownLatch finished = new CountDownLatch(1);
        AtomicReference<String> fired = new AtomicReference<>();
        Thread dog = Thread.ofPlatform().daemon().name("watchdog-" + label).start(() -> {
            try {
                if (finished.await(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            String dump;
            try {
                dump = "thread dump in " + ThreadDumps.write(dir, label);
            } catch (Exception | Error e) {
                dump = "the thread dump failed: " + e;
            }
            fired.set(dump);
            testThread.interrupt();
        });
        Throwable failure = null;
        try {
            body.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            finished.countDown();
            dog.join();
        }
        if (fired.get() != null) {
            Thread.interrupted(); // the watchdog's interrupt must not leak into what runs next
            AssertionError hang = new AssertionError(label + " ran past its deadline of " + deadline.toSeconds()
                    + " s; " + fired.get());
            if (failure != null) {
                hang.addSuppressed(failure);
            }
            throw hang;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
