package org.loomnet.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.loomnet.peers.PeerTestSupport.DAY;
import static org.loomnet.peers.PeerTestSupport.HOUR;
import static org.loomnet.peers.PeerTestSupport.SECRET;
import static org.loomnet.peers.PeerTestSupport.T0;
import static org.loomnet.peers.PeerTestSupport.addr;
import static org.loomnet.peers.PeerTestSupport.book;
import static org.loomnet.peers.PeerTestSupport.ip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The book file: round trip, atomic saves, and every kind of bad file. */
class AddressBookStoreTest {

    private static final long NOW = T0 + HOUR;
    private static final AddressBookSettings SETTINGS = AddressBookSettings.defaults();

    @TempDir
    Path dir;

    private AddressBookStore store() {
        return new AddressBookStore(SETTINGS, new SplittableRandom(1), InstantSource.fixed(Instant.ofEpochMilli(NOW)));
    }

    /** A book with NEW, TRIED and special entries, IPv4 and IPv6, and both kinds of ban. */
    private static AddressBook sampleBook() {
        AddressBook book = book();
        InetSocketAddress newV4 = addr("203.0.113.1", 7700);
        InetSocketAddress newV6 = addr("2001:db8:1::1", 7701);
        InetSocketAddress triedV4 = addr("198.51.100.2", 7702);
        InetSocketAddress triedV6 = addr("2001:db8:2::2", 7703);
        book.add(newV4, PeerSource.DNS, null, T0);
        book.add(newV4, PeerSource.PEX, ip("192.0.2.1"), T0 + 1);
        book.add(newV6, PeerSource.PEX, ip("2001:db8:9::9"), T0);
        book.add(triedV4, PeerSource.SEED, null, T0);
        book.add(triedV6, PeerSource.URL, null, T0);
        book.markAttempt(triedV4, T0 + 5);
        book.markSuccess(triedV4, "0a0b0c0d", "loomnet/0.1 \"quoted\" \u00e9", T0 + 10);
        book.markSuccess(triedV6, "ff", null, T0 + 11);
        book.adjustQuality(triedV4, 250);
        book.adjustQuality(newV6, -40);
        book.markFailure(newV4, T0 + 20);
        book.addSpecial(addr("192.0.2.50", 7700), T0);
        book.ban(ip("203.0.113.66"), T0 + DAY, T0);
        book.ban(ip("2001:db8::66"), T0 + DAY, T0);
        book.ban("deadbeef", T0 + 2 * DAY, T0);
        book.ban(ip("203.0.113.67"), T0 + 10, T0); // ended before NOW: not saved
        return book;
    }

    @Test
    void aSavedBookLoadsBackWithEntriesBansAndSecret() throws IOException {
        AddressBook book = sampleBook();
        Path file = dir.resolve("peers.json");
        store().save(book, file);

        AddressBookStore.Loaded loaded = store().load(file);
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.LOADED);
        assertThat(loaded.problem()).isNull();
        assertThat(loaded.safeToSave()).isTrue();
        AddressBook back = loaded.book();
        assertThat(back.snapshot(NOW)).containsExactlyInAnyOrderElementsOf(book.snapshot(NOW));
        assertThat(back.bans(NOW)).containsExactlyInAnyOrderElementsOf(book.bans(NOW)).hasSize(3);
        assertThat(back.secret()).isEqualTo(SECRET);
        assertThat(back.newSize()).isEqualTo(2);
        assertThat(back.triedSize()).isEqualTo(2);
        assertThat(back.specialSize()).isEqualTo(1);
        for (PeerEntry e : book.snapshot(NOW)) {
            assertThat(back.newBucketOf(e.address())).as("same NEW bucket").isEqualTo(book.newBucketOf(e.address()));
            assertThat(back.triedBucketOf(e.address())).isEqualTo(book.triedBucketOf(e.address()));
        }
        back.checkInvariants();
        assertThat(back.isBanned(null, "DEADBEEF", NOW)).isTrue();
        assertThat(Files.exists(AddressBookStore.tempFileFor(file))).as("no temp file left").isFalse();
        String json = Files.readString(file);
        assertThat(json).contains("\"version\": 1").contains("\"secret\"").contains("2001:db8:1:0:0:0:0:1");
    }

    @Test
    void aBookSavedWhileADialIsInProgressOffersThatAddressAtOnceAfterALoad() throws IOException {
        // A crash right after a save taken during a dial: the new process has no dial in
        // progress, so the attempt hold of the old one must not keep it from dialing for a minute.
        AddressBook book = book();
        InetSocketAddress known = addr("198.51.100.7", 7700);
        InetSocketAddress failed = addr("203.0.113.9", 7700);
        book.add(known, PeerSource.SEED, null, T0);
        book.add(failed, PeerSource.SEED, null, T0);
        book.markFailure(failed, NOW);
        long backoff = book.nextAttemptAt(failed).orElseThrow();
        book.markAttempt(known, NOW);
        assertThat(book.candidates(8, NOW + 1, java.util.Set.of())).isEmpty(); // held while dialing
        Path file = dir.resolve("peers.json");
        store().save(book, file);

        AddressBook back = store().load(file).book();
        assertThat(back.candidates(8, NOW + 1, java.util.Set.of())).extracting(PeerEntry::address)
                .containsExactly(known);
        // What a failure already decided is kept: the backoff, not the hold.
        assertThat(back.nextAttemptAt(failed)).hasValue(backoff);
        assertThat(back.get(known, NOW).orElseThrow().lastAttempt()).isEqualTo(NOW);
        // The running book still holds both until their dials end.
        assertThat(book.candidates(8, NOW + 1, java.util.Set.of())).isEmpty();
    }

    @Test
    void aMissingFileGivesAnEmptyBook() {
        AddressBookStore.Loaded loaded = store().load(dir.resolve("peers.json"));
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.MISSING);
        assertThat(loaded.book().size()).isZero();
        assertThat(loaded.safeToSave()).isTrue();
    }

    @Test
    void aHalfWrittenTempFileFromACrashDoesNotConfuseTheLoad() throws IOException {
        AddressBook book = sampleBook();
        Path file = dir.resolve("peers.json");
        store().save(book, file);
        byte[] good = Files.readAllBytes(file);
        // The crash: a later save wrote half its temp file and never renamed it.
        Path tmp = AddressBookStore.tempFileFor(file);
        Files.write(tmp, java.util.Arrays.copyOf(good, good.length / 2));

        AddressBookStore.Loaded loaded = store().load(file);
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.LOADED);
        assertThat(loaded.book().snapshot(NOW)).containsExactlyInAnyOrderElementsOf(book.snapshot(NOW));
        assertThat(Files.exists(tmp)).isFalse();
        assertThat(Files.readAllBytes(file)).isEqualTo(good);
        assertThat(corruptFiles()).isEmpty();
    }

    @Test
    void aTempFileAloneIsNotABook() throws IOException {
        Path file = dir.resolve("peers.json");
        Files.writeString(AddressBookStore.tempFileFor(file), "{\"version\": 1, \"secr");
        AddressBookStore.Loaded loaded = store().load(file);
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.MISSING);
        assertThat(Files.exists(AddressBookStore.tempFileFor(file))).isFalse();
    }

    @Test
    void aCorruptFileIsMovedAsideWithAWarningAndTheNodeGetsAnEmptyBook() throws IOException {
        Path file = dir.resolve("peers.json");
        byte[] garbage = "this is not json at all {{{".getBytes(StandardCharsets.UTF_8);
        Files.write(file, garbage);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        AddressBookStore.Loaded loaded;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            loaded = store().load(file);
        } finally {
            System.setErr(original);
        }

        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.CORRUPT);
        assertThat(loaded.problem()).contains("not valid JSON").contains("line 1 column 1")
                .doesNotContain("LENIENT").doesNotContain("\n");
        assertThat(loaded.book().size()).isZero();
        assertThat(loaded.safeToSave()).isTrue();
        Path aside = dir.resolve("peers.json.corrupt-" + NOW);
        assertThat(loaded.movedAside()).isEqualTo(aside);
        assertThat(Files.readAllBytes(aside)).as("the original bytes, kept").isEqualTo(garbage);
        assertThat(Files.exists(file)).isFalse();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("WARN").contains(file.toString())
                .contains(aside.toString()).contains("not valid JSON");

        // The node saves its new book; the bad file stays where it was put.
        store().save(sampleBook(), file);
        assertThat(Files.readAllBytes(aside)).isEqualTo(garbage);
        assertThat(store().load(file).outcome()).isEqualTo(AddressBookStore.Outcome.LOADED);
    }

    @Test
    void aSecondBadFileNeverOverwritesTheFirst() throws IOException {
        Path file = dir.resolve("peers.json");
        Files.writeString(file, "first bad");
        store().load(file);
        Files.writeString(file, "second bad");
        AddressBookStore.Loaded second = store().load(file);
        assertThat(second.movedAside()).isEqualTo(dir.resolve("peers.json.corrupt-" + NOW + "-1"));
        assertThat(Files.readString(dir.resolve("peers.json.corrupt-" + NOW))).isEqualTo("first bad");
        assertThat(Files.readString(second.movedAside())).isEqualTo("second bad");
    }

    @Test
    void aTruncatedFileIsCorrupt() throws IOException {
        Path file = dir.resolve("peers.json");
        store().save(sampleBook(), file);
        byte[] full = Files.readAllBytes(file);
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 40);
        Files.write(file, cut);

        AddressBookStore.Loaded loaded = store().load(file);
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.CORRUPT);
        assertThat(loaded.problem()).contains("not valid JSON");
        assertThat(Files.readAllBytes(loaded.movedAside())).isEqualTo(cut);
        assertThat(loaded.book().size()).isZero();
    }

    @Test
    void anotherFormatVersionIsRefusedAndKept() throws IOException {
        Path file = dir.resolve("peers.json");
        store().save(sampleBook(), file);
        String json = Files.readString(file).replace("\"version\": 1", "\"version\": 2");
        Files.writeString(file, json);

        AddressBookStore.Loaded loaded = store().load(file);
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.CORRUPT);
        assertThat(loaded.problem()).contains("version 2").contains("reads version 1");
        assertThat(Files.readString(loaded.movedAside())).isEqualTo(json);
    }

    @Test
    void valuesOutOfRangeAreRefused() throws IOException {
        Path file = dir.resolve("peers.json");
        store().save(sampleBook(), file);
        String good = Files.readString(file);
        List<String[]> cases = List.of(
                new String[] {"\"quality\": 250", "\"quality\": 5000", "quality"},
                new String[] {"\"port\": 7702", "\"port\": 70000", "port"},
                new String[] {"\"port\": 7702", "\"port\": 0", "port"},
                new String[] {"\"ip\": \"198.51.100.2\"", "\"ip\": \"198.51.100.256\"", "ip"},
                new String[] {"\"ip\": \"198.51.100.2\"", "\"ip\": \"peer.example.org\"", "ip"},
                new String[] {"\"ip\": \"198.51.100.2\"", "\"ip\": \"224.0.0.1\"", "not a dialable"},
                new String[] {"\"failures\": 1", "\"failures\": -1", "failures"},
                new String[] {"\"quality\": 250", "\"quality\": 2.5", "whole number"},
                new String[] {"\"quality\": 250", "\"quality\": 1e999999999", "whole number"},
                new String[] {"\"sources\": [", "\"sources\": [\"carrier-pigeon\", ", "carrier-pigeon"},
                new String[] {"\"type\": \"special\"", "\"type\": \"vip\"", "type"},
                new String[] {"\"kind\": \"nodeId\"", "\"kind\": \"asn\"", "kind"},
                new String[] {"\"subject\": \"deadbeef\"", "\"subject\": \"not-hex\"", "subject"},
                new String[] {"\"secret\": \"", "\"secret\": \"00", "secret"});
        for (String[] c : cases) {
            assertThat(good).as("the sample has %s", c[0]).contains(c[0]);
            Files.writeString(file, good.replaceFirst(java.util.regex.Pattern.quote(c[0]),
                    java.util.regex.Matcher.quoteReplacement(c[1])));
            AddressBookStore.Loaded loaded = store().load(file);
            assertThat(loaded.outcome()).as(c[1]).isEqualTo(AddressBookStore.Outcome.CORRUPT);
            assertThat(loaded.problem()).as(c[1]).contains(c[2]);
            assertThat(loaded.movedAside()).isNotNull();
            Files.delete(loaded.movedAside());
        }
    }

    @Test
    void duplicateEntriesAreRefused() throws IOException {
        Path file = dir.resolve("peers.json");
        AddressBook one = book();
        one.add(addr("203.0.113.1"), PeerSource.DNS, null, T0);
        store().save(one, file);
        String json = Files.readString(file);
        int start = json.indexOf("    {");
        int end = json.indexOf("    }", start) + 5;
        String entry = json.substring(start, end);
        Files.writeString(file, json.replace(entry, entry + ",\n" + entry));

        AddressBookStore.Loaded loaded = store().load(file);
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.CORRUPT);
        assertThat(loaded.problem()).contains("appears twice");
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() throws IOException {
        Path file = dir.resolve("peers.json");
        Files.write(file, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
        AddressBookStore.Loaded loaded = store().load(file);
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.CORRUPT);
        assertThat(loaded.problem()).contains("UTF-8");
    }

    @Test
    void anEmptyFileOrAnotherJsonValueIsRefused() throws IOException {
        Path file = dir.resolve("peers.json");
        for (String text : List.of("", "[]", "{}", "{\"version\": 1} trailing")) {
            Files.writeString(file, text);
            AddressBookStore.Loaded loaded = store().load(file);
            assertThat(loaded.outcome()).as("\"%s\"", text).isEqualTo(AddressBookStore.Outcome.CORRUPT);
            assertThat(Files.readString(loaded.movedAside())).isEqualTo(text);
            Files.delete(loaded.movedAside());
        }
    }

    @Test
    void aHugeFileIsRefusedBeforeItIsRead() throws IOException {
        Path file = dir.resolve("peers.json");
        long size = AddressBookStore.DEFAULT_MAX_FILE_BYTES + 1;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size); // sparse: costs no disk
        }
        AddressBookStore.Loaded loaded = store().load(file);
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.CORRUPT);
        assertThat(loaded.problem()).contains("larger than the limit");
        assertThat(Files.size(loaded.movedAside())).isEqualTo(size);
        assertThat(loaded.book().size()).isZero();
    }

    @Test
    void aSaveLargerThanTheLimitFailsAndLeavesThePreviousFile() throws IOException {
        Path file = dir.resolve("peers.json");
        AddressBookStore small = new AddressBookStore(SETTINGS, new SplittableRandom(1),
                InstantSource.fixed(Instant.ofEpochMilli(NOW)), 4096);
        AddressBook one = book();
        one.add(addr("203.0.113.1"), PeerSource.DNS, null, T0);
        small.save(one, file);
        byte[] before = Files.readAllBytes(file);

        AddressBook many = book();
        for (int i = 0; i < 100; i++) {
            many.add(addr("10." + i + ".0.1"), PeerSource.DNS, null, T0);
        }
        assertThatThrownBy(() -> small.save(many, file)).isInstanceOf(IOException.class)
                .hasMessageContaining("larger than the limit");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(Files.exists(AddressBookStore.tempFileFor(file))).isFalse();
    }

    @Test
    void aFileOverTheNewSettingsCapacityLoadsWhatFits() throws IOException {
        Path file = dir.resolve("peers.json");
        AddressBook big = book();
        for (int i = 0; i < 200; i++) {
            big.add(addr("10." + i + ".0.1"), PeerSource.PEX, ip("100." + i + ".0.1"), T0);
        }
        store().save(big, file);
        AddressBookSettings smaller = SETTINGS.withNewTable(2, 8, 1);
        AddressBookStore.Loaded loaded = new AddressBookStore(smaller, new SplittableRandom(1),
                InstantSource.fixed(Instant.ofEpochMilli(NOW))).load(file);
        assertThat(loaded.outcome()).isEqualTo(AddressBookStore.Outcome.LOADED);
        assertThat(loaded.book().size()).isEqualTo(16);
        loaded.book().checkInvariants();
    }

    private List<Path> corruptFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().contains(".corrupt-")).toList();
        }
    }
}
