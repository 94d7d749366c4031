package org.loomnet.peers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable copy of one address book entry, as {@link AddressBook#snapshot} and the selection
 * methods return it. Times are epoch milliseconds; 0 means "never".
 *
 * @param address       the peer's listen address (IP literal and port, no host name)
 * @param group         its network group ({@link AddressBook#groupOf(InetAddress)})
 * @param type          regular or special
 * @param tried         true if it is in the TRIED table (we connected to it successfully and it
 *                      has not been demoted since); false for NEW entries and specials
 * @param sources       the kinds of source we heard of it from
 * @param sourceGroups  the network groups of the peers (or the source kinds, written
 *                      {@code src:<kind>}) it was heard from, the first one deciding its NEW bucket
 * @param firstSeen     when it entered the book
 * @param lastSeen      when we last heard of it or were connected to it
 * @param lastSuccess   when we last connected to it successfully
 * @param lastAttempt   when we last tried to connect to it
 * @param nextAttemptAt the earliest time it is offered for dialing again (backoff); 0 = now
 * @param failures      consecutive failed attempts since the last success
 * @param quality       the score in [-1000, 1000]; 0 for a new entry
 * @param bannedUntil   when the ban on its IP or its node id ends; 0 = not banned
 * @param nodeId        the node id it proved in its last handshake, lower-case hex, or null
 * @param userAgent     the user agent it announced in its last handshake, or null
 */
public record PeerEntry(
        InetSocketAddress address,
        String group,
        PeerType type,
        boolean tried,
        Set<PeerSource> sources,
        List<String> sourceGroups,
        long firstSeen,
        long lastSeen,
        long lastSuccess,
        long lastAttempt,
        long nextAttemptAt,
        int failures,
        int quality,
        long bannedUntil,
        String nodeId,
        String userAgent) {

    /** Copies the collections; checks the fields that must be present. */
    public PeerEntry {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(type, "type");
        sources = sources.isEmpty()
                ? Collections.unmodifiableSet(EnumSet.noneOf(PeerSource.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(sources));
        sourceGroups = List.copyOf(sourceGroups);
        if (quality < AddressBook.MIN_QUALITY || quality > AddressBook.MAX_QUALITY) {
            throw new IllegalArgumentException("quality out of [-1000, 1000]: " + quality);
        }
        if (failures < 0) {
            throw new IllegalArgumentException("negative failures: " + failures);
        }
    }

    /** @return the IP */
    public InetAddress ip() {
        return address.getAddress();
    }

    /** @return the port */
    public int port() {
        return address.getPort();
    }

    /** @return true if the entry is special */
    public boolean special() {
        return type == PeerType.SPECIAL;
    }

    /**
     * @param now the current time
     * @return true if a ban on its IP or node id holds at {@code now}
     */
    public boolean bannedAt(long now) {
        return bannedUntil > now;
    }
}
