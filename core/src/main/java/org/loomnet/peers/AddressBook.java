package org.loomnet.peers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The peers a node knows of: where it heard of them, how they behaved, which are banned, and
 * which to dial next. Pure data with time passed in: every method that depends on time takes
 * {@code now} (epoch milliseconds), nothing here sleeps, reads a clock or touches the disk or the
 * network ({@link AddressBookStore} persists it).
 *
 * <h2>Ownership</h2>
 * Not thread-safe. One thread owns a book, in the node the processing thread; other threads get
 * immutable copies ({@link PeerEntry}, {@link #snapshot}, {@link #image}).
 *
 * <h2>Placement: new and tried tables</h2>
 * Following Bitcoin Core's addrman and CometBFT's address book, at a smaller scale, regular
 * entries live in two bounded tables of fixed-size buckets ({@link AddressBookSettings}):
 * <ul>
 * <li><b>NEW</b> holds addresses we heard of but never connected to. The bucket is
 * {@code H(secret, sourceGroup, H(secret, sourceGroup, addressGroup) mod k) mod newBucketCount}
 * with {@code k = newBucketsPerSourceGroup}: all addresses heard from one source network group
 * land in at most {@code k} buckets, and all addresses of one group heard from one source in a
 * single bucket. A peer that floods us with addresses can therefore fill at most {@code k}
 * buckets' worth of the table (4 x 32 of 2048 by default), whatever it sends.</li>
 * <li><b>TRIED</b> holds addresses we connected to successfully ({@link #markSuccess} moves an
 * entry there). The bucket is {@code H(secret, group, H(secret, address) mod m) mod
 * triedBucketCount} with {@code m = triedBucketsPerGroup}: one network group can hold at most
 * {@code m} buckets' worth of the tried table.</li>
 * </ul>
 * {@code H} is SHA-256 keyed with a random 32-byte secret created with the book and persisted with
 * it, so a peer cannot predict which addresses share a bucket. A network group is the /16 of an
 * IPv4 address and the /32 of an IPv6 address ({@link #groupOf}); an address heard of without a
 * source peer (seed list, DNS, URL) has the source group {@code src:<kind>}. An entry stays in the
 * NEW bucket chosen by the first source it was heard from (unlike addrman, which may keep up to 8
 * references); later sources are remembered, not re-placed.
 *
 * <h2>Eviction</h2>
 * When a bucket is full, the <em>least useful</em> of its entries goes: first one whose IP or node
 * id is banned, then one not heard of for {@code expireAfter}, then the lowest quality, the most
 * consecutive failures, the oldest last-seen time. A newcomer to a full NEW bucket takes the place
 * of the least useful entry only if it is more useful than that entry; otherwise {@link #add}
 * answers {@link AddResult#REJECTED_FULL} (so fresh addresses push out stale ones, but a flood
 * cannot push out entries that earned quality). A newly successful address always enters its
 * TRIED bucket; if that is full, the least useful entry there is demoted back to NEW (unlike
 * addrman, we do not test it first with a feeler connection).
 *
 * <h2>Specials</h2>
 * Special entries ({@link #addSpecial}, {@link #setSpecials}) are kept outside the bounded tables,
 * in a list of at most {@code maxSpecials}. They never expire, are never evicted and are never
 * dropped for failing; they are not offered by {@link #candidates} (the node dials them through
 * {@link #dueSpecials}) and are shared only on request ({@link #forSharing}).
 *
 * <h2>Backoff</h2>
 * After {@code n} consecutive failures an address is not offered again for
 * {@code (2^n - 1) * backoffBase} (5 s, 15 s, 35 s, 75 s, ... as in Skycoin), capped at
 * {@code backoffCap}, times a random factor in {@code [1 - jitter, 1 + jitter]} from the
 * {@link RandomGenerator} given to the book. After {@code maxFailures} failures a regular entry is
 * dropped.
 *
 * <h2>Bans</h2>
 * By IP (any port) and by node id, each until a given time, at most {@code maxBans} together (when
 * full, the ban that expires first makes room). A banned address is refused by {@link #add}, never
 * a candidate, never shared, and evicted first. Bans end by themselves; {@link #expire} prunes
 * them.
 */
public final class AddressBook {

    /** The lowest quality. */
    public static final int MIN_QUALITY = -1000;
    /** The highest quality. */
    public static final int MAX_QUALITY = 1000;
    /** Longest user agent kept; longer ones are cut. */
    public static final int MAX_USER_AGENT_CHARS = 256;

    static final int SECRET_BYTES = 32;
    /** Candidate weight of a TRIED entry relative to a NEW one of the same quality. */
    private static final double TRIED_WEIGHT = 4.0;
    /** Quality points that double (or halve) an entry's chance to be a candidate. */
    private static final double QUALITY_DOUBLING = 250.0;
    /** Each consecutive failure multiplies the chance by this, as addrman's {@code GetChance}. */
    private static final double FAILURE_FACTOR = 0.66;

    private final AddressBookSettings settings;
    private final byte[] secret;
    private final RandomGenerator random;
    private final MessageDigest sha256;

    /** Every regular entry (NEW and TRIED), in insertion order, so that iteration is deterministic. */
    private final Map<InetSocketAddress, KnownAddress> regular = new LinkedHashMap<>();
    private final Map<InetSocketAddress, KnownAddress> specials = new LinkedHashMap<>();
    private final List<List<KnownAddress>> newTable;
    private final List<List<KnownAddress>> triedTable;
    private int newCount;
    private int triedCount;

    /** Ban end times by IP ({@link InetAddress#getHostAddress()}) and by node id (lower-case hex). */
    private final Map<String, Long> ipBans = new LinkedHashMap<>();
    private final Map<String, Long> nodeBans = new LinkedHashMap<>();

    /**
     * An empty book with a fresh random placement secret (from {@link SecureRandom}).
     *
     * @param settings sizes, timers and thresholds
     * @param random   the source of backoff jitter and candidate choice; a seeded one makes the
     *                 book deterministic
     */
    public AddressBook(AddressBookSettings settings, RandomGenerator random) {
        this(settings, newSecret(), random);
    }

    /**
     * An empty book with the given placement secret.
     *
     * @param settings sizes, timers and thresholds
     * @param secret   32 bytes kept private: they decide which addresses share a bucket (copied)
     * @param random   the source of backoff jitter and candidate choice
     */
    public AddressBook(AddressBookSettings settings, byte[] secret, RandomGenerator random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
        if (secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("the placement secret must be " + SECRET_BYTES + " bytes, not "
                    + secret.length);
        }
        this.secret = secret.clone();
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        this.newTable = buckets(settings.newBucketCount(), settings.newBucketSize());
        this.triedTable = buckets(settings.triedBucketCount(), settings.triedBucketSize());
    }

    /**
     * Rebuilds a book from a persisted image. Entries are placed again with the image's secret, so
     * they land in the buckets they were in, unless the settings changed: then what no longer fits
     * is evicted by the usual rules. Bans that ended before {@code now} are left out.
     *
     * @throws IllegalArgumentException if the image holds the same address twice
     */
    static AddressBook restore(AddressBookImage image, AddressBookSettings settings, RandomGenerator random,
            long now) {
        AddressBook book = new AddressBook(settings, image.secret(), random);
        Set<InetSocketAddress> seen = new HashSet<>();
        for (PeerEntry e : image.entries()) {
            InetSocketAddress key = normalize(e.address());
            if (key == null) {
                throw new IllegalArgumentException("entry " + hostPort(e.address()) + " is not a dialable address");
            }
            if (!seen.add(key)) {
                throw new IllegalArgumentException("entry " + hostPort(key) + " appears twice");
            }
        }
        // Specials first (they are never evicted), then TRIED, then NEW, so that NEW entries do
        // not take room that demoted TRIED ones would have had.
        for (PeerEntry e : image.entries()) {
            if (e.special() && book.specials.size() < settings.maxSpecials()) {
                KnownAddress k = book.restored(e);
                k.table = KnownAddress.Table.SPECIAL;
                book.specials.put(k.address, k);
            }
        }
        for (PeerEntry e : image.entries()) {
            if (!e.special() && e.tried()) {
                book.placeTried(book.restored(e), now);
            }
        }
        for (PeerEntry e : image.entries()) {
            if (!e.special() && !e.tried()) {
                book.placeNew(book.restored(e), now);
            }
        }
        for (Ban b : image.bans()) {
            if (b.until() > now) {
                switch (b.kind()) {
                    case IP -> book.putBan(book.ipBans, b.subject(), b.until(), now);
                    case NODE_ID -> book.putBan(book.nodeBans, b.subject(), b.until(), now);
                }
            }
        }
        return book;
    }

    private KnownAddress restored(PeerEntry e) {
        KnownAddress k = KnownAddress.of(e, normalize(e.address()));
        while (k.sourceGroups.size() > settings.maxSourceGroupsPerEntry()) {
            k.sourceGroups.remove(k.sourceGroups.size() - 1);
        }
        return k;
    }

    /** @return the settings the book was made with */
    public AddressBookSettings settings() {
        return settings;
    }

    // ---- addresses ---------------------------------------------------------------------------

    /**
     * The network group of an IP: the unit of diversity for placement, dialing and limits. IPv4:
     * the /16, written {@code a.b.0.0/16}; IPv6: the /32, written like {@code 2001:db8::/32}. So
     * {@code 127.0.x.y} and {@code 127.1.x.y} are different groups. (IPv4-mapped IPv6 addresses
     * are IPv4 addresses in Java, so they get the IPv4 group.)
     *
     * @param ip an address
     * @return its group
     */
    public static String groupOf(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + ".0.0/16";
        }
        int w0 = (b[0] & 0xff) << 8 | (b[1] & 0xff);
        int w1 = (b[2] & 0xff) << 8 | (b[3] & 0xff);
        return w1 == 0
                ? Integer.toHexString(w0) + "::/32"
                : Integer.toHexString(w0) + ":" + Integer.toHexString(w1) + "::/32";
    }

    /**
     * @param address an address
     * @return true if the book would take it: a resolved IP that is not a wildcard, multicast or
     *         the IPv4 broadcast address, and a port from 1 to 65535
     */
    public static boolean isDialable(InetSocketAddress address) {
        return normalize(address) != null;
    }

    /**
     * Heard of an address: adds it to the NEW table, or refreshes it if known.
     *
     * @param address       the peer's listen address (must be resolved; the book never looks up
     *                      names)
     * @param kind          where we heard of it; {@link PeerSource#SPECIAL} is the same as
     *                      {@link #addSpecial}
     * @param sourceAddress the IP of the peer that told us, for {@link PeerSource#PEX} and
     *                      {@link PeerSource#INCOMING}; null when there is no such peer (seed
     *                      list, DNS, URL), then the kind stands for the source
     * @param now           the current time
     * @return what happened
     */
    public AddResult add(InetSocketAddress address, PeerSource kind, InetAddress sourceAddress, long now) {
        Objects.requireNonNull(kind, "kind");
        if (kind == PeerSource.SPECIAL) {
            return addSpecial(address, now);
        }
        InetSocketAddress key = normalize(address);
        if (key == null) {
            return AddResult.IGNORED_UNROUTABLE;
        }
        if (banEnd(ipBans, ipKey(key.getAddress()), now) > now) {
            return AddResult.IGNORED_BANNED;
        }
        String sourceGroup = sourceAddress == null ? "src:" + kind.label() : groupOf(sourceAddress);
        KnownAddress e = find(key);
        if (e != null) {
            e.lastSeen = Math.max(e.lastSeen, now);
            e.sources.add(kind);
            e.addSourceGroup(sourceGroup, settings.maxSourceGroupsPerEntry());
            return AddResult.UPDATED;
        }
        e = new KnownAddress(key, groupOf(key.getAddress()), now);
        e.sources.add(kind);
        e.addSourceGroup(sourceGroup, settings.maxSourceGroupsPerEntry());
        return placeNew(e, now) ? AddResult.ADDED : AddResult.REJECTED_FULL;
    }

    /**
     * Makes an address special: kept outside the bounded tables, never expired, evicted or dropped.
     * A regular entry for the address keeps its history and becomes special. Bans are not checked
     * here (the operator asked for it) but still hold: a banned special is not in
     * {@link #dueSpecials}.
     *
     * @param address the peer's listen address
     * @param now     the current time
     * @return {@link AddResult#ADDED}, {@link AddResult#UPDATED} (known before),
     *         {@link AddResult#REJECTED_FULL} ({@code maxSpecials} reached) or
     *         {@link AddResult#IGNORED_UNROUTABLE}
     */
    public AddResult addSpecial(InetSocketAddress address, long now) {
        InetSocketAddress key = normalize(address);
        if (key == null) {
            return AddResult.IGNORED_UNROUTABLE;
        }
        KnownAddress e = specials.get(key);
        if (e != null) {
            e.lastSeen = Math.max(e.lastSeen, now);
            return AddResult.UPDATED;
        }
        if (specials.size() >= settings.maxSpecials()) {
            return AddResult.REJECTED_FULL;
        }
        e = regular.remove(key);
        AddResult result;
        if (e != null) {
            detach(e);
            e.lastSeen = Math.max(e.lastSeen, now);
            result = AddResult.UPDATED;
        } else {
            e = new KnownAddress(key, groupOf(key.getAddress()), now);
            result = AddResult.ADDED;
        }
        e.sources.add(PeerSource.SPECIAL);
        e.addSourceGroup("src:" + PeerSource.SPECIAL.label(), settings.maxSourceGroupsPerEntry());
        e.table = KnownAddress.Table.SPECIAL;
        e.bucket = -1;
        specials.put(key, e);
        return result;
    }

    /**
     * Removes a special entry entirely (it is not turned back into a regular one: the operator
     * took it off the list).
     *
     * @param address the address
     * @return true if it was special
     */
    public boolean removeSpecial(InetSocketAddress address) {
        InetSocketAddress key = normalize(address);
        return key != null && specials.remove(key) != null;
    }

    /**
     * What {@link #setSpecials} changed.
     *
     * @param added   addresses that became special
     * @param removed specials no longer listed, removed from the book: disconnect them
     * @param refused listed addresses that could not be made special (not dialable, or over
     *                {@code maxSpecials})
     */
    public record SpecialsChange(List<InetSocketAddress> added, List<InetSocketAddress> removed,
            List<InetSocketAddress> refused) {

        /** Copies the lists. */
        public SpecialsChange {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            refused = List.copyOf(refused);
        }
    }

    /**
     * Replaces the special list (a reload): specials still listed are kept with their history,
     * the ones no longer listed are removed, new ones are added.
     *
     * @param addresses the full new list
     * @param now       the current time
     * @return what changed
     */
    public SpecialsChange setSpecials(Collection<InetSocketAddress> addresses, long now) {
        Set<InetSocketAddress> wanted = new LinkedHashSet<>();
        List<InetSocketAddress> refused = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            InetSocketAddress key = normalize(a);
            if (key == null) {
                refused.add(a);
            } else {
                wanted.add(key);
            }
        }
        List<InetSocketAddress> removed = new ArrayList<>();
        for (Iterator<InetSocketAddress> it = specials.keySet().iterator(); it.hasNext(); ) {
            InetSocketAddress a = it.next();
            if (!wanted.contains(a)) {
                it.remove();
                removed.add(a);
            }
        }
        List<InetSocketAddress> added = new ArrayList<>();
        for (InetSocketAddress a : wanted) {
            if (specials.containsKey(a)) {
                continue;
            }
            if (addSpecial(a, now) == AddResult.REJECTED_FULL) {
                refused.add(a);
            } else {
                added.add(a);
            }
        }
        return new SpecialsChange(added, removed, refused);
    }

    /**
     * Forgets an address, regular or special.
     *
     * @param address the address
     * @return true if it was known
     */
    public boolean remove(InetSocketAddress address) {
        InetSocketAddress key = normalize(address);
        if (key == null) {
            return false;
        }
        if (specials.remove(key) != null) {
            return true;
        }
        KnownAddress e = regular.remove(key);
        if (e == null) {
            return false;
        }
        detach(e);
        return true;
    }

    /**
     * We are still connected to (or just heard from) the peer at this address: refreshes its
     * last-seen time, so a long-lived connection does not let its entry expire.
     *
     * @param address the address
     * @param now     the current time
     * @return true if the address is known
     */
    public boolean touch(InetSocketAddress address, long now) {
        KnownAddress e = find(normalize(address));
        if (e == null) {
            return false;
        }
        e.lastSeen = Math.max(e.lastSeen, now);
        return true;
    }

    // ---- connection outcomes -----------------------------------------------------------------

    /**
     * A dial to this address starts: it is not offered again for {@code attemptHold} unless the
     * attempt is resolved first by {@link #markSuccess} or {@link #markFailure}.
     *
     * @param address the address
     * @param now     the current time
     * @return true if the address is known
     */
    public boolean markAttempt(InetSocketAddress address, long now) {
        KnownAddress e = find(normalize(address));
        if (e == null) {
            return false;
        }
        e.lastAttempt = now;
        if (e.dueBeforeHold < 0) {
            e.dueBeforeHold = e.nextAttemptAt;
        }
        e.nextAttemptAt = Math.max(e.nextAttemptAt, now + settings.attemptHold().toMillis());
        return true;
    }

    /**
     * We connected to this address and completed the handshake: clears its failures and moves a
     * NEW entry to the TRIED table (demoting the least useful entry of a full TRIED bucket back to
     * NEW). An address not in the book (evicted while we dialed it) is added straight to TRIED,
     * with source {@link PeerSource#DIALED}.
     *
     * @param address   the address we dialed
     * @param nodeIdHex the node id it proved, hex, or null
     * @param userAgent the user agent it announced, or null; cut to {@value #MAX_USER_AGENT_CHARS}
     *                  characters, control characters replaced
     * @param now       the current time
     * @return false only if the address is not dialable
     * @throws IllegalArgumentException if {@code nodeIdHex} is not 1 to 64 bytes of hex
     */
    public boolean markSuccess(InetSocketAddress address, String nodeIdHex, String userAgent, long now) {
        InetSocketAddress key = normalize(address);
        if (key == null) {
            return false;
        }
        String nodeId = nodeIdHex == null ? null : normalizeNodeId(nodeIdHex);
        KnownAddress e = find(key);
        if (e == null) {
            e = new KnownAddress(key, groupOf(key.getAddress()), now);
            e.sources.add(PeerSource.DIALED);
            e.addSourceGroup("src:" + PeerSource.DIALED.label(), settings.maxSourceGroupsPerEntry());
        }
        e.lastSeen = Math.max(e.lastSeen, now);
        e.lastSuccess = now;
        e.lastAttempt = Math.max(e.lastAttempt, now);
        e.failures = 0;
        e.nextAttemptAt = 0;
        e.dueBeforeHold = -1;
        if (nodeId != null) {
            e.nodeId = nodeId;
        }
        if (userAgent != null) {
            e.userAgent = cleanUserAgent(userAgent);
        }
        if (e.table == null || e.table == KnownAddress.Table.NEW) {
            detach(e);
            placeTried(e, now);
        }
        return true;
    }

    /**
     * A dial to this address failed (refused, timed out, handshake failed): one more consecutive
     * failure, and a backoff of {@code (2^n - 1) * backoffBase}, capped, with jitter. A regular
     * entry that reaches {@code maxFailures} is dropped; a special one is kept.
     *
     * @param address the address
     * @param now     the current time
     * @return what happened
     */
    public FailureResult markFailure(InetSocketAddress address, long now) {
        KnownAddress e = find(normalize(address));
        if (e == null) {
            return FailureResult.UNKNOWN;
        }
        if (e.failures < Integer.MAX_VALUE) {
            e.failures++;
        }
        if (e.lastAttempt == 0) {
            e.lastAttempt = now;
        }
        if (!e.special() && e.failures >= settings.maxFailures()) {
            regular.remove(e.address);
            detach(e);
            return FailureResult.DROPPED;
        }
        e.nextAttemptAt = now + backoffDelay(e.failures);
        e.dueBeforeHold = -1;
        return FailureResult.RETRY_LATER;
    }

    /**
     * @param failures consecutive failures, at least 1
     * @return the delay before the next attempt: {@code min(cap, (2^n - 1) * base)} times a
     *         jitter factor in {@code [1 - jitter, 1 + jitter]}
     */
    long backoffDelay(int failures) {
        return Math.max(1, Math.round(nominalBackoff(failures) * jitterFactor()));
    }

    /**
     * @param failures consecutive failures
     * @return the backoff before jitter: {@code min(cap, (2^n - 1) * base)}
     */
    long nominalBackoff(int failures) {
        long base = settings.backoffBase().toMillis();
        long cap = settings.backoffCap().toMillis();
        if (failures <= 0) {
            return 0;
        }
        if (failures >= 62) {
            return cap;
        }
        long factor = (1L << failures) - 1;
        return factor > cap / base ? cap : Math.min(cap, factor * base);
    }

    private double jitterFactor() {
        double j = settings.backoffJitter();
        return j == 0 ? 1.0 : 1.0 - j + 2 * j * random.nextDouble();
    }

    /**
     * @param address an address
     * @return the earliest time it is offered for dialing (0 = at once), or empty if unknown
     */
    public OptionalLong nextAttemptAt(InetSocketAddress address) {
        KnownAddress e = find(normalize(address));
        return e == null ? OptionalLong.empty() : OptionalLong.of(e.nextAttemptAt);
    }

    /**
     * Changes an entry's quality, kept within [{@value #MIN_QUALITY}, {@value #MAX_QUALITY}]. The
     * scoring policy (what earns and costs points) belongs to the caller.
     *
     * @param address the address
     * @param delta   points to add (negative to subtract)
     * @return the new quality, or empty if the address is unknown
     */
    public OptionalInt adjustQuality(InetSocketAddress address, int delta) {
        KnownAddress e = find(normalize(address));
        if (e == null) {
            return OptionalInt.empty();
        }
        e.quality = (int) Math.max(MIN_QUALITY, Math.min(MAX_QUALITY, (long) e.quality + delta));
        return OptionalInt.of(e.quality);
    }

    /**
     * Removes regular entries not heard of for longer than {@code expireAfter} (specials never
     * expire) and bans that have ended.
     *
     * @param now the current time
     * @return the number of entries removed
     */
    public int expire(long now) {
        long maxAge = settings.expireAfter().toMillis();
        int removed = 0;
        for (Iterator<KnownAddress> it = regular.values().iterator(); it.hasNext(); ) {
            KnownAddress e = it.next();
            if (now - e.lastSeen > maxAge) {
                it.remove();
                detach(e);
                removed++;
            }
        }
        ipBans.values().removeIf(until -> until <= now);
        nodeBans.values().removeIf(until -> until <= now);
        return removed;
    }

    // ---- selection ---------------------------------------------------------------------------

    /**
     * Regular entries to dial now: not banned (by IP or by the node id last seen there), not in
     * backoff, at most one per network group, none from {@code groupsToAvoid} (typically the
     * groups of our current outgoing connections). Specials are left to {@link #dueSpecials}.
     *
     * <p>The choice is random but weighted, so the book keeps exploring: weight
     * {@code (tried ? 4 : 1) * 2^(quality / 250) * 0.66^min(failures, 8)}, drawn without
     * replacement (Efraimidis-Spirakis). A TRIED entry is four times as likely as a NEW one, each
     * 250 quality points double the chance. Deterministic for a given {@link RandomGenerator}
     * state and book content.
     *
     * @param n             how many at most
     * @param now           the current time
     * @param groupsToAvoid network groups not to return ({@link #groupOf})
     * @return up to {@code n} entries, the preferred first
     */
    public List<PeerEntry> candidates(int n, long now, Set<String> groupsToAvoid) {
        if (n <= 0) {
            return List.of();
        }
        record Keyed(KnownAddress e, double key) {
        }
        List<Keyed> eligible = new ArrayList<>();
        for (KnownAddress e : regular.values()) {
            if (e.nextAttemptAt > now || groupsToAvoid.contains(e.group) || entryBanUntil(e, now) > now) {
                continue;
            }
            double weight = (e.table == KnownAddress.Table.TRIED ? TRIED_WEIGHT : 1.0)
                    * Math.pow(2, e.quality / QUALITY_DOUBLING)
                    * Math.pow(FAILURE_FACTOR, Math.min(e.failures, 8));
            // u^(1/w) for u uniform in (0, 1], compared through its logarithm
            double key = Math.log(1.0 - random.nextDouble()) / weight;
            eligible.add(new Keyed(e, key));
        }
        eligible.sort(Comparator.comparingDouble(Keyed::key).reversed());
        List<PeerEntry> chosen = new ArrayList<>(Math.min(n, eligible.size()));
        Set<String> groups = new HashSet<>();
        for (Keyed k : eligible) {
            if (chosen.size() >= n) {
                break;
            }
            if (groups.add(k.e().group)) {
                chosen.add(k.e().toEntry(0));
            }
        }
        return chosen;
    }

    /**
     * @param now the current time
     * @return the special entries to dial now: not banned and not in backoff, in the order they
     *         were added
     */
    public List<PeerEntry> dueSpecials(long now) {
        List<PeerEntry> due = new ArrayList<>();
        for (KnownAddress e : specials.values()) {
            if (e.nextAttemptAt <= now && entryBanUntil(e, now) <= now) {
                due.add(e.toEntry(0));
            }
        }
        return due;
    }

    /**
     * Entries to send in a PEER_RESPONSE: ones we connected to within {@code shareWindow} (we
     * dialed them, so they accept incoming connections), with at least {@code shareMinQuality},
     * not banned; best first (highest quality, then most recent success), the opposite of
     * Factom's worst-first sharing.
     *
     * @param max            how many at most
     * @param now            the current time
     * @param includeSpecial whether special entries may be shared
     * @return up to {@code max} entries
     */
    public List<PeerEntry> forSharing(int max, long now, boolean includeSpecial) {
        if (max <= 0) {
            return List.of();
        }
        long window = settings.shareWindow().toMillis();
        List<KnownAddress> ok = new ArrayList<>();
        Collection<KnownAddress> pool = includeSpecial ? allEntries() : regular.values();
        for (KnownAddress e : pool) {
            if (e.lastSuccess > 0 && now - e.lastSuccess <= window && e.quality >= settings.shareMinQuality()
                    && entryBanUntil(e, now) <= now) {
                ok.add(e);
            }
        }
        ok.sort(Comparator.comparingInt((KnownAddress e) -> e.quality).reversed()
                .thenComparing(Comparator.comparingLong((KnownAddress e) -> e.lastSuccess).reversed()));
        List<PeerEntry> shared = new ArrayList<>(Math.min(max, ok.size()));
        for (KnownAddress e : ok) {
            if (shared.size() >= max) {
                break;
            }
            shared.add(e.toEntry(0));
        }
        return shared;
    }

    // ---- bans --------------------------------------------------------------------------------

    /**
     * Bans an IP (every port) until {@code until}. An existing longer ban is kept. At most
     * {@code maxBans} bans: when full, ended bans are pruned, then the one ending first is dropped.
     *
     * @param ip    the IP
     * @param until when the ban ends (epoch milliseconds); not after {@code now} does nothing
     * @param now   the current time
     */
    public void ban(InetAddress ip, long until, long now) {
        putBan(ipBans, ipKey(ip), until, now);
    }

    /**
     * Bans a node id, wherever it connects from, until {@code until}. Same rules as
     * {@link #ban(InetAddress, long, long)}.
     *
     * @param nodeIdHex the node id, hex
     * @param until     when the ban ends
     * @param now       the current time
     * @throws IllegalArgumentException if the id is not 1 to 64 bytes of hex
     */
    public void ban(String nodeIdHex, long until, long now) {
        putBan(nodeBans, normalizeNodeId(nodeIdHex), until, now);
    }

    /**
     * @param ip an IP
     * @return true if it was banned
     */
    public boolean unban(InetAddress ip) {
        return ipBans.remove(ipKey(ip)) != null;
    }

    /**
     * @param nodeIdHex a node id, hex
     * @return true if it was banned
     */
    public boolean unban(String nodeIdHex) {
        return nodeBans.remove(normalizeNodeId(nodeIdHex)) != null;
    }

    /**
     * The check at accept time (IP known, node id after the handshake) and at dial time.
     *
     * @param ip        the peer's IP, or null
     * @param nodeIdHex the peer's node id, hex, or null
     * @param now       the current time
     * @return true if a ban on either holds
     */
    public boolean isBanned(InetAddress ip, String nodeIdHex, long now) {
        return bannedUntil(ip, nodeIdHex, now) > now;
    }

    /**
     * @param ip        the peer's IP, or null
     * @param nodeIdHex the peer's node id, hex, or null
     * @param now       the current time
     * @return when the later of the bans on either ends, or 0 if none holds
     */
    public long bannedUntil(InetAddress ip, String nodeIdHex, long now) {
        long until = 0;
        if (ip != null) {
            until = Math.max(until, banEnd(ipBans, ipKey(ip), now));
        }
        if (nodeIdHex != null) {
            until = Math.max(until, banEnd(nodeBans, normalizeNodeId(nodeIdHex), now));
        }
        return until > now ? until : 0;
    }

    /**
     * @param now the current time
     * @return the bans that hold at {@code now}
     */
    public List<Ban> bans(long now) {
        List<Ban> out = new ArrayList<>(ipBans.size() + nodeBans.size());
        ipBans.forEach((k, v) -> {
            if (v > now) {
                out.add(new Ban(Ban.Kind.IP, k, v));
            }
        });
        nodeBans.forEach((k, v) -> {
            if (v > now) {
                out.add(new Ban(Ban.Kind.NODE_ID, k, v));
            }
        });
        return out;
    }

    /** @return the number of bans held, ended ones not yet pruned included */
    public int banCount() {
        return ipBans.size() + nodeBans.size();
    }

    private void putBan(Map<String, Long> bans, String key, long until, long now) {
        if (until <= now) {
            return;
        }
        Long old = bans.get(key);
        if (old != null) {
            bans.put(key, Math.max(old, until));
            return;
        }
        if (banCount() >= settings.maxBans()) {
            ipBans.values().removeIf(u -> u <= now);
            nodeBans.values().removeIf(u -> u <= now);
        }
        if (banCount() >= settings.maxBans()) {
            dropFirstEndingBan();
        }
        bans.put(key, until);
    }

    private void dropFirstEndingBan() {
        Map<String, Long> from = null;
        String key = null;
        long first = Long.MAX_VALUE;
        for (Map<String, Long> m : List.of(ipBans, nodeBans)) {
            for (Map.Entry<String, Long> e : m.entrySet()) {
                if (e.getValue() < first) {
                    first = e.getValue();
                    from = m;
                    key = e.getKey();
                }
            }
        }
        if (from != null) {
            from.remove(key);
        }
    }

    private static long banEnd(Map<String, Long> bans, String key, long now) {
        Long until = bans.get(key);
        return until == null || until <= now ? 0 : until;
    }

    private long entryBanUntil(KnownAddress e, long now) {
        long until = banEnd(ipBans, ipKey(e.address.getAddress()), now);
        if (e.nodeId != null) {
            until = Math.max(until, banEnd(nodeBans, e.nodeId, now));
        }
        return until;
    }

    // ---- reading -----------------------------------------------------------------------------

    /**
     * @param address an address
     * @param now     the current time (for the ban state)
     * @return a copy of its entry, or empty if unknown
     */
    public Optional<PeerEntry> get(InetSocketAddress address, long now) {
        KnownAddress e = find(normalize(address));
        return e == null ? Optional.empty() : Optional.of(e.toEntry(entryBanUntil(e, now)));
    }

    /** @return the number of entries, specials included */
    public int size() {
        return regular.size() + specials.size();
    }

    /** @return the number of entries in the NEW table */
    public int newSize() {
        return newCount;
    }

    /** @return the number of entries in the TRIED table */
    public int triedSize() {
        return triedCount;
    }

    /** @return the number of special entries */
    public int specialSize() {
        return specials.size();
    }

    /**
     * @param now the current time (for the ban state)
     * @return copies of all entries: specials first, then regular ones in the order they entered
     */
    public List<PeerEntry> snapshot(long now) {
        return entries(now, false);
    }

    /**
     * An address being dialed is saved as it was before the dial: its attempt hold belongs to this
     * process, and no dial outlives it, so a node restarted after a crash may dial it at once.
     *
     * @param now the current time
     * @return an immutable copy of everything {@link AddressBookStore} persists
     */
    public AddressBookImage image(long now) {
        return new AddressBookImage(secret, entries(now, true), bans(now), now);
    }

    private List<PeerEntry> entries(long now, boolean toSave) {
        List<PeerEntry> out = new ArrayList<>(size());
        for (KnownAddress e : allEntries()) {
            long bannedUntil = entryBanUntil(e, now);
            out.add(toSave ? e.toSavedEntry(bannedUntil) : e.toEntry(bannedUntil));
        }
        return out;
    }

    // ---- placement ---------------------------------------------------------------------------

    /** Puts a detached entry into its NEW bucket; false (and the entry stays detached) if refused. */
    private boolean placeNew(KnownAddress e, long now) {
        int b = newBucket(e.group, e.placementGroup());
        List<KnownAddress> bucket = newTable.get(b);
        if (bucket.size() >= settings.newBucketSize()) {
            Comparator<KnownAddress> usefulness = usefulness(now);
            KnownAddress worst = leastUseful(bucket, usefulness);
            if (usefulness.compare(e, worst) <= 0) {
                return false; // ties keep the incumbent
            }
            regular.remove(worst.address);
            detach(worst);
        }
        bucket.add(e);
        e.table = KnownAddress.Table.NEW;
        e.bucket = b;
        newCount++;
        regular.put(e.address, e);
        return true;
    }

    /** Puts a detached entry into its TRIED bucket, demoting the least useful one there if full. */
    private void placeTried(KnownAddress e, long now) {
        int b = triedBucket(e);
        List<KnownAddress> bucket = triedTable.get(b);
        if (bucket.size() >= settings.triedBucketSize()) {
            KnownAddress victim = leastUseful(bucket, usefulness(now));
            detach(victim);
            if (!placeNew(victim, now)) {
                regular.remove(victim.address);
            }
        }
        bucket.add(e);
        e.table = KnownAddress.Table.TRIED;
        e.bucket = b;
        triedCount++;
        regular.put(e.address, e);
    }

    /** Takes an entry out of its bucket (not out of the index). */
    private void detach(KnownAddress e) {
        if (e.table == KnownAddress.Table.NEW) {
            newTable.get(e.bucket).remove(e);
            newCount--;
        } else if (e.table == KnownAddress.Table.TRIED) {
            triedTable.get(e.bucket).remove(e);
            triedCount--;
        }
        e.table = null;
        e.bucket = -1;
    }

    /** Orders entries least useful first. */
    private Comparator<KnownAddress> usefulness(long now) {
        long maxAge = settings.expireAfter().toMillis();
        return Comparator.comparing((KnownAddress e) -> entryBanUntil(e, now) <= now)
                .thenComparing(e -> now - e.lastSeen <= maxAge)
                .thenComparingInt(e -> e.quality)
                .thenComparingInt(e -> -e.failures)
                .thenComparingLong(e -> e.lastSeen);
    }

    private static KnownAddress leastUseful(List<KnownAddress> bucket, Comparator<KnownAddress> usefulness) {
        KnownAddress worst = bucket.get(0);
        for (KnownAddress e : bucket) {
            if (usefulness.compare(e, worst) < 0) {
                worst = e;
            }
        }
        return worst;
    }

    int newBucket(String addressGroup, String sourceGroup) {
        int slot = (int) Math.floorMod(keyedHash('n', sourceGroup, addressGroup),
                (long) settings.newBucketsPerSourceGroup());
        return (int) Math.floorMod(keyedHash('N', sourceGroup, Integer.toString(slot)),
                (long) settings.newBucketCount());
    }

    int triedBucket(KnownAddress e) {
        int slot = (int) Math.floorMod(keyedHash('t', hostPort(e.address), ""),
                (long) settings.triedBucketsPerGroup());
        return (int) Math.floorMod(keyedHash('T', e.group, Integer.toString(slot)),
                (long) settings.triedBucketCount());
    }

    /** SHA-256 of the secret, a tag and two length-prefixed strings; the first 8 bytes. */
    private long keyedHash(char tag, String a, String b) {
        sha256.reset();
        sha256.update(secret);
        sha256.update((byte) tag);
        for (String s : new String[] {a, b}) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            sha256.update((byte) (bytes.length >>> 8));
            sha256.update((byte) bytes.length);
            sha256.update(bytes);
        }
        byte[] d = sha256.digest();
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = h << 8 | (d[i] & 0xff);
        }
        return h;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private KnownAddress find(InetSocketAddress key) {
        if (key == null) {
            return null;
        }
        KnownAddress e = regular.get(key);
        return e != null ? e : specials.get(key);
    }

    private Collection<KnownAddress> allEntries() {
        List<KnownAddress> all = new ArrayList<>(size());
        all.addAll(specials.values());
        all.addAll(regular.values());
        return all;
    }

    private static List<List<KnownAddress>> buckets(int count, int size) {
        List<List<KnownAddress>> table = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            table.add(new ArrayList<>(Math.min(size, 8)));
        }
        return table;
    }

    private static byte[] newSecret() {
        byte[] s = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(s);
        return s;
    }

    /**
     * @return the address as the book keys it (IP without host name or IPv6 scope), or null if it
     *         is not dialable
     */
    static InetSocketAddress normalize(InetSocketAddress a) {
        if (a == null || a.isUnresolved() || a.getPort() < 1 || a.getPort() > 65535) {
            return null;
        }
        InetAddress ip = a.getAddress();
        if (ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
            return null;
        }
        byte[] b = ip.getAddress();
        if (b.length == 4 && (b[0] & b[1] & b[2] & b[3]) == (byte) 0xff) {
            return null; // the IPv4 broadcast address
        }
        return new InetSocketAddress(plain(b), a.getPort());
    }

    private static InetAddress plain(byte[] b) {
        try {
            return InetAddress.getByAddress(b); // no lookup: only builds the object
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP has 4 or 16 bytes, not " + b.length, e);
        }
    }

    private static String ipKey(InetAddress ip) {
        return plain(ip.getAddress()).getHostAddress();
    }

    /**
     * @return the id as lower-case hex
     * @throws IllegalArgumentException if it is not 1 to 64 bytes of hex
     */
    static String normalizeNodeId(String hex) {
        String s = hex.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.length() > 128 || s.length() % 2 != 0) {
            throw new IllegalArgumentException("a node id is 1 to 64 bytes of hex: \"" + abbreviate(hex) + "\"");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                throw new IllegalArgumentException("a node id is 1 to 64 bytes of hex: \"" + abbreviate(hex) + "\"");
            }
        }
        return s;
    }

    static String cleanUserAgent(String ua) {
        String cut = ua.length() > MAX_USER_AGENT_CHARS ? ua.substring(0, MAX_USER_AGENT_CHARS) : ua;
        StringBuilder sb = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** @return {@code ip:port} or {@code [ipv6]:port}, never a host name */
    static String hostPort(InetSocketAddress a) {
        String ip = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    // ---- for tests ---------------------------------------------------------------------------

    /** @return the NEW bucket of a known NEW address, or -1 */
    int newBucketOf(InetSocketAddress address) {
        KnownAddress e = find(normalize(address));
        return e != null && e.table == KnownAddress.Table.NEW ? e.bucket : -1;
    }

    /** @return the TRIED bucket of a known TRIED address, or -1 */
    int triedBucketOf(InetSocketAddress address) {
        KnownAddress e = find(normalize(address));
        return e != null && e.table == KnownAddress.Table.TRIED ? e.bucket : -1;
    }

    /** @return the secret (a copy) */
    byte[] secret() {
        return secret.clone();
    }

    /** Checks the tables against the index; throws {@link IllegalStateException} if they disagree. */
    void checkInvariants() {
        int n = 0;
        int t = 0;
        for (int b = 0; b < newTable.size(); b++) {
            List<KnownAddress> bucket = newTable.get(b);
            check(bucket.size() <= settings.newBucketSize(), "NEW bucket " + b + " over size");
            for (KnownAddress e : bucket) {
                check(e.table == KnownAddress.Table.NEW && e.bucket == b && regular.get(e.address) == e,
                        "NEW entry " + e + " misplaced");
                n++;
            }
        }
        for (int b = 0; b < triedTable.size(); b++) {
            List<KnownAddress> bucket = triedTable.get(b);
            check(bucket.size() <= settings.triedBucketSize(), "TRIED bucket " + b + " over size");
            for (KnownAddress e : bucket) {
                check(e.table == KnownAddress.Table.TRIED && e.bucket == b && regular.get(e.address) == e,
                        "TRIED entry " + e + " misplaced");
                t++;
            }
        }
        check(n == newCount && t == triedCount && n + t == regular.size(),
                "counts: new " + n + "/" + newCount + ", tried " + t + "/" + triedCount + ", index " + regular.size());
        for (KnownAddress e : specials.values()) {
            check(e.table == KnownAddress.Table.SPECIAL && !regular.containsKey(e.address), "special " + e);
        }
        check(specials.size() <= settings.maxSpecials(), "too many specials");
        check(banCount() <= settings.maxBans(), "too many bans");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
