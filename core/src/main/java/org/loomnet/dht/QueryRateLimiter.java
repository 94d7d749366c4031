package org.loomnet.dht;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-IP token buckets for incoming queries: each address may send {@code burst} queries at once
 * and {@code perSecond} after that. Pure data with time passed in; owned by one thread (the
 * receiver, so floods are dropped before they reach the processing queue).
 *
 * <p>The map of addresses is bounded: beyond {@code maxAddresses} the least recently active one
 * is forgotten (it starts again with a full bucket if it comes back). An attacker with many
 * addresses is bounded by the processing queue and its drop counter instead.
 */
final class QueryRateLimiter {

    private static final class Bucket {
        double tokens;
        long refilledAt;
    }

    private final double perMilli;
    private final int burst;
    private final Map<InetAddress, Bucket> buckets;

    /**
     * @param perSecond    sustained queries per second per address
     * @param burst        queries an address may send at once
     * @param maxAddresses addresses tracked at once
     */
    QueryRateLimiter(double perSecond, int burst, int maxAddresses) {
        if (perSecond <= 0 || burst < 1 || maxAddresses < 1) {
            throw new IllegalArgumentException("rate limits must be positive");
        }
        this.perMilli = perSecond / 1000.0;
        this.burst = burst;
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /**
     * @param address the sender
     * @param now     the current time, epoch milliseconds
     * @return true if the query may be served (a token was taken), false if it is over the limit
     */
    boolean allow(InetAddress address, long now) {
        Bucket b = buckets.get(address);
        if (b == null) {
            b = new Bucket();
            b.tokens = burst;
            b.refilledAt = now;
            buckets.put(address, b);
        } else if (now > b.refilledAt) {
            b.tokens = Math.min(burst, b.tokens + (now - b.refilledAt) * perMilli);
            b.refilledAt = now;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        return false;
    }

    /** @return how many addresses are tracked */
    int trackedAddresses() {
        return buckets.size();
    }
}
