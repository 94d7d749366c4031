package org.loomnet.connection;

import org.loomnet.wire.Parcel;
import org.loomnet.wire.ParcelType;

/**
 * Counters of one connection. Each field has a single writer thread (named in its comment), so
 * plain volatile fields suffice: no lost updates, and readers on other threads see fresh values.
 *
 * <p>The same updates also feed the node-wide {@link ParcelTraffic} by parcel type, so that the
 * per-connection totals and the node's per-type totals are counted at one place.
 */
public final class ConnectionMetrics {
    private static final ParcelType[] TYPES = ParcelType.values();

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

    /** Shared by the node's connections; a LongAdder per type, so no lock. */
    private final ParcelTraffic nodeTraffic;
    // Writer thread only: the batch being written, by parcel type ordinal, until it is flushed.
    private final long[] batchParcels = new long[TYPES.length];
    private final long[] batchBytes = new long[TYPES.length];
    private int batchMessages;

    ConnectionMetrics(long nowMillis, ParcelTraffic nodeTraffic) {
        lastSentMillis = nowMillis;
        lastReceivedMillis = nowMillis;
        this.nodeTraffic = nodeTraffic;
    }

    /** Writer thread: one parcel of the current batch was written (not yet flushed). */
    void written(Parcel p, int wireBytes) {
        batchParcels[p.type().ordinal()]++;
        batchBytes[p.type().ordinal()] += wireBytes;
        if (p.type() == ParcelType.MESSAGE || p.type() == ParcelType.MESSAGE_PART && p.partNumber() == 0) {
            batchMessages++; // a split message counts once
        }
    }

    /**
     * Writer thread: the batch was flushed. Adds it to this connection's counters and, once per
     * type rather than once per parcel, to the node's.
     */
    void flushed(long nowMillis) {
        long parcels = 0;
        long bytes = 0;
        for (int i = 0; i < batchParcels.length; i++) {
            if (batchParcels[i] != 0) {
                nodeTraffic.sent(TYPES[i], batchParcels[i], batchBytes[i]);
                parcels += batchParcels[i];
                bytes += batchBytes[i];
                batchParcels[i] = 0;
                batchBytes[i] = 0;
            }
        }
        bytesSent += bytes;
        parcelsSent += parcels;
        messagesSent += batchMessages;
        batchMessages = 0;
        lastSentMillis = nowMillis;
    }

    /** Reader thread: one whole parcel was read and passed the frame checks. */
    void read(ParcelType type, int wireBytes, long nowMillis) {
        nodeTraffic.received(type, wireBytes);
        bytesReceived += wireBytes;
        parcelsReceived++;
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
