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
        assertThat(l.check(ip("127.0.1.4"), 1000)).as("full of recent windows").isEqualTo(DisconnectReason.CONNECTING_TOO_FAST);
        assertThat(l.tracked()).isEqualTo(3);
        assertThat(l.check(ip("127.0.1.4"), 20_000)).as("old windows pruned to make room").isNull();
        assertThat(l.tracked()).isEqualTo(1);
    }
}
