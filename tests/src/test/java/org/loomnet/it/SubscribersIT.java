package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.loomnet.node.Node;
import org.loomnet.node.Subscription;

/** Each subscriber has its own queue and thread: a slow one delays nobody else. */
class SubscribersIT {

    @Test
    void aSlowSubscriberDoesNotDelayAnotherAndOnlyLosesItsOwnOldestMessages() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.10.1");
            Node b = net.start(TestNodes.builder("127.0.10.2").subscriberQueue(8).specialPeer(a.listenAddress()));
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger slowSeen = new AtomicInteger();
            AtomicInteger fastSeen = new AtomicInteger();
            AtomicInteger otherTypeSeen = new AtomicInteger();
            Subscription slow = b.subscribe("t", m -> {
                try {
                    release.await(); // stuck until the test lets it go
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                slowSeen.incrementAndGet();
            });
            b.subscribe("t", m -> fastSeen.incrementAndGet());
            b.subscribe("other", m -> otherTypeSeen.incrementAndGet());
            Await.until("connected", () -> a.peers().contains(b.id()));

            // In rounds that fit a subscriber queue (8): while the slow handler is stuck, the others
            // get everything.
            for (int round = 1; round <= 20; round++) {
                for (int i = 0; i < 5; i++) {
                    a.send(b.id(), "t", new byte[] {(byte) i});
                    a.send(b.id(), "other", new byte[] {(byte) i});
                }
                int expected = round * 5;
                Await.until("fast subscribers got round " + round,
                        () -> fastSeen.get() == expected && otherTypeSeen.get() == expected);
            }
            assertThat(slowSeen.get()).isZero();

            release.countDown();
            // The slow one held the batch it took before its handler blocked (since fd9dc41 a
            // mailbox hands over what is queued in one batch: at most the 8 queued and one more
            // offered meanwhile) and 8 queued behind it: the rest were dropped and counted.
            Await.until("slow subscriber drained", () -> slowSeen.get() + slow.dropped() == 100);
            assertThat(slow.dropped()).isEqualTo(100 - slowSeen.get()).isPositive();
            assertThat(slowSeen.get()).isLessThanOrEqualTo(8 + 1 + 8);
        }
    }

    @Test
    void anEveryTypeSubscriberSeesEveryTypeAndClosingItStopsDelivery() throws Exception {
        try (TestNodes net = new TestNodes()) {
            Node a = net.start("127.0.10.3");
            Node b = net.start(TestNodes.builder("127.0.10.4").specialPeer(a.listenAddress()));
            java.util.List<String> types = new java.util.concurrent.CopyOnWriteArrayList<>();
            Subscription tap = b.subscribeAll(m -> types.add(m.type()));
            AtomicInteger typed = new AtomicInteger();
            b.subscribe("beta", m -> typed.incrementAndGet());
            Await.until("connected", () -> a.peers().contains(b.id()));

            a.send(b.id(), "alpha", new byte[] {1});
            a.send(b.id(), "beta", new byte[] {2});
            Await.until("tap saw both", () -> types.size() == 2);
            assertThat(types).containsExactly("alpha", "beta");
            assertThat(typed.get()).isEqualTo(1);

            tap.close();
            a.send(b.id(), "beta", new byte[] {3});
            Await.until("typed subscriber got the third", () -> typed.get() == 2);
            assertThat(types).hasSize(2);
        }
    }
}
