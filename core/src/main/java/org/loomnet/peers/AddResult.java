package org.loomnet.peers;

/** What {@link AddressBook#add} and {@link AddressBook#addSpecial} did with an address. */
public enum AddResult {
    /** A new entry was created. */
    ADDED,
    /** The address was known; its last-seen time and sources were refreshed. */
    UPDATED,
    /** The address's IP is banned; nothing changed. */
    IGNORED_BANNED,
    /**
     * Its bucket is full of entries at least as useful as a fresh one (or the special list is
     * full); nothing changed.
     */
    REJECTED_FULL,
    /** Port 0, a wildcard, multicast or broadcast IP, or an unresolved host name: never dialable. */
    IGNORED_UNROUTABLE
}
