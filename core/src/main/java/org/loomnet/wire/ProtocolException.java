package org.loomnet.wire;

import java.io.IOException;

/**
 * A peer broke a rule of the wire protocol. Carries the {@link DisconnectReason} the peer is
 * sent before the connection closes.
 */
public final class ProtocolException extends IOException {

    private final DisconnectReason reason;

    /**
     * @param reason the coded reason sent to the peer
     * @param detail what exactly was wrong, for the log
     */
    public ProtocolException(DisconnectReason reason, String detail) {
        super(reason.text() + ": " + detail);
        this.reason = reason;
    }

    /** @return the coded reason for the disconnect */
    public DisconnectReason reason() {
        return reason;
    }
}
