package org.loomnet.peers;

import java.util.List;

/**
 * An immutable copy of everything {@link AddressBookStore} writes: the entries, the bans and the
 * placement secret. Take it on the book's owner thread with {@link AddressBook#image(long)}, then
 * write it on any thread with {@link AddressBookStore#save(AddressBookImage, java.nio.file.Path)},
 * so that disk I/O never runs on the owner thread and never reads the live book.
 *
 * <p>The secret is not exposed: knowing it would let a peer aim addresses at chosen buckets.
 */
public final class AddressBookImage {

    private final byte[] secret;
    private final List<PeerEntry> entries;
    private final List<Ban> bans;
    private final long takenAt;

    AddressBookImage(byte[] secret, List<PeerEntry> entries, List<Ban> bans, long takenAt) {
        if (secret.length != AddressBook.SECRET_BYTES) {
            throw new IllegalArgumentException("secret of " + secret.length + " bytes");
        }
        this.secret = secret.clone();
        this.entries = List.copyOf(entries);
        this.bans = List.copyOf(bans);
        this.takenAt = takenAt;
    }

    byte[] secret() {
        return secret.clone();
    }

    /** @return the entries, specials included */
    public List<PeerEntry> entries() {
        return entries;
    }

    /** @return the bans that held when the image was taken */
    public List<Ban> bans() {
        return bans;
    }

    /** @return when the image was taken (epoch milliseconds) */
    public long takenAt() {
        return takenAt;
    }
}
