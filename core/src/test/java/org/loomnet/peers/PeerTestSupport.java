package org.loomnet.peers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.SplittableRandom;

/** Addresses, times and books for the address book tests. */
final class PeerTestSupport {

    /** A fixed placement secret, so bucket choices are the same on every run. */
    static final byte[] SECRET = new byte[32];

    static {
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = (byte) (i * 7 + 1);
        }
    }

    /** An arbitrary start time: 2023-11-14T22:13:20Z. */
    static final long T0 = 1_700_000_000_000L;
    static final long SECOND = 1000;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    private PeerTestSupport() {
    }

    /** @return the IP of a literal (never a lookup) */
    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress addr(String literal, int port) {
        return new InetSocketAddress(ip(literal), port);
    }

    static InetSocketAddress addr(String literal) {
        return addr(literal, 7700);
    }

    static AddressBook book(AddressBookSettings settings) {
        return new AddressBook(settings, SECRET, new SplittableRandom(42));
    }

    static AddressBook book() {
        return book(AddressBookSettings.defaults());
    }

    static long ms(Duration d) {
        return d.toMillis();
    }
}
