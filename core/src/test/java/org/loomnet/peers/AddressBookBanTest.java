package org.loomnet.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.loomnet.peers.PeerTestSupport.DAY;
import static org.loomnet.peers.PeerTestSupport.HOUR;
import static org.loomnet.peers.PeerTestSupport.T0;
import static org.loomnet.peers.PeerTestSupport.addr;
import static org.loomnet.peers.PeerTestSupport.book;
import static org.loomnet.peers.PeerTestSupport.ip;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Bans by IP and by node id: they hold until they end, and there are never too many. */
class AddressBookBanTest {

    private static final InetAddress SRC = ip("198.51.100.1");

    @Test
    void anIpBanHoldsOnEveryPortUntilItEnds() {
        AddressBook book = book();
        InetAddress bad = ip("203.0.113.13");
        book.ban(bad, T0 + DAY, T0);

        assertThat(book.isBanned(bad, null, T0)).isTrue();
        assertThat(book.isBanned(bad, "aa", T0 + DAY - 1)).isTrue();
        assertThat(book.bannedUntil(bad, null, T0)).isEqualTo(T0 + DAY);
        assertThat(book.add(addr("203.0.113.13", 7700), PeerSource.PEX, SRC, T0)).isEqualTo(AddResult.IGNORED_BANNED);
        assertThat(book.add(addr("203.0.113.13", 9999), PeerSource.INCOMING, bad, T0))
                .isEqualTo(AddResult.IGNORED_BANNED);
        assertThat(book.isBanned(ip("203.0.113.14"), null, T0)).as("only that IP").isFalse();

        assertThat(book.isBanned(bad, null, T0 + DAY)).as("ended").isFalse();
        assertThat(book.bannedUntil(bad, null, T0 + DAY)).isZero();
        assertThat(book.add(addr("203.0.113.13"), PeerSource.PEX, SRC, T0 + DAY)).isEqualTo(AddResult.ADDED);
    }

    @Test
    void aNodeIdBanHoldsAtAnyAddress() {
        AddressBook book = book();
        book.ban("00AbCd", T0 + HOUR, T0);
        assertThat(book.isBanned(null, "00abcd", T0)).isTrue();
        assertThat(book.isBanned(ip("10.0.0.1"), "00ABCD", T0)).isTrue();
        assertThat(book.isBanned(ip("2001:db8::1"), "00abcd", T0 + HOUR - 1)).isTrue();
        assertThat(book.isBanned(ip("10.0.0.1"), "00abce", T0)).isFalse();
        assertThat(book.isBanned(null, "00abcd", T0 + HOUR)).isFalse();
        assertThat(book.isBanned(null, null, T0)).isFalse();
    }

    @Test
    void anEntryShowsTheBanOnItsNodeId() {
        AddressBook book = book();
        var a = addr("203.0.113.20");
        book.add(a, PeerSource.PEX, SRC, T0);
        book.markSuccess(a, "cafe", "x", T0);
        book.ban("cafe", T0 + HOUR, T0);
        assertThat(book.get(a, T0).orElseThrow().bannedUntil()).isEqualTo(T0 + HOUR);
        assertThat(book.get(a, T0).orElseThrow().bannedAt(T0)).isTrue();
        assertThat(book.get(a, T0 + HOUR).orElseThrow().bannedUntil()).isZero();
    }

    @Test
    void ipv6BansMatchEveryWritingOfTheAddress() {
        AddressBook book = book();
        book.ban(ip("2001:db8::1"), T0 + HOUR, T0);
        assertThat(book.isBanned(ip("2001:0db8:0:0:0:0:0:1"), null, T0)).isTrue();
        assertThat(book.add(addr("2001:db8:0::1"), PeerSource.PEX, SRC, T0)).isEqualTo(AddResult.IGNORED_BANNED);
        assertThat(book.isBanned(ip("2001:db8::2"), null, T0)).isFalse();
    }

    @Test
    void aLongerBanIsKeptAndUnbanEndsItAtOnce() {
        AddressBook book = book();
        InetAddress bad = ip("203.0.113.13");
        book.ban(bad, T0 + DAY, T0);
        book.ban(bad, T0 + HOUR, T0);
        assertThat(book.bannedUntil(bad, null, T0)).isEqualTo(T0 + DAY);
        assertThat(book.unban(bad)).isTrue();
        assertThat(book.isBanned(bad, null, T0)).isFalse();
        assertThat(book.unban(bad)).isFalse();

        book.ban("aa", T0 + DAY, T0);
        assertThat(book.unban("AA")).isTrue();
        assertThat(book.isBanned(null, "aa", T0)).isFalse();
        book.ban(bad, T0, T0);
        assertThat(book.banCount()).as("a ban that ends now is no ban").isZero();
    }

    @Test
    void bansAreBoundedAndTheOneEndingFirstMakesRoom() {
        AddressBook book = book(AddressBookSettings.defaults().withMaxBans(3));
        book.ban(ip("10.0.0.1"), T0 + 3 * HOUR, T0);
        book.ban(ip("10.0.0.2"), T0 + HOUR, T0);
        book.ban("aa", T0 + 2 * HOUR, T0);
        book.ban(ip("10.0.0.4"), T0 + 4 * HOUR, T0);

        assertThat(book.banCount()).isEqualTo(3);
        assertThat(book.isBanned(ip("10.0.0.2"), null, T0)).as("ended first, dropped").isFalse();
        assertThat(book.isBanned(ip("10.0.0.1"), null, T0)).isTrue();
        assertThat(book.isBanned(null, "aa", T0)).isTrue();
        assertThat(book.isBanned(ip("10.0.0.4"), null, T0)).isTrue();

        // Ended bans are pruned before a live one is dropped.
        book.ban(ip("10.0.0.5"), T0 + 10 * HOUR, T0 + 2 * HOUR + 1);
        assertThat(book.isBanned(ip("10.0.0.1"), null, T0 + 2 * HOUR + 1)).isTrue();
        assertThat(book.isBanned(ip("10.0.0.4"), null, T0 + 2 * HOUR + 1)).isTrue();
        assertThat(book.isBanned(ip("10.0.0.5"), null, T0 + 2 * HOUR + 1)).isTrue();
        book.checkInvariants();
    }

    @Test
    void tenThousandBansByDefaultAndNoMore() {
        AddressBook book = book();
        for (int i = 0; i < 12_000; i++) {
            book.ban(ip("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255)), T0 + HOUR + i, T0);
        }
        assertThat(book.banCount()).isEqualTo(10_000);
        assertThat(book.isBanned(ip("10.0.0.0"), null, T0)).as("the first to end went").isFalse();
        assertThat(book.isBanned(ip("10.0.46.223"), null, T0)).as("the last one stays").isTrue(); // i = 11999
    }

    @Test
    void expirePrunesEndedBans() {
        AddressBook book = book();
        book.ban(ip("10.0.0.1"), T0 + HOUR, T0);
        book.ban("bb", T0 + 2 * HOUR, T0);
        assertThat(book.bans(T0)).hasSize(2);
        assertThat(book.bans(T0 + HOUR)).singleElement()
                .isEqualTo(new Ban(Ban.Kind.NODE_ID, "bb", T0 + 2 * HOUR));
        book.expire(T0 + HOUR);
        assertThat(book.banCount()).isEqualTo(1);
    }
}
