package org.loomnet.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * Whether an address some source gave us is this node's own: the shipped peers.json lists
 * 127.0.0.1:7700, which is the node itself when it runs with the defaults, and the DHT returns our
 * own announcement among the peers it finds. Dialing it would only end in a self-connection.
 */
public final class OwnAddress {

    private OwnAddress() {
    }

    /**
     * @param candidate an address to dial
     * @param listen    the node's listen address, with its real port
     * @return true if dialing {@code candidate} would reach the node itself: the same port, and the
     *         listen address itself, or (for a node listening on every address) 127.0.0.1, the
     *         wildcard, or an address of one of this machine's interfaces
     */
    public static boolean matches(InetSocketAddress candidate, InetSocketAddress listen) {
        if (candidate.getPort() != listen.getPort() || candidate.getAddress() == null) {
            return false;
        }
        InetAddress a = candidate.getAddress();
        InetAddress l = listen.getAddress();
        if (!l.isAnyLocalAddress()) {
            return a.equals(l);
        }
        if (a.isAnyLocalAddress() || a.equals(InetAddress.getLoopbackAddress())) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
