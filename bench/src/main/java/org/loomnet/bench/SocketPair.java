package org.loomnet.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The baseline's connection: two plain {@code java.net} sockets connected over loopback
 * (127.0.0.1), TCP_NODELAY on both ends, no protocol of any kind on top.
 */
final class SocketPair implements AutoCloseable {

    /** The end that writes first (the sender, or the side that pings). */
    final Socket client;
    /** The accepted end (the receiver, or the side that answers). */
    final Socket server;

    private SocketPair(Socket client, Socket server) {
        this.client = client;
        this.server = server;
    }

    static SocketPair open() throws IOException {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            Socket client = new Socket();
            try {
                client.connect(listener.getLocalSocketAddress(), 5_000);
                Socket server = listener.accept();
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                return new SocketPair(client, server);
            } catch (IOException e) {
                client.close();
                throw e;
            }
        }
    }

    @Override
    public void close() throws IOException {
        try (client; server) {
            // both closed
        }
    }
}
