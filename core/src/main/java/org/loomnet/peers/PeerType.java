package org.loomnet.peers;

/** Whether the address book may forget an entry. */
public enum PeerType {
    /** Heard of from somewhere; lives in the bounded NEW or TRIED table, expires and can be evicted. */
    REGULAR,
    /**
     * Configured by the operator or the application: kept outside the bounded tables, never
     * expires, never evicted, never dropped for failing, removed only by
     * {@link AddressBook#removeSpecial} or {@link AddressBook#setSpecials}.
     */
    SPECIAL
}
