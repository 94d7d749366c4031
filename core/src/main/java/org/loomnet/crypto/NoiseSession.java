package org.loomnet.crypto;

/**
 * What a completed handshake leaves one side with: a cipher state to encrypt what it sends, one
 * to decrypt what it receives, the peer's authenticated static key and the handshake hash.
 *
 * <p>The two cipher states share nothing, so the connection's writer thread may own
 * {@link #sender()} while its reader thread owns {@link #receiver()}.
 */
public final class NoiseSession {

    private final CipherState sender;
    private final CipherState receiver;
    private final byte[] handshakeHash;
    private final byte[] remoteStatic;

    NoiseSession(CipherState sender, CipherState receiver, byte[] handshakeHash, byte[] remoteStatic) {
        this.sender = sender;
        this.receiver = receiver;
        this.handshakeHash = handshakeHash;
        this.remoteStatic = remoteStatic;
    }

    /** @return the state that encrypts messages to the peer */
    public CipherState sender() {
        return sender;
    }

    /** @return the state that decrypts messages from the peer */
    public CipherState receiver() {
        return receiver;
    }

    /** @return a copy of the peer's 32-byte X25519 static public key */
    public byte[] remoteStatic() {
        return remoteStatic.clone();
    }

    /** @return a copy of the 64-byte handshake hash, equal on both sides */
    public byte[] handshakeHash() {
        return handshakeHash.clone();
    }
}
