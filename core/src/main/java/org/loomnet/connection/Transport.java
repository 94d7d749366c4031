package org.loomnet.connection;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The byte stream under the parcel framing: the seam where encryption slides in.
 *
 * <p>A {@link Connection} reads and writes parcels through a transport and never touches the
 * socket's streams itself. {@link PlainTransport} passes bytes through; an encrypting transport
 * runs its handshake in {@link Factory#open} and then encrypts what it is given.
 */
public interface Transport extends Closeable {

    /** Opens a transport over a connected socket, running any handshake first. */
    @FunctionalInterface
    interface Factory {
        /**
         * Runs on the connection's reader thread, before any parcel is exchanged.
         *
         * @param socket    the connected socket
         * @param initiator true on the side that dialed
         * @return the transport
         * @throws IOException if the handshake fails or the socket breaks
         */
        Transport open(Socket socket, boolean initiator) throws IOException;
    }

    /** @return the stream of bytes from the peer (used by the reader thread only) */
    InputStream input();

    /** @return the stream of bytes to the peer (used by the writer thread only) */
    OutputStream output();

    /**
     * Half-closes: the peer reads end-of-stream after everything written so far.
     *
     * @throws IOException if the socket fails
     */
    void shutdownOutput() throws IOException;

    /** Closes the socket; a blocked read or write ends with an exception. */
    @Override
    void close() throws IOException;
}
