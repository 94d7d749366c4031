package org.loomnet.node;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.Map;
import org.loomnet.wire.DisconnectReason;

/**
 * Per-address limits on incoming connections, so one host cannot take the node over: at most
 * {@code perAddress} connections open from one IP, and at most {@code acceptsPerSecond} new
 * connections from one IP in any one-second window.
 *
 * <p>Factom kept a per-source map like this and never pruned it. Here the rate windows are
 * pruned on every tick once idle, and the map holds at most {@code maxTracked} addresses; when a
 * flood from more distinct addresses fills it, the window of the address heard from least
 * recently is forgotten to make room. Refusing newcomers instead would let anyone with that many
 * addresses (one IPv6 /64 has far more) lock every new peer out for as long as it keeps flooding;
 * forgetting only lets an address the flood pushed out start a fresh window, which gains nothing
 * for a flooder that already has more addresses than the table. An address that keeps connecting
 * stays the most recent and keeps its window. Open-connection counts exist only while
 * connections do, so the per-address cap on open connections never forgets.
 *
 * <p>Owned by the processing thread; not thread-safe.
 */
final class IncomingLimiter {

    private static final long WINDOW_MILLIS = 1000;

    private final int perAddress;
    private final int acceptsPerSecond;
    private final Map<InetAddress, Integer> open = new HashMap<>();
    /** {window start, accepts in it} by address, least recently checked first. */
    private final Map<InetAddress, long[]> windows;

    IncomingLimiter(int perAddress, int acceptsPerSecond, int maxTracked) {
        this.perAddress = perAddress;
        this.acceptsPerSecond = acceptsPerSecond;
        this.windows = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, long[]> eldest) {
                return size() > maxTracked;
            }
        };
    }

    /**
     * Counts an accept from {@code ip} and says whether to keep it.
     *
     * @return null to keep the connection, or the reason to refuse it
     */
    DisconnectReason check(InetAddress ip, long now) {
        long[] w = windows.get(ip); // also makes it the most recent
        if (w == null) {
            w = new long[] {now, 0};
            windows.put(ip, w); // when full, the least recent address is forgotten
        }
        if (now - w[0] >= WINDOW_MILLIS) {
            w[0] = now;
            w[1] = 0;
        }
        if (++w[1] > acceptsPerSecond) {
            return DisconnectReason.CONNECTING_TOO_FAST;
        }
        if (open.getOrDefault(ip, 0) >= perAddress) {
            return DisconnectReason.TOO_MANY_FROM_ADDRESS;
        }
        return null;
    }

    void opened(InetAddress ip) {
        open.merge(ip, 1, Integer::sum);
    }

    void closed(InetAddress ip) {
        open.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Drops rate windows that ended a while ago. */
    void prune(long now) {
        for (Iterator<long[]> it = windows.values().iterator(); it.hasNext(); ) {
            if (now - it.next()[0] >= 10 * WINDOW_MILLIS) {
                it.remove();
            }
        }
    }

    int tracked() {
        return windows.size();
    }
}
