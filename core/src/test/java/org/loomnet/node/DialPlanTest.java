package org.loomnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.loomnet.wire.DisconnectReason;

/** The dial plan's timing, driven by explicit times: no sleeping, no real clock. */
class DialPlanTest {

    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.2", 7700);
    private static final NodeId PEER = NodeId.parse("000000000000000000000000000000000000002a");

    private final DialPlan plan = new DialPlan(2, Duration.ofSeconds(5), Duration.ofMinutes(5), 3);

    @Test
    void aNewTargetIsDueAtOnceAndNotTwice() {
        plan.add(A, false, 1000);
        assertThat(plan.due(1000, n -> false)).hasSize(1);
        assertThat(plan.due(1000, n -> false)).isEmpty(); // already dialing
    }

    @Test
    void failuresBackOffExponentiallyWithinTheJitter() {
        DialPlan.Target t = plan.add(A, true, 0);
        long now = 0;
        for (int failure = 1; failure <= 12; failure++) {
            plan.due(now, n -> false);
            plan.failed(t, DisconnectReason.DIAL_FAILED, now);
            long expected = Math.min(5_000L << (failure - 1), 300_000L);
            long delay = t.nextAttemptMillis - now;
            assertThat(delay).as("delay after failure %d", failure)
                    .isBetween((long) (expected * 0.8), (long) (expected * 1.2));
            assertThat(plan.due(now + delay - 1, n -> false)).as("not before its delay").isEmpty();
            now += delay;
        }
        assertThat(plan.get(A)).as("a special target is never given up").isNotNull();
    }

    @Test
    void aRegularTargetIsGivenUpAfterItsAttempts() {
        DialPlan.Target t = plan.add(A, false, 0);
        for (int i = 0; i < 3; i++) {
            plan.failed(t, DisconnectReason.CONNECTION_LOST, 0);
            assertThat(plan.get(A)).isNotNull();
        }
        plan.failed(t, DisconnectReason.CONNECTION_LOST, 0);
        assertThat(plan.get(A)).isNull();
    }

    @Test
    void ourOwnAddressIsNeverRedialedEvenIfSpecial() {
        DialPlan.Target t = plan.add(A, true, 0);
        plan.failed(t, DisconnectReason.SELF_CONNECTION, 0);
        assertThat(plan.get(A)).isNull();
    }

    @Test
    void aRegularPeerThatCanNeverWorkIsForgottenButASpecialOneKeepsItsBackoff() {
        for (DisconnectReason r : new DisconnectReason[] {DisconnectReason.WRONG_NETWORK,
                DisconnectReason.VERSION_TOO_OLD, DisconnectReason.BANNED}) {
            DialPlan.Target regular = plan.add(A, false, 0);
            plan.failed(regular, r, 0);
            assertThat(plan.get(A)).as(r.name()).isNull();
            DialPlan.Target special = plan.add(A, true, 0);
            plan.failed(special, r, 0);
            assertThat(plan.get(A)).as(r.name()).isSameAs(special);
            assertThat(special.nextAttemptMillis).isPositive();
            plan.remove(A);
        }
    }

    @Test
    void aTargetWhoseNodeIsConnectedAnotherWayIsNotDialed() {
        DialPlan.Target t = plan.add(A, true, 0);
        plan.due(0, n -> false);
        t.knownNode = PEER;
        plan.failed(t, DisconnectReason.DUPLICATE_CONNECTION, 0);
        assertThat(plan.due(60_000, PEER::equals)).isEmpty();
        assertThat(plan.due(60_000, n -> false)).containsExactly(t); // once that node is gone, dial again
    }

    @Test
    void successResetsTheFailures() {
        DialPlan.Target t = plan.add(A, false, 0);
        plan.failed(t, DisconnectReason.CONNECTION_LOST, 0);
        plan.failed(t, DisconnectReason.CONNECTION_LOST, 0);
        plan.succeeded(t, null, PEER);
        assertThat(t.failures).isZero();
        plan.failed(t, DisconnectReason.CONNECTION_LOST, 0);
        assertThat(t.nextAttemptMillis).isBetween(4_000L, 6_000L);
    }

    @Test
    void thePlanIsBounded() {
        assertThat(plan.add(A, false, 0)).isNotNull();
        assertThat(plan.add(new InetSocketAddress("127.0.0.3", 1), false, 0)).isNotNull();
        assertThat(plan.add(new InetSocketAddress("127.0.0.4", 1), false, 0)).isNull();
        assertThat(plan.size()).isEqualTo(2);
    }
}
