package org.loomnet.peers;

/** What {@link AddressBook#markFailure} did. */
public enum FailureResult {
    /** The entry stays; it is not a candidate again before its backoff delay has passed. */
    RETRY_LATER,
    /** A regular entry reached the maximum number of consecutive failures and was removed. */
    DROPPED,
    /** The address is not in the book. */
    UNKNOWN
}
