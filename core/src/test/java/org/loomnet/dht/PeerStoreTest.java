package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.loomnet.dht.PeerStore.Result;

/** The announced-peer store: bounds, its policy when full, and expiry. */
class PeerStoreTest {

    private static final long MINUTE = 60_000;
    private static final DhtId H1 = DhtId.infoHashOf("one");
    private static final DhtId H2 = DhtId.infoHashOf("two");
    private static final DhtId H3 = DhtId.infoHashOf("three");

    private static InetSocketAddress peer(int i) {
        return new InetSocketAddress("127.0.0.1", 1000 + i);
    }

    @Test
    void aFullInfoHashDropsItsOldestAnnounce() {
        PeerStore store = new PeerStore(3, 10, 100, Duration.ofMinutes(30));
        assertThat(store.announce(H1, peer(1), 0)).isEqualTo(Result.ADDED);
        assertThat(store.announce(H1, peer(2), 1)).isEqualTo(Result.ADDED);
        assertThat(store.announce(H1, peer(3), 2)).isEqualTo(Result.ADDED);
        assertThat(store.announce(H1, peer(1), 3)).isEqualTo(Result.REFRESHED); // 1 is now the newest
        assertThat(store.announce(H1, peer(4), 4)).isEqualTo(Result.REPLACED_OLDEST);
        assertThat(store.peers(H1, 10, 5, new SplittableRandom(1))).containsExactlyInAnyOrder(peer(1), peer(3), peer(4));
        assertThat(store.size()).isEqualTo(3);
    }

    @Test
    void aFullStoreRefusesNewEntriesButNotReannounces() {
        PeerStore store = new PeerStore(5, 2, 3, Duration.ofMinutes(30));
        store.announce(H1, peer(1), 0);
        store.announce(H2, peer(2), 0);
        assertThat(store.announce(H3, peer(3), 0)).isEqualTo(Result.REFUSED_FULL); // 2 info-hashes at most
        assertThat(store.announce(H1, peer(4), 0)).isEqualTo(Result.ADDED);
        assertThat(store.announce(H2, peer(5), 0)).isEqualTo(Result.REFUSED_FULL); // 3 peers at most
        assertThat(store.announce(H2, peer(2), 1)).isEqualTo(Result.REFRESHED);
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.infoHashes()).isEqualTo(2);
    }

    @Test
    void entriesExpireAfterTheirTtlAndFreeTheirRoom() {
        PeerStore store = new PeerStore(5, 1, 10, Duration.ofMinutes(30));
        store.announce(H1, peer(1), 0);
        store.announce(H1, peer(2), 10 * MINUTE);
        assertThat(store.peers(H1, 10, 29 * MINUTE, new SplittableRandom(1))).containsExactly(peer(1), peer(2));
        // Expired entries are never returned, even before the sweep.
        assertThat(store.peers(H1, 10, 30 * MINUTE, new SplittableRandom(1))).containsExactly(peer(2));
        assertThat(store.expire(30 * MINUTE)).isEqualTo(1);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.expire(40 * MINUTE)).isEqualTo(1);
        assertThat(store.infoHashes()).isZero();
        assertThat(store.announce(H2, peer(3), 40 * MINUTE)).isEqualTo(Result.ADDED); // room again
    }

    @Test
    void aLargeSwarmIsSampled() {
        PeerStore store = new PeerStore(100, 1, 100, Duration.ofMinutes(30));
        for (int i = 0; i < 100; i++) {
            store.announce(H1, peer(i), 0);
        }
        var sample = store.peers(H1, 10, 1, new SplittableRandom(7));
        assertThat(sample).hasSize(10).doesNotHaveDuplicates();
        assertThat(store.peers(H1, 10, 1, new SplittableRandom(8))).isNotEqualTo(sample);
    }
}
