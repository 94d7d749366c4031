package org.loomnet.node;

import java.net.InetAddress;
import java.util.HashMap;
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
 * flood from more distinct addresses fills it, a new address is refused as too fast until the
 * map drains. Open-connection counts exist only while connections do.
 *
 * <p>Owned by the processing thread; not thread-safe.
 */
final class IncomingLimiter {

    private static final long WINDOW_MILLIS = 1000;

    private final int perAddress;
    private final int acceptsPerSecond;
    private final int maxTracked;
    private final Map<InetAddress, Integer> open = new HashMap<>();
    private final Map<InetAddress, long[]> windows = new HashMap<>(); // {window start, accepts in it}

    IncomingLimiter(int perAddress, int acceptsPerSecond, int maxTracked) {
        this.perAddress = perAddress;
        this.acceptsPerSecond = acceptsPerSecond;
        this.maxTracked = maxTracked;
    }

    /**
     * Counts an accept from {@code ip} and says whether to keep it.
     *
     * @return null to keep the connection, or the reason to refuse it
     */
    DisconnectReason check(InetAddress ip, long now) {
        long[] w = windows.get(ip);
        if (w == null) {
            if (windows.size() >= maxTracked) {
                prune(now);
                if (windows.size() >= maxTracked) {
                    return DisconnectReason.CONNECTING_TOO_FAST;
                }
            }
            w = new long[] {now, 0};
            windows.put(ip, w);
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
