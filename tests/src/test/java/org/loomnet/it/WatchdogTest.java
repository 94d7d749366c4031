package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watchdog fails a hanging test and leaves a dump that shows virtual threads. */
class WatchdogTest {

    @Test
    void aTestPastItsDeadlineFailsAndLeavesADumpThatNamesVirtualThreads(@TempDir Path dir) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Thread stuck = Thread.ofVirtual().name("stuck-virtual-probe").start(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThatThrownBy(() -> Watchdog.guard("Hang.test", Duration.ofMillis(200), dir, never::await))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Hang.test ran past its deadline")
                    .hasMessageContaining(dir.toString())
                    .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                            .isInstanceOf(InterruptedException.class));
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            try (var files = Files.list(dir)) {
                Path dump = files.filter(f -> f.getFileName().toString().startsWith("Hang.test-")).findFirst().orElseThrow();
                String text = Files.readString(dump);
                assertThat(text).contains("stuck-virtual-probe") // a virtual thread, which getAllStackTraces misses
                        .contains(Thread.currentThread().getName())
                        .contains("--- locks (platform threads) ---");
            }
        } finally {
            never.countDown();
            stuck.join();
        }
    }

    @Test
    void aTestWithinItsDeadlinePassesOrFailsOnItsOwnAndLeavesNoDump(@TempDir Path dir) throws Throwable {
        Watchdog.guard("Quick.test", Duration.ofSeconds(30), dir, () -> { });
        assertThatThrownBy(() -> Watchdog.guard("Failing.test", Duration.ofSeconds(30), dir, () -> {
            throw new IOException("its own failure");
        })).isInstanceOf(IOException.class).hasMessage("its own failure");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
