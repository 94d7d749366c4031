package org.loomnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class OwnAddressTest {

    @Test
    void aSpecificListenAddressMatchesOnlyItself() {
        InetSocketAddress listen = new InetSocketAddress("127.0.0.2", 7700);
        assertThat(OwnAddress.matches(new InetSocketAddress("127.0.0.2", 7700), listen)).isTrue();
        assertThat(OwnAddress.matches(new InetSocketAddress("127.0.0.2", 7701), listen)).isFalse();
        assertThat(OwnAddress.matches(new InetSocketAddress("127.0.0.1", 7700), listen)).isFalse();
    }

    @Test
    void theWildcardMatchesLoopbackAndTheWildcardButNotOtherLoopbackHosts() {
        InetSocketAddress listen = new InetSocketAddress("0.0.0.0", 7700);
        assertThat(OwnAddress.matches(new InetSocketAddress("127.0.0.1", 7700), listen)).isTrue();
        assertThat(OwnAddress.matches(new InetSocketAddress("0.0.0.0", 7700), listen)).isTrue();
        // 127.0.0.2 routes to lo but is no interface's address: another node may listen there.
        assertThat(OwnAddress.matches(new InetSocketAddress("127.0.0.2", 7700), listen)).isFalse();
        assertThat(OwnAddress.matches(new InetSocketAddress("127.0.0.1", 7701), listen)).isFalse();
        assertThat(OwnAddress.matches(InetSocketAddress.createUnresolved("seed.example.org", 7700), listen)).isFalse();
    }
}
