package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.loomnet.crypto.Identity;
import org.loomnet.node.Node;
import org.loomnet.node.NodeId;
import org.loomnet.peers.AddressBookImage;
import org.loomnet.peers.AddressBookSettings;
import org.loomnet.peers.AddressBookStore;
import org.loomnet.peers.Ban;
import org.loomnet.store.AtomicFile;
import org.loomnet.wire.DisconnectReason;

/**
 * The daemon killed with SIGKILL and restarted on the same data directory, as a power-less crash
 * looks to the process: no shutdown hook, no last save. Two peers (a and b) run throughout; the
 * victim is killed during heavy traffic, and again and again while it saves its address book. After
 * each restart it must load its address book, bans and DHT table (what was on the disk when it
 * died, and that must contain what its API showed up to the last save), reconnect to its peers,
 * refuse in-process nodes that dial it from a banned address or with a banned node id, and leave
 * no file in its data directory that does not parse and no temp file behind.
 *
 * <p>The victim restarts without seeds and without DHT bootstrap nodes: whatever it knows after a
 * restart comes from its data directory. Saves happen every second ({@code --book-save-interval
 * 1s}, {@code --dht-save-interval 1s}) and after every ban. Each daemon is a {@code node.jar} JVM
 * with {@code -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}, for a quick start on a small
 * machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRestartIT {

    private static final String NETWORK = "crash-it";
    private static final List<String> JVM = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final Duration START = Duration.ofSeconds(30);
    /** Kill/restart cycles around address book saves. */
    private static final int SAVE_CYCLES = 10;
    private static final String BOOK = "addressbook.json";
    private static final String DHT = "dht.json";
    private static final Path LOGS = Path.of("target", "crash-restart");
    /** Banned through the API before the kill; an in-process node dials from it after the restart. */
    private static final String BANNED_IP = "127.250.200.1";

    @TempDir
    static Path dir;

    /** A hang (a request or a process that never ends) fails with a thread dump, not a build timeout. */
    @RegisterExtension
    final Watchdog watchdog = new Watchdog(Duration.ofMinutes(3));

    private final List<DaemonProcess> all = new CopyOnWriteArrayList<>();
    private final AtomicInteger launches = new AtomicInteger();
    private DaemonProcess a;
    private DaemonProcess b;
    private Path peersFile;

    @BeforeAll
    void startPeers() throws Exception {
        a = launch("a", dir.resolve("a"), List.of("--host", "127.81.0.1", "--port", "0"));
        a.awaitReady(START);
        String aDht = dhtAddress(a);
        b = launch("b", dir.resolve("b"), List.of("--host", "127.82.0.1", "--port", "0", "--peers", a.listenAddress(),
                "--dht-bootstrap", aDht));
        b.awaitReady(START);
        Await.until("a and b connected", () -> online(a).contains(b.nodeId()));
        peersFile = Files.writeString(dir.resolve("peers.json"), "{\"networks\": {\"" + NETWORK + "\": [\""
                + a.listenAddress() + "\", \"" + b.listenAddress() + "\"]}}");
    }

    @AfterAll
    void stopAll() throws InterruptedException {
        for (DaemonProcess d : all) {
            if (d.alive()) {
                d.kill();
            }
        }
    }

    // ---- the tests ---------------------------------------------------------------------------

    @Test
    void killedDuringHeavyTrafficItRestartsWithItsBookBansAndDhtTableAndReconnects() throws Exception {
        Path data = dir.resolve("traffic-victim");
        DaemonProcess v = firstStart("traffic-victim", "127.83.0.1", data);
        DaemonProcess again;
        // State worth keeping: peers in the book (a and b), two bans, a DHT table with a and b.
        // The bans: an address, and the node id of a key made here for a node that tries later.
        v.post("/api/network/ban", json("address", BANNED_IP, "duration", "7d"));
        Path bannedKey = dir.resolve("banned-node");
        String bannedId = NodeId.of(Identity.loadOrCreate(bannedKey).nodeId()).toString();
        v.post("/api/network/ban", json("node_id", bannedId, "duration", "7d"));
        State before = State.of(v);
        assertThat(before.peers).contains(a.listenAddress(), b.listenAddress());
        assertThat(before.bans).contains("ip:" + BANNED_IP, "node_id:" + bannedId);
        assertThat(before.dhtNodes).isGreaterThanOrEqualTo(2);
        // What the API shows reaches the disk within a save interval.
        Await.until("the API's book, bans and DHT table saved", () -> {
            OnDisk d = OnDisk.read(data);
            return d.book.peers.containsAll(before.peers) && d.book.bans.containsAll(before.bans)
                    && d.dhtId.equals(before.dhtId) && d.dhtNodes >= 2;
        });

        long received;
        try (Traffic traffic = new Traffic(List.of(a, b, v))) {
            long start = counter(v, "messages_received");
            Await.until("heavy traffic through the victim", () -> counter(v, "messages_received") > start + 200);
            received = counter(v, "messages_received") - start;
            assertThat(v.kill()).as("killed by SIGKILL").isEqualTo(DaemonProcess.SIGKILL_EXIT);
            assertThat(v.logged(l -> l.contains("shutting down"))).as("no shutdown hook ran").isFalse();
            assertThat(traffic.sent.get()).isPositive();

            OnDisk atDeath = OnDisk.read(data);
            assertThat(atDeath.book.peers).containsAll(before.peers);
            assertThat(atDeath.book.bans).containsAll(before.bans);

            // Restarted while the others keep sending; it has no seeds: only its data directory.
            again = restart(v, data);
            traffic.replace(v, again);
            assertLoaded(again, before.nodeId, atDeath);
            Await.until("reconnected to a and b", () -> online(again).containsAll(List.of(a.nodeId(), b.nodeId())));
            long after = counter(again, "messages_received");
            Await.until("traffic reaches it again", () -> counter(again, "messages_received") > after + 20);
            assertBansHold(again, bannedKey);
        }
        // The peers lived through it, still connected to each other.
        assertThat(a.alive() && b.alive()).isTrue();
        assertThat(online(a)).contains(b.nodeId());
        System.out.printf("traffic kill: the victim had received %d messages in the seconds before SIGKILL%n", received);
        Await.until("no temp file left", () -> tempFiles(data).isEmpty());
        OnDisk.read(data).assertMatches(again);
    }

    @Test
    void killedManyTimesWhileSavingItsBookItAlwaysLoadsAnIntactOne() throws Exception {
        Path data = dir.resolve("save-victim");
        Path tmp = AtomicFile.tempFileFor(data.resolve(BOOK));
        DaemonProcess v = firstStart("save-victim", "127.84.0.1", data);
        String nodeId = v.nodeId();
        String dhtId = State.of(v).dhtId;
        Await.until("its DHT table saved", () -> Files.exists(data.resolve(DHT)));
        AtomicInteger subjects = new AtomicInteger();
        List<String> evidence = new ArrayList<>();
        int midSave = 0;
        java.util.Map<String, Integer> stages = new java.util.TreeMap<>();
        for (int cycle = 0; cycle < SAVE_CYCLES; cycle++) {
            OnDisk saved = OnDisk.read(data);
            // A storm of bans: each one hands a snapshot to the writer, which saves back to back,
            // and the file grows by every ban (the bans last an hour: none ends during the test).
            AtomicBoolean storming = new AtomicBoolean(true);
            Set<String> stormed = java.util.concurrent.ConcurrentHashMap.newKeySet();
            DaemonProcess victim = v;
            List<Thread> storm = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                storm.add(Thread.ofVirtual().name("ban-storm-" + t).start(() -> {
                    while (storming.get()) {
                        int n = subjects.incrementAndGet();
                        String ip = "127.250." + (n / 250) + "." + (n % 250 + 1);
                        stormed.add("ip:" + ip);
                        try {
                            victim.post("/api/network/ban", json("address", ip, "duration", "1h"));
                        } catch (IOException e) {
                            return; // killed
                        }
                    }
                }));
            }
            // Even cycles kill the moment the temp file exists (the writer is between creating it
            // and renaming it); odd cycles kill at a random moment of the storm.
            boolean onSight = cycle % 2 == 0;
            long deadline = System.nanoTime() + (onSight ? Duration.ofSeconds(5)
                    : Duration.ofMillis(50 + ThreadLocalRandom.current().nextInt(400))).toNanos();
            while (System.nanoTime() < deadline && !(onSight && Files.exists(tmp))) {
                LockSupport.parkNanos(100_000);
            }
            int exit = v.kill();
            storming.set(false);
            for (Thread t : storm) {
                t.join();
            }
            assertThat(exit).as("killed by SIGKILL").isEqualTo(DaemonProcess.SIGKILL_EXIT);

            // The evidence that this kill landed mid-save: the temp file is still there.
            boolean wasMidSave = Files.exists(tmp);
            if (wasMidSave) {
                midSave++;
                long size = Files.size(tmp);
                // Empty: created, nothing written yet. Partial: cut in the middle of the write.
                // Complete: written (and perhaps forced), not yet renamed.
                String stage = size == 0 ? "empty" : parsesAsBook(tmp) ? "complete" : "partial";
                stages.merge(stage, 1, Integer::sum);
                evidence.add(String.format("cycle %2d (%s): %s left with %d bytes, %s; %s is %d bytes", cycle,
                        onSight ? "on sight" : "random", tmp.getFileName(), size, stage, BOOK,
                        Files.size(data.resolve(BOOK))));
            }
            OnDisk atDeath = OnDisk.read(data);
            // Nothing older than the last save is lost; nothing is invented.
            assertThat(atDeath.book.bans).containsAll(saved.book.bans);
            Set<String> possible = new HashSet<>(saved.book.bans);
            possible.addAll(stormed);
            assertThat(possible).containsAll(atDeath.book.bans);
            assertThat(atDeath.book.peers).containsAll(saved.book.peers);

            v = restart(v, data);
            assertLoaded(v, nodeId, atDeath);
            assertThat(State.of(v).dhtId).isEqualTo(dhtId);
            DaemonProcess r = v;
            Await.until("reconnected to a and b (cycle " + cycle + ")",
                    () -> online(r).containsAll(List.of(a.nodeId(), b.nodeId())));
        }
        System.out.printf("save kills: %d of %d landed mid-save (the temp file was left): %s%n%s%n", midSave,
                SAVE_CYCLES, stages, String.join("\n", evidence));
        assertThat(midSave).as("kills that landed mid-save, out of " + SAVE_CYCLES).isPositive();
        DaemonProcess last = v;
        Await.until("no temp file left", () -> tempFiles(data).isEmpty());
        OnDisk.read(data).assertMatches(last);
        assertThat(a.alive() && b.alive()).isTrue();
    }

    // ---- starting and restarting -------------------------------------------------------------

    private DaemonProcess launch(String name, Path data, List<String> flags) throws IOException {
        List<String> args = new ArrayList<>(List.of("--network", NETWORK, "--data-dir", data.toString(),
                "--api", "127.0.0.1:0", "--book-save-interval", "1s", "--dht-save-interval", "1s"));
        args.addAll(flags);
        if (!flags.contains("--peers-file")) {
            args.addAll(List.of("--peers-file", "none"));
        }
        DaemonProcess d = DaemonProcess.start(name, LOGS.resolve(name + "-" + launches.incrementAndGet() + ".log"),
                JVM, args);
        all.add(d);
        return d;
    }

    /** A fresh victim: seeded with a and b, and their DHT; ready, connected, with a DHT table. */
    private DaemonProcess firstStart(String name, String host, Path data) throws Exception {
        DaemonProcess v = launch(name, data, List.of("--host", host, "--port", "0", "--dht-port", "0",
                "--peers-file", peersFile.toString(), "--dht-bootstrap", dhtAddress(a) + "," + dhtAddress(b)));
        v.awaitReady(START);
        Await.until(name + " connected to a and b", () -> online(v).containsAll(List.of(a.nodeId(), b.nodeId())));
        Await.until(name + "'s DHT table holds a and b", () -> State.of(v).dhtNodes >= 2);
        return v;
    }

    /**
     * Starts the daemon again on the same data directory and the same TCP and UDP ports (so that
     * the others' books and tables still point at it), without seeds or DHT bootstrap nodes.
     */
    private DaemonProcess restart(DaemonProcess dead, Path data) throws IOException {
        String host = dead.listenAddress().substring(0, dead.listenAddress().lastIndexOf(':'));
        String port = dead.listenAddress().substring(host.length() + 1);
        String udp = dhtPortOf(dead);
        Path tmp = AtomicFile.tempFileFor(data.resolve(BOOK)).toAbsolutePath();
        boolean interruptedSave = Files.exists(tmp);
        DaemonProcess d = launch(dead.name(), data, List.of("--host", host, "--port", port, "--dht-port", udp));
        d.awaitReady(START);
        assertThat(d.listenAddress()).isEqualTo(dead.listenAddress());
        if (interruptedSave) {
            // Logged before the node's first line: the book is loaded while the node is built.
            assertThat(d.lines()).anyMatch(l -> l.contains("INFO AddressBookStore - Removed " + tmp + ", left by an"
                    + " interrupted save"));
        }
        return d;
    }

    /** The UDP port from the "DHT node ... on udp HOST:PORT" line. */
    private static String dhtPortOf(DaemonProcess d) {
        String line = d.lines().stream().filter(l -> l.contains("INFO Node - DHT node ")).findFirst().orElseThrow();
        return line.substring(line.indexOf(" on udp ") + 8).split("[ ]")[0].replaceAll("^.*:", "");
    }

    private static String dhtAddress(DaemonProcess d) {
        return d.listenAddress().replaceAll(":\\d+$", "") + ":" + dhtPortOf(d);
    }

    /**
     * It started without a word about a corrupt or unusable file, with the same identity, and its
     * API shows what was on the disk when it died: every entry of the book, every ban, the DHT's id
     * and nodes.
     */
    private static void assertLoaded(DaemonProcess d, String nodeId, OnDisk atDeath) throws IOException {
        assertThat(d.nodeId()).isEqualTo(nodeId);
        assertThat(d.lines()).noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR "));
        State now = State.of(d);
        assertThat(now.peers).containsAll(atDeath.book.peers);
        assertThat(now.bans).containsExactlyInAnyOrderElementsOf(atDeath.book.bans);
        assertThat(now.dhtId).isEqualTo(atDeath.dhtId);
        assertThat(now.dhtNodes).isGreaterThanOrEqualTo(atDeath.dhtNodes);
    }

    /**
     * The bans it loaded refuse for real: an in-process node dialing from the banned address, and
     * one with the banned node id from another address, are both told BANNED and never get online.
     */
    private static void assertBansHold(DaemonProcess d, Path bannedKey) {
        String host = d.listenAddress().substring(0, d.listenAddress().lastIndexOf(':'));
        InetSocketAddress target = new InetSocketAddress(host,
                Integer.parseInt(d.listenAddress().substring(host.length() + 1)));
        try (TestNodes net = new TestNodes()) {
            Node byAddress = net.start(TestNodes.builder(BANNED_IP).network(NETWORK).specialPeer(target));
            Node byId = net.start(TestNodes.builder("127.85.0.1").network(NETWORK).dataDir(bannedKey)
                    .specialPeer(target));
            Await.until("a dial from the banned address refused",
                    () -> byAddress.counters().disconnects(DisconnectReason.BANNED) >= 1);
            Await.until("the banned node id refused", () -> byId.counters().disconnects(DisconnectReason.BANNED) >= 1);
            assertThat(online(d)).doesNotContain(byAddress.id().toString(), byId.id().toString());
        }
    }

    // ---- reading the API and the disk --------------------------------------------------------

    /** Node ids of its online connections. */
    private static Set<String> online(DaemonProcess d) {
        Set<String> ids = new HashSet<>();
        for (JsonElement c : d.getUnchecked("/api/network/connections?state=online").getAsJsonArray("connections")) {
            ids.add(c.getAsJsonObject().get("node_id").getAsString());
        }
        return ids;
    }

    private static long counter(DaemonProcess d, String name) {
        return d.getUnchecked("/api/node").getAsJsonObject("counters").get(name).getAsLong();
    }

    /** What the API shows: the book's addresses, the bans as {@code kind:subject}, the DHT. */
    private record State(String nodeId, Set<String> peers, Set<String> bans, String dhtId, int dhtNodes) {
        static State of(DaemonProcess d) {
            Set<String> peers = new HashSet<>();
            for (JsonElement p : d.getUnchecked("/api/network/peers").getAsJsonArray("peers")) {
                peers.add(p.getAsJsonObject().get("address").getAsString());
            }
            Set<String> bans = new HashSet<>();
            for (JsonElement b : d.getUnchecked("/api/network/bans").getAsJsonArray("bans")) {
                JsonObject o = b.getAsJsonObject();
                bans.add(o.get("kind").getAsString() + ":" + o.get("subject").getAsString());
            }
            JsonObject dht = d.getUnchecked("/api/dht");
            return new State(d.getUnchecked("/api/node").get("id").getAsString(), peers, bans,
                    dht.get("id").getAsString(), dht.get("routing_table_nodes").getAsInt());
        }
    }

    /** The address book as the core's own loader reads it. */
    private record Book(Set<String> peers, Set<String> bans) {
        static Book load(Path file) throws IOException {
            // A copy: the loader would delete a temp file beside it and move a bad file aside.
            AddressBookStore.Loaded loaded = inCopy(file, BOOK, CrashRestartIT::loadBook);
            assertThat(loaded.outcome()).as("%s: %s", file, loaded.problem()).isEqualTo(AddressBookStore.Outcome.LOADED);
            AddressBookImage image = loaded.book().image(System.currentTimeMillis());
            Set<String> peers = image.entries().stream()
                    .map(e -> e.ip().getHostAddress() + ":" + e.port()).collect(Collectors.toSet());
            Set<String> bans = image.bans().stream()
                    .map(b -> (b.kind() == Ban.Kind.IP ? "ip:" : "node_id:") + b.subject()).collect(Collectors.toSet());
            return new Book(peers, bans);
        }
    }

    /**
     * Every file of a data directory, parsed: the book by the core's loader, the DHT table as
     * strict JSON of its format, the key by the core, the API token as 64 hex digits. Anything else
     * there, apart from the book's temp file a crash may leave, fails the test.
     */
    private record OnDisk(Path dir, Book book, String dhtId, int dhtNodes, String keyNodeId) {
        static OnDisk read(Path dir) {
            try {
                return readChecked(dir);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static OnDisk readChecked(Path dir) throws IOException {
            Set<String> known = Set.of("node.key", BOOK, DHT, "api.token", BOOK + ".tmp", DHT + ".tmp");
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("files in %s", dir)
                        .allMatch(known::contains);
            }
            Book book = Book.load(dir.resolve(BOOK));
            JsonObject dht = strictJson(dir.resolve(DHT));
            assertThat(dht.get("format").getAsString()).isEqualTo("loomnet-dht");
            String dhtId = dht.get("id").getAsString();
            assertThat(dhtId).matches("[0-9a-f]{40}");
            int nodes = 0;
            for (JsonElement n : dht.getAsJsonArray("nodes")) {
                assertThat(n.getAsJsonObject().get("id").getAsString()).matches("[0-9a-f]{40}");
                nodes++;
            }
            String keyId = inCopy(dir.resolve("node.key"), "node.key",
                    key -> NodeId.of(Identity.loadOrCreate(key.getParent()).nodeId()).toString());
            if (Files.exists(dir.resolve("api.token"))) {
                assertThat(Files.readString(dir.resolve("api.token")).strip()).matches("[0-9a-f]{64}");
            }
            return new OnDisk(dir, book, dhtId, nodes, keyId);
        }

        /** The running node's API shows exactly this book's bans and at least its peers. */
        void assertMatches(DaemonProcess d) {
            State now = State.of(d);
            assertThat(now.nodeId).isEqualTo(keyNodeId);
            assertThat(now.dhtId).isEqualTo(dhtId);
            assertThat(now.bans).containsExactlyInAnyOrderElementsOf(book.bans);
            assertThat(now.peers).containsAll(book.peers);
        }
    }

    private static JsonObject strictJson(Path file) throws IOException {
        JsonReader r = new JsonReader(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        r.setStrictness(Strictness.STRICT);
        JsonElement e = JsonParser.parseReader(r);
        assertThat(r.peek()).as("%s ends after its object", file).isEqualTo(com.google.gson.stream.JsonToken.END_DOCUMENT);
        return e.getAsJsonObject();
    }

    /** Whether a book temp file left by a kill holds a whole book (killed after the write) or not. */
    private static boolean parsesAsBook(Path tmp) throws IOException {
        return inCopy(tmp, BOOK, CrashRestartIT::loadBook).outcome() == AddressBookStore.Outcome.LOADED;
    }

    private static AddressBookStore.Loaded loadBook(Path file) {
        return new AddressBookStore(AddressBookSettings.defaults(), new SplittableRandom(), InstantSource.system())
                .load(file);
    }

    /** A loader that may change what it reads (delete, move aside, create) runs on a copy in a temp directory. */
    private static <T> T inCopy(Path file, String name, IoFunction<Path, T> read) throws IOException {
        Path copyDir = Files.createTempDirectory("crash-check-");
        try {
            return read.apply(Files.copy(file, copyDir.resolve(name)));
        } finally {
            try (Stream<Path> files = Files.list(copyDir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(copyDir);
        }
    }

    private interface IoFunction<A, R> {
        R apply(A a) throws IOException;
    }

    private static List<String> tempFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonObject json(String... keyValues) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < keyValues.length; i += 2) {
            o.addProperty(keyValues[i], keyValues[i + 1]);
        }
        return o;
    }

    /**
     * Messages of 16 KiB to every peer and gossip, posted through the APIs of the given daemons by
     * three threads without pause; a daemon that is down is skipped.
     */
    private static final class Traffic implements AutoCloseable {
        final AtomicInteger sent = new AtomicInteger();
        private final List<DaemonProcess> targets;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Traffic(List<DaemonProcess> targets) {
            this.targets = new CopyOnWriteArrayList<>(targets);
            String payload = "x".repeat(16 * 1024);
            for (int t = 0; t < 3; t++) {
                String target = t == 2 ? "gossip" : "all";
                threads.add(Thread.ofVirtual().name("traffic-" + t).start(() -> {
                    int i = 0;
                    while (running.get()) {
                        DaemonProcess d = this.targets.get(i++ % this.targets.size());
                        try {
                            d.post("/api/messages", json("type", "load", "payload", i + " " + payload + Instant.now(),
                                    "target", target));
                            sent.incrementAndGet();
                        } catch (IOException | RuntimeException e) {
                            // that daemon is down or busy: the next one
                        }
                    }
                }));
            }
        }

        void replace(DaemonProcess old, DaemonProcess now) {
            targets.set(targets.indexOf(old), now);
        }

        @Override
        public void close() {
            running.set(false);
            try {
                for (Thread t : threads) {
                    t.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the Watchdog ended the test: leave the rest
            }
        }
    }
}
