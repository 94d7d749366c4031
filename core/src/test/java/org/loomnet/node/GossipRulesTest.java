package org.loomnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.loomnet.connection.CloseInfo;
import org.loomnet.wire.DisconnectReason;

/** The scoring policy's penalties for how a connection ended. */
class GossipRulesTest {

    @Test
    void protocolViolationsCostMoreThanTimeoutsAndTheRestNothing() {
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.BAD_CHECKSUM, "", false), false))
                .isEqualTo(GossipRules.PROTOCOL_BROKEN);
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.DECRYPTION_FAILED, "", false), false))
                .isEqualTo(GossipRules.PROTOCOL_BROKEN);
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.IDLE_TIMEOUT, "", false), false))
                .isEqualTo(GossipRules.TIMED_OUT);
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.SHUTDOWN, "", false), false)).isZero();
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.CONNECTION_LOST, "", false), false)).isZero();
        // What the peer says about us is not its misbehaviour.
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.BAD_CHECKSUM, "", true), false)).isZero();
    }

    @Test
    void aSpecialPeersTimeoutsCostNothingItsProtocolViolationsStillDo() {
        // Timeouts are what a network fault looks like; a special peer is redialed through one
        // forever, and its timeouts must not add up to a ban (26 x -20 < -500).
        for (DisconnectReason r : new DisconnectReason[] {DisconnectReason.HANDSHAKE_TIMEOUT, DisconnectReason.IDLE_TIMEOUT,
                DisconnectReason.READ_TIMEOUT, DisconnectReason.WRITE_TIMEOUT, DisconnectReason.SLOW_PEER}) {
            assertThat(GossipRules.penaltyFor(new CloseInfo(r, "", false), true)).as("%s", r).isZero();
            assertThat(GossipRules.penaltyFor(new CloseInfo(r, "", false), false)).as("%s", r).isEqualTo(GossipRules.TIMED_OUT);
        }
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.BAD_CHECKSUM, "", false), true))
                .isEqualTo(GossipRules.PROTOCOL_BROKEN);
    }
}
