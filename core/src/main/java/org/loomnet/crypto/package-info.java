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
 * <p>Primitives come from the JDK where it has them (X25519, ChaCha20-Poly1305, Ed25519) and
 * from BouncyCastle only for BLAKE2b. The Noise state objects here follow the specification's
 * names ({@code CipherState}, {@code SymmetricState}, {@code HandshakeState} as
 * {@code NoiseHandshake}) so that a reader can hold the code against the text.
 *
 * <p>None of these objects is thread-safe. Each is owned by one thread, as the connection
 * design asks: the handshake by the thread that runs it, a session's send state by the writer
 * thread and its receive state by the reader thread.
 */
package org.loomnet.crypto;
