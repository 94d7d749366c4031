package org.loomnet.node;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.loomnet.connection.Connection;
import org.loomnet.wire.DisconnectReason;

/**
 * The addresses the node wants outgoing connections to, and when to try each next.
 *
 * <p>Special peers stay in the plan forever and are redialed with exponential backoff, capped.
 * Other dialed peers are redialed after a lost connection at most {@code redialAttempts} times,
 * then forgotten. An address that turned out to be ourselves is never dialed again; a regular
 * address of another network, too old or banned is forgotten (a special one keeps its backoff). Bounded: at most {@code maxTargets} addresses; more are refused.
 *
 * <p>Owned by the processing thread; not thread-safe.
 */
final class DialPlan {

    /** One address we dial. */
    static final class Target {
        final InetSocketAddress address;
        boolean special;
        /** The node id the peer must prove, or null. */
        NodeId pinned;
        /** Chosen from the address book to fill the outgoing target: dialed once; the book's backoff retries. */
        boolean fromBook;
        /** Consecutive failed dials or lost connections since the last successful handshake. */
        int failures;
        long nextAttemptMillis;
        boolean dialing;
        /** The live outgoing connection to this address, if any. */
        Connection connection;
        /** The node found at this address last time; if it is connected some other way, no dial is needed. */
        NodeId knownNode;

        Target(InetSocketAddress address, boolean special) {
            this.address = address;
            this.special = special;
        }
    }

    private final Map<InetSocketAddress, Target> targets = new LinkedHashMap<>();
    private final int maxTargets;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final int maxAttempts;

    DialPlan(int maxTargets, Duration baseDelay, Duration maxDelay, int maxAttempts) {
        this.maxTargets = maxTargets;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.maxAttempts = maxAttempts;
    }

    /**
     * Adds an address to dial now (or makes an existing one special).
     *
     * @return the target, or null if the plan is full
     */
    Target add(InetSocketAddress address, boolean special, long now) {
        return add(address, special, null, now);
    }

    /** Adds an address, pinned to a node id if {@code pinned} is not null. */
    Target add(InetSocketAddress address, boolean special, NodeId pinned, long now) {
        Target t = targets.get(address);
        if (t == null) {
            if (targets.size() >= maxTargets) {
                return null;
            }
            t = new Target(address, special);
            targets.put(address, t);
        }
        t.special |= special;
        if (pinned != null) {
            t.pinned = pinned;
        }
        if (!t.dialing && t.connection == null) {
            t.nextAttemptMillis = now;
        }
        return t;
    }

    Target get(InetSocketAddress address) {
        return targets.get(address);
    }

    void remove(InetSocketAddress address) {
        targets.remove(address);
    }

    /** @return targets whose next attempt is due and that are not connected, marked as dialing */
    List<Target> due(long now, java.util.function.Predicate<NodeId> online) {
        List<Target> due = new ArrayList<>();
        for (Target t : targets.values()) {
            if (t.dialing || t.connection != null || now < t.nextAttemptMillis) {
                continue;
            }
            if (t.knownNode != null && online.test(t.knownNode)) {
                continue; // connected to that node through another connection
            }
            t.dialing = true;
            due.add(t);
        }
        return due;
    }

    /**
     * A dial failed or an outgoing connection ended: schedule the next attempt, or give up.
     *
     * @param reason why; some reasons mean "never again"
     */
    void failed(Target t, DisconnectReason reason, long now) {
        t.dialing = false;
        t.connection = null;
        if (t.fromBook && !t.special) {
            targets.remove(t.address); // the address book decides when to try it again
            return;
        }
        if (reason == DisconnectReason.SELF_CONNECTION) {
            targets.remove(t.address); // that address is us: never again, special or not
            return;
        }
        if (!t.special && (reason == DisconnectReason.WRONG_NETWORK || reason == DisconnectReason.PEER_ID_MISMATCH
                || reason == DisconnectReason.VERSION_TOO_OLD || reason == DisconnectReason.BANNED)) {
            targets.remove(t.address); // a regular peer that can never work; a special one is retried with backoff
            return;
        }
        if (reason == DisconnectReason.DUPLICATE_CONNECTION) {
            t.nextAttemptMillis = now + baseDelay.toMillis(); // the other connection stands for it
            return;
        }
        t.failures++;
        if (!t.special && t.failures > maxAttempts) {
            targets.remove(t.address);
            return;
        }
        t.nextAttemptMillis = now + delay(t.failures);
    }

    /** The handshake on an outgoing connection succeeded. */
    void succeeded(Target t, Connection c, NodeId node) {
        t.dialing = false;
        t.connection = c;
        t.knownNode = node;
        t.failures = 0;
    }

    /** Backoff: base x 2^(n-1), capped, with +-20% jitter so many nodes do not redial in step. */
    long delay(int failures) {
        long base = baseDelay.toMillis();
        long d = failures >= 30 ? maxDelay.toMillis() : Math.min(maxDelay.toMillis(), base << Math.max(0, failures - 1));
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Math.max(1, (long) (d * jitter));
    }

    /** @return the node ids last seen at special addresses */
    java.util.Set<NodeId> specialNodes() {
        java.util.Set<NodeId> ids = new java.util.HashSet<>();
        for (Target t : targets.values()) {
            if (t.special && t.knownNode != null) {
                ids.add(t.knownNode);
            }
        }
        return ids;
    }

    /** @return addresses being dialed right now */
    List<InetSocketAddress> dialing() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Target t : targets.values()) {
            if (t.dialing) {
                out.add(t.address);
            }
        }
        return out;
    }

    /** @return the special targets */
    List<Target> specials() {
        List<Target> out = new ArrayList<>();
        for (Target t : targets.values()) {
            if (t.special) {
                out.add(t);
            }
        }
        return out;
    }

    /** @return targets dialed from the address book, dialing or connected */
    int fromBookActive() {
        int n = 0;
        for (Target t : targets.values()) {
            if (t.fromBook && (t.dialing || t.connection != null)) {
                n++;
            }
        }
        return n;
    }

    int size() {
        return targets.size();
    }
}
