package org.loomnet.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.loomnet.connection.SendQueue.Offer;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelType;

/** The bounded, drop-oldest queue in front of a connection's writer. */
class SendQueueTest {

    private static final long LOTS = 1_000_000;
    /** Long enough that a missing wake-up shows as a failed test, not a slow pass. */
    private static final long TAKE_WAIT_MILLIS = 120_000;

    private static Parcel message(long id, int length) {
        return Parcel.of(ParcelType.MESSAGE, id, new byte[length]);
    }

    private static Parcel part(long id, int partNumber, int partCount, int length) {
        byte[] payload = new byte[length];
        return Parcel.part(ParcelType.MESSAGE_PART, id, partNumber, partCount, payload, 0, length);
    }

    private static Parcel ping(long id) {
        return Parcel.of(ParcelType.PING, id, new byte[8]);
    }

    private static Parcel disconnect(int length) {
        return Parcel.of(ParcelType.DISCONNECT, 0, new byte[length]);
    }

    /** Everything queued now, in order, without waiting. */
    private static List<Parcel> drain(SendQueue q) throws InterruptedException {
        List<Parcel> all = new ArrayList<>();
        while (q.size() > 0) {
            assertThat(q.takeBatch(all, Integer.MAX_VALUE, Long.MAX_VALUE, 0)).isTrue();
        }
        return all;
    }

    private static void assertSameParcels(List<Parcel> actual, Parcel... expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual.get(i)).as("parcel %d", i).isSameAs(expected[i]);
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            Thread.yield();
        }
    }

    /** Runs {@code body} on a virtual thread; its result or exception ends up in {@code result}. */
    private static final class Taker<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Thread thread;

        Taker(Callable<T> body) {
            thread = Thread.ofVirtual().name("test-taker").start(() -> {
                try {
                    result.complete(body.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        }

        /** Waits until the thread is parked in the queue's wait (timed or not) for a parcel. */
        Taker<T> awaitBlocked() {
            await(() -> thread.getState() == Thread.State.TIMED_WAITING || thread.getState() == Thread.State.WAITING
                            || result.isDone(),
                    Duration.ofSeconds(10), "the taker blocks in takeBatch");
            assertThat(result).as("the taker returned before anything was offered").isNotDone();
            return this;
        }

        T get() throws Exception {
            return result.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new SendQueue(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendQueue(10, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parcelsComeOutInTheOrderTheyWentIn() throws InterruptedException {
        SendQueue q = new SendQueue(10, LOTS);
        Parcel a = message(1, 10);
        Parcel b = ping(2);
        Parcel c = part(3, 0, 2, 30);
        Parcel d = message(4, 0);
        for (Parcel p : List.of(a, b, c, d)) {
            assertThat(q.offer(p)).isEqualTo(Offer.QUEUED);
        }
        assertThat(q.size()).isEqualTo(4);
        assertThat(q.bytes()).isEqualTo(48);

        List<Parcel> batch = new ArrayList<>();
        assertThat(q.takeBatch(batch, 100, LOTS, 0)).isTrue();
        assertSameParcels(batch, a, b, c, d);
        assertThat(q.size()).isZero();
        assertThat(q.bytes()).isZero();
        assertThat(q.dropped()).isZero();
    }

    @Test
    void takeBatchOnAnEmptyQueueReturnsTrueWithNothingAfterItsWait() throws InterruptedException {
        SendQueue q = new SendQueue(10, LOTS);
        List<Parcel> batch = new ArrayList<>();
        assertThat(q.takeBatch(batch, 10, LOTS, 0)).isTrue();
        assertThat(batch).isEmpty();
    }

    @Test
    void takeBatchRespectsMaxCount() throws InterruptedException {
        SendQueue q = new SendQueue(10, LOTS);
        Parcel[] ps = new Parcel[5];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = message(i, 10);
            q.offer(ps[i]);
        }
        List<Parcel> batch = new ArrayList<>();
        assertThat(q.takeBatch(batch, 2, LOTS, 0)).isTrue();
        assertSameParcels(batch, ps[0], ps[1]);
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.bytes()).isEqualTo(30);

        batch.clear();
        assertThat(q.takeBatch(batch, 2, LOTS, 0)).isTrue();
        assertSameParcels(batch, ps[2], ps[3]);
        batch.clear();
        assertThat(q.takeBatch(batch, 2, LOTS, 0)).isTrue();
        assertSameParcels(batch, ps[4]);
    }

    @Test
    void takeBatchStopsOnceTheBatchReachesMaxBytesButAlwaysTakesOne() throws InterruptedException {
        SendQueue q = new SendQueue(10, LOTS);
        Parcel big = message(0, 500);
        Parcel[] small = {message(1, 40), message(2, 40), message(3, 40), message(4, 40)};
        q.offer(big);
        for (Parcel p : small) {
            q.offer(p);
        }
        List<Parcel> batch = new ArrayList<>();
        q.takeBatch(batch, 100, 100, 0);
        assertSameParcels(batch, big);

        batch.clear();
        q.takeBatch(batch, 100, 100, 0);
        assertSameParcels(batch, small[0], small[1], small[2]); // 40, 80, 120: stops at >= 100
        assertThat(q.size()).isEqualTo(1);
    }

    @Test
    void fullByCountDropsTheOldestApplicationParcel() throws InterruptedException {
        SendQueue q = new SendQueue(3, LOTS);
        Parcel p = ping(0);
        Parcel m1 = message(1, 10);
        Parcel m2 = message(2, 10);
        Parcel m3 = message(3, 10);
        q.offer(p);
        q.offer(m1);
        q.offer(m2);

        assertThat(q.offer(m3)).isEqualTo(Offer.QUEUED_AFTER_DROP);
        assertThat(q.dropped()).isEqualTo(1);
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.bytes()).isEqualTo(8 + 10 + 10);
        assertSameParcels(drain(q), p, m2, m3);
    }

    @Test
    void fullByBytesDropsAsManyOldApplicationParcelsAsNeeded() throws InterruptedException {
        SendQueue q = new SendQueue(100, 100);
        Parcel m1 = message(1, 40);
        Parcel m2 = message(2, 40);
        Parcel m3 = message(3, 30);
        Parcel m4 = message(4, 90);
        assertThat(q.offer(m1)).isEqualTo(Offer.QUEUED);
        assertThat(q.offer(m2)).isEqualTo(Offer.QUEUED);
        assertThat(q.offer(m3)).isEqualTo(Offer.QUEUED_AFTER_DROP);
        assertThat(q.bytes()).isEqualTo(70);
        assertThat(q.dropped()).isEqualTo(1);

        assertThat(q.offer(m4)).isEqualTo(Offer.QUEUED_AFTER_DROP);
        assertThat(q.dropped()).isEqualTo(3);
        assertThat(q.bytes()).isEqualTo(90).isLessThanOrEqualTo(100);
        assertSameParcels(drain(q), m4);
    }

    @Test
    void controlParcelsAreNeverDropped() throws InterruptedException {
        SendQueue q = new SendQueue(4, LOTS);
        Parcel p1 = ping(1);
        Parcel m1 = message(10, 10);
        Parcel bye = disconnect(5);
        Parcel m2 = message(11, 10);
        q.offer(p1);
        q.offer(m1);
        q.offer(bye);
        q.offer(m2);

        Parcel p2 = ping(2);
        Parcel p3 = ping(3);
        assertThat(q.offer(p2)).isEqualTo(Offer.QUEUED_AFTER_DROP);
        assertThat(q.offer(p3)).isEqualTo(Offer.QUEUED_AFTER_DROP);
        assertThat(q.dropped()).isEqualTo(2);
        assertSameParcels(drain(q), p1, bye, p2, p3);
    }

    @Test
    void queueFullOfControlParcelsRefusesAndChangesNothing() throws InterruptedException {
        SendQueue q = new SendQueue(2, LOTS);
        Parcel p1 = ping(1);
        Parcel p2 = ping(2);
        q.offer(p1);
        q.offer(p2);

        assertThat(q.offer(message(3, 1))).isEqualTo(Offer.REFUSED);
        assertThat(q.offer(ping(4))).isEqualTo(Offer.REFUSED);
        assertThat(q.offer(disconnect(2))).isEqualTo(Offer.REFUSED);
        assertThat(q.dropped()).isZero();
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.bytes()).isEqualTo(16);
        assertSameParcels(drain(q), p1, p2);
    }

    @Test
    void queueFullOfControlBytesRefuses() {
        SendQueue q = new SendQueue(100, 20);
        q.offer(ping(1));
        q.offer(ping(2));
        assertThat(q.offer(message(3, 5))).isEqualTo(Offer.REFUSED);
        assertThat(q.offer(ping(3))).isEqualTo(Offer.REFUSED);
        assertThat(q.size()).isEqualTo(2);
    }

    @Test
    void droppingAPartDropsItsQueuedSiblingsButNothingElse() throws InterruptedException {
        SendQueue q = new SendQueue(7, LOTS);
        Parcel a0 = part(1, 0, 3, 10);
        Parcel b = message(2, 10);
        Parcel sameIdWholeMessage = message(1, 10); // not a part: another message that reuses the id
        Parcel a1 = part(1, 1, 3, 10);
        Parcel c0 = part(3, 0, 2, 10);
        Parcel p = ping(1);
        Parcel a2 = part(1, 2, 3, 10);
        for (Parcel x : List.of(a0, b, sameIdWholeMessage, a1, c0, p, a2)) {
            assertThat(q.offer(x)).isEqualTo(Offer.QUEUED);
        }

        Parcel d = message(4, 10);
        assertThat(q.offer(d)).isEqualTo(Offer.QUEUED_AFTER_DROP);
        assertThat(q.dropped()).isEqualTo(3);
        assertThat(q.size()).isEqualTo(5);
        assertThat(q.bytes()).isEqualTo(10 + 10 + 10 + 8 + 10);
        assertSameParcels(drain(q), b, sameIdWholeMessage, c0, p, d);
    }

    @Test
    void finishAppendsTheLastParcelRegardlessOfLimitsThenRefusesOffers() throws InterruptedException {
        SendQueue q = new SendQueue(2, 20);
        Parcel m = message(1, 12);
        Parcel p = ping(2);
        q.offer(m);
        q.offer(p);
        Parcel bye = disconnect(100);

        assertThat(q.finish(bye)).isTrue();
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.bytes()).isEqualTo(120);
        assertThat(q.dropped()).as("finish drops nothing").isZero();

        assertThat(q.offer(ping(3))).isEqualTo(Offer.REFUSED);
        assertThat(q.offer(message(4, 1))).isEqualTo(Offer.REFUSED);
        assertThat(q.finish(disconnect(1))).as("only the first finish counts").isFalse();

        List<Parcel> batch = new ArrayList<>();
        assertThat(q.takeBatch(batch, 100, LOTS, TAKE_WAIT_MILLIS)).isTrue();
        assertSameParcels(batch, m, p, bye);
        batch.clear();
        assertThat(q.takeBatch(batch, 100, LOTS, TAKE_WAIT_MILLIS)).as("finished and empty").isFalse();
        assertThat(batch).isEmpty();
    }

    @Test
    void finishedQueueIsDrainedBeforeTakeBatchReportsTheEnd() throws InterruptedException {
        SendQueue q = new SendQueue(10, LOTS);
        Parcel m1 = message(1, 1);
        Parcel m2 = message(2, 1);
        q.offer(m1);
        q.offer(m2);
        assertThat(q.finish(null)).isTrue();
        assertThat(q.size()).isEqualTo(2);

        List<Parcel> batch = new ArrayList<>();
        assertThat(q.takeBatch(batch, 1, LOTS, TAKE_WAIT_MILLIS)).isTrue();
        assertThat(q.takeBatch(batch, 2, LOTS, TAKE_WAIT_MILLIS)).isTrue();
        assertSameParcels(batch, m1, m2);
        assertThat(q.takeBatch(batch, 10, LOTS, TAKE_WAIT_MILLIS)).isFalse();
        assertThat(q.takeBatch(batch, 10, LOTS, 0)).isFalse();
    }

    @Test
    void blockedTakerIsWokenByOffer() throws Exception {
        SendQueue q = new SendQueue(10, LOTS);
        List<Parcel> batch = new ArrayList<>();
        Taker<Boolean> taker = new Taker<>(() -> q.takeBatch(batch, 10, LOTS, TAKE_WAIT_MILLIS)).awaitBlocked();

        Parcel m = message(1, 5);
        assertThat(q.offer(m)).isEqualTo(Offer.QUEUED);
        assertThat(taker.get()).isTrue();
        assertSameParcels(batch, m);
        assertThat(q.size()).isZero();
    }

    @Test
    void takerWaitingWithoutATimerIsWokenByOffer() throws Exception {
        // Long.MAX_VALUE is how the writer waits: untimed, so it must still wake on an offer.
        SendQueue q = new SendQueue(10, LOTS);
        List<Parcel> batch = new ArrayList<>();
        Taker<Boolean> taker = new Taker<>(() -> q.takeBatch(batch, 10, LOTS, Long.MAX_VALUE)).awaitBlocked();
        assertThat(taker.thread.getState()).isEqualTo(Thread.State.WAITING);
        q.offer(Parcel.of(ParcelType.MESSAGE, 1, new byte[3]));
        assertThat(taker.get()).isTrue();
        assertThat(batch).hasSize(1);
    }

    @Test
    void blockedTakerIsWokenByFinishWithoutALastParcel() throws Exception {
        SendQueue q = new SendQueue(10, LOTS);
        List<Parcel> batch = new ArrayList<>();
        Taker<Boolean> taker = new Taker<>(() -> q.takeBatch(batch, 10, LOTS, TAKE_WAIT_MILLIS)).awaitBlocked();

        assertThat(q.finish(null)).isTrue();
        assertThat(taker.get()).as("finished and empty: the writer stops").isFalse();
        assertThat(batch).isEmpty();
    }

    @Test
    void blockedTakerIsWokenByFinishWithALastParcel() throws Exception {
        SendQueue q = new SendQueue(10, LOTS);
        List<Parcel> batch = new ArrayList<>();
        Taker<Boolean> taker = new Taker<>(() -> q.takeBatch(batch, 10, LOTS, TAKE_WAIT_MILLIS)).awaitBlocked();

        Parcel bye = disconnect(3);
        assertThat(q.finish(bye)).isTrue();
        assertThat(taker.get()).isTrue();
        assertSameParcels(batch, bye);
        assertThat(q.takeBatch(batch, 10, LOTS, TAKE_WAIT_MILLIS)).isFalse();
    }

    @Test
    void blockedTakerIsEndedByInterrupt() throws Exception {
        SendQueue q = new SendQueue(10, LOTS);
        Taker<Boolean> taker = new Taker<>(() -> q.takeBatch(new ArrayList<>(), 10, LOTS, TAKE_WAIT_MILLIS))
                .awaitBlocked();
        taker.thread.interrupt();
        assertThatThrownBy(taker::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
    }

    @Test
    void offersFromManyThreadsAreAllAccountedFor() throws Exception {
        // 4 producers, one consumer; a small queue so that drops happen. Every parcel is either
        // taken or counted as dropped, and the byte count ends at zero.
        SendQueue q = new SendQueue(8, LOTS);
        int perProducer = 2_000;
        List<Taker<Integer>> producers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long base = t * 1_000_000L;
            producers.add(new Taker<>(() -> {
                int refused = 0;
                for (int i = 0; i < perProducer; i++) {
                    if (q.offer(message(base + i, 3)) == Offer.REFUSED) {
                        refused++;
                    }
                }
                return refused;
            }));
        }
        List<Parcel> taken = new ArrayList<>();
        Taker<Boolean> consumer = new Taker<>(() -> {
            while (q.takeBatch(taken, Integer.MAX_VALUE, Long.MAX_VALUE, TAKE_WAIT_MILLIS)) {
                // keep taking until finished and empty
            }
            return true;
        });
        for (Taker<Integer> producer : producers) {
            assertThat(producer.result.get(60, TimeUnit.SECONDS)).as("refused offers").isZero();
        }
        q.finish(null);
        assertThat(consumer.get()).isTrue();
        assertThat(taken.size() + q.dropped()).isEqualTo(4L * perProducer);
        assertThat(q.bytes()).isZero();
        // Per producer, what got through is still in order.
        for (int t = 0; t < 4; t++) {
            long lo = t * 1_000_000L;
            List<Long> ids = taken.stream().map(Parcel::messageId).filter(id -> id >= lo && id < lo + perProducer).toList();
            assertThat(ids).isSorted();
        }
    }

    @Test
    void refusedOfferDropsNothing() throws InterruptedException {
        SendQueue q = new SendQueue(10, 100);
        Parcel m1 = message(1, 30);
        Parcel control = Parcel.of(ParcelType.PEER_RESPONSE, 0, new byte[60]);
        q.offer(m1);
        q.offer(control);

        // 60 bytes of control parcels + 50 new bytes > 100, even with m1 gone: the offer is refused...
        assertThat(q.offer(message(2, 50))).isEqualTo(Offer.REFUSED);
        // ...and a refused offer should leave the queue as it was.
        assertThat(q.dropped()).isZero();
        assertSameParcels(drain(q), m1, control);
    }

    @Test
    void partsOfAMessageOfferedAfterOneOfItsPartsWasDroppedAreDroppedToo() throws Exception {
        SendQueue q = new SendQueue(2, LOTS);
        q.offer(part(7, 0, 3, 10));
        q.offer(part(7, 1, 3, 10));
        // full: a new message drops the oldest part of message 7 and its queued sibling
        assertThat(q.offer(message(8, 10))).isEqualTo(SendQueue.Offer.QUEUED_AFTER_DROP);
        // the last part of message 7 can never complete: it is dropped on arrival
        assertThat(q.offer(part(7, 2, 3, 10))).isEqualTo(SendQueue.Offer.DROPPED);
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.dropped()).isEqualTo(3);
        java.util.List<Parcel> batch = new java.util.ArrayList<>();
        q.takeBatch(batch, 10, LOTS, 0);
        assertThat(batch).extracting(Parcel::messageId).containsExactly(8L);
    }
}
