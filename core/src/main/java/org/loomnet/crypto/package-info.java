/**
 * Encryption for connections: the Noise Protocol Framework handshake
 * {@code Noise_XX_25519_ChaChaPoly_BLAKE2b} (revision 34 of the specification) and Ed25519
 * signatures.
 *
 * <p>A transport runs a {@link org.loomnet.crypto.NoiseHandshake} over its socket, then encrypts
 * with the two {@link org.loomnet.crypto.CipherState}s of the resulting
 * {@link org.loomnet.crypto.NoiseSession}. Everything a peer can get wrong ends in a
 * {@link org.loomnet.crypto.NoiseException}.
 *
 * <p>ChaCha20-Poly1305 comes from the JDK (several times faster than BouncyCastle's here);
 * BLAKE2b, and X25519 and Ed25519 (BouncyCastle's RFC 7748 and RFC 8032 code, about ten times
 * faster than the JDK's providers here), come from BouncyCastle. The Noise state objects here follow the specification's
 * names ({@code CipherState}, {@code SymmetricState}, {@code HandshakeState} as
 * {@code NoiseHandshake}) so that a reader can hold the code against the text.
 *
 * <p>None of these objects is thread-safe. Each is owned by one thread, as the connection
 * design asks: the handshake by the thread that runs it, a session's send state by the writer
 * thread and its receive state by the reader thread.
 */
package org.loomnet.crypto;
