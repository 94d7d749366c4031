package org.loomnet.connection;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Bytes as they are, buffered. No handshake. The buffers are small so an idle connection stays
 * cheap; parcels larger than the write buffer go straight to the socket.
 */
public final class PlainTransport implements Transport {

    /** A factory for plain transports. */
    public static final Factory FACTORY = (socket, initiator) -> new PlainTransport(socket);

    static final int READ_BUFFER = 8 * 1024;
    static final int WRITE_BUFFER = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /**
     * @param socket a connected socket
     * @throws IOException if its streams cannot be opened
     */
    public PlainTransport(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), READ_BUFFER);
        this.out = new BufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER);
    }

    @Override
    public InputStream input() {
        return in;
    }

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
