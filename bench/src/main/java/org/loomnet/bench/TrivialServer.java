package org.loomnet.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The start-up benchmark's baseline (#7): the least a Java server can be. It opens a server socket
 * on 127.0.0.1, port 0, prints "listening on" to stderr as the daemon does, and accepts (and closes)
 * connections until it is killed. Only the JDK: nothing on its class path is loaded but this class.
 */
public final class TrivialServer {

    private TrivialServer() {
    }

    /**
     * @param args ignored
     * @throws IOException if the socket cannot be opened
     */
    public static void main(String[] args) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            System.err.println("trivial server listening on 127.0.0.1:" + server.getLocalPort());
            while (true) {
                try (Socket s = server.accept()) {
                    s.shutdownOutput();
                }
            }
        }
    }
}
