package org.loomnet.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accept loop: one virtual thread blocked in {@link ServerSocket#accept()}, handing each
 * socket to the processing thread, which decides whether to keep it. Closing the server socket
 * ends the loop; the exception that follows is expected and not logged as an error.
 */
final class Acceptor {

    private static final Logger log = LoggerFactory.getLogger(Acceptor.class);

    private final ServerSocket server;
    private final Consumer<Socket> accepted;
    private volatile boolean closing;
    private Thread thread;

    Acceptor(ServerSocket server, Consumer<Socket> accepted) {
        this.server = server;
        this.accepted = accepted;
    }

    void start() {
        thread = Thread.ofVirtual().name("acceptor-" + server.getLocalPort()).start(this::run);
    }

    private void run() {
        while (!closing) {
            try {
                accepted.accept(server.accept());
            } catch (IOException e) {
                if (closing || server.isClosed()) {
                    return;
                }
                // Out of file descriptors and the like: say so, pause so we do not spin, keep serving.
                log.warn("accept on port {} failed: {}", server.getLocalPort(), e.toString());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    void close() throws InterruptedException {
        closing = true;
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing server socket: {}", e.toString());
        }
        if (thread != null) {
            thread.join(java.time.Duration.ofSeconds(2));
        }
    }
}
