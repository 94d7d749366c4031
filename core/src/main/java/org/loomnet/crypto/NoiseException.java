package org.loomnet.crypto;

import java.io.IOException;

/**
 * A Noise handshake or transport message could not be processed: a message of the wrong length,
 * a failed authentication, a call out of order, a low-order public key, an exhausted nonce.
 *
 * <p>It extends {@link IOException} because it happens while bytes from a peer are consumed, and
 * a transport's {@code open} and its streams already report failures that way; a caller that
 * wants to tell a misbehaving peer from a broken socket catches this type first.
 */
public final class NoiseException extends IOException {

    /**
     * @param message what was wrong, readable in a log
     */
    public NoiseException(String message) {
        super(message);
    }

    /**
     * @param message what was wrong, readable in a log
     * @param cause   the JDK exception that revealed it
     */
    public NoiseException(String message, Throwable cause) {
        super(message, cause);
    }
}
