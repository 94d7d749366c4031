package org.loomnet.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.loomnet.peers.PeerTestSupport.DAY;
import static org.loomnet.peers.PeerTestSupport.HOUR;
import static org.loomnet.peers.PeerTestSupport.T0;
import static org.loomnet.peers.PeerTestSupport.addr;
import static org.loomnet.peers.PeerTestSupport.book;
import static org.loomnet.peers.PeerTestSupport.ip;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.loomnet.fuzz.NameLookups;

/**
 * The address book file as it may be found after a crash, a bad disk or a hand edit. What
 * {@link AddressBookStore#load} does with it, step by step: {@link AddressBookStore#parse}
 * returns an image or says why the file is unusable ({@code BadBookException}), and
 * {@link AddressBook#restore} builds a book or refuses the image ({@link IllegalArgumentException});
 * load turns either refusal into an empty book and a warning, and nothing else may come out. A
 * book that loads keeps its invariants, and saving and loading it again changes nothing.
 */
class AddressBookStoreFuzzTest {

    private static final long NOW = T0 + HOUR;
    private static final AddressBookSettings SETTINGS = AddressBookSettings.defaults();

    @FuzzTest
    void load(byte[] file) throws Exception {
        // Addresses in the file are IP literals: reading one never asks a name server.
        NameLookups.forbidden(() -> loadAndSaveAgain(file));
    }

    private static void loadAndSaveAgain(byte[] file) throws IOException, AddressBookStore.BadBookException {
        AddressBookImage image;
        try {
            image = AddressBookStore.parse(file);
        } catch (AddressBookStore.BadBookException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        AddressBook book;
        try {
            book = AddressBook.restore(image, SETTINGS, new SplittableRandom(1), NOW);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        book.checkInvariants();
        String saved = AddressBookStore.toJson(book.image(NOW));
        AddressBook again = AddressBook.restore(AddressBookStore.parse(saved.getBytes(StandardCharsets.UTF_8)),
                SETTINGS, new SplittableRandom(1), NOW);
        assertThat(AddressBookStore.toJson(again.image(NOW))).isEqualTo(saved);
    }

    static Map<String, byte[]> seeds() throws IOException {
        AddressBook book = book();
        book.add(addr("203.0.113.1", 7700), PeerSource.DNS, null, T0);
        book.add(addr("203.0.113.1", 7700), PeerSource.PEX, ip("192.0.2.1"), T0 + 1);
        book.add(addr("2001:db8:1::1", 7701), PeerSource.PEX, ip("2001:db8:9::9"), T0);
        book.add(addr("198.51.100.2", 7702), PeerSource.SEED, null, T0);
        book.markAttempt(addr("198.51.100.2", 7702), T0 + 5);
        book.markSuccess(addr("198.51.100.2", 7702), "0a0b0c0d", "loomnet/0.1 \"quoted\" \u00e9", T0 + 10);
        book.markFailure(addr("203.0.113.1", 7700), T0 + 20);
        book.addSpecial(addr("192.0.2.50", 7700), T0);
        book.ban(ip("203.0.113.66"), T0 + DAY, T0);
        book.ban(ip("2001:db8::66"), T0 + DAY, T0);
        book.ban("deadbeef", T0 + 2 * DAY, T0);
        String saved = AddressBookStore.toJson(book.image(NOW));
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("saved", utf8(saved));
        seeds.put("empty-book", utf8(AddressBookStore.toJson(book().image(NOW))));
        seeds.put("duplicate-entry", utf8(saved.replace("203.0.113.1\"", "198.51.100.2\"")));
        seeds.put("huge-exponent", utf8(saved.replace("\"version\": 1", "\"version\": 1e999999999")));
        seeds.put("version-2", utf8(saved.replace("\"version\": 1", "\"version\": 2")));
        seeds.put("truncated", utf8(saved.substring(0, saved.length() / 2)));
        seeds.put("deep-nesting", utf8("{\"entries\":" + "[".repeat(5000)));
        seeds.put("not-utf8", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        return seeds;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
