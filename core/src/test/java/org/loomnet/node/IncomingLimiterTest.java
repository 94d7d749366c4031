package org.loomnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.loomnet.wire.DisconnectReason;

/** Per-address incoming limits, with explicit times. */
class IncomingLimiterTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void capsOpenConnectionsPerAddress() throws Exception {
        IncomingLimiter l = new IncomingLimiter(2, 100, 100);
        InetAddress a = ip("127.0.0.2");
        for (int i = 0; i < 2; i++) {
            assertThat(l.check(a, 0)).isNull();
            l.opened(a);
        }
        assertThat(l.check(a, 0)).isEqualTo(DisconnectReason.TOO_MANY_FROM_ADDRESS);
        assertThat(l.check(ip("127.0.0.3"), 0)).as("another address is unaffected").isNull();
        l.closed(a);
        assertThat(l.check(a, 0)).isNull();
    }

    @Test
    void limitsAcceptsPerSecondPerAddress() throws Exception {
        IncomingLimiter l = new IncomingLimiter(100, 3, 100);
        InetAddress a = ip("127.0.0.2");
        for (int i = 0; i < 3; i++) {
            assertThat(l.check(a, 500)).isNull();
        }
        assertThat(l.check(a, 999)).isEqualTo(DisconnectReason.CONNECTING_TOO_FAST);
        assertThat(l.check(a, 1500)).as("a new window").isNull();
    }

    @Test
    void theTableIsBoundedAndPruned() throws Exception {
        IncomingLimiter l = new IncomingLimiter(10, 10, 3);
        for (int i = 1; i <= 3; i++) {
            assertThat(l.check(ip("127.0.1." + i), 0)).isNull();
        }
        assertThat(l.tracked()).isEqualTo(3);
        l.prune(9_999);
        assertThat(l.tracked()).as("windows younger than 10 s stay").isEqualTo(3);
        l.prune(10_000);
        assertThat(l.tracked()).as("old windows pruned").isZero();
    }

    @Test
    void aFullTableForgetsTheLeastRecentAddressInsteadOfLockingNewcomersOut() throws Exception {
        // A flood from more addresses than the table holds, all within one second: the
        // newcomer after it is a stranger's first connection and must not be taken for a flood.
        IncomingLimiter l = new IncomingLimiter(10, 2, 3);
        InetAddress busy = ip("127.0.2.1");
        assertThat(l.check(busy, 0)).isNull();
        assertThat(l.check(busy, 0)).isNull();
        for (int i = 1; i <= 100; i++) {
            assertThat(l.check(ip("127.0.3." + i), 10)).as("flooding address %d", i).isNull();
            assertThat(l.check(busy, 10)).as("an address that keeps connecting stays tracked and limited")
                    .isEqualTo(DisconnectReason.CONNECTING_TOO_FAST);
        }
        assertThat(l.tracked()).isEqualTo(3);
        assertThat(l.check(ip("127.0.4.1"), 20)).as("a newcomer right after the flood").isNull();
        assertThat(l.tracked()).isEqualTo(3);
    }
}
