package org.loomnet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection-scale baseline (#4): the least a Java server does to hold many connections the
 * way the node does, on plain {@code java.net} sockets with no protocol. One virtual thread accepts;
 * each accepted socket gets a virtual thread that writes an 8-byte greeting (so the client knows it
 * was accepted and served, as a node's HELLO tells a peer) and then blocks in {@code read}, echoing
 * whatever arrives, until the peer closes. Only the JDK.
 *
 * <p>It prints "listening on 127.0.0.1:PORT" to stderr. Each line on its stdin makes it print
 * "open connections: N" to stderr, N being the sockets it holds open.
 */
public final class HoldingServer {

    /** What the server writes first on every connection. */
    static final byte[] GREETING = "HOLDING\n".getBytes(StandardCharsets.US_ASCII);

    /** The node's own backlog (Node.start), so that both queue the same number of connects. */
    private static final int BACKLOG = 512;

    private static final AtomicInteger OPEN = new AtomicInteger();

    private HoldingServer() {
    }

    /**
     * @param args ignored
     * @throws Exception if the socket cannot be opened
     */
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        Thread.ofVirtual().name("acceptor-" + server.getLocalPort()).start(() -> accept(server));
        System.err.println("holding server listening on 127.0.0.1:" + server.getLocalPort());
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (commands.readLine() != null) {
            System.err.println("open connections: " + OPEN.get());
        }
        // stdin closed: the benchmark is gone; end with it
        System.exit(0);
    }

    private static void accept(ServerSocket server) {
        while (true) {
            try {
                Socket s = server.accept();
                OPEN.incrementAndGet();
                Thread.ofVirtual().name("conn-" + s.getPort()).start(() -> hold(s));
            } catch (IOException e) {
                System.err.println("accept failed: " + e);
                return;
            }
        }
    }

    private static void hold(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write(GREETING);
            InputStream in = s.getInputStream();
            byte[] b = new byte[16];
            int n;
            while ((n = in.read(b)) >= 0) {
                out.write(b, 0, n);
            }
        } catch (IOException e) {
            // reset by the client: the connection is gone, as at end of stream
        } finally {
            OPEN.decrementAndGet();
        }
    }
}
