package org.loomnet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loomnet.it.FaultProxy.Fault;
import org.loomnet.it.FaultProxy.Flow;

/** Each fault of the proxy on plain sockets: a client, the proxy, and a target this test reads itself. */
class FaultProxyTest {

    private ServerSocket target;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        target = new ServerSocket();
        target.bind(new InetSocketAddress("127.0.48.1", 0));
        target.setSoTimeout(20_000);
        proxy = new FaultProxy("127.0.48.2", (InetSocketAddress) target.getLocalSocketAddress());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        target.close();
    }

    /** A client connected through the proxy, and the target's end of the same link. */
    private record Pair(Socket client, Socket server) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            client.close();
            server.close();
        }
    }

    private Pair connect() throws IOException {
        Socket client = new Socket();
        client.bind(new InetSocketAddress("127.0.48.3", 0));
        client.connect(proxy.address(), 5000);
        Socket server = target.accept();
        client.setSoTimeout(20_000);
        server.setSoTimeout(20_000);
        return new Pair(client, server);
    }

    private static byte[] read(Socket s, int n) throws IOException {
        return s.getInputStream().readNBytes(n);
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes());
    }

    @Test
    void passForwardsBothWaysAndTheTargetSeesTheProxysAddress() throws IOException {
        try (Pair p = connect()) {
            write(p.client, "ping");
            assertThat(read(p.server, 4)).isEqualTo("ping".getBytes());
            write(p.server, "pong");
            assertThat(read(p.client, 4)).isEqualTo("pong".getBytes());
            assertThat(((InetSocketAddress) p.server.getRemoteSocketAddress()).getHostString()).isEqualTo("127.0.48.2");
        }
    }

    @Test
    void aDelayedFlowStillDeliversEverythingInOrder() throws IOException {
        proxy.set(Flow.TO_TARGET, Fault.delay(Duration.ofMillis(20)));
        try (Pair p = connect()) {
            for (int i = 0; i < 5; i++) {
                write(p.client, "m" + i);
            }
            assertThat(new String(read(p.server, 10))).isEqualTo("m0m1m2m3m4");
        }
    }

    @Test
    void aBlackHoleSwallowsOneFlowWhileTheOtherPassesAndHealingLeavesAGap() throws Exception {
        try (Pair p = connect()) {
            proxy.set(Flow.TO_TARGET, Fault.BLACK_HOLE);
            write(p.client, "lost");
            Await.until("the black hole swallowed 4 bytes", () -> proxy.swallowedBytes() == 4);
            write(p.server, "back");
            assertThat(read(p.client, 4)).isEqualTo("back".getBytes());

            proxy.heal();
            write(p.client, "after");
            assertThat(read(p.server, 5)).isEqualTo("after".getBytes()); // "lost" is gone for good
        }
    }

    @Test
    void aStalledFlowHoldsItsBytesAndHealingDeliversThemAll() throws IOException {
        try (Pair p = connect()) {
            proxy.set(Flow.TO_TARGET, Fault.STALL);
            write(p.client, "held");
            p.server.setSoTimeout(300);
            assertThatThrownBy(() -> p.server.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            p.server.setSoTimeout(20_000);

            proxy.heal();
            assertThat(read(p.server, 4)).isEqualTo("held".getBytes());
        }
    }

    @Test
    void aTruncatedLinkForwardsTheGivenBytesThenBothSidesReadTheEnd() throws IOException {
        try (Pair p = connect()) {
            proxy.truncate(Flow.TO_TARGET, 3);
            write(p.client, "abcdef");
            InputStream in = p.server.getInputStream();
            assertThat(in.readAllBytes()).isEqualTo("abc".getBytes());
            assertThat(p.client.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aResetLinkGivesBothSidesAConnectionReset() throws IOException {
        try (Pair p = connect()) {
            proxy.reset();
            assertThatThrownBy(() -> p.client.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            assertThatThrownBy(() -> p.server.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void aRefusingProxyRefusesConnectionsUntilHealedOnTheSamePort() throws IOException {
        InetSocketAddress where = proxy.address();
        proxy.refuse();
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> s.connect(where, 5000)).isInstanceOf(ConnectException.class);
        }
        proxy.heal();
        assertThat(proxy.address()).isEqualTo(where);
        try (Pair p = connect()) {
            write(p.client, "up");
            assertThat(read(p.server, 2)).isEqualTo("up".getBytes());
        }
    }

    @Test
    void aConnectionIntoABlackHoleNeverReachesTheTargetAndIsResetAtHeal() throws Exception {
        proxy.setBoth(Fault.BLACK_HOLE);
        try (Socket client = new Socket()) {
            client.connect(proxy.address(), 5000);
            client.setSoTimeout(20_000);
            write(client, "anyone?");
            Await.until("swallowed", () -> proxy.swallowedBytes() == 7);
            target.setSoTimeout(300);
            assertThatThrownBy(target::accept).isInstanceOf(SocketTimeoutException.class);

            proxy.heal();
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void aFlippedByteArrivesFlippedOnce() throws IOException {
        try (Pair p = connect()) {
            proxy.flipNextByte(Flow.TO_TARGET);
            byte[] data = new byte[16];
            p.client.getOutputStream().write(data);
            byte[] got = read(p.server, 16);
            assertThat(proxy.flips()).isEqualTo(1);
            assertThat(Arrays.equals(got, data)).isFalse();
            p.client.getOutputStream().write(data);
            assertThat(read(p.server, 16)).isEqualTo(data);
        }
    }

    @Test
    void aPartitionSwitchesAllItsProxiesTogether() throws Exception {
        try (FaultProxy second = new FaultProxy("127.0.48.4", (InetSocketAddress) target.getLocalSocketAddress());
             Pair p = connect()) {
            FaultProxy.Partition partition = new FaultProxy.Partition(List.of(proxy, second));
            partition.cut();
            write(p.client, "x");
            write(p.server, "y");
            Await.until("both flows swallowed", () -> proxy.swallowedBytes() == 2);
            try (Socket other = new Socket()) {
                other.connect(second.address(), 5000);
                write(other, "z");
                Await.until("the second proxy swallowed too", () -> second.swallowedBytes() == 1);
            }
            partition.heal();
            write(p.client, "x2");
            assertThat(read(p.server, 2)).isEqualTo("x2".getBytes());
        }
    }
}
