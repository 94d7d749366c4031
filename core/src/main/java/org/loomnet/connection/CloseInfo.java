package org.loomnet.connection;

import org.loomnet.wire.DisconnectReason;

/**
 * Why a connection ended.
 *
 * @param reason   the coded reason
 * @param detail   more text for the log (may be empty)
 * @param byRemote true if the peer sent the DISCONNECT, false if we decided or the socket broke
 */
public record CloseInfo(DisconnectReason reason, String detail, boolean byRemote) {

    @Override
    public String toString() {
        return (byRemote ? "remote: " : "") + reason.text() + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
