package org.loomnet.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many client connections to one server, opened from this JVM, each from one of many loopback
 * source addresses ({@code 127.44.x.y}, {@value #PER_SOURCE} connections per address), with a
 * bounded number of openings in flight. Each connection is opened on a virtual thread of its own,
 * which then serves it (reads and answers) for as long as it is held.
 *
 * <p>Many source addresses, because one address has at most about 28,000 ephemeral ports (32768–60999
 * here) and because a node limits connections per address; the per-address limits are raised by
 * flags for the benchmark, but the spread is what a busy node would see.
 */
final class ClientFleet implements AutoCloseable {

    /** Connections opened from one source address. */
    static final int PER_SOURCE = 100;

    /** Opens one connection from a given source address. */
    @FunctionalInterface
    interface Dialer {
        /**
         * Connects and completes the opening: returns once the server has shown it accepted and
         * serves the connection (its HELLO, its greeting). Runs on the connection's own virtual thread.
         *
         * @param index  the connection's number in this round, 0 to count - 1
         * @param source the local address to bind to
         * @return the open connection
         * @throws IOException if it could not be opened
         */
        Held open(int index, InetAddress source) throws IOException;
    }

    /** One open connection of the fleet. */
    interface Held extends AutoCloseable {
        /**
         * Serves the connection on its virtual thread until it ends or is closed (answers keep-alives);
         * returns at once if nothing needs serving.
         */
        default void serve() {
        }

        /**
         * Sends a probe the server answers (a PING, a byte to echo).
         *
         * @throws IOException if the connection is broken
         */
        void probe() throws IOException;

        /**
         * @param deadlineNanos a {@link System#nanoTime()} to give up at
         * @return whether the answer to the last probe arrived in time
         */
        boolean probeAnswered(long deadlineNanos) throws IOException, InterruptedException;

        /** Closes the socket; a serving thread ends quietly. */
        @Override
        void close();
    }

    /**
     * What one round of openings did.
     *
     * @param opened  connections opened
     * @param failed  connections that could not be opened
     * @param seconds from the first connect to the last opening done
     * @param errors  the failures by message, counted
     */
    record Opening(int opened, int failed, double seconds, Map<String, Integer> errors) {

        /** @return openings per second */
        double rate() {
            return opened / seconds;
        }
    }

    private final Queue<Held> held = new ConcurrentLinkedQueue<>();
    /** Set by {@link #close()}: an opening that completes later closes its connection itself. */
    private volatile boolean closed;

    /**
     * @param count connections in all
     * @return the source addresses they are spread over, {@value #PER_SOURCE} per address
     */
    static int sources(int count) {
        return Math.max(1, (count + PER_SOURCE - 1) / PER_SOURCE);
    }

    /**
     * @param i the connection's index
     * @param count connections in all
     * @return the source address of connection i: addresses taken in turn, so that each gets its
     *         connections spread over the whole opening
     */
    static InetAddress source(int i, int count) {
        int k = i % sources(count);
        byte[] a = {127, 44, (byte) (k / 250), (byte) (k % 250 + 1)};
        try {
            return InetAddress.getByAddress(a);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    /**
     * A socket bound to the source address and connected to the server.
     *
     * @param source  the local address
     * @param server  the server
     * @param timeout the connect timeout, and the read timeout until the caller changes it
     * @return the connected socket
     * @throws IOException if it cannot connect
     */
    static Socket connect(InetAddress source, InetSocketAddress server, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            // Sockets of an earlier round may linger in TIME_WAIT on the same address and port.
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(source, 0));
            s.connect(server, (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Opens {@code count} connections, at most {@code inFlight} openings at once, and waits until
     * every opening has succeeded or failed.
     *
     * @param count    connections to open
     * @param inFlight openings in flight at most
     * @param dialer   opens one
     * @param timeout  how long all the openings may take
     * @return what happened
     * @throws IllegalStateException if the openings did not finish within the timeout
     */
    Opening open(int count, int inFlight, Dialer dialer, Duration timeout) throws InterruptedException {
        Semaphore slots = new Semaphore(inFlight);
        AtomicInteger opened = new AtomicInteger();
        Map<String, Integer> errors = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (!slots.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("openings stalled: " + opened + " of " + count + " open after "
                        + timeout + "; errors " + errors);
            }
            int index = i;
            InetAddress source = source(i, count);
            Thread.ofVirtual().name("client-" + i).start(() -> {
                Held h;
                try {
                    h = dialer.open(index, source);
                    held.add(h);
                    opened.incrementAndGet();
                    if (closed) {
                        h.close(); // the fleet was closed while this one was opening (a stalled round)
                        return;
                    }
                } catch (IOException | RuntimeException e) {
                    errors.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                    return;
                } finally {
                    slots.release();
                }
                h.serve();
            });
        }
        if (!slots.tryAcquire(inFlight, deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("openings stalled: " + opened + " of " + count + " open after "
                    + timeout + "; errors " + errors);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int failed = errors.values().stream().mapToInt(Integer::intValue).sum();
        return new Opening(opened.get(), failed, seconds, new TreeMap<>(errors));
    }

    /**
     * Probes every held connection and waits for the answers.
     *
     * @param timeout how long to wait for all of them
     * @return how many answered in time
     */
    int probeAll(Duration timeout) throws InterruptedException {
        List<Held> all = snapshot();
        List<Held> probed = new ArrayList<>(all.size());
        for (Held h : all) {
            try {
                h.probe();
                probed.add(h);
            } catch (IOException e) {
                // broken: it does not answer
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int answered = 0;
        for (Held h : probed) {
            try {
                if (h.probeAnswered(deadline)) {
                    answered++;
                }
            } catch (IOException e) {
                // broken: it did not answer
            }
        }
        return answered;
    }

    /** @return the connections held now */
    List<Held> snapshot() {
        return List.copyOf(held);
    }

    /** Closes every connection. */
    @Override
    public void close() {
        closed = true;
        for (Held h : snapshot()) {
            h.close();
        }
        held.clear();
    }
}
