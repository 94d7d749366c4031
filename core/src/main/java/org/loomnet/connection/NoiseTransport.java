package org.loomnet.connection;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.loomnet.crypto.CipherState;
import org.loomnet.crypto.Identity;
import org.loomnet.crypto.NoiseException;
import org.loomnet.crypto.NoiseHandshake;
import org.loomnet.crypto.NoiseSession;
import org.loomnet.wire.Checksums;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.ProtocolException;

/**
 * Noise_XX_25519_ChaChaPoly_BLAKE2b under the parcel framing: after it, every byte is encrypted
 * and authenticated.
 *
 * <h2>Handshake ({@link #factory})</h2>
 * <pre>
 *   both   preamble "LOOMNET" 0x01
 *   -> e                       payload: empty
 *   &lt;- e, ee, s, es            payload: responder's identity proof (Ed25519 key + signature over its s)
 *   -> s, se                   payload: initiator's identity proof
 * </pre>
 * The prologue is {@code "loomnet:Noise_XX_25519_ChaChaPoly_BLAKE2b:"} followed by the 4-byte
 * network id, so nodes of different networks fail at message 2. The identity proof binds the
 * node id ({@link Identity}) to the static key the handshake authenticated. A dialer that pinned
 * the peer's id checks it after message 2 and stops before sending message 3, so a wrong peer
 * never learns who dialed it.
 *
 * <h2>Stream</h2>
 * Every Noise message on the stream is preceded by its length, 2 bytes big-endian, as the Noise
 * specification suggests for stream transports; a message holds at most 65535 bytes (65519 of
 * plaintext). The output stream gathers what the writer thread writes and encrypts it as one
 * message per flush (or per 65519 bytes), so a batch of small parcels costs one encryption and
 * one socket write. A message that fails authentication throws {@link ProtocolException} with
 * {@link DisconnectReason#DECRYPTION_FAILED}: the tampered bytes never reach the parcel reader.
 */
public final class NoiseTransport implements Transport {

    private static final byte[] EMPTY = new byte[0];
    private static final int LENGTH_PREFIX = 2;

    private final Socket socket;
    private final byte[] remoteNodeId;
    private final NoiseInput in;
    private final NoiseOutput out;

    private NoiseTransport(Socket socket, NoiseSession session, byte[] remoteNodeId) throws IOException {
        this.socket = socket;
        this.remoteNodeId = remoteNodeId;
        this.in = new NoiseInput(socket.getInputStream(), session.receiver());
        this.out = new NoiseOutput(socket.getOutputStream(), session.sender());
    }

    /**
     * @param identity  this node's keys
     * @param networkId the network id, bound into the prologue
     * @return a factory that runs the handshake on each new connection
     */
    public static Factory factory(Identity identity, int networkId) {
        byte[] prologue = prologue(networkId);
        return new Factory() {
            @Override
            public Transport open(Socket socket, boolean initiator, byte[] expectedPeerId) throws IOException {
                TransportPreamble.exchange(socket, networkId, TransportPreamble.NOISE_XX);
                InputStream raw = socket.getInputStream();
                OutputStream rawOut = socket.getOutputStream();
                NoiseHandshake hs = identity.handshake(initiator, prologue);
                byte[] peerId;
                try {
                    if (initiator) {
                        send(rawOut, hs.writeMessage(EMPTY));
                        byte[] proof = hs.readMessage(receive(raw));
                        peerId = Identity.nodeIdOf(Identity.verifyProof(proof, hs.remoteStatic()));
                        if (expectedPeerId != null && !Arrays.equals(expectedPeerId, peerId)) {
                            throw new ProtocolException(DisconnectReason.PEER_ID_MISMATCH, "pinned "
                                    + HexFormat.of().formatHex(expectedPeerId) + ", peer is " + HexFormat.of().formatHex(peerId));
                        }
                        send(rawOut, hs.writeMessage(identity.proof()));
                    } else {
                        if (hs.readMessage(receive(raw)).length != 0) {
                            throw new NoiseException("handshake message 1 must carry no payload");
                        }
                        send(rawOut, hs.writeMessage(identity.proof()));
                        byte[] proof = hs.readMessage(receive(raw));
                        peerId = Identity.nodeIdOf(Identity.verifyProof(proof, hs.remoteStatic()));
                    }
                    return new NoiseTransport(socket, hs.split(), peerId);
                } catch (NoiseException e) {
                    throw new ProtocolException(DisconnectReason.HANDSHAKE_FAILED, e.getMessage());
                } catch (EOFException e) {
                    // The peer gave up mid-handshake: most often its check of our message failed
                    // (another network's prologue, or a pinned id that is not ours).
                    throw new ProtocolException(DisconnectReason.HANDSHAKE_FAILED, "peer closed during the handshake");
                }
            }

            /** The AEAD tag of every Noise message authenticates its bytes: no parcel checksums. */
            @Override
            public Checksums checksums() {
                return Checksums.LEFT_TO_TRANSPORT;
            }
        };
    }

    /**
     * @param networkId the network id
     * @return the Noise prologue: protocol name and network id
     */
    public static byte[] prologue(int networkId) {
        byte[] name = ("loomnet:" + NoiseHandshake.PROTOCOL_NAME + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] p = Arrays.copyOf(name, name.length + 4);
        p[name.length] = (byte) (networkId >>> 24);
        p[name.length + 1] = (byte) (networkId >>> 16);
        p[name.length + 2] = (byte) (networkId >>> 8);
        p[name.length + 3] = (byte) networkId;
        return p;
    }

    private static void send(OutputStream out, byte[] message) throws IOException {
        byte[] framed = new byte[LENGTH_PREFIX + message.length];
        framed[0] = (byte) (message.length >>> 8);
        framed[1] = (byte) message.length;
        System.arraycopy(message, 0, framed, LENGTH_PREFIX, message.length);
        out.write(framed);
        out.flush();
    }

    private static byte[] receive(InputStream in) throws IOException {
        int length = readLength(in);
        byte[] m = in.readNBytes(length);
        if (m.length < length) {
            throw new EOFException("connection closed inside a handshake message");
        }
        return m;
    }

    private static int readLength(InputStream in) throws IOException {
        int hi = in.read();
        int lo = in.read();
        if (hi < 0 || lo < 0) {
            throw new EOFException("connection closed before a Noise message");
        }
        return hi << 8 | lo;
    }

    @Override
    public byte[] remoteNodeId() {
        return remoteNodeId.clone();
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

    /**
     * Decrypts message by message; read by the reader thread only.
     *
     * <p>One buffer holds what came off the socket: {@code [next, end)} is ciphertext not yet
     * looked at, and {@code [pos, limit)} is the plaintext of the current message, decrypted in
     * place. A socket read takes whatever has arrived, up to the buffer's size, so a batch of
     * small Noise messages costs one read rather than three per message. The buffer starts small
     * (an idle connection stays cheap) and doubles when a message does not fit or a read fills
     * it, up to one whole Noise message plus its length prefix.
     */
    private static final class NoiseInput extends InputStream {
        static final int INITIAL_BUFFER = 2 * 1024;
        static final int MAX_BUFFER = 2 * (LENGTH_PREFIX + CipherState.MAX_MESSAGE_LENGTH);

        private final InputStream raw;
        private final CipherState cipher;
        private byte[] buf = new byte[0];
        private int pos;
        private int limit;
        private int next;
        private int end;

        NoiseInput(InputStream raw, CipherState cipher) {
            this.raw = raw;
            this.cipher = cipher;
        }

        /** Decrypts the next message in place into {@code [pos, limit)}; false at a clean end of stream. */
        private boolean fill() throws IOException {
            int length = bufferNextMessage();
            if (length < 0) {
                return false;
            }
            decryptInPlace(length);
            return true;
        }

        private void decryptInPlace(int length) throws ProtocolException {
            int start = next + LENGTH_PREFIX;
            limit = start + decrypt(start, length, buf, start);
            pos = start;
        }

        /**
         * Makes sure the next whole Noise message is in the buffer, at {@code next}.
         *
         * @return its length (ciphertext and tag), or -1 at a clean end of stream
         */
        private int bufferNextMessage() throws IOException {
            if (!buffer(LENGTH_PREFIX)) {
                if (end > next) {
                    throw new EOFException("stream ended inside a Noise length");
                }
                return -1;
            }
            int length = (buf[next] & 0xFF) << 8 | (buf[next + 1] & 0xFF);
            if (length < CipherState.TAG_LENGTH) {
                throw new ProtocolException(DisconnectReason.DECRYPTION_FAILED, "Noise message of " + length + " bytes");
            }
            if (!buffer(LENGTH_PREFIX + length)) {
                throw new EOFException("stream ended inside a Noise message");
            }
            return length;
        }

        /** Decrypts the buffered message at {@code start} into {@code out} and moves past it. */
        private int decrypt(int start, int length, byte[] out, int outOffset) throws ProtocolException {
            try {
                int n = cipher.decrypt(buf, start, length, out, outOffset);
                next = start + length;
                return n;
            } catch (NoiseException e) {
                throw new ProtocolException(DisconnectReason.DECRYPTION_FAILED, e.getMessage());
            }
        }

        /** Reads from the socket until {@code [next, end)} holds {@code n} bytes; false at end of stream. */
        private boolean buffer(int n) throws IOException {
            if (end - next >= n) {
                return true;
            }
            if (buf.length - next < n) {
                // Move what is left to the front, and grow if that is still too small.
                byte[] target = buf.length >= n ? buf : new byte[Math.max(n, Math.max(INITIAL_BUFFER, buf.length * 2))];
                System.arraycopy(buf, next, target, 0, end - next);
                buf = target;
                end -= next;
                next = 0;
                pos = limit = 0;
            }
            while (end - next < n) {
                int read = raw.read(buf, end, buf.length - end);
                if (read < 0) {
                    return false;
                }
                end += read;
            }
            if (end == buf.length && buf.length < MAX_BUFFER) {
                buf = java.util.Arrays.copyOf(buf, Math.min(MAX_BUFFER, buf.length * 2)); // a full read: traffic is heavy
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            while (pos >= limit) {
                if (!fill()) {
                    return -1;
                }
            }
            return buf[pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos >= limit) {
                int length = bufferNextMessage();
                if (length < 0) {
                    return -1;
                }
                if (length > CipherState.TAG_LENGTH && length - CipherState.TAG_LENGTH <= len) {
                    // The caller has room for the whole message (a large payload is being read):
                    // decrypt straight into its array instead of in place and then copying.
                    return decrypt(next + LENGTH_PREFIX, length, b, off);
                }
                decryptInPlace(length);
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return limit - pos;
        }
    }

    /** Gathers plaintext and encrypts one message per flush; written by the writer thread only. */
    private static final class NoiseOutput extends OutputStream {
        private final OutputStream raw;
        private final CipherState cipher;
        /** [2-byte length][plaintext ... then ciphertext and tag, encrypted in place]; grows on demand. */
        private byte[] frame = new byte[0];
        /** Plaintext bytes gathered after the length prefix. */
        private int count;

        NoiseOutput(OutputStream raw, CipherState cipher) {
            this.raw = raw;
            this.cipher = cipher;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (count == CipherState.MAX_PLAINTEXT_LENGTH) {
                    seal();
                }
                if (count == 0 && len >= CipherState.MAX_PLAINTEXT_LENGTH) {
                    // A whole message's worth from the caller's array (a large payload): encrypt
                    // it straight into the frame instead of copying it there first.
                    ensure(LENGTH_PREFIX + CipherState.MAX_MESSAGE_LENGTH);
                    sealFrom(b, off, CipherState.MAX_PLAINTEXT_LENGTH);
                    off += CipherState.MAX_PLAINTEXT_LENGTH;
                    len -= CipherState.MAX_PLAINTEXT_LENGTH;
                    continue;
                }
                int n = Math.min(len, CipherState.MAX_PLAINTEXT_LENGTH - count);
                ensure(LENGTH_PREFIX + count + n + CipherState.TAG_LENGTH);
                System.arraycopy(b, off, frame, LENGTH_PREFIX + count, n);
                count += n;
                off += n;
                len -= n;
            }
        }

        private void ensure(int size) {
            if (frame.length < size) {
                int max = LENGTH_PREFIX + CipherState.MAX_MESSAGE_LENGTH;
                frame = Arrays.copyOf(frame, Math.min(max, Math.max(size, frame.length * 2)));
            }
        }

        /** Encrypts the gathered plaintext into one Noise message and writes it. */
        private void seal() throws IOException {
            if (count == 0) {
                return;
            }
            sealFrom(frame, LENGTH_PREFIX, count);
            count = 0;
        }

        /** Encrypts {@code plaintext[off, off + len)} into the frame as one Noise message and writes it. */
        private void sealFrom(byte[] plaintext, int off, int len) throws IOException {
            int length;
            try {
                length = cipher.encrypt(plaintext, off, len, frame, LENGTH_PREFIX);
            } catch (NoiseException e) {
                throw new IOException("encryption failed: " + e.getMessage(), e);
            }
            frame[0] = (byte) (length >>> 8);
            frame[1] = (byte) length;
            raw.write(frame, 0, LENGTH_PREFIX + length);
        }

        @Override
        public void flush() throws IOException {
            seal();
            raw.flush();
        }
    }
}
