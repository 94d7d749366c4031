package org.loomnet.connection;

import java.util.concurrent.atomic.LongAdder;
import org.loomnet.wire.ParcelType;

/**
 * Parcels and bytes sent and received by {@link ParcelType}, summed over many connections: a
 * node's connections all add to one instance, which the node publishes in its counters.
 *
 * <p>Every connection's reader and writer thread adds to it, without a lock: each counter is a
 * {@link LongAdder}, whose cells absorb the contention of many writers. Anyone may read at any
 * time. Each counter is exact and never goes down, but a reading of several counters is not one
 * atomic snapshot (a parcel may already be counted, its bytes not yet).
 *
 * <p>Bytes are counted as {@link Connection} counts them: header plus payload as framed, before
 * any encryption.
 */
public final class ParcelTraffic {

    private static final ParcelType[] TYPES = ParcelType.values();

    private final LongAdder[] parcelsSent = adders();
    private final LongAdder[] bytesSent = adders();
    private final LongAdder[] parcelsReceived = adders();
    private final LongAdder[] bytesReceived = adders();

    /** Creates counters that all start at zero. */
    public ParcelTraffic() {
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[TYPES.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** A writer thread wrote {@code parcels} parcels of one type, {@code bytes} bytes in all. */
    void sent(ParcelType type, long parcels, long bytes) {
        parcelsSent[type.ordinal()].add(parcels);
        bytesSent[type.ordinal()].add(bytes);
    }

    /** A reader thread read one parcel of {@code bytes} bytes. */
    void received(ParcelType type, long bytes) {
        parcelsReceived[type.ordinal()].increment();
        bytesReceived[type.ordinal()].add(bytes);
    }

    /**
     * @param type a parcel type
     * @return parcels of that type written to sockets
     */
    public long parcelsSent(ParcelType type) {
        return parcelsSent[type.ordinal()].sum();
    }

    /**
     * @param type a parcel type
     * @return bytes of parcels of that type written, headers included
     */
    public long bytesSent(ParcelType type) {
        return bytesSent[type.ordinal()].sum();
    }

    /**
     * @param type a parcel type
     * @return parcels of that type read from sockets (and accepted by the frame checks)
     */
    public long parcelsReceived(ParcelType type) {
        return parcelsReceived[type.ordinal()].sum();
    }

    /**
     * @param type a parcel type
     * @return bytes of parcels of that type read, headers included
     */
    public long bytesReceived(ParcelType type) {
        return bytesReceived[type.ordinal()].sum();
    }
}
