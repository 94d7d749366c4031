package org.loomnet.connection;

/**
 * Counters of one connection. Each field has a single writer thread (named in its comment), so
 * plain volatile fields suffice: no lost updates, and readers on other threads see fresh values.
 */
public final class ConnectionMetrics {
    // Written by the writer thread.
    volatile long bytesSent;
    volatile long parcelsSent;
    volatile long messagesSent;
    volatile long lastSentMillis;
    // Written by the reader thread.
    volatile long bytesReceived;
    volatile long parcelsReceived;
    volatile long messagesReceived;
    volatile long lastReceivedMillis;
    volatile long rttNanos = -1;

    ConnectionMetrics(long nowMillis) {
        lastSentMillis = nowMillis;
        lastReceivedMillis = nowMillis;
    }

    /** @return bytes written to the socket, headers included (as on the wire, before encryption) */
    public long bytesSent() {
        return bytesSent;
    }

    /** @return parcels written */
    public long parcelsSent() {
        return parcelsSent;
    }

    /** @return application messages written (a split message counts once) */
    public long messagesSent() {
        return messagesSent;
    }

    /** @return when the last write completed, in clock millis */
    public long lastSentMillis() {
        return lastSentMillis;
    }

    /** @return bytes read from the socket, headers included */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** @return parcels read */
    public long parcelsReceived() {
        return parcelsReceived;
    }

    /** @return whole application messages received */
    public long messagesReceived() {
        return messagesReceived;
    }

    /** @return when the last parcel arrived, in clock millis */
    public long lastReceivedMillis() {
        return lastReceivedMillis;
    }

    /** @return the last PING round trip in nanoseconds, or -1 before the first PONG */
    public long rttNanos() {
        return rttNanos;
    }
}
