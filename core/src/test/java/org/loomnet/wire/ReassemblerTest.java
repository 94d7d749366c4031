package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Joining MESSAGE_PART parcels, within per-connection and node-wide bounds. */
class ReassemblerTest {

    private static final WireLimits LIMITS = new WireLimits(1024, 10_000);
    private static final long TIMEOUT = 30_000;
    private static final long LOTS = 1_000_000;

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<Parcel> parts(long id, byte[] encoded) {
        List<Parcel> parts = MessageSplitter.split(id, encoded, LIMITS);
        assertThat(parts).allMatch(p -> p.type() == ParcelType.MESSAGE_PART);
        return parts;
    }

    /** Feeds parts in the given order; only the last may complete the message. */
    private static byte[] feed(Reassembler r, List<Parcel> parts, long now) throws ProtocolException {
        byte[] whole = null;
        for (int i = 0; i < parts.size(); i++) {
            whole = r.accept(parts.get(i), now);
            if (i < parts.size() - 1) {
                assertThat(whole).as("part %d of %d completed early", i, parts.size()).isNull();
            }
        }
        return whole;
    }

    private static ProtocolException rejected(Reassembler r, Parcel p) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> r.accept(p, 0));
        assertThat(e).as("accepting %s", p).isNotNull();
        return e;
    }

    @Test
    void partsInOrderJoinByteForByte() throws ProtocolException {
        ReassemblyBudget budget = new ReassemblyBudget(LOTS);
        Reassembler r = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        byte[] encoded = randomBytes(5000, 1);
        List<Parcel> parts = parts(9, encoded);
        assertThat(parts).hasSize(5);

        for (int i = 0; i < 4; i++) {
            assertThat(r.accept(parts.get(i), 0)).isNull();
            assertThat(r.heldBytes()).isEqualTo(1024L * (i + 1));
            assertThat(budget.used()).isEqualTo(r.heldBytes());
        }
        assertThat(r.partialCount()).isEqualTo(1);
        assertThat(r.accept(parts.get(4), 0)).isEqualTo(encoded);

        assertThat(r.partialCount()).isZero();
        assertThat(r.heldBytes()).isZero();
        assertThat(budget.used()).as("completion releases the budget").isZero();
    }

    @Test
    void partsInReverseOrderJoin() throws ProtocolException {
        Reassembler r = new Reassembler(LIMITS, new ReassemblyBudget(LOTS), 4, LOTS, TIMEOUT);
        byte[] encoded = randomBytes(4500, 2);
        List<Parcel> parts = new ArrayList<>(parts(-1L, encoded));
        Collections.reverse(parts);
        assertThat(feed(r, parts, 0)).isEqualTo(encoded);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void partsInShuffledOrderJoin(long seed) throws ProtocolException {
        ReassemblyBudget budget = new ReassemblyBudget(LOTS);
        Reassembler r = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        byte[] encoded = randomBytes((int) LIMITS.maxEncodedMessage(), seed);
        List<Parcel> parts = new ArrayList<>(parts(0x8000_0000_0000_0000L | seed, encoded));
        Collections.shuffle(parts, new Random(seed));
        assertThat(feed(r, parts, 0)).isEqualTo(encoded);
        assertThat(budget.used()).isZero();
    }

    @Test
    void interleavedMessagesEachJoin() throws ProtocolException {
        Reassembler r = new Reassembler(LIMITS, new ReassemblyBudget(LOTS), 4, LOTS, TIMEOUT);
        byte[] a = randomBytes(3000, 3);
        byte[] b = randomBytes(2100, 4);
        List<Parcel> pa = parts(1, a);
        List<Parcel> pb = parts(2, b);
        assertThat(r.accept(pa.get(0), 0)).isNull();
        assertThat(r.accept(pb.get(2), 0)).isNull();
        assertThat(r.accept(pa.get(2), 0)).isNull();
        assertThat(r.accept(pb.get(0), 0)).isNull();
        assertThat(r.partialCount()).isEqualTo(2);
        assertThat(r.accept(pb.get(1), 0)).isEqualTo(b);
        assertThat(r.accept(pa.get(1), 0)).isEqualTo(a);
        assertThat(r.evictedCount()).isZero();
    }

    @Test
    void duplicatePartIsBadPart() throws ProtocolException {
        Reassembler r = new Reassembler(LIMITS, new ReassemblyBudget(LOTS), 4, LOTS, TIMEOUT);
        List<Parcel> parts = parts(5, randomBytes(3000, 5));
        r.accept(parts.get(1), 0);
        assertThat(rejected(r, parts.get(1)).reason()).isEqualTo(DisconnectReason.BAD_PART);
    }

    @Test
    void partCountDifferentFromTheFirstPartIsBadPart() throws ProtocolException {
        Reassembler r = new Reassembler(LIMITS, new ReassemblyBudget(LOTS), 4, LOTS, TIMEOUT);
        byte[] data = randomBytes(100, 6);
        r.accept(Parcel.part(ParcelType.MESSAGE_PART, 5, 0, 3, data, 0, 100), 0);
        Parcel liar = Parcel.part(ParcelType.MESSAGE_PART, 5, 1, 4, data, 0, 100);
        assertThat(rejected(r, liar).reason()).isEqualTo(DisconnectReason.BAD_PART);
        Parcel fewer = Parcel.part(ParcelType.MESSAGE_PART, 5, 1, 2, data, 0, 100);
        assertThat(rejected(r, fewer).reason()).isEqualTo(DisconnectReason.BAD_PART);
    }

    @Test
    void partsAddingUpToMoreThanTheMessageLimitAreRefused() throws ProtocolException {
        // 10 full frames announce a legal part count but carry 10240 bytes > 10065.
        ReassemblyBudget budget = new ReassemblyBudget(LOTS);
        Reassembler r = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        byte[] frame = new byte[1024];
        for (int i = 0; i < 9; i++) {
            assertThat(r.accept(Parcel.part(ParcelType.MESSAGE_PART, 1, i, 10, frame, 0, 1024), 0)).isNull();
        }
        Parcel last = Parcel.part(ParcelType.MESSAGE_PART, 1, 9, 10, frame, 0, 1024);
        assertThat(rejected(r, last).reason()).isEqualTo(DisconnectReason.MESSAGE_TOO_LARGE);
        assertThat(budget.used()).isLessThanOrEqualTo(LIMITS.maxEncodedMessage());
        r.releaseAll();
        assertThat(budget.used()).isZero();
    }

    @Test
    void tooManyPartialsEvictsTheOldest() throws ProtocolException {
        ReassemblyBudget budget = new ReassemblyBudget(LOTS);
        Reassembler r = new Reassembler(LIMITS, budget, 2, LOTS, TIMEOUT);
        byte[] a = randomBytes(3000, 7);
        byte[] b = randomBytes(3000, 8);
        byte[] c = randomBytes(3000, 9);
        List<Parcel> pa = parts(1, a);
        List<Parcel> pb = parts(2, b);
        List<Parcel> pc = parts(3, c);

        r.accept(pa.get(0), 0);
        r.accept(pa.get(1), 0);
        r.accept(pb.get(0), 0);
        assertThat(r.heldBytes()).isEqualTo(3 * 1024);
        assertThat(r.evictedCount()).isZero();

        r.accept(pc.get(0), 0);
        assertThat(r.evictedCount()).isEqualTo(1);
        assertThat(r.partialCount()).isEqualTo(2);
        assertThat(r.heldBytes()).as("A's two parts were released").isEqualTo(2 * 1024);
        assertThat(budget.used()).isEqualTo(2 * 1024);

        // B and C survived and still complete; A's last part starts a fresh partial instead.
        assertThat(feed(r, pb.subList(1, 3), 0)).isEqualTo(b);
        assertThat(feed(r, pc.subList(1, 3), 0)).isEqualTo(c);
        assertThat(r.accept(pa.get(2), 0)).isNull();
        assertThat(r.partialCount()).isEqualTo(1);
        r.releaseAll();
        assertThat(budget.used()).isZero();
    }

    @Test
    void tooManyBytesForOneConnectionEvictsTheOldest() throws ProtocolException {
        ReassemblyBudget budget = new ReassemblyBudget(LOTS);
        Reassembler r = new Reassembler(LIMITS, budget, 10, 3000, TIMEOUT);
        List<Parcel> pa = parts(1, randomBytes(3000, 10));
        byte[] b = randomBytes(2000, 11);
        List<Parcel> pb = parts(2, b);

        r.accept(pa.get(0), 0);
        r.accept(pa.get(1), 0);
        assertThat(r.heldBytes()).isEqualTo(2048);
        r.accept(pb.get(0), 0);
        assertThat(r.evictedCount()).isEqualTo(1);
        assertThat(r.heldBytes()).isEqualTo(1024).isLessThanOrEqualTo(3000);
        assertThat(budget.used()).isEqualTo(1024);
        assertThat(r.accept(pb.get(1), 0)).isEqualTo(b);
        assertThat(budget.used()).isZero();
    }

    @Test
    void expireDropsPartialsOlderThanTheTimeoutAndReleasesTheBudget() throws ProtocolException {
        ReassemblyBudget budget = new ReassemblyBudget(LOTS);
        Reassembler r = new Reassembler(LIMITS, budget, 4, LOTS, 1000);
        List<Parcel> pa = parts(1, randomBytes(3000, 12));
        List<Parcel> pb = parts(2, randomBytes(3000, 13));
        r.accept(pa.get(0), 10_000);
        r.accept(pa.get(1), 10_400); // a later part does not restart the clock
        r.accept(pb.get(0), 10_500);
        assertThat(budget.used()).isEqualTo(3 * 1024);

        assertThat(r.expire(10_999)).isZero();
        assertThat(r.partialCount()).isEqualTo(2);

        assertThat(r.expire(11_000)).isEqualTo(1);
        assertThat(r.partialCount()).isEqualTo(1);
        assertThat(r.heldBytes()).isEqualTo(1024);
        assertThat(budget.used()).isEqualTo(1024);

        assertThat(r.expire(11_500)).isEqualTo(1);
        assertThat(r.partialCount()).isZero();
        assertThat(r.heldBytes()).isZero();
        assertThat(budget.used()).isZero();
        assertThat(r.expiredCount()).isEqualTo(2);
        assertThat(r.evictedCount()).isZero();

        // A's last part now arrives alone: it cannot complete anything.
        assertThat(r.accept(pa.get(2), 12_000)).isNull();
    }

    @Test
    void releaseAllFreesTheBudget() throws ProtocolException {
        ReassemblyBudget budget = new ReassemblyBudget(LOTS);
        Reassembler r = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        r.accept(parts(1, randomBytes(3000, 14)).get(0), 0);
        r.accept(parts(2, randomBytes(5000, 15)).get(3), 0);
        r.accept(parts(2, randomBytes(5000, 15)).get(4), 0);
        assertThat(budget.used()).isEqualTo(1024 + 1024 + (5000 - 4096));

        r.releaseAll();
        assertThat(budget.used()).isZero();
        assertThat(r.heldBytes()).isZero();
        assertThat(r.partialCount()).isZero();
    }

    @Test
    void partIsDroppedWhenTheSharedBudgetIsExhausted() throws ProtocolException {
        ReassemblyBudget budget = new ReassemblyBudget(2048);
        Reassembler r = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        List<Parcel> pa = parts(1, randomBytes(5000, 16));

        assertThat(r.accept(pa.get(0), 0)).isNull();
        assertThat(r.accept(pa.get(1), 0)).isNull();
        assertThat(budget.used()).isEqualTo(2048);
        for (int i = 2; i < 5; i++) {
            assertThat(r.accept(pa.get(i), 0)).as("part %d cannot be held, so nothing completes", i).isNull();
            assertThat(budget.used()).isLessThanOrEqualTo(budget.limit());
            assertThat(r.heldBytes()).isEqualTo(2048);
        }
        assertThat(r.droppedNoRoomCount()).isEqualTo(3);
        assertThat(r.evictedCount()).isZero();

        assertThat(r.expire(TIMEOUT)).isEqualTo(1);
        assertThat(budget.used()).isZero();
    }

    @Test
    void twoReassemblersSharingABudgetStayWithinIt() throws ProtocolException {
        ReassemblyBudget budget = new ReassemblyBudget(3000);
        Reassembler r1 = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        Reassembler r2 = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        List<Parcel> pa = parts(1, randomBytes(3000, 17));
        byte[] b = randomBytes(2000, 18);
        List<Parcel> pb = parts(1, b); // same id on another connection: independent

        r1.accept(pa.get(0), 0);
        r1.accept(pa.get(1), 0);
        assertThat(budget.used()).isEqualTo(2048);

        // r2 cannot take anything from r1: its part is dropped, and no empty partial is left behind.
        assertThat(r2.accept(pb.get(0), 0)).isNull();
        assertThat(r2.droppedNoRoomCount()).isEqualTo(1);
        assertThat(r2.partialCount()).isZero();
        assertThat(r2.heldBytes()).isZero();
        assertThat(r1.heldBytes()).isEqualTo(2048);
        assertThat(budget.used()).isEqualTo(2048);

        // Once r1's connection closes, r2 has room again.
        r1.releaseAll();
        assertThat(budget.used()).isZero();
        assertThat(feed(r2, pb, 0)).isEqualTo(b);
        assertThat(budget.used()).isZero();
    }

    @Test
    void peersHoldingTheBudgetGiveBackAllButAFairShareOnceAnotherIsRefused() throws ProtocolException {
        // Four connections each hold two partial messages of 2 KiB: the whole 16 KiB budget,
        // each within its own bounds (4 partials, 1 MiB). A fifth connection's part is refused.
        ReassemblyBudget budget = new ReassemblyBudget(16 * 1024);
        List<Reassembler> hogs = new ArrayList<>();
        for (int h = 0; h < 4; h++) {
            Reassembler r = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
            hogs.add(r);
            for (long id = 1; id <= 2; id++) {
                List<Parcel> p = parts(id, randomBytes(5000, 30 + h));
                r.accept(p.get(0), 0);
                r.accept(p.get(1), 0);
            }
        }
        assertThat(budget.used()).isEqualTo(budget.limit());
        assertThat(budget.holders()).isEqualTo(4);
        Reassembler good = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        byte[] wanted = randomBytes(2500, 40);
        List<Parcel> first = parts(7, wanted);
        assertThat(good.accept(first.get(0), 100)).isNull();
        assertThat(good.droppedNoRoomCount()).isEqualTo(1);

        // Now each may hold 16 KiB / (4 holders + 1 waiting) = 3,276 bytes. Hog 0 sends a part of
        // a new message: to stay within that it first evicts its oldest partial message. Hogs 1
        // and 2 just go on talking: their next expiry check trims them to one partial each.
        assertThat(hogs.get(0).accept(parts(3, randomBytes(5000, 41)).get(0), 200)).isNull();
        assertThat(hogs.get(0).heldBytes()).isEqualTo(2048 + 1024);
        assertThat(hogs.get(0).partialCount()).isEqualTo(2);
        hogs.get(1).expire(300);
        hogs.get(2).expire(300);
        assertThat(hogs.get(1).heldBytes()).isEqualTo(2048);
        assertThat(hogs.get(1).partialCount()).isEqualTo(1);
        assertThat(budget.evicted()).isEqualTo(3);

        // The good connection's next message has room, and completes.
        List<Parcel> second = parts(8, wanted);
        assertThat(feed(good, second, 400)).isEqualTo(wanted);
        assertThat(budget.used()).isLessThanOrEqualTo(budget.limit());

        // One timeout after the last refusal the budget is no longer contested: a hog may hold
        // up to its own bounds again (here: a fourth 2 KiB partial with room left in the budget).
        Reassembler hog3 = hogs.get(3);
        assertThat(hog3.heldBytes()).isEqualTo(4096);
        assertThat(hog3.accept(parts(9, randomBytes(5000, 42)).get(0), 100 + TIMEOUT)).isNull();
        assertThat(hog3.heldBytes()).isEqualTo(5120);
    }

    @Test
    void connectionsThatWereRefusedAndWentQuietDoNotShrinkTheShareOfOthers() throws ProtocolException {
        // One connection holds the whole budget; three others are refused while holding
        // nothing, and then send nothing more. When the holder leaves, a new connection may hold
        // half the budget (itself and one for the waiting), not a quarter (one for each).
        ReassemblyBudget budget = new ReassemblyBudget(4096);
        Reassembler hog = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        List<Parcel> h = parts(1, randomBytes(5000, 60));
        for (int i = 0; i < 4; i++) {
            hog.accept(h.get(i), 0);
        }
        for (int w = 0; w < 3; w++) {
            Reassembler quiet = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
            assertThat(quiet.accept(parts(2, randomBytes(3000, 61 + w)).get(0), 10)).isNull();
            assertThat(quiet.droppedNoRoomCount()).isEqualTo(1);
        }
        hog.releaseAll();
        byte[] wanted = randomBytes(2000, 70);
        assertThat(feed(new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT), parts(3, wanted), 20)).isEqualTo(wanted);
    }

    @Test
    void aRefusalByTheConnectionsOwnBoundDoesNotContestTheBudget() throws ProtocolException {
        // A part over the connection's own byte bound is that peer's doing: it evicts its own
        // partials and, if that is not enough, its part is dropped, but nobody else is trimmed.
        ReassemblyBudget budget = new ReassemblyBudget(8 * 1024);
        Reassembler other = new Reassembler(LIMITS, budget, 4, LOTS, TIMEOUT);
        List<Parcel> o = parts(1, randomBytes(5000, 50));
        for (int i = 0; i < 4; i++) {
            other.accept(o.get(i), 0);
        }
        Reassembler small = new Reassembler(LIMITS, budget, 4, 1000, TIMEOUT);
        assertThat(small.accept(parts(2, randomBytes(5000, 51)).get(0), 0)).isNull();
        assertThat(small.droppedNoRoomCount()).isEqualTo(1);
        other.expire(10);
        assertThat(other.heldBytes()).isEqualTo(4096);
        assertThat(budget.evicted()).isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void randomTrafficOnTwoConnectionsNeverPassesTheBudget(long seed) throws ProtocolException {
        Random random = new Random(seed);
        ReassemblyBudget budget = new ReassemblyBudget(4096);
        Reassembler[] rs = {
            new Reassembler(LIMITS, budget, 3, 6000, TIMEOUT),
            new Reassembler(LIMITS, budget, 3, 6000, TIMEOUT),
        };
        List<List<Parcel>> pending = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int m = 0; m < 12; m++) {
            List<Parcel> ps = new ArrayList<>(parts(m, randomBytes(1100 + random.nextInt(6000), seed * 100 + m)));
            Collections.shuffle(ps, random);
            pending.add(ps);
            owner.add(m % 2);
        }
        int completed = 0;
        while (!pending.isEmpty()) {
            int i = random.nextInt(pending.size());
            Parcel p = pending.get(i).remove(0);
            Reassembler r = rs[owner.get(i)];
            if (r.accept(p, 0) != null) {
                completed++;
            }
            if (pending.get(i).isEmpty()) {
                pending.remove(i);
                owner.remove(i);
            }
            assertThat(budget.used()).isLessThanOrEqualTo(budget.limit())
                    .isEqualTo(rs[0].heldBytes() + rs[1].heldBytes());
            assertThat(rs[0].heldBytes()).isLessThanOrEqualTo(6000);
            assertThat(rs[1].heldBytes()).isLessThanOrEqualTo(6000);
            assertThat(rs[0].partialCount()).isLessThanOrEqualTo(3);
            assertThat(rs[1].partialCount()).isLessThanOrEqualTo(3);
        }
        assertThat(completed).isLessThanOrEqualTo(12);
        rs[0].releaseAll();
        rs[1].releaseAll();
        assertThat(budget.used()).isZero();
    }
}
