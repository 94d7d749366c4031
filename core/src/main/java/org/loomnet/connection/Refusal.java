package org.loomnet.connection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.ParcelWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns away an accepted socket with a DISCONNECT and a reason, instead of a silent close, so
 * the peer knows why (and, later, where else to go).
 *
 * <p>Each refusal runs on its own short-lived virtual thread: write the REFUSED preamble and a
 * plaintext DISCONNECT parcel, half-close, read
 * until the peer closes or the linger ends, close. At most {@code maxConcurrent} refusals run at
 * once; beyond that a flood of connects is closed without a word and counted, so refusing can
 * never cost more than a fixed number of threads and sockets.
 */
public final class Refusal {

    private static final Logger log = LoggerFactory.getLogger(Refusal.class);

    private final Semaphore slots;
    private final int networkId;
    private final Duration linger;

    /**
     * @param maxConcurrent refusals in progress at once
     * @param networkId     the network id for the DISCONNECT header
     * @param linger        how long a refusal may take in all
     */
    public Refusal(int maxConcurrent, int networkId, Duration linger) {
        this.slots = new Semaphore(maxConcurrent);
        this.networkId = networkId;
        this.linger = linger;
    }

    /**
     * Refuses a socket without blocking the caller.
     *
     * @param socket the accepted socket
     * @param reason why
     * @param detail more text for the peer
     * @return true if a DISCONNECT is being sent; false if too many refusals were running and the
     *         socket was simply closed
     */
    public boolean refuse(Socket socket, DisconnectReason reason, String detail) {
        return refuse(socket, reason, detail, java.util.List.of());
    }

    /**
     * Refuses a socket without blocking the caller, telling the peer where else to go: a
     * PEER_RESPONSE with {@code alternatives} goes before the DISCONNECT, so a new node turned away
     * by a full seed still learns addresses (Skycoin's issues #651/#652).
     *
     * @param socket       the accepted socket
     * @param reason       why
     * @param detail       more text for the peer
     * @param alternatives other peers' listen addresses, may be empty
     * @return true if a DISCONNECT is being sent; false if too many refusals were running
     */
    public boolean refuse(Socket socket, DisconnectReason reason, String detail,
                          java.util.List<java.net.InetSocketAddress> alternatives) {
        if (!slots.tryAcquire()) {
            closeQuietly(socket);
            return false;
        }
        Thread.ofVirtual().name("refuse-" + Connection.hostPort((java.net.InetSocketAddress) socket.getRemoteSocketAddress())).start(() -> {
            try {
                socket.setSoTimeout((int) linger.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write(TransportPreamble.of(TransportPreamble.REFUSED));
                if (!alternatives.isEmpty()) {
                    new ParcelWriter(out, networkId).write(Parcel.of(ParcelType.PEER_RESPONSE, 0,
                            org.loomnet.wire.PeerList.encodeResponse(alternatives)));
                }
                writeGoodbye(out, networkId, reason, detail);
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                byte[] sink = new byte[1024];
                long deadline = System.nanoTime() + linger.toNanos();
                while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                    // discard until the peer closes
                }
            } catch (IOException e) {
                log.debug("refusing {}: {}", Connection.hostPort((java.net.InetSocketAddress) socket.getRemoteSocketAddress()), e.toString());
            } finally {
                closeQuietly(socket);
                slots.release();
            }
        });
        return true;
    }

    /**
     * Writes one plaintext DISCONNECT parcel and flushes: the way to give a reason before any
     * connection machinery (or any encryption) exists.
     *
     * @param out       the socket's stream
     * @param networkId the network id for the header
     * @param reason    why
     * @param detail    more text
     * @throws IOException if the write fails
     */
    static void writeGoodbye(OutputStream out, int networkId, DisconnectReason reason, String detail) throws IOException {
        new ParcelWriter(out, networkId).write(Parcel.of(ParcelType.DISCONNECT, 0, Goodbye.of(reason, detail).encode()));
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
    }
}
