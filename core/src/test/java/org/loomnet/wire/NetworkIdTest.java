package org.loomnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Network ids derived from names. */
class NetworkIdTest {

    @Test
    void isDeterministic() {
        assertThat(NetworkId.of("loomnet")).isEqualTo(NetworkId.of("loomnet"));
        assertThat(NetworkId.of("")).isEqualTo(NetworkId.of(""));
    }

    @Test
    void differentNamesGiveDifferentIds() {
        assertThat(NetworkId.of("loomnet")).isNotEqualTo(NetworkId.of("testnet"));
        assertThat(NetworkId.of("loomnet")).isNotEqualTo(NetworkId.of("Loomnet"));
    }

    @Test
    void isTheFirstFourBytesOfTheDocumentedHash() throws NoSuchAlgorithmException {
        byte[] h = MessageDigest.getInstance("SHA-256")
                .digest("loomnet-network:loomnet".getBytes(StandardCharsets.UTF_8));
        assertThat(NetworkId.of("loomnet")).isEqualTo(ByteBuffer.wrap(h).getInt());
    }
}
