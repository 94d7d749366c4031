package org.loomnet.crypto;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One side of a {@code Noise_XX_25519_ChaChaPoly_BLAKE2b} handshake: the Noise
 * {@code HandshakeState} (specification section 5.3) for the XX pattern.
 *
 * <pre>
 *   XX:
 *     -&gt; e                 message 1, initiator to responder
 *     &lt;- e, ee, s, es      message 2, responder to initiator
 *     -&gt; s, se             message 3, initiator to responder
 * </pre>
 *
 * XX because neither side knows the other's static key beforehand: each learns it from the
 * handshake ({@link #remoteStatic()}) and the application decides whether to trust it. Each
 * message carries a payload, encrypted from message 2 on (message 1's is sent in the clear).
 *
 * <p>Life cycle: the sides take turns, the initiator first. Each calls
 * {@link #writeMessage(byte[])} when {@link #isMyTurnToWrite()} and {@link #readMessage(byte[])}
 * otherwise, until {@link #isComplete()}; then {@link #split()} yields the transport
 * {@link NoiseSession}, once.
 *
 * <pre>
 *   IN_PROGRESS --(3rd message written or read)--&gt; COMPLETE --split()--&gt; SPLIT
 *        |
 *        +--(a message fails to read, or to write)--&gt; FAILED --(every later call throws)
 * </pre>
 *
 * Any failure to read a message ends the handshake: a peer that sent one bad message gets no
 * second try, and every later call throws. A call out of turn, or a payload too large to write,
 * is the caller's mistake: it is refused without changing anything.
 *
 * <p>Not thread-safe: the thread that runs the handshake owns it.
 */
public final class NoiseHandshake {

    /** The full Noise protocol name, hashed into the handshake so both sides agree on it. */
    public static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_BLAKE2b";
    /** The largest handshake message. */
    public static final int MAX_MESSAGE_LENGTH = CipherState.MAX_MESSAGE_LENGTH;

    private static final int DH_LENGTH = X25519.KEY_LENGTH;
    private static final int TAG_LENGTH = CipherState.TAG_LENGTH;

    /** The tokens of the XX pattern (section 7). */
    private enum Token { E, S, EE, ES, SE }

    /** XX, one token list per message; even indexes are the initiator's. */
    private static final List<List<Token>> XX = List.of(
            List.of(Token.E),
            List.of(Token.E, Token.EE, Token.S, Token.ES),
            List.of(Token.S, Token.SE));

    private enum Phase { IN_PROGRESS, COMPLETE, SPLIT, FAILED }

    private final boolean initiator;
    private final SymmetricState symmetric;
    /** {@code s}: our static key pair. */
    private final X25519.KeyPair localStatic;
    /** {@code e}: our ephemeral key pair; null until the "e" token, unless injected for test vectors. */
    private X25519.KeyPair localEphemeral;
    /** {@code re} and {@code rs}: the peer's keys, null until their token is read. */
    private byte[] remoteEphemeral;
    private byte[] remoteStatic;
    /** Index into {@link #XX} of the next message to write or read. */
    private int messageIndex;
    private Phase phase = Phase.IN_PROGRESS;

    private NoiseHandshake(boolean initiator, byte[] prologue, X25519.KeyPair localStatic, byte[] ephemeralPrivateKey) {
        Objects.requireNonNull(prologue, "prologue");
        this.initiator = initiator;
        this.localStatic = localStatic;
        this.localEphemeral = ephemeralPrivateKey == null ? null : X25519.KeyPair.fromPrivate(ephemeralPrivateKey);
        this.symmetric = new SymmetricState(PROTOCOL_NAME);
        // Both sides mix the prologue in: if they saw different ones, message 2 fails to decrypt.
        symmetric.mixHash(prologue, 0, prologue.length);
    }

    /**
     * Starts the handshake on the side that dialed.
     *
     * @param prologue         bytes both sides must agree on without sending them (for example a
     *                         network id and protocol version); may be empty
     * @param staticPrivateKey this node's 32-byte X25519 private key
     * @return the initiator, whose turn it is to write
     * @throws IllegalArgumentException if the key is not 32 bytes
     */
    public static NoiseHandshake initiator(byte[] prologue, byte[] staticPrivateKey) {
        return new NoiseHandshake(true, prologue, X25519.KeyPair.fromPrivate(staticPrivateKey), null);
    }

    /**
     * Starts the handshake on the side that accepted.
     *
     * @param prologue         the same bytes the initiator uses
     * @param staticPrivateKey this node's 32-byte X25519 private key
     * @return the responder, waiting to read message 1
     * @throws IllegalArgumentException if the key is not 32 bytes
     */
    public static NoiseHandshake responder(byte[] prologue, byte[] staticPrivateKey) {
        return new NoiseHandshake(false, prologue, X25519.KeyPair.fromPrivate(staticPrivateKey), null);
    }

    /**
     * Starts a handshake with a static key pair whose public half is already known, so that it is
     * not derived again for every connection ({@link Identity} keeps one).
     *
     * @param initiator   true on the side that dialed
     * @param prologue    the bytes both sides must agree on
     * @param localStatic this node's static key pair; read, never changed or handed out
     * @return the handshake
     */
    static NoiseHandshake start(boolean initiator, byte[] prologue, X25519.KeyPair localStatic) {
        return new NoiseHandshake(initiator, prologue, localStatic, null);
    }

    /**
     * A handshake with a fixed ephemeral key, for the test vectors only: reusing an ephemeral
     * key in production would destroy forward secrecy.
     */
    static NoiseHandshake withEphemeral(boolean initiator, byte[] prologue, byte[] staticPrivateKey,
                                        byte[] ephemeralPrivateKey) {
        return new NoiseHandshake(initiator, prologue, X25519.KeyPair.fromPrivate(staticPrivateKey),
                Objects.requireNonNull(ephemeralPrivateKey, "ephemeralPrivateKey"));
    }

    /** @return true on the side that dialed */
    public boolean isInitiator() {
        return initiator;
    }

    /** @return true when the next call must be {@link #writeMessage(byte[])} */
    public boolean isMyTurnToWrite() {
        return phase == Phase.IN_PROGRESS && isInitiatorsMessage(messageIndex) == initiator;
    }

    /** @return true once all three messages have been written or read (also after {@link #split()}) */
    public boolean isComplete() {
        return phase == Phase.COMPLETE || phase == Phase.SPLIT;
    }

    /**
     * Writes this side's next handshake message ({@code WriteMessage}).
     *
     * @param payload application data for the peer: sent in the clear in message 1, encrypted
     *                in messages 2 and 3. Message 2 goes to an initiator not yet authenticated,
     *                so its payload should hold nothing one would not tell a stranger.
     * @return the message to send, at most {@value #MAX_MESSAGE_LENGTH} bytes
     * @throws NoiseException if it is not this side's turn or the payload does not fit in one
     *                        message (nothing changes then), the handshake failed or is over, or
     *                        the peer's ephemeral key is a low-order point
     */
    public byte[] writeMessage(byte[] payload) throws NoiseException {
        Objects.requireNonNull(payload, "payload");
        checkTurn(true);
        List<Token> tokens = XX.get(messageIndex);
        int length = overhead(tokens) + payload.length;
        if (length > MAX_MESSAGE_LENGTH) {
            throw new NoiseException("a payload of " + payload.length + " bytes makes " + describe(messageIndex)
                    + " " + length + " bytes, over the Noise maximum of " + MAX_MESSAGE_LENGTH);
        }
        byte[] out = new byte[length];
        int position = 0;
        try {
            for (Token token : tokens) {
                switch (token) {
                    case E -> {
                        if (localEphemeral == null) {
                            localEphemeral = X25519.KeyPair.generate();
                        }
                        System.arraycopy(localEphemeral.publicKey(), 0, out, position, DH_LENGTH);
                        symmetric.mixHash(out, position, DH_LENGTH);
                        position += DH_LENGTH;
                    }
                    case S -> position += symmetric.encryptAndHash(
                            localStatic.publicKey(), 0, DH_LENGTH, out, position);
                    case EE, ES, SE -> mixDh(token);
                }
            }
            position += symmetric.encryptAndHash(payload, 0, payload.length, out, position);
        } catch (NoiseException e) {
            phase = Phase.FAILED;
            throw new NoiseException("writing " + describe(messageIndex) + " failed: " + e.getMessage(), e);
        }
        assert position == length : "overhead() disagrees with the tokens";
        advance();
        return out;
    }

    /**
     * Reads the peer's next handshake message ({@code ReadMessage}).
     *
     * @param message the bytes received, at most {@value #MAX_MESSAGE_LENGTH}
     * @return the peer's payload
     * @throws NoiseException if it is not the peer's turn (nothing changes then), the handshake
     *                        failed or is over, or the message has the wrong length, fails
     *                        authentication (tampering, or a different prologue on the other
     *                        side) or carries a low-order key: the handshake has then failed for
     *                        good
     */
    public byte[] readMessage(byte[] message) throws NoiseException {
        Objects.requireNonNull(message, "message");
        checkTurn(false);
        List<Token> tokens = XX.get(messageIndex);
        int minimum = overhead(tokens);
        // Checked before anything is allocated or decrypted: the length is the peer's choice.
        if (message.length < minimum || message.length > MAX_MESSAGE_LENGTH) {
            phase = Phase.FAILED;
            throw new NoiseException("reading " + describe(messageIndex) + " failed: it is " + message.length
                    + " bytes; it must be " + minimum + " to " + MAX_MESSAGE_LENGTH);
        }
        int position = 0;
        try {
            for (Token token : tokens) {
                switch (token) {
                    case E -> {
                        remoteEphemeral = Arrays.copyOfRange(message, position, position + DH_LENGTH);
                        symmetric.mixHash(message, position, DH_LENGTH);
                        position += DH_LENGTH;
                    }
                    case S -> {
                        int sealed = DH_LENGTH + (symmetric.hasKey() ? TAG_LENGTH : 0);
                        byte[] key = new byte[DH_LENGTH];
                        symmetric.decryptAndHash(message, position, sealed, key, 0);
                        remoteStatic = key;
                        position += sealed;
                    }
                    case EE, ES, SE -> mixDh(token);
                }
            }
            int sealed = message.length - position;
            byte[] payload = new byte[sealed - (symmetric.hasKey() ? TAG_LENGTH : 0)];
            symmetric.decryptAndHash(message, position, sealed, payload, 0);
            advance();
            return payload;
        } catch (NoiseException e) {
            phase = Phase.FAILED;
            throw new NoiseException("reading " + describe(messageIndex) + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The peer's static public key: its identity, authenticated by the handshake once complete.
     *
     * @return a copy of the 32 bytes
     * @throws NoiseException if the message carrying it has not been read yet, or the handshake
     *                        failed (a key from a message that failed is not to be trusted)
     */
    public byte[] remoteStatic() throws NoiseException {
        if (phase == Phase.FAILED) {
            throw new NoiseException("the handshake failed; the peer's static key is not to be trusted");
        }
        if (remoteStatic == null) {
            throw new NoiseException("the peer's static key is not known before its handshake message carrying it");
        }
        return remoteStatic.clone();
    }

    /**
     * The handshake hash {@code h}: the same on both sides if and only if they saw the same
     * messages and prologue. Usable for channel binding, for example signed with a long-term
     * key.
     *
     * @return a copy of the 64 bytes
     * @throws NoiseException if the handshake is not complete
     */
    public byte[] handshakeHash() throws NoiseException {
        if (!isComplete()) {
            throw new NoiseException("the handshake hash is final only after the handshake (phase " + phase + ")");
        }
        return symmetric.handshakeHash();
    }

    /**
     * Ends the handshake ({@code Split}): derives the transport keys and forgets the chaining key
     * and the ephemeral private key.
     *
     * @return this side's sending and receiving states
     * @throws NoiseException if the handshake is not complete, or was already split
     */
    public NoiseSession split() throws NoiseException {
        if (phase != Phase.COMPLETE) {
            throw new NoiseException(phase == Phase.SPLIT
                    ? "the handshake was already split; there is one session per handshake"
                    : "cannot split before the handshake is complete (phase " + phase + ", next is "
                            + describe(messageIndex) + ")");
        }
        SymmetricState.Split pair = symmetric.split();
        // The initiator sends with the first key, the responder with the second (section 5.3).
        NoiseSession session = initiator
                ? new NoiseSession(pair.first(), pair.second(), symmetric.handshakeHash(), remoteStatic.clone())
                : new NoiseSession(pair.second(), pair.first(), symmetric.handshakeHash(), remoteStatic.clone());
        symmetric.destroy();
        Arrays.fill(localEphemeral.privateKey(), (byte) 0);
        phase = Phase.SPLIT;
        return session;
    }

    /** {@code ee}, {@code es}, {@code se}: which key of ours meets which key of the peer's depends on the role. */
    private void mixDh(Token token) throws NoiseException {
        byte[] shared = switch (token) {
            case EE -> X25519.dh(localEphemeral.privateKey(), remoteEphemeral);
            case ES -> initiator
                    ? X25519.dh(localEphemeral.privateKey(), remoteStatic)
                    : X25519.dh(localStatic.privateKey(), remoteEphemeral);
            case SE -> initiator
                    ? X25519.dh(localStatic.privateKey(), remoteEphemeral)
                    : X25519.dh(localEphemeral.privateKey(), remoteStatic);
            case E, S -> throw new IllegalArgumentException("not a DH token: " + token);
        };
        symmetric.mixKey(shared);
        Arrays.fill(shared, (byte) 0);
    }

    /**
     * Bytes a message needs besides its payload: keys, and tags wherever a key is in force. It
     * replays which tokens bring in a key, since the cipher state only knows the present.
     */
    private int overhead(List<Token> tokens) {
        boolean keyed = symmetric.hasKey();
        int bytes = 0;
        for (Token token : tokens) {
            switch (token) {
                case E -> bytes += DH_LENGTH;
                case S -> bytes += DH_LENGTH + (keyed ? TAG_LENGTH : 0);
                case EE, ES, SE -> keyed = true;
            }
        }
        return bytes + (keyed ? TAG_LENGTH : 0);
    }

    private void checkTurn(boolean writing) throws NoiseException {
        switch (phase) {
            case FAILED -> throw new NoiseException("the handshake already failed; start a new one");
            case COMPLETE, SPLIT -> throw new NoiseException("the handshake is complete; "
                    + (writing ? "encrypt" : "decrypt") + " with the session's cipher states");
            case IN_PROGRESS -> {
                if (isMyTurnToWrite() != writing) {
                    // A caller's bug, not the peer's: refused, and the state is left as it was.
                    throw new NoiseException("out of order: " + (writing ? "writeMessage" : "readMessage")
                            + " called, but " + describe(messageIndex) + " is for the "
                            + (initiator ? "initiator" : "responder") + " to " + (writing ? "read" : "write"));
                }
            }
        }
    }

    private void advance() {
        messageIndex++;
        if (messageIndex == XX.size()) {
            phase = Phase.COMPLETE;
        }
    }

    private static boolean isInitiatorsMessage(int index) {
        return index % 2 == 0;
    }

    /** "message 2 of 3 (responder to initiator)": numbered from 1 as in the pattern's comment. */
    private static String describe(int index) {
        return "message " + (index + 1) + " of " + XX.size()
                + (isInitiatorsMessage(index) ? " (initiator to responder)" : " (responder to initiator)");
    }

    @Override
    public String toString() {
        return "NoiseHandshake[" + (initiator ? "initiator" : "responder") + ", " + phase
                + (phase == Phase.IN_PROGRESS ? ", next " + describe(messageIndex) : "") + "]";
    }
}
