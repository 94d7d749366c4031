package org.loomnet.peers;

import java.time.Duration;
import java.util.Objects;

/**
 * The address book's sizes, timers and thresholds: the one source of their defaults
 * ({@link #defaults()}).
 *
 * <p>Capacity of the bounded tables is {@code newBucketCount * newBucketSize +
 * triedBucketCount * triedBucketSize}: 64 x 32 + 16 x 32 = 2560 regular entries by default, plus
 * up to {@code maxSpecials} special ones kept outside the tables.
 *
 * @param newBucketCount           buckets of the NEW table (heard of, never connected); default 64
 * @param newBucketSize            entries per NEW bucket; default 32
 * @param newBucketsPerSourceGroup how many NEW buckets the addresses heard from one source network
 *                                 group can reach; so one source holds at most this many buckets'
 *                                 worth of the NEW table; default 4 (128 of 2048 entries)
 * @param triedBucketCount         buckets of the TRIED table (connected successfully); default 16
 * @param triedBucketSize          entries per TRIED bucket; default 32
 * @param triedBucketsPerGroup     how many TRIED buckets the addresses of one network group can
 *                                 reach; default 2 (64 of 512 entries)
 * @param maxSourceGroupsPerEntry  source network groups remembered per entry (the first one
 *                                 placed it); default 4
 * @param maxSpecials              special entries at most; default 1000
 * @param expireAfter              a regular entry not heard of for longer is removed by
 *                                 {@link AddressBook#expire}; default 7 days
 * @param backoffBase              the backoff unit: after n consecutive failures an address waits
 *                                 {@code (2^n - 1) * backoffBase} (Skycoin's rule); default 5 s
 * @param backoffCap               the longest backoff before jitter; default 1 h
 * @param backoffJitter            each delay is multiplied by a random factor in
 *                                 {@code [1 - jitter, 1 + jitter]} so nodes do not redial in step;
 *                                 default 0.2
 * @param maxFailures              consecutive failures after which a regular entry is dropped;
 *                                 default 10 (about 1.4 hours of retrying, nominally)
 * @param attemptHold              after {@link AddressBook#markAttempt} an address is not offered
 *                                 again for this long unless the attempt is resolved first
 *                                 (success or failure); default 1 min
 * @param shareWindow              {@link AddressBook#forSharing} offers only addresses we
 *                                 connected to within this window; default 24 h
 * @param shareMinQuality          and only those with at least this quality; default 0
 * @param maxBans                  IP and node-id bans together at most; when full, the ban that
 *                                 expires first makes room; default 10,000
 */
public record AddressBookSettings(
        int newBucketCount,
        int newBucketSize,
        int newBucketsPerSourceGroup,
        int triedBucketCount,
        int triedBucketSize,
        int triedBucketsPerGroup,
        int maxSourceGroupsPerEntry,
        int maxSpecials,
        Duration expireAfter,
        Duration backoffBase,
        Duration backoffCap,
        double backoffJitter,
        int maxFailures,
        Duration attemptHold,
        Duration shareWindow,
        int shareMinQuality,
        int maxBans) {

    /** Upper bound on the table capacity, so that a mistaken setting cannot ask for gigabytes. */
    static final int MAX_CAPACITY = 1 << 20;

    /** Checks every field; throws {@link IllegalArgumentException} naming the bad one. */
    public AddressBookSettings {
        positive("newBucketCount", newBucketCount);
        positive("newBucketSize", newBucketSize);
        positive("newBucketsPerSourceGroup", newBucketsPerSourceGroup);
        positive("triedBucketCount", triedBucketCount);
        positive("triedBucketSize", triedBucketSize);
        positive("triedBucketsPerGroup", triedBucketsPerGroup);
        positive("maxSourceGroupsPerEntry", maxSourceGroupsPerEntry);
        positive("maxFailures", maxFailures);
        positive("maxBans", maxBans);
        if (maxSpecials < 0) {
            throw new IllegalArgumentException("maxSpecials must not be negative: " + maxSpecials);
        }
        if (newBucketsPerSourceGroup > newBucketCount) {
            throw new IllegalArgumentException("newBucketsPerSourceGroup " + newBucketsPerSourceGroup
                    + " is more than newBucketCount " + newBucketCount);
        }
        if (triedBucketsPerGroup > triedBucketCount) {
            throw new IllegalArgumentException("triedBucketsPerGroup " + triedBucketsPerGroup
                    + " is more than triedBucketCount " + triedBucketCount);
        }
        long capacity = (long) newBucketCount * newBucketSize + (long) triedBucketCount * triedBucketSize;
        if (capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("table capacity " + capacity + " is more than " + MAX_CAPACITY);
        }
        positive("expireAfter", expireAfter);
        positive("backoffBase", backoffBase);
        positive("backoffCap", backoffCap);
        positive("attemptHold", attemptHold);
        positive("shareWindow", shareWindow);
        if (backoffCap.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoffCap " + backoffCap + " is shorter than backoffBase " + backoffBase);
        }
        if (!(backoffJitter >= 0 && backoffJitter <= 0.5)) {
            throw new IllegalArgumentException("backoffJitter must be in [0, 0.5]: " + backoffJitter);
        }
        if (shareMinQuality < AddressBook.MIN_QUALITY || shareMinQuality > AddressBook.MAX_QUALITY) {
            throw new IllegalArgumentException("shareMinQuality out of [-1000, 1000]: " + shareMinQuality);
        }
    }

    /** @return the documented defaults */
    public static AddressBookSettings defaults() {
        return new AddressBookSettings(64, 32, 4, 16, 32, 2, 4, 1000,
                Duration.ofDays(7), Duration.ofSeconds(5), Duration.ofHours(1), 0.2, 10,
                Duration.ofMinutes(1), Duration.ofHours(24), 0, 10_000);
    }

    /** @return the number of regular entries the NEW and TRIED tables hold together */
    public int capacity() {
        return newBucketCount * newBucketSize + triedBucketCount * triedBucketSize;
    }

    /**
     * @param count          NEW buckets
     * @param size           entries per NEW bucket
     * @param perSourceGroup NEW buckets one source group can reach
     * @return these settings with another NEW table
     */
    public AddressBookSettings withNewTable(int count, int size, int perSourceGroup) {
        return new AddressBookSettings(count, size, perSourceGroup, triedBucketCount, triedBucketSize,
                triedBucketsPerGroup, maxSourceGroupsPerEntry, maxSpecials, expireAfter, backoffBase, backoffCap,
                backoffJitter, maxFailures, attemptHold, shareWindow, shareMinQuality, maxBans);
    }

    /**
     * @param count    TRIED buckets
     * @param size     entries per TRIED bucket
     * @param perGroup TRIED buckets one network group can reach
     * @return these settings with another TRIED table
     */
    public AddressBookSettings withTriedTable(int count, int size, int perGroup) {
        return new AddressBookSettings(newBucketCount, newBucketSize, newBucketsPerSourceGroup, count, size,
                perGroup, maxSourceGroupsPerEntry, maxSpecials, expireAfter, backoffBase, backoffCap,
                backoffJitter, maxFailures, attemptHold, shareWindow, shareMinQuality, maxBans);
    }

    /**
     * @param n consecutive failures after which a regular entry is dropped
     * @return these settings with that limit
     */
    public AddressBookSettings withMaxFailures(int n) {
        return new AddressBookSettings(newBucketCount, newBucketSize, newBucketsPerSourceGroup, triedBucketCount,
                triedBucketSize, triedBucketsPerGroup, maxSourceGroupsPerEntry, maxSpecials, expireAfter,
                backoffBase, backoffCap, backoffJitter, n, attemptHold, shareWindow, shareMinQuality, maxBans);
    }

    /**
     * @param n the most special entries
     * @return these settings with that limit
     */
    public AddressBookSettings withMaxSpecials(int n) {
        return new AddressBookSettings(newBucketCount, newBucketSize, newBucketsPerSourceGroup, triedBucketCount,
                triedBucketSize, triedBucketsPerGroup, maxSourceGroupsPerEntry, n, expireAfter,
                backoffBase, backoffCap, backoffJitter, maxFailures, attemptHold, shareWindow, shareMinQuality,
                maxBans);
    }

    /**
     * @param n the most bans
     * @return these settings with that limit
     */
    public AddressBookSettings withMaxBans(int n) {
        return new AddressBookSettings(newBucketCount, newBucketSize, newBucketsPerSourceGroup, triedBucketCount,
                triedBucketSize, triedBucketsPerGroup, maxSourceGroupsPerEntry, maxSpecials, expireAfter,
                backoffBase, backoffCap, backoffJitter, maxFailures, attemptHold, shareWindow, shareMinQuality, n);
    }

    /**
     * @param quality the lowest quality {@link AddressBook#forSharing} offers
     * @return these settings with that threshold
     */
    public AddressBookSettings withShareMinQuality(int quality) {
        return new AddressBookSettings(newBucketCount, newBucketSize, newBucketsPerSourceGroup, triedBucketCount,
                triedBucketSize, triedBucketsPerGroup, maxSourceGroupsPerEntry, maxSpecials, expireAfter,
                backoffBase, backoffCap, backoffJitter, maxFailures, attemptHold, shareWindow, quality, maxBans);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1: " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        value.toMillis(); // throws ArithmeticException for durations that do not fit in a long
    }
}
