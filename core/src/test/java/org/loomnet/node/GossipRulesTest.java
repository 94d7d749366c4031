package org.loomnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.loomnet.connection.CloseInfo;
import org.loomnet.wire.DisconnectReason;

/** The scoring policy's penalties for how a connection ended. */
class GossipRulesTest {

    @Test
    void protocolViolationsCostMoreThanTimeoutsAndTheRestNothing() {
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.BAD_CHECKSUM, "", false)))
                .isEqualTo(GossipRules.PROTOCOL_BROKEN);
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.DECRYPTION_FAILED, "", false)))
                .isEqualTo(GossipRules.PROTOCOL_BROKEN);
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.IDLE_TIMEOUT, "", false)))
                .isEqualTo(GossipRules.TIMED_OUT);
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.SHUTDOWN, "", false))).isZero();
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.CONNECTION_LOST, "", false))).isZero();
        // What the peer says about us is not its misbehaviour.
        assertThat(GossipRules.penaltyFor(new CloseInfo(DisconnectReason.BAD_CHECKSUM, "", true))).isZero();
    }
}
