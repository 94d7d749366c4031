package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Per-IP token buckets with a bounded address map. */
class QueryRateLimiterTest {

    @Test
    void burstThenSustainedRatePerAddress() throws Exception {
        QueryRateLimiter limiter = new QueryRateLimiter(10, 5, 100);
        InetAddress a = InetAddress.getByName("127.0.0.2");
        InetAddress b = InetAddress.getByName("127.0.0.3");
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.allow(a, 1000)).isTrue();
        }
        assertThat(limiter.allow(a, 1000)).isFalse();
        assertThat(limiter.allow(b, 1000)).isTrue(); // another address has its own bucket
        assertThat(limiter.allow(a, 1099)).isFalse(); // 0.99 of a token
        assertThat(limiter.allow(a, 1100)).isTrue();  // 10 per second: one every 100 ms
        assertThat(limiter.allow(a, 1100)).isFalse();
        assertThat(limiter.allow(a, 60_000)).isTrue(); // refilled, but never above the burst
        for (int i = 0; i < 4; i++) {
            assertThat(limiter.allow(a, 60_000)).isTrue();
        }
        assertThat(limiter.allow(a, 60_000)).isFalse();
    }

    @Test
    void theAddressMapIsBounded() throws Exception {
        QueryRateLimiter limiter = new QueryRateLimiter(1, 1, 3);
        for (int i = 1; i <= 10; i++) {
            limiter.allow(InetAddress.getByName("127.0.0." + i), 0);
        }
        assertThat(limiter.trackedAddresses()).isEqualTo(3);
        // The least recently active address was forgotten: it starts with a full bucket again.
        assertThat(limiter.allow(InetAddress.getByName("127.0.0.1"), 0)).isTrue();
        assertThat(limiter.allow(InetAddress.getByName("127.0.0.10"), 0)).isFalse();
    }
}
