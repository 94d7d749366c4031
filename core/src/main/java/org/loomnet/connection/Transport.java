package org.loomnet.connection;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.loomnet.wire.Checksums;

/**
 * The byte stream under the parcel framing: the seam where encryption slides in.
 *
 * <p>A {@link Connection} reads and writes parcels through a transport and never touches the
 * socket's streams itself. Every transport starts with the same 8-byte {@link TransportPreamble},
 * so a plaintext node and an encrypting node recognise each other and refuse with a clear reason.
 * {@link PlainTransport} then passes bytes through; {@link NoiseTransport} runs the Noise XX
 * handshake in {@link Factory#open} and encrypts everything after it.
 */
public interface Transport extends Closeable {

    /** Opens a transport over a connected socket, running any handshake first. */
    @FunctionalInterface
    interface Factory {
        /**
         * Runs on the connection's reader thread, before any parcel is exchanged.
         *
         * @param socket         the connected socket
         * @param initiator      true on the side that dialed
         * @param expectedPeerId on the dialing side, the node id the peer must prove (a pinned
         *                       special peer), or null for any
         * @return the transport
         * @throws IOException if the handshake fails or the socket breaks; a
         *                     {@link org.loomnet.wire.ProtocolException} carries the coded reason
         */
        Transport open(Socket socket, boolean initiator, byte[] expectedPeerId) throws IOException;

        /**
         * @return whether the transports this factory opens need the parcels' checksums
         *         ({@link Checksums#CHECKED}) or authenticate every byte themselves
         */
        default Checksums checksums() {
            return Checksums.CHECKED;
        }
    }

    /**
     * @return the peer's node id as the handshake proved it, or null if this transport
     *         authenticates nothing (plaintext: the id in HELLO is then only a claim)
     */
    default byte[] remoteNodeId() {
        return null;
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
