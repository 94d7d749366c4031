package org.loomnet.connection;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelReader;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.ProtocolException;
import org.loomnet.wire.WireLimits;

/**
 * The first 8 bytes each side sends on a new TCP connection: {@code "LOOMNET"} and one byte
 * naming the transport that follows (0 = plaintext, 1 = Noise_XX_25519_ChaChaPoly_BLAKE2b), or
 * 0xFF when the node refuses the connection outright (too many connections, shutting down): then
 * an optional PEER_RESPONSE with alternative peers and one plaintext DISCONNECT parcel with the
 * reason follow, and the node closes. Refusing before the
 * handshake costs the node no cryptography; the reason is unauthenticated, a hint only.
 *
 * <p>Both sides write theirs at once and read the other's. Without it, a plaintext node would
 * read a Noise handshake message as a garbled parcel header and each side would report nonsense;
 * with it, each side names the mismatch itself ({@link DisconnectReason#TRANSPORT_MISMATCH}) from
 * the preamble alone. Each also writes a plaintext DISCONNECT with that reason after the preamble,
 * for implementations that read on; ours does not need to. Anything else is not a LoomNet peer.
 */
public final class TransportPreamble {

    /** Transport byte: plaintext. */
    public static final int PLAINTEXT = 0;
    /** Transport byte: Noise_XX_25519_ChaChaPoly_BLAKE2b. */
    public static final int NOISE_XX = 1;
    /** Not a transport: the node refuses the connection; one plaintext DISCONNECT parcel follows. */
    public static final int REFUSED = 0xFF;
    /** Preamble length in bytes. */
    public static final int LENGTH = 8;
    /** The most alternative addresses a refused node takes from a refusal. */
    public static final int MAX_ALTERNATIVES = 32;
    /** A refusal is small: its frames are limited to 4 KiB. */
    private static final WireLimits REFUSAL_LIMITS = new WireLimits(4096, 4096);

    private static final byte[] MAGIC = {'L', 'O', 'O', 'M', 'N', 'E', 'T'};

    private TransportPreamble() {
    }

    /**
     * @param transport {@link #PLAINTEXT} or {@link #NOISE_XX}
     * @return the 8 bytes to send
     */
    public static byte[] of(int transport) {
        byte[] p = Arrays.copyOf(MAGIC, LENGTH);
        p[7] = (byte) transport;
        return p;
    }

    /**
     * Sends ours, reads theirs, and checks they agree.
     *
     * @param socket    the connected socket (its raw streams are used)
     * @param networkId for the DISCONNECT on a mismatch
     * @param ours      our transport byte
     * @throws ProtocolException {@link DisconnectReason#HANDSHAKE_FAILED} if the peer is not a LoomNet
     *                           peer, {@link DisconnectReason#TRANSPORT_MISMATCH} if it speaks the other transport
     * @throws IOException       if the socket fails
     */
    static void exchange(Socket socket, int networkId, int ours) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(of(ours));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] theirs = in.readNBytes(LENGTH);
        if (theirs.length < LENGTH) {
            throw new EOFException("connection closed during the preamble");
        }
        if (!Arrays.equals(theirs, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ProtocolException(DisconnectReason.HANDSHAKE_FAILED, "not a LoomNet peer (bad preamble)");
        }
        int peer = theirs[7] & 0xFF;
        if (peer == REFUSED) {
            // At most one PEER_RESPONSE (alternatives), then the DISCONNECT.
            ParcelReader reader = new ParcelReader(in, networkId, REFUSAL_LIMITS, ParcelReader.FrameListener.NONE);
            Parcel p = reader.read();
            java.util.List<java.net.InetSocketAddress> alternatives = java.util.List.of();
            if (p != null && p.type() == ParcelType.PEER_RESPONSE) {
                alternatives = org.loomnet.wire.PeerList.decodeResponse(p, MAX_ALTERNATIVES).peers();
                p = reader.read();
            }
            if (p == null || p.type() != ParcelType.DISCONNECT) {
                throw new ProtocolException(DisconnectReason.PROTOCOL_VIOLATION, "refusal without DISCONNECT");
            }
            throw new RefusedException(Goodbye.decode(p), alternatives);
        }
        if (peer != ours) {
            String detail = "peer speaks " + name(peer) + ", this node " + name(ours);
            Refusal.writeGoodbye(out, networkId, DisconnectReason.TRANSPORT_MISMATCH, detail);
            throw new ProtocolException(DisconnectReason.TRANSPORT_MISMATCH, detail);
        }
    }

    /** The peer refused the connection before any transport started, and said why. */
    public static final class RefusedException extends IOException {
        private final Goodbye goodbye;
        private final java.util.List<java.net.InetSocketAddress> alternatives;

        RefusedException(Goodbye goodbye, java.util.List<java.net.InetSocketAddress> alternatives) {
            super("refused by peer: " + goodbye.reason().text());
            this.goodbye = goodbye;
            this.alternatives = alternatives;
        }

        /** @return other peers the refusing node suggested (unauthenticated hints), may be empty */
        public java.util.List<java.net.InetSocketAddress> alternatives() {
            return alternatives;
        }

        /** @return the peer's reason */
        public Goodbye goodbye() {
            return goodbye;
        }
    }

    private static String name(int transport) {
        return switch (transport) {
            case PLAINTEXT -> "plaintext";
            case NOISE_XX -> "Noise XX (encrypted)";
            default -> "unknown transport " + transport;
        };
    }
}
