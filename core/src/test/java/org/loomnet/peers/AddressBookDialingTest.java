package org.loomnet.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.loomnet.peers.PeerTestSupport.HOUR;
import static org.loomnet.peers.PeerTestSupport.MINUTE;
import static org.loomnet.peers.PeerTestSupport.SECOND;
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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Backoff, dial candidates and what we share: explicit times, a seeded random generator. */
class AddressBookDialingTest {

    private static final AddressBookSettings DEFAULTS = AddressBookSettings.defaults();
    private static final InetAddress SRC = ip("198.51.100.1");

    // ---- backoff ----

    @Test
    void delaysFollowSkycoinsRuleWithinTheJitterAndTheDeadAddressWaits() {
        AddressBook book = book();
        InetSocketAddress dead = addr("203.0.113.66");
        book.add(dead, PeerSource.PEX, SRC, T0);
        long now = T0;
        Set<Double> ratios = new HashSet<>();
        for (int n = 1; n < DEFAULTS.maxFailures(); n++) {
            assertThat(book.candidates(8, now, Set.of())).extracting(PeerEntry::address).containsExactly(dead);
            book.markAttempt(dead, now);
            assertThat(book.markFailure(dead, now)).isEqualTo(FailureResult.RETRY_LATER);
            long nominal = Math.min(HOUR, ((1L << n) - 1) * 5 * SECOND);
            long delay = book.nextAttemptAt(dead).orElseThrow() - now;
            assertThat(delay).as("delay after %d failures", n)
                    .isBetween(Math.round(nominal * 0.8), Math.round(nominal * 1.2));
            ratios.add((double) delay / nominal);
            assertThat(book.candidates(8, now + delay - 1, Set.of())).as("not before its delay").isEmpty();
            now += delay;
        }
        assertThat(ratios).as("jittered, not constant").hasSizeGreaterThan(1);
        assertThat(book.get(dead, now).orElseThrow().failures()).isEqualTo(DEFAULTS.maxFailures() - 1);

        assertThat(book.markFailure(dead, now)).as("the last allowed failure").isEqualTo(FailureResult.DROPPED);
        assertThat(book.get(dead, now)).isEmpty();
        assertThat(book.markFailure(dead, now)).isEqualTo(FailureResult.UNKNOWN);
        book.checkInvariants();
    }

    @Test
    void theFirstDelaysAreFiveFifteenAndThirtyFiveSecondsAndTheCapIsAnHour() {
        AddressBook book = book();
        assertThat(book.nominalBackoff(1)).isEqualTo(5 * SECOND);
        assertThat(book.nominalBackoff(2)).isEqualTo(15 * SECOND);
        assertThat(book.nominalBackoff(3)).isEqualTo(35 * SECOND);
        assertThat(book.nominalBackoff(10)).isEqualTo(HOUR);
        assertThat(book.nominalBackoff(1000)).isEqualTo(HOUR);
    }

    @Test
    void aSuccessClearsTheBackoff() {
        AddressBook book = book();
        InetSocketAddress a = addr("203.0.113.7");
        book.add(a, PeerSource.PEX, SRC, T0);
        book.markFailure(a, T0);
        book.markFailure(a, T0 + MINUTE);
        book.markSuccess(a, null, null, T0 + 2 * MINUTE);
        assertThat(book.nextAttemptAt(a)).hasValue(0);
        assertThat(book.get(a, T0).orElseThrow().failures()).isZero();
        book.markFailure(a, T0 + HOUR);
        assertThat(book.nextAttemptAt(a).orElseThrow() - (T0 + HOUR)).as("back to the first step")
                .isBetween(4 * SECOND, 6 * SECOND);
    }

    @Test
    void anAttemptInProgressIsNotOfferedAgainUntilItIsResolvedOrTheHoldEnds() {
        AddressBook book = book();
        InetSocketAddress a = addr("203.0.113.8");
        book.add(a, PeerSource.PEX, SRC, T0);
        assertThat(book.markAttempt(a, T0)).isTrue();
        assertThat(book.candidates(8, T0 + 1, Set.of())).isEmpty();
        assertThat(book.candidates(8, T0 + DEFAULTS.attemptHold().toMillis(), Set.of())).hasSize(1);
        assertThat(book.get(a, T0).orElseThrow().lastAttempt()).isEqualTo(T0);
        assertThat(book.markAttempt(addr("203.0.113.99"), T0)).isFalse();
    }

    @Test
    void aSpecialIsNeverDroppedAndWaitsAtMostTheCapPlusJitter() {
        AddressBook book = book();
        InetSocketAddress s = addr("203.0.113.9");
        book.addSpecial(s, T0);
        long now = T0;
        for (int n = 1; n <= 40; n++) {
            assertThat(book.dueSpecials(now)).extracting(PeerEntry::address).containsExactly(s);
            assertThat(book.markFailure(s, now)).isEqualTo(FailureResult.RETRY_LATER);
            long delay = book.nextAttemptAt(s).orElseThrow() - now;
            assertThat(delay).isLessThanOrEqualTo(Math.round(HOUR * 1.2));
            assertThat(book.dueSpecials(now + delay - 1)).isEmpty();
            now += delay;
        }
        assertThat(book.get(s, now)).isPresent();
        assertThat(book.candidates(8, now, Set.of())).as("specials are dialed through dueSpecials").isEmpty();
    }

    // ---- candidates ----

    @Test
    void candidatesComeFromDistinctGroupsAndAvoidTheGivenOnes() {
        AddressBook book = book();
        for (int g = 1; g <= 5; g++) {
            for (int i = 1; i <= 10; i++) {
                book.add(addr("10." + g + ".0." + i), PeerSource.PEX, ip("100." + i + ".0.1"), T0);
            }
        }
        List<PeerEntry> c = book.candidates(8, T0, Set.of());
        assertThat(c).hasSize(5);
        assertThat(c).extracting(PeerEntry::group).doesNotHaveDuplicates();

        Set<String> avoid = Set.of("10.1.0.0/16", "10.3.0.0/16");
        List<PeerEntry> c2 = book.candidates(8, T0, avoid);
        assertThat(c2).extracting(PeerEntry::group).containsExactlyInAnyOrder("10.2.0.0/16", "10.4.0.0/16",
                "10.5.0.0/16");
        assertThat(book.candidates(2, T0, Set.of())).hasSize(2);
        assertThat(book.candidates(0, T0, Set.of())).isEmpty();
    }

    @Test
    void candidatesPreferTriedEntries() {
        AddressBook book = book();
        Set<InetSocketAddress> tried = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            InetSocketAddress n = addr("10." + i + ".0.1");
            InetSocketAddress t = addr("20." + i + ".0.1");
            book.add(n, PeerSource.PEX, ip("100." + i + ".0.1"), T0);
            book.add(t, PeerSource.PEX, ip("100." + i + ".0.1"), T0);
            book.markSuccess(t, null, null, T0);
            tried.add(t);
        }
        int fromTried = 0;
        int fromNew = 0;
        for (int round = 0; round < 200; round++) {
            for (PeerEntry e : book.candidates(8, T0 + HOUR, Set.of())) {
                if (tried.contains(e.address())) {
                    assertThat(e.tried()).isTrue();
                    fromTried++;
                } else {
                    fromNew++;
                }
            }
        }
        assertThat(fromNew).as("new entries are still explored").isPositive();
        assertThat(fromTried).isGreaterThan(2 * fromNew);
    }

    @Test
    void candidatesPreferHigherQuality() {
        AddressBook book = book();
        Set<InetSocketAddress> good = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            InetSocketAddress g = addr("10." + i + ".0.1");
            InetSocketAddress b = addr("20." + i + ".0.1");
            book.add(g, PeerSource.PEX, ip("100." + i + ".0.1"), T0);
            book.add(b, PeerSource.PEX, ip("100." + i + ".0.1"), T0);
            book.adjustQuality(g, 500);
            book.adjustQuality(b, -500);
            good.add(g);
        }
        int fromGood = 0;
        int fromBad = 0;
        for (int round = 0; round < 200; round++) {
            for (PeerEntry e : book.candidates(8, T0, Set.of())) {
                if (good.contains(e.address())) {
                    fromGood++;
                } else {
                    fromBad++;
                }
            }
        }
        assertThat(fromGood).isGreaterThan(5 * fromBad);
    }

    @Test
    void candidatesAreDeterministicForASeed() {
        List<List<PeerEntry>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            AddressBook book = new AddressBook(DEFAULTS, PeerTestSupport.SECRET, new SplittableRandom(7));
            for (int i = 0; i < 100; i++) {
                book.add(addr("10." + i + ".0.1"), PeerSource.PEX, ip("100." + (i % 20) + ".0.1"), T0);
            }
            runs.add(book.candidates(8, T0, Set.of()));
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1));
    }

    @Test
    void bannedEntriesAreNeverCandidates() {
        AddressBook book = book();
        InetSocketAddress byIp = addr("10.1.0.1");
        InetSocketAddress byNode = addr("10.2.0.1");
        InetSocketAddress fine = addr("10.3.0.1");
        for (InetSocketAddress a : List.of(byIp, byNode, fine)) {
            book.add(a, PeerSource.PEX, SRC, T0);
        }
        book.markSuccess(byNode, "beef", null, T0);
        book.ban(byIp.getAddress(), T0 + HOUR, T0);
        book.ban("BEEF", T0 + HOUR, T0);
        for (int round = 0; round < 20; round++) {
            assertThat(book.candidates(8, T0 + MINUTE, Set.of())).extracting(PeerEntry::address).containsExactly(fine);
        }
        assertThat(book.candidates(8, T0 + HOUR, Set.of())).hasSize(3);
    }

    // ---- sharing ----

    @Test
    void sharingOffersOnlyRecentSuccessesAboveTheThresholdBestFirst() {
        AddressBook book = book();
        long now = T0 + 2 * 24 * HOUR;
        InetSocketAddress best = addr("10.1.0.1");
        InetSocketAddress second = addr("2001:db8::2");
        InetSocketAddress third = addr("10.3.0.1");
        InetSocketAddress stale = addr("10.4.0.1");
        InetSocketAddress poor = addr("10.5.0.1");
        InetSocketAddress neverConnected = addr("10.6.0.1");
        InetSocketAddress special = addr("10.7.0.1");
        InetSocketAddress banned = addr("10.8.0.1");
        for (InetSocketAddress a : List.of(best, second, third, stale, poor, neverConnected, banned)) {
            book.add(a, PeerSource.PEX, SRC, T0);
        }
        book.addSpecial(special, T0);
        book.markSuccess(best, null, null, now - HOUR);
        book.markSuccess(second, null, null, now - 2 * HOUR);
        book.markSuccess(third, null, null, now - 3 * HOUR);
        book.markSuccess(stale, null, null, now - 25 * HOUR);
        book.markSuccess(poor, null, null, now - HOUR);
        book.markSuccess(special, null, null, now - HOUR);
        book.markSuccess(banned, null, null, now - HOUR);
        book.adjustQuality(best, 300);
        book.adjustQuality(second, 20);
        book.adjustQuality(stale, 900);
        book.adjustQuality(poor, -1);
        book.adjustQuality(special, 1000);
        book.adjustQuality(banned, 1000);
        book.ban(banned.getAddress(), now + HOUR, now);

        assertThat(book.forSharing(10, now, false)).extracting(PeerEntry::address)
                .containsExactly(best, second, third);
        assertThat(book.forSharing(2, now, false)).extracting(PeerEntry::address).containsExactly(best, second);
        assertThat(book.forSharing(10, now, true)).extracting(PeerEntry::address)
                .containsExactly(special, best, second, third);
        assertThat(book.forSharing(0, now, true)).isEmpty();

        AddressBook lenient = book(DEFAULTS.withShareMinQuality(-10));
        lenient.markSuccess(poor, null, null, now - HOUR);
        lenient.adjustQuality(poor, -5);
        assertThat(lenient.forSharing(10, now, false)).extracting(PeerEntry::address).containsExactly(poor);
    }

    @Test
    void qualityStaysWithinItsRange() {
        AddressBook book = book();
        InetSocketAddress a = addr("10.1.0.1");
        book.add(a, PeerSource.PEX, SRC, T0);
        assertThat(book.adjustQuality(a, 5000)).hasValue(1000);
        assertThat(book.adjustQuality(a, Integer.MIN_VALUE)).hasValue(-1000);
        assertThat(book.adjustQuality(addr("10.9.0.1"), 1)).isEmpty();
    }

    @Test
    void aBadNodeIdIsRefused() {
        AddressBook book = book();
        assertThatThrownBy(() -> book.markSuccess(addr("10.1.0.1"), "xyz", null, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hex");
        assertThatThrownBy(() -> book.ban("abc", T0 + 1, T0)).isInstanceOf(IllegalArgumentException.class);
    }
}
