package org.loomnet.dht;

import java.io.IOException;

/**
 * A KRPC error: a packet that is not a valid KRPC message, or an error a remote node sent back.
 *
 * <p>When we found the problem in a packet, {@link #errorCode()} is the code our reply carries
 * ({@link KrpcMessage.ErrorMessage#PROTOCOL_ERROR 203} for a malformed message,
 * {@link KrpcMessage.ErrorMessage#METHOD_UNKNOWN 204} for an unknown query method), and
 * {@link #answerable()} says whether a reply may be sent at all: only when the transaction id
 * could be read and the packet was not itself a response or an error (answering those could
 * start an endless exchange of errors between two nodes).
 */
public final class KrpcException extends IOException {

    /** The serial form's version. */
    private static final long serialVersionUID = 1L;

    /** The KRPC error code. */
    private final int errorCode;
    /** The offending packet's transaction id, or null. */
    private final byte[] transactionId;
    /** Whether an error reply may be sent. */
    private final boolean answerable;

    /**
     * @param message       what was wrong
     * @param errorCode     the KRPC error code (201..204)
     * @param transactionId the packet's transaction id, or null if it could not be read
     * @param answerable    whether an error reply may be sent
     */
    public KrpcException(String message, int errorCode, byte[] transactionId, boolean answerable) {
        super(message);
        this.errorCode = errorCode;
        this.transactionId = transactionId == null ? null : transactionId.clone();
        this.answerable = answerable && transactionId != null;
    }

    /** @return the KRPC error code: 201 generic, 202 server, 203 protocol, 204 method unknown */
    public int errorCode() {
        return errorCode;
    }

    /** @return a copy of the transaction id of the offending packet, or null if it could not be read */
    public byte[] transactionId() {
        return transactionId == null ? null : transactionId.clone();
    }

    /** @return true if the sender should get an error reply with {@link #errorCode()} */
    public boolean answerable() {
        return answerable;
    }

    /** @return the error reply for the sender, if {@link #answerable()} */
    public KrpcMessage.ErrorMessage reply() {
        if (!answerable) {
            throw new IllegalStateException("not answerable: " + getMessage());
        }
        return new KrpcMessage.ErrorMessage(transactionId, errorCode, getMessage());
    }
}
