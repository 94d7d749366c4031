package org.loomnet.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A man in the middle on loopback: forwards TCP both ways between a client and a target, and when
 * armed flips one byte in the middle of the next chunk going from the client to the target.
 */
final class ByteFlipProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile boolean flipped;

    ByteFlipProxy(String host, InetSocketAddress target) throws IOException {
        this.target = target;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(host, 0));
        Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** The next client-to-target chunk of at least 8 bytes gets one byte flipped. */
    void arm() {
        armed.set(true);
    }

    boolean flipped() {
        return flipped;
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 5000);
                Thread.ofVirtual().name("proxy-up").start(() -> pump(client, upstream, true));
                Thread.ofVirtual().name("proxy-down").start(() -> pump(upstream, client, false));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void pump(Socket from, Socket to, boolean clientToTarget) {
        byte[] buf = new byte[65536];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (clientToTarget && n >= 8 && armed.compareAndSet(true, false)) {
                    buf[n / 2] ^= 0x01;
                    flipped = true;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
