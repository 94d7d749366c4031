package org.loomnet.dht;

import java.io.IOException;

/**
 * Bytes that are not valid bencode, or that break one of the {@link Bencode.Limits}. The message
 * says what was wrong and at which byte offset, for example
 * {@code "at offset 3: string of 99999999999 bytes is longer than the 1024 bytes left"}.
 *
 * <p>Checked, so that a receive loop cannot forget that every packet may be garbage.
 */
public final class BencodeException extends IOException {

    /** The serial form's version. */
    private static final long serialVersionUID = 1L;

    /** Where in the input the problem was found. */
    private final int offset;

    /**
     * @param offset the byte offset in the input where the problem was found
     * @param problem what was wrong
     */
    public BencodeException(int offset, String problem) {
        super("at offset " + offset + ": " + problem);
        this.offset = offset;
    }

    /** @return the byte offset in the input where the problem was found */
    public int offset() {
        return offset;
    }
}
