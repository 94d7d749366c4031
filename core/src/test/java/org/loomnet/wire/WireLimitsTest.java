package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Size limits and their validation. */
class WireLimitsTest {

    @Test
    void smallLimitsGiveTheExpectedPartCount() {
        WireLimits l = new WireLimits(1024, 10_000);
        assertThat(l.maxEncodedMessage()).isEqualTo(10_000 + 65);
        assertThat(l.maxParts()).isEqualTo(10); // ceil(10065 / 1024)
    }

    @Test
    void defaultsAreOneMebibyteFramesAnd64MebibyteMessages() {
        assertThat(WireLimits.DEFAULTS.maxFrameSize()).isEqualTo(1 << 20);
        assertThat(WireLimits.DEFAULTS.maxMessageSize()).isEqualTo(64 << 20);
        assertThat(WireLimits.DEFAULTS.maxParts()).isEqualTo(65);
    }

    @Test
    void frameBelowTheMinimumIsRefused() {
        assertThatThrownBy(() -> new WireLimits(1023, 10_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WireLimits(0, 10_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WireLimits(-1, 10_000)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new WireLimits(1024, 10_000).maxFrameSize()).isEqualTo(1024);
    }

    @Test
    void nonPositiveMessageSizeIsRefused() {
        assertThatThrownBy(() -> new WireLimits(1024, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WireLimits(1024, -5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void limitsNeedingMoreThan65535PartsAreRefused() {
        // 65535 frames of 1024 bytes hold 67,107,840 bytes: the message plus its 65-byte header must fit.
        int fits = 65_535 * 1024 - AppMessage.MAX_HEADER;
        assertThat(new WireLimits(1024, fits).maxParts()).isEqualTo(65_535);
        assertThatThrownBy(() -> new WireLimits(1024, fits + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WireLimits(1024, Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
    }
}
