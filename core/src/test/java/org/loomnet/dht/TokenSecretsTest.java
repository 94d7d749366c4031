package org.loomnet.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tokens bind to the requester's IP; the secret rotates every 5 minutes and the previous one still counts. */
class TokenSecretsTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = 1_700_000_000_000L;

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aTokenIsValidForItsIpForFiveToTenMinutes() throws Exception {
        TokenSecrets secrets = new TokenSecrets(new SplittableRandom(1), Duration.ofMinutes(5), T0);
        InetAddress a = ip("127.0.0.2");
        byte[] token = secrets.tokenFor(a, T0);
        assertThat(token).hasSize(TokenSecrets.TOKEN_LENGTH);
        assertThat(secrets.accepts(token, a, T0 + 4 * MINUTE)).isTrue();
        assertThat(secrets.accepts(token, ip("127.0.0.3"), T0 + MINUTE)).isFalse();
        // Rotated at minute 5: still accepted as the previous secret.
        assertThat(secrets.accepts(token, a, T0 + 6 * MINUTE)).isTrue();
        assertThat(secrets.tokenFor(a, T0 + 6 * MINUTE)).isNotEqualTo(token);
        // Rotated again at minute 11: two secrets ago, refused.
        assertThat(secrets.accepts(token, a, T0 + 11 * MINUTE)).isFalse();
    }

    @Test
    void aLongSilenceInvalidatesEveryOldToken() throws Exception {
        TokenSecrets secrets = new TokenSecrets(new SplittableRandom(2), Duration.ofMinutes(5), T0);
        InetAddress a = ip("127.0.0.2");
        byte[] token = secrets.tokenFor(a, T0 + 4 * MINUTE);
        // No call for an hour: the first call rotates once, but the token is far too old.
        assertThat(secrets.accepts(token, a, T0 + 60 * MINUTE)).isFalse();
    }

    @Test
    void garbageTokensAreRefused() throws Exception {
        TokenSecrets secrets = new TokenSecrets(new SplittableRandom(3), Duration.ofMinutes(5), T0);
        InetAddress a = ip("127.0.0.2");
        byte[] token = secrets.tokenFor(a, T0);
        assertThat(secrets.accepts(new byte[0], a, T0)).isFalse();
        assertThat(secrets.accepts(new byte[TokenSecrets.TOKEN_LENGTH], a, T0)).isFalse();
        assertThat(secrets.accepts(java.util.Arrays.copyOf(token, 4), a, T0)).isFalse();
        assertThat(secrets.accepts(token, a, T0)).isTrue();
    }
}
