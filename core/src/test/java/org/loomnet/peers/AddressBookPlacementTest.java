package org.loomnet.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.loomnet.peers.PeerTestSupport.DAY;
import static org.loomnet.peers.PeerTestSupport.HOUR;
import static org.loomnet.peers.PeerTestSupport.T0;
import static org.loomnet.peers.PeerTestSupport.addr;
import static org.loomnet.peers.PeerTestSupport.book;
import static org.loomnet.peers.PeerTestSupport.ip;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where entries go, what pushes them out, and what never leaves: explicit times, no clock. */
class AddressBookPlacementTest {

    private static final AddressBookSettings DEFAULTS = AddressBookSettings.defaults();
    private static final int BUCKET = DEFAULTS.newBucketSize();

    // ---- network groups and dialability ----

    @Test
    void groupsAreSlash16ForIpv4AndSlash32ForIpv6() {
        assertThat(AddressBook.groupOf(ip("127.0.0.2"))).isEqualTo("127.0.0.0/16");
        assertThat(AddressBook.groupOf(ip("127.0.200.9"))).isEqualTo(AddressBook.groupOf(ip("127.0.0.2")));
        assertThat(AddressBook.groupOf(ip("127.1.0.4"))).isEqualTo("127.1.0.0/16")
                .isNotEqualTo(AddressBook.groupOf(ip("127.0.0.2")));
        assertThat(AddressBook.groupOf(ip("2001:db8:1::1"))).isEqualTo("2001:db8::/32")
                .isEqualTo(AddressBook.groupOf(ip("2001:db8:ffff::7")));
        assertThat(AddressBook.groupOf(ip("2001:db9::1"))).isEqualTo("2001:db9::/32");
        assertThat(AddressBook.groupOf(ip("::ffff:1.2.3.4"))).isEqualTo("1.2.0.0/16");
    }

    @Test
    void undialableAddressesAreIgnored() {
        AddressBook book = book();
        for (InetSocketAddress a : List.of(addr("203.0.113.1", 0), addr("0.0.0.0"), addr("::"),
                addr("224.0.0.1"), addr("ff02::1"), addr("255.255.255.255"),
                InetSocketAddress.createUnresolved("seed.example.org", 7700))) {
            assertThat(book.add(a, PeerSource.PEX, ip("198.51.100.1"), T0)).as("%s", a)
                    .isEqualTo(AddResult.IGNORED_UNROUTABLE);
            assertThat(book.addSpecial(a, T0)).isEqualTo(AddResult.IGNORED_UNROUTABLE);
        }
        assertThat(book.size()).isZero();
    }

    @Test
    void addingAgainUpdatesLastSeenAndSources() {
        AddressBook book = book();
        InetSocketAddress a = addr("203.0.113.5");
        assertThat(book.add(a, PeerSource.DNS, null, T0)).isEqualTo(AddResult.ADDED);
        assertThat(book.add(a, PeerSource.PEX, ip("198.51.100.7"), T0 + HOUR)).isEqualTo(AddResult.UPDATED);
        PeerEntry e = book.get(a, T0 + HOUR).orElseThrow();
        assertThat(e.sources()).containsExactlyInAnyOrder(PeerSource.DNS, PeerSource.PEX);
        assertThat(e.sourceGroups()).containsExactly("src:dns", "198.51.0.0/16");
        assertThat(e.firstSeen()).isEqualTo(T0);
        assertThat(e.lastSeen()).isEqualTo(T0 + HOUR);
        assertThat(e.tried()).isFalse();
        assertThat(book.size()).isEqualTo(1);
    }

    @Test
    void aHostNameAndItsLiteralAreOneEntry() throws Exception {
        AddressBook book = book();
        InetAddress named = InetAddress.getByAddress("peer.example.org", ip("203.0.113.9").getAddress());
        book.add(new InetSocketAddress(named, 7700), PeerSource.SEED, null, T0);
        assertThat(book.add(addr("203.0.113.9"), PeerSource.PEX, ip("198.51.100.1"), T0))
                .isEqualTo(AddResult.UPDATED);
        assertThat(book.snapshot(T0)).singleElement().satisfies(e ->
                assertThat(e.address().getAddress().getHostAddress()).isEqualTo("203.0.113.9"));
    }

    // ---- one source cannot fill the book ----

    @Test
    void oneSourceFloodingOneGroupGetsOneBucket() {
        AddressBook book = book();
        InetAddress attacker = ip("66.6.6.6");
        for (int i = 0; i < 10_000; i++) {
            book.add(addr("5.5." + (i >> 8) + "." + (i & 255)), PeerSource.PEX, attacker, T0);
        }
        assertThat(book.newSize()).isLessThanOrEqualTo(BUCKET);
        assertThat(newBuckets(book)).hasSize(1);
        book.checkInvariants();
    }

    @Test
    void oneSourceFloodingManyGroupsGetsAFewBuckets() {
        AddressBook book = book();
        InetAddress attacker = ip("66.6.6.6");
        for (int i = 0; i < 10_000; i++) {
            book.add(addr((1 + i / 250) + "." + (i % 250) + ".1.1"), PeerSource.PEX, attacker, T0);
        }
        int k = DEFAULTS.newBucketsPerSourceGroup();
        assertThat(newBuckets(book)).hasSizeLessThanOrEqualTo(k);
        assertThat(book.newSize()).isLessThanOrEqualTo(k * BUCKET)
                .isLessThan(DEFAULTS.newBucketCount() * BUCKET / 10);
        book.checkInvariants();
    }

    @Test
    void anIpv6SourceFloodingGetsAFewBucketsToo() {
        AddressBook book = book();
        InetAddress attacker = ip("2001:db8:66::6");
        for (int i = 0; i < 10_000; i++) {
            book.add(addr("2a0" + (i % 10) + ":" + Integer.toHexString(i) + "::1"), PeerSource.PEX, attacker, T0);
        }
        assertThat(newBuckets(book)).hasSizeLessThanOrEqualTo(DEFAULTS.newBucketsPerSourceGroup());
        assertThat(book.newSize()).isLessThanOrEqualTo(DEFAULTS.newBucketsPerSourceGroup() * BUCKET);
    }

    @Test
    void addressesFromManySourcesSpreadAndSurviveAFlood() {
        AddressBook book = book();
        InetAddress attacker = ip("66.6.6.6");
        for (int i = 0; i < 10_000; i++) {
            book.add(addr((1 + i / 250) + "." + (i % 250) + ".1.1"), PeerSource.PEX, attacker, T0);
        }
        int flooded = book.newSize();

        // 250 honest peers in distinct groups each tell us 4 addresses, an hour later: 1000
        // addresses, about half the NEW table. Buckets fill unevenly, so a few may not fit.
        List<InetSocketAddress> honest = new ArrayList<>();
        for (int s = 0; s < 250; s++) {
            InetAddress source = ip("100." + s + ".0.1");
            for (int j = 0; j < 4; j++) {
                InetSocketAddress a = addr((150 + j) + "." + s + ".0.1");
                honest.add(a);
                book.add(a, PeerSource.PEX, source, T0 + HOUR);
            }
        }
        long kept = honest.stream().filter(a -> book.get(a, T0 + HOUR).isPresent()).count();
        assertThat(kept).as("honest addresses kept despite the flood").isGreaterThanOrEqualTo(honest.size() * 97 / 100);
        Set<Integer> buckets = new HashSet<>();
        honest.forEach(a -> buckets.add(book.newBucketOf(a)));
        assertThat(buckets).hasSizeGreaterThan(DEFAULTS.newBucketCount() * 9 / 10);
        assertThat(book.newSize() - honest.size()).as("what is left of the flood").isLessThanOrEqualTo(flooded);
        book.checkInvariants();
    }

    @Test
    void theSecretDecidesTheBuckets() {
        AddressBook a = book();
        AddressBook b = new AddressBook(DEFAULTS, new byte[32], new java.util.SplittableRandom(42));
        int differ = 0;
        for (int i = 0; i < 50; i++) {
            InetSocketAddress x = addr("20." + i + ".1.1");
            a.add(x, PeerSource.PEX, ip("100.1.0.1"), T0);
            b.add(x, PeerSource.PEX, ip("100.1.0.1"), T0);
            if (a.newBucketOf(x) != b.newBucketOf(x)) {
                differ++;
            }
        }
        assertThat(differ).isPositive();
    }

    // ---- eviction ----

    /** One NEW bucket of 4, so every address competes for the same places. */
    private static final AddressBookSettings ONE_BUCKET = DEFAULTS.withNewTable(1, 4, 1);

    @Test
    void aFullBucketEvictsTheLeastUsefulEntry() {
        AddressBook book = book(ONE_BUCKET);
        InetAddress src = ip("100.0.0.1");
        InetSocketAddress good = addr("10.1.0.1");
        InetSocketAddress failing = addr("10.2.0.1");
        InetSocketAddress old = addr("10.3.0.1");
        InetSocketAddress bad = addr("10.4.0.1");
        book.add(old, PeerSource.PEX, src, T0);
        book.add(good, PeerSource.PEX, src, T0 + 1);
        book.add(failing, PeerSource.PEX, src, T0 + 1);
        book.add(bad, PeerSource.PEX, src, T0 + 1);
        book.adjustQuality(good, 10);
        book.adjustQuality(bad, -5);
        book.markFailure(failing, T0 + 2);
        book.markFailure(failing, T0 + 3);

        assertThat(book.add(addr("10.5.0.1"), PeerSource.PEX, src, T0 + 10)).isEqualTo(AddResult.ADDED);
        assertThat(book.get(bad, T0)).as("lowest quality goes first").isEmpty();

        assertThat(book.add(addr("10.6.0.1"), PeerSource.PEX, src, T0 + 11)).isEqualTo(AddResult.ADDED);
        assertThat(book.get(failing, T0)).as("then most failures").isEmpty();

        assertThat(book.add(addr("10.7.0.1"), PeerSource.PEX, src, T0 + 12)).isEqualTo(AddResult.ADDED);
        assertThat(book.get(old, T0)).as("then oldest last seen").isEmpty();

        assertThat(book.get(good, T0)).isPresent();
        assertThat(book.newSize()).isEqualTo(4);
        book.checkInvariants();
    }

    @Test
    void aFloodCannotPushOutEntriesThatEarnedQuality() {
        AddressBook book = book(ONE_BUCKET);
        InetAddress src = ip("100.0.0.1");
        List<InetSocketAddress> kept = List.of(addr("10.1.0.1"), addr("10.2.0.1"), addr("10.3.0.1"), addr("10.4.0.1"));
        for (InetSocketAddress a : kept) {
            book.add(a, PeerSource.PEX, src, T0);
            book.adjustQuality(a, 1);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(book.add(addr("20." + i + ".0.1"), PeerSource.PEX, ip("66.6.6.6"), T0 + DAY))
                    .isEqualTo(AddResult.REJECTED_FULL);
        }
        assertThat(book.snapshot(T0).stream().map(PeerEntry::address)).containsExactlyInAnyOrderElementsOf(kept);
    }

    @Test
    void bannedAndExpiredEntriesAreEvictedFirst() {
        AddressBook book = book(ONE_BUCKET);
        InetAddress src = ip("100.0.0.1");
        InetSocketAddress banned = addr("10.1.0.1");
        InetSocketAddress stale = addr("10.2.0.1");
        book.add(stale, PeerSource.PEX, src, T0);
        long later = T0 + 8 * DAY;
        book.add(banned, PeerSource.PEX, src, later);
        book.add(addr("10.3.0.1"), PeerSource.PEX, src, later);
        book.add(addr("10.4.0.1"), PeerSource.PEX, src, later);
        book.adjustQuality(banned, 500);
        book.adjustQuality(stale, 500);
        book.ban(banned.getAddress(), later + DAY, later);

        book.add(addr("10.5.0.1"), PeerSource.PEX, src, later);
        assertThat(book.get(banned, later)).as("banned first, whatever its quality").isEmpty();
        book.add(addr("10.6.0.1"), PeerSource.PEX, src, later);
        assertThat(book.get(stale, later)).as("then expired").isEmpty();
    }

    // ---- specials ----

    @Test
    void specialsAreNeverEvictedNorExpiredAndDoNotCountAgainstTheTables() {
        AddressBook book = book(ONE_BUCKET);
        InetSocketAddress special = addr("10.9.0.1");
        assertThat(book.addSpecial(special, T0)).isEqualTo(AddResult.ADDED);
        book.adjustQuality(special, -1000);
        for (int i = 0; i < 1000; i++) {
            book.add(addr("20." + (i / 200) + "." + (i % 200) + ".1"), PeerSource.PEX, ip("66.6.6.6"), T0 + i);
        }
        for (int i = 0; i < 50; i++) {
            book.markFailure(special, T0 + i);
        }
        assertThat(book.get(special, T0)).get().satisfies(e -> {
            assertThat(e.type()).isEqualTo(PeerType.SPECIAL);
            assertThat(e.failures()).isEqualTo(50);
        });
        assertThat(book.size()).isEqualTo(ONE_BUCKET.newBucketSize() + 1);
        assertThat(book.specialSize()).isEqualTo(1);

        int removed = book.expire(T0 + 365 * DAY);
        assertThat(removed).isEqualTo(ONE_BUCKET.newBucketSize());
        assertThat(book.snapshot(T0).stream().map(PeerEntry::address)).containsExactly(special);
        book.checkInvariants();
    }

    @Test
    void aRegularEntryMadeSpecialKeepsItsHistoryAndLeavesTheTables() {
        AddressBook book = book();
        InetSocketAddress a = addr("203.0.113.1");
        book.add(a, PeerSource.PEX, ip("198.51.100.1"), T0);
        book.markSuccess(a, "ab01", "loomnet/0.1", T0 + 1);
        assertThat(book.addSpecial(a, T0 + 2)).isEqualTo(AddResult.UPDATED);
        PeerEntry e = book.get(a, T0).orElseThrow();
        assertThat(e.special()).isTrue();
        assertThat(e.tried()).isFalse();
        assertThat(e.nodeId()).isEqualTo("ab01");
        assertThat(e.sources()).contains(PeerSource.PEX, PeerSource.SPECIAL);
        assertThat(book.triedSize()).isZero();
        assertThat(book.add(a, PeerSource.PEX, ip("198.51.100.2"), T0 + 3)).isEqualTo(AddResult.UPDATED);
        assertThat(book.get(a, T0).orElseThrow().special()).isTrue();
        book.checkInvariants();
    }

    @Test
    void reloadingSpecialsKeepsTheListedAndRemovesTheRest() {
        AddressBook book = book();
        InetSocketAddress kept = addr("10.0.0.1");
        InetSocketAddress dropped = addr("10.1.0.1");
        InetSocketAddress added = addr("2001:db8::1");
        book.addSpecial(kept, T0);
        book.addSpecial(dropped, T0);
        book.markSuccess(kept, "aa", null, T0 + 1);

        AddressBook.SpecialsChange change = book.setSpecials(List.of(kept, added, addr("0.0.0.0")), T0 + 2);
        assertThat(change.removed()).containsExactly(dropped);
        assertThat(change.added()).containsExactly(added);
        assertThat(change.refused()).containsExactly(addr("0.0.0.0"));
        assertThat(book.get(kept, T0).orElseThrow().lastSuccess()).as("history kept").isEqualTo(T0 + 1);
        assertThat(book.get(dropped, T0)).isEmpty();
        assertThat(book.specialSize()).isEqualTo(2);
        assertThat(book.removeSpecial(added)).isTrue();
        assertThat(book.removeSpecial(added)).isFalse();
    }

    @Test
    void theSpecialListIsBounded() {
        AddressBook book = book(DEFAULTS.withMaxSpecials(2));
        assertThat(book.addSpecial(addr("10.0.0.1"), T0)).isEqualTo(AddResult.ADDED);
        assertThat(book.addSpecial(addr("10.0.0.2"), T0)).isEqualTo(AddResult.ADDED);
        assertThat(book.addSpecial(addr("10.0.0.3"), T0)).isEqualTo(AddResult.REJECTED_FULL);
        assertThat(book.specialSize()).isEqualTo(2);
    }

    // ---- expiry ----

    @Test
    void entriesNotHeardOfForSevenDaysExpire() {
        AddressBook book = book();
        InetSocketAddress quiet = addr("203.0.113.1");
        InetSocketAddress heardAgain = addr("203.0.113.2");
        InetSocketAddress connected = addr("2001:db8::5");
        book.add(quiet, PeerSource.DNS, null, T0);
        book.add(heardAgain, PeerSource.DNS, null, T0);
        book.add(connected, PeerSource.DNS, null, T0);
        book.add(heardAgain, PeerSource.PEX, ip("198.51.100.1"), T0 + 2 * DAY);
        book.markSuccess(connected, null, null, T0 + DAY);
        book.touch(connected, T0 + 6 * DAY);

        assertThat(book.expire(T0 + 7 * DAY)).as("exactly seven days is not yet too old").isZero();
        assertThat(book.expire(T0 + 7 * DAY + 1)).isEqualTo(1);
        assertThat(book.get(quiet, T0)).isEmpty();
        assertThat(book.get(heardAgain, T0)).isPresent();
        assertThat(book.expire(T0 + 9 * DAY + 1)).isEqualTo(1);
        assertThat(book.get(heardAgain, T0)).isEmpty();
        assertThat(book.get(connected, T0)).as("touched while connected").isPresent();
        assertThat(book.expire(T0 + 13 * DAY + 1)).isEqualTo(1);
        assertThat(book.size()).isZero();
        book.checkInvariants();
    }

    // ---- new to tried ----

    @Test
    void aSuccessMovesAnEntryFromNewToTried() {
        AddressBook book = book();
        InetSocketAddress a = addr("2001:db8:7::9", 7701);
        book.add(a, PeerSource.PEX, ip("2001:db8:1::1"), T0);
        book.markAttempt(a, T0 + 5);
        book.markFailure(a, T0 + 6);
        assertThat(book.newSize()).isEqualTo(1);
        assertThat(book.triedSize()).isZero();

        assertThat(book.markSuccess(a, "00FFaa", "loomnet/0.1\n", T0 + 10 * 1000)).isTrue();
        PeerEntry e = book.get(a, T0).orElseThrow();
        assertThat(e.tried()).isTrue();
        assertThat(e.failures()).isZero();
        assertThat(e.lastSuccess()).isEqualTo(T0 + 10_000);
        assertThat(e.nodeId()).isEqualTo("00ffaa");
        assertThat(e.userAgent()).isEqualTo("loomnet/0.1?");
        assertThat(e.nextAttemptAt()).isZero();
        assertThat(book.newSize()).isZero();
        assertThat(book.triedSize()).isEqualTo(1);
        assertThat(book.triedBucketOf(a)).isNotNegative();
        book.checkInvariants();
    }

    @Test
    void aSuccessfulAddressNotInTheBookGoesStraightToTried() {
        AddressBook book = book();
        InetSocketAddress a = addr("203.0.113.3");
        assertThat(book.markSuccess(a, null, null, T0)).isTrue();
        assertThat(book.get(a, T0).orElseThrow()).satisfies(e -> {
            assertThat(e.tried()).isTrue();
            assertThat(e.sources()).containsExactly(PeerSource.DIALED);
        });
    }

    @Test
    void aTriedCollisionDemotesTheLeastUsefulBackToNew() {
        AddressBook book = book(DEFAULTS.withTriedTable(1, 2, 1));
        InetAddress src = ip("100.0.0.1");
        InetSocketAddress good = addr("10.1.0.1");
        InetSocketAddress plain = addr("10.2.0.1");
        InetSocketAddress newcomer = addr("10.3.0.1");
        for (InetSocketAddress a : List.of(good, plain, newcomer)) {
            book.add(a, PeerSource.PEX, src, T0);
        }
        book.markSuccess(good, null, null, T0 + 1);
        book.markSuccess(plain, null, null, T0 + 2);
        book.adjustQuality(good, 50);

        book.markSuccess(newcomer, null, null, T0 + 3);
        assertThat(book.get(newcomer, T0).orElseThrow().tried()).isTrue();
        assertThat(book.get(good, T0).orElseThrow().tried()).isTrue();
        PeerEntry demoted = book.get(plain, T0).orElseThrow();
        assertThat(demoted.tried()).isFalse();
        assertThat(demoted.lastSuccess()).as("history kept").isEqualTo(T0 + 2);
        assertThat(book.triedSize()).isEqualTo(2);
        assertThat(book.newSize()).isEqualTo(1);
        book.checkInvariants();
    }

    @Test
    void oneGroupCannotFillTheTriedTable() {
        AddressBook book = book();
        for (int i = 0; i < 500; i++) {
            InetSocketAddress a = addr("10.10." + (i / 200) + "." + (i % 200 + 1));
            book.markSuccess(a, null, null, T0 + i);
        }
        int perGroup = DEFAULTS.triedBucketsPerGroup() * DEFAULTS.triedBucketSize();
        assertThat(book.triedSize()).isLessThanOrEqualTo(perGroup);
        book.checkInvariants();
    }

    @Test
    void theBookNeverHoldsMoreThanItsCapacity() {
        AddressBook book = book();
        for (int s = 0; s < 200; s++) {
            for (int j = 0; j < 100; j++) {
                InetSocketAddress a = addr((s % 200 + 1) + "." + j + "." + s + ".1");
                book.add(a, PeerSource.PEX, ip("100." + s + ".0.1"), T0 + s);
                if (j % 10 == 0) {
                    book.markSuccess(a, null, null, T0 + s);
                }
            }
        }
        assertThat(book.size()).isLessThanOrEqualTo(DEFAULTS.capacity());
        assertThat(book.triedSize()).isLessThanOrEqualTo(DEFAULTS.triedBucketCount() * DEFAULTS.triedBucketSize());
        book.checkInvariants();
    }

    private static Set<Integer> newBuckets(AddressBook book) {
        Set<Integer> buckets = new HashSet<>();
        for (PeerEntry e : book.snapshot(T0)) {
            buckets.add(book.newBucketOf(e.address()));
        }
        return buckets;
    }
}
