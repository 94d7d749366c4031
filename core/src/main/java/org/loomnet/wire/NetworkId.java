package org.loomnet.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The 32-bit network id in every parcel header, derived from the network's name.
 *
 * <p>Nodes of different networks ("loomnet", "testnet", a private name) must never exchange
 * messages. The id is the first four bytes, big-endian, of SHA-256("loomnet-network:" + name),
 * so any name gives a well-spread id and nobody has to coordinate magic numbers.
 */
public final class NetworkId {

    private NetworkId() {
    }

    /**
     * @param networkName the network's name, e.g. {@code "loomnet"}
     * @return the id that goes into every parcel header
     */
    public static int of(String networkName) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(("loomnet-network:" + networkName).getBytes(StandardCharsets.UTF_8));
            return (h[0] & 0xFF) << 24 | (h[1] & 0xFF) << 16 | (h[2] & 0xFF) << 8 | (h[3] & 0xFF);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
