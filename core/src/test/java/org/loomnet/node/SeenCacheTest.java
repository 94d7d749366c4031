package org.loomnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The gossip seen-cache: bounded, expiring, driven by explicit times. */
class SeenCacheTest {

    private static byte[] id(int i) {
        return new byte[] {(byte) (i >> 24), (byte) (i >> 16), (byte) (i >> 8), (byte) i};
    }

    @Test
    void remembersUntilTheTtl() {
        SeenCache c = new SeenCache(10);
        c.add(id(1), 1000, 0);
        assertThat(c.contains(id(1), 999)).isTrue();
        assertThat(c.contains(id(1), 1000)).isFalse();
        assertThat(c.contains(id(2), 0)).isFalse();
    }

    @Test
    void staysWithinItsBoundUnderAFloodOfDistinctIds() {
        SeenCache c = new SeenCache(100);
        for (int i = 0; i < 10_000; i++) {
            c.add(id(i), i + 60_000, i);
            assertThat(c.size()).isLessThanOrEqualTo(100);
        }
        assertThat(c.evicted()).isEqualTo(9_900);
        assertThat(c.contains(id(9_999), 10_000)).isTrue();
        assertThat(c.contains(id(0), 10_000)).isFalse();
    }

    @Test
    void expiredIdsAreDroppedAsNewOnesArrive() {
        SeenCache c = new SeenCache(100);
        for (int i = 0; i < 50; i++) {
            c.add(id(i), 10, 0);
        }
        c.add(id(1000), 20, 10);
        assertThat(c.size()).isEqualTo(1);
        assertThat(c.evicted()).isZero();
    }
}
