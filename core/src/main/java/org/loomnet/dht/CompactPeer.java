package org.loomnet.dht;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * BEP 5's "compact IP-address/port info": 4 bytes of IPv4 address and 2 bytes of port, both in
 * network byte order. The {@code values} of a {@code get_peers} response are a list of these.
 */
final class CompactPeer {

    /** The length of one compact peer info. */
    static final int LENGTH = 6;

    private CompactPeer() {
    }

    /** @return the 6 bytes of an IPv4 address and port */
    static byte[] encode(InetSocketAddress address) {
        byte[] out = new byte[LENGTH];
        write(address, out, 0);
        return out;
    }

    /**
     * @param data exactly 6 bytes
     * @return the address, or null if {@code data} is not 6 bytes (an IPv6 peer: ignored)
     */
    static InetSocketAddress decode(byte[] data) {
        return data.length == LENGTH ? read(data, 0) : null;
    }

    static void write(InetSocketAddress address, byte[] out, int at) {
        if (!(address.getAddress() instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("IPv4 only: " + address);
        }
        System.arraycopy(v4.getAddress(), 0, out, at, 4);
        out[at + 4] = (byte) (address.getPort() >>> 8);
        out[at + 5] = (byte) address.getPort();
    }

    static InetSocketAddress read(byte[] data, int at) {
        byte[] ip = new byte[4];
        System.arraycopy(data, at, ip, 0, 4);
        int port = ((data[at + 4] & 0xff) << 8) | (data[at + 5] & 0xff);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port); // no name lookup for raw bytes
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an address", e);
        }
    }
}
