package org.loomnet.peers;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The mutable entry behind a {@link PeerEntry}: owned by its {@link AddressBook}, never handed
 * out. Guarded by the book's owner thread.
 */
final class KnownAddress {

    /** Where the entry lives. */
    enum Table {
        NEW, TRIED, SPECIAL
    }

    final InetSocketAddress address;
    final String group;
    final EnumSet<PeerSource> sources = EnumSet.noneOf(PeerSource.class);
    /** Bounded by the settings; the first element decided the NEW bucket and is never replaced. */
    final List<String> sourceGroups = new ArrayList<>(2);
    long firstSeen;
    long lastSeen;
    long lastSuccess;
    long lastAttempt;
    long nextAttemptAt;
    /**
     * While a dial begun by {@link AddressBook#markAttempt} is unresolved, {@link #nextAttemptAt}
     * as it was before that attempt's hold; -1 otherwise. The hold keeps this process from dialing
     * the address twice at once; a saved book leaves it out, since no dial outlives its process.
     */
    long dueBeforeHold = -1;
    int failures;
    int quality;
    String nodeId;
    String userAgent;
    Table table;
    /** The bucket index in {@link #table}; -1 for specials and entries not placed. */
    int bucket = -1;

    KnownAddress(InetSocketAddress address, String group, long now) {
        this.address = address;
        this.group = group;
        this.firstSeen = now;
        this.lastSeen = now;
    }

    /** Remembers one more source group, up to {@code max}; duplicates are kept once. */
    void addSourceGroup(String sourceGroup, int max) {
        if (sourceGroups.size() < max && !sourceGroups.contains(sourceGroup)) {
            sourceGroups.add(sourceGroup);
        }
    }

    /** @return the source group that decides the NEW bucket */
    String placementGroup() {
        return sourceGroups.isEmpty() ? group : sourceGroups.get(0);
    }

    boolean special() {
        return table == Table.SPECIAL;
    }

    PeerEntry toEntry(long bannedUntil) {
        return toEntry(bannedUntil, nextAttemptAt);
    }

    /** The entry as a saved book keeps it: without the hold of a dial in progress. */
    PeerEntry toSavedEntry(long bannedUntil) {
        return toEntry(bannedUntil, dueBeforeHold >= 0 ? dueBeforeHold : nextAttemptAt);
    }

    private PeerEntry toEntry(long bannedUntil, long nextAttempt) {
        return new PeerEntry(address, group, table == Table.SPECIAL ? PeerType.SPECIAL : PeerType.REGULAR,
                table == Table.TRIED, sources, sourceGroups, firstSeen, lastSeen, lastSuccess, lastAttempt,
                nextAttempt, failures, quality, bannedUntil, nodeId, userAgent);
    }

    /**
     * Rebuilds an entry from its persisted copy (placement is left to the book).
     *
     * @param key the entry's address as the book keys it
     */
    static KnownAddress of(PeerEntry e, InetSocketAddress key) {
        KnownAddress k = new KnownAddress(key, AddressBook.groupOf(key.getAddress()), e.firstSeen());
        k.sources.addAll(e.sources());
        k.sourceGroups.addAll(e.sourceGroups());
        k.lastSeen = e.lastSeen();
        k.lastSuccess = e.lastSuccess();
        k.lastAttempt = e.lastAttempt();
        k.nextAttemptAt = e.nextAttemptAt();
        k.failures = e.failures();
        k.quality = e.quality();
        k.nodeId = e.nodeId();
        k.userAgent = e.userAgent();
        return k;
    }

    @Override
    public String toString() {
        return AddressBook.hostPort(address) + " " + table + "/" + bucket;
    }
}
