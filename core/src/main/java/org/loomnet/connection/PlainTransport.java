package org.loomnet.connection;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Bytes as they are, buffered, after the preamble. No handshake, no identity. Both buffers are
 * allocated on first use (the JDK's {@link BufferedInputStream} does that itself; the write side is a
 * {@link GrowingBufferedOutputStream}), so an idle connection stays cheap; parcels larger than the
 * write buffer go straight to the socket.
 */
public final class PlainTransport implements Transport {

    /**
     * Plaintext is for teaching and packet captures: both sides must ask for it.
     *
     * @param networkId the network id, for the DISCONNECT sent to a peer that wants encryption
     * @return a factory for plain transports
     */
    public static Factory factory(int networkId) {
        return (socket, initiator, expectedPeerId) -> {
            TransportPreamble.exchange(socket, networkId, TransportPreamble.PLAINTEXT);
            if (expectedPeerId != null) {
                // A pin needs proof of identity, which plaintext cannot give.
                throw new org.loomnet.wire.ProtocolException(org.loomnet.wire.DisconnectReason.PEER_ID_MISMATCH,
                        "a pinned peer needs encryption to prove its id");
            }
            return new PlainTransport(socket);
        };
    }

    static final int READ_BUFFER = 8 * 1024;
    static final int WRITE_BUFFER = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /**
     * @param socket a connected socket, past the preamble
     * @throws IOException if its streams cannot be opened
     */
    PlainTransport(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), READ_BUFFER);
        this.out = new GrowingBufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER);
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
