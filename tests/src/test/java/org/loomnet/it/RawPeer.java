package org.loomnet.it;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import org.loomnet.connection.NoiseTransport;
import org.loomnet.connection.PlainTransport;
import org.loomnet.connection.Transport;
import org.loomnet.crypto.Identity;
import org.loomnet.wire.Goodbye;
import org.loomnet.wire.GossipEnvelope;
import org.loomnet.wire.Hello;
import org.loomnet.wire.NetworkId;
import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelReader;
import org.loomnet.wire.ParcelType;
import org.loomnet.wire.ParcelWriter;
import org.loomnet.wire.WireLimits;

/**
 * A hand-driven peer: it completes the transport (preamble, and the Noise handshake unless
 * plaintext) like a real node, then writes whatever bytes or parcels a test wants through it and
 * reads what the node answers, to check how the node treats misbehaviour behind the encryption.
 */
final class RawPeer implements AutoCloseable {

    final Socket socket;
    final Identity identity = Identity.generate();
    final Transport transport;
    final OutputStream out;
    final ParcelReader reader;
    final int networkId;
    final long nonce = new SecureRandom().nextLong();

    /** An encrypted raw peer: preamble and Noise handshake done, then raw bytes through the transport. */
    RawPeer(String bindHost, InetSocketAddress target, String network) throws IOException {
        this(bindHost, target, network, true);
    }

    RawPeer(String bindHost, InetSocketAddress target, String network, boolean encrypted) throws IOException {
        this(dial(bindHost, target), true, network, encrypted);
    }

    /**
     * A raw peer on the accepting side: for a node that dials the test (peer exchange asks the
     * peers a node dialed), the test answers the preamble and the Noise handshake as responder.
     *
     * @param server a listening socket the node was told to dial
     * @param network the node's network
     * @return the peer, transport open
     * @throws IOException if the accept or the handshake fails
     */
    static RawPeer accept(java.net.ServerSocket server, String network) throws IOException {
        Socket s = server.accept();
        return new RawPeer(s, false, network, true);
    }

    private RawPeer(Socket connected, boolean initiator, String network, boolean encrypted) throws IOException {
        socket = connected;
        socket.setSoTimeout(20_000);
        networkId = NetworkId.of(network);
        Transport.Factory factory = encrypted
                ? NoiseTransport.factory(identity, networkId) : PlainTransport.factory(networkId);
        try {
            transport = factory.open(socket, initiator, null);
        } catch (IOException | RuntimeException e) {
            socket.close(); // refused or failed: nobody else will close it
            throw e;
        }
        out = transport.output();
        reader = new ParcelReader(new BufferedInputStream(transport.input()), networkId, WireLimits.DEFAULTS,
                ParcelReader.FrameListener.NONE, factory.checksums());
    }

    private static Socket dial(String bindHost, InetSocketAddress target) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(bindHost, 0));
            s.connect(target, 5000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void send(Parcel p) throws IOException {
        new ParcelWriter(out, networkId).write(p);
        out.flush();
    }

    void sendHello(int version, int minVersion) throws IOException {
        sendHello(version, minVersion, 0);
    }

    /** A HELLO announcing a listen port, as a node that accepts connections would. */
    void sendHello(int version, int minVersion, int listenPort) throws IOException {
        send(Parcel.of(ParcelType.HELLO, 0, new Hello(networkId, version, minVersion, nonce, identity.nodeId(),
                listenPort, "raw-test/1", "raw").encode()));
    }

    void sendHello() throws IOException {
        sendHello(ParcelWriter.PROTOCOL_VERSION, ParcelWriter.MIN_PROTOCOL_VERSION);
    }

    /** Reads parcels until a DISCONNECT arrives and returns it (fails on end of stream). */
    Goodbye awaitDisconnect() throws IOException {
        while (true) {
            Parcel p = reader.read();
            if (p == null) {
                throw new AssertionError("stream ended without DISCONNECT");
            }
            if (p.type() == ParcelType.DISCONNECT) {
                return Goodbye.decode(p);
            }
        }
    }

    /** Reads parcels until one of {@code type} arrives and returns it (fails on end of stream). */
    Parcel awaitParcel(ParcelType type) throws IOException {
        while (true) {
            Parcel p = reader.read();
            if (p == null) {
                throw new AssertionError("stream ended before a " + type);
            }
            if (p.type() == type) {
                return p;
            }
        }
    }

    /** The wire bytes of a parcel for this peer's network, to write many at once. */
    byte[] encode(Parcel p) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        new ParcelWriter(b, networkId).write(p);
        return b.toByteArray();
    }

    /** A gossip envelope signed by {@code origin}, stamped now, not yet forwarded. */
    static GossipEnvelope signedGossip(Identity origin, long sequence, String type, byte[] payload) {
        byte[] key = origin.signingPublicKey();
        long timestamp = System.currentTimeMillis();
        byte[] signature = origin.sign(GossipEnvelope.signedPart(key, sequence, timestamp, type, payload));
        return new GossipEnvelope(0, key, sequence, timestamp, type, payload, signature);
    }

    /** True once the node has closed its side: reads until end of stream, discarding. */
    boolean closedByNode() throws IOException {
        byte[] sink = new byte[4096];
        while (true) {
            int n = transport.input().read(sink);
            if (n < 0) {
                return true;
            }
        }
    }

    /** A header for the node's network with any fields, for hand-made bad frames. */
    byte[] header(int typeCode, int flags, long length, int crc, int partNumber, int partCount, long messageId) {
        return header(networkId, typeCode, flags, length, crc, partNumber, partCount, messageId);
    }

    /** A header with any fields, for hand-made frames outside a raw peer's transport (a refusal's). */
    static byte[] header(int networkId, int typeCode, int flags, long length, int crc, int partNumber, int partCount,
                         long messageId) {
        byte[] h = new byte[Parcel.HEADER_SIZE];
        java.nio.ByteBuffer.wrap(h).putInt(networkId).putShort((short) ParcelWriter.PROTOCOL_VERSION)
                .put((byte) typeCode).put((byte) flags).putInt((int) length).putInt(crc)
                .putShort((short) partNumber).putShort((short) partCount).putLong(messageId);
        return h;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
