package org.loomnet.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Seed URLs and DNS seeds: parsing, status, size limits. A real HTTP server on loopback. */
class BootstrapTest {

    private HttpServer server;
    private volatile int status = 200;
    private volatile byte[] body = new byte[0];

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/seeds", exchange -> {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/seeds");
    }

    @Test
    void parsesHostPortLinesSkippingCommentsAndJunk() throws Exception {
        body = "# seeds\n127.0.0.2:7700\n\n  [::1]:7701  \nnot an address\n127.0.0.3:99999\n".getBytes(StandardCharsets.UTF_8);
        assertThat(Bootstrap.fetch(url())).containsExactly(new InetSocketAddress("127.0.0.2", 7700),
                new InetSocketAddress("::1", 7701));
    }

    @Test
    void aStatusOtherThan200IsAnError() {
        status = 404;
        assertThatThrownBy(() -> Bootstrap.fetch(url())).isInstanceOf(IOException.class).hasMessageContaining("404");
    }

    @Test
    void anAnswerOverTheSizeLimitIsRefusedWhole() {
        body = "127.0.0.2:7700\n".repeat(Bootstrap.MAX_BODY / 10).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Bootstrap.fetch(url())).isInstanceOf(IOException.class).hasMessageContaining("larger than");
    }

    @Test
    void tooManyEntriesAreRefusedWhole() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i <= Bootstrap.MAX_ENTRIES; i++) {
            b.append("127.0.").append(i / 250).append('.').append(i % 250 + 1).append(":7700\n");
        }
        body = b.toString().getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Bootstrap.fetch(url())).isInstanceOf(IOException.class).hasMessageContaining("entries");
    }

    @Test
    void aDnsSeedGivesEveryAddressOnTheDefaultPortUnlessOneIsGiven() throws Exception {
        assertThat(Bootstrap.resolve("127.0.0.5")).containsExactly(new InetSocketAddress("127.0.0.5", NodeConfig.DEFAULT_PORT));
        assertThat(Bootstrap.resolve("localhost:9")).allSatisfy(a -> {
            assertThat(a.getPort()).isEqualTo(9);
            assertThat(a.getAddress().isLoopbackAddress()).isTrue();
        });
        assertThatThrownBy(() -> Bootstrap.resolve("no-such-host.invalid")).isInstanceOf(IOException.class);
    }
}
