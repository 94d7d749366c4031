package org.loomnet.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.loomnet.connection.Connection;

/**
 * A TCP proxy on loopback that injects network faults: what a slow link, a broken middlebox, a
 * partition or a crashed host look like to the two nodes on either side, on demand.
 *
 * <pre>
 *   node A ──dials──► FaultProxy (listens on 127.x.y.z) ──connects──► target (node B)
 *
 *   every accepted connection is one link, two sockets and two pumps:
 *     client socket ──[pump proxy-…-linkN-to-target]──► target socket
 *     client socket ◄──[pump proxy-…-linkN-to-client]── target socket
 * </pre>
 *
 * <p>A pump is a virtual thread running a plain blocking loop: read a chunk from one socket, apply
 * the {@link Fault} currently set for its {@link Flow}, write the chunk to the other socket. The
 * fault of each flow can be switched at any time ({@link #set}); it applies to the links open now
 * and to links accepted later.
 *
 * <table>
 *   <caption>Faults: set per flow, they last until changed or healed</caption>
 *   <tr><th>Fault</th><th>The pump</th><th>What the nodes see</th></tr>
 *   <tr><td>{@link Fault.Pass}</td><td>forwards each chunk at once</td><td>a healthy link</td></tr>
 *   <tr><td>{@link Fault.Delay}</td><td>waits, then forwards, for each chunk</td><td>latency (and, since
 *       it waits per chunk, a cap on throughput); nothing is lost</td></tr>
 *   <tr><td>{@link Fault.BlackHole}</td><td>reads and discards; swallows the end of stream and resets too</td>
 *       <td>writes succeed, nothing arrives, the connection looks open. TCP itself never loses bytes,
 *       so this is a middlebox eating them: a connection that lives through a black hole has a gap
 *       in its stream. A link accepted while the flow to the target is black-holed is never
 *       connected to the target: the other side does not even see the connection attempt.</td></tr>
 *   <tr><td>{@link Fault.Stall}</td><td>stops reading</td><td>the bytes wait in the socket buffers;
 *       once those are full the sender's writes block. Nothing is lost: healed in time, the stream
 *       goes on where it stopped, as it would after a short partition that TCP rides out.</td></tr>
 * </table>
 *
 * <p>One-shot actions on the links open now: {@link #truncate} (forward so many more bytes, then
 * close the link), {@link #reset} (close every link with a TCP RST), {@link #flipNextByte} (corrupt
 * one byte). {@link #refuse} stops listening, so new connections are refused as by a host that is
 * down. {@link #heal} undoes it all: both flows pass, the proxy listens again on the same port.
 * A {@link Partition} switches several proxies together.
 *
 * <p>The proxy connects to the target from its own listen address, so the target sees each proxy
 * as a distinct peer address (a node's limits per IP address would otherwise lump all proxies
 * together as 127.0.0.1).
 *
 * <p>Thread safety: the faults, the set of links and the listening socket are guarded by
 * {@link #lock}; {@link #changed} wakes stalled pumps when a fault changes or their link closes.
 */
final class FaultProxy implements AutoCloseable {

    /** Which way bytes go through a link. */
    enum Flow {
        /** From the node that connected to the proxy, to the target. */
        TO_TARGET,
        /** From the target back to the node that connected. */
        TO_CLIENT
    }

    /** What a pump does with the bytes of its flow. */
    sealed interface Fault {
        /** Forward every chunk at once. */
        record Pass() implements Fault {
        }

        /**
         * Wait, then forward: latency for every chunk.
         *
         * @param perChunk how long each chunk waits
         */
        record Delay(Duration perChunk) implements Fault {
        }

        /** Read and discard everything, the end of the stream included. */
        record BlackHole() implements Fault {
        }

        /** Stop reading. */
        record Stall() implements Fault {
        }

        Fault PASS = new Pass();
        Fault BLACK_HOLE = new BlackHole();
        Fault STALL = new Stall();

        static Fault delay(Duration perChunk) {
            return new Delay(perChunk);
        }
    }

    /**
     * The proxies that carry every link between two groups of nodes, switched together. Cut, each
     * black-holes both flows: the connections between the groups go silent (each side can notice
     * only by its own timers), and new connections across are accepted by the proxy but never
     * reach the other side. A real partition that heals within the idle timeout would be ridden out
     * by TCP's retransmissions ({@link Fault.Stall} models that); this one is meant to last.
     */
    static final class Partition {
        private final List<FaultProxy> proxies;

        Partition(List<FaultProxy> proxies) {
            this.proxies = List.copyOf(proxies);
        }

        void cut() {
            for (FaultProxy p : proxies) {
                p.set(Flow.TO_TARGET, Fault.BLACK_HOLE);
                p.set(Flow.TO_CLIENT, Fault.BLACK_HOLE);
            }
        }

        void heal() throws IOException {
            for (FaultProxy p : proxies) {
                p.heal();
            }
        }
    }

    private static final int CHUNK = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;

    private final InetSocketAddress target;
    /** The listen address with its port, fixed once bound, so {@link #heal} listens where it did. */
    private final InetSocketAddress address;
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a fault changes or a link closes. */
    private final Condition changed = lock.newCondition();
    private final Map<Flow, Fault> faults = new EnumMap<>(Flow.class);
    private final Set<Link> links = new HashSet<>();
    /** Null while refusing. */
    private ServerSocket server;
    /** The thread accepting on {@link #server}. */
    private Thread acceptor;
    private boolean closed;
    private int linkIds;
    private final Map<Flow, AtomicBoolean> flipArmed = new EnumMap<>(Flow.class);
    private final AtomicLong swallowed = new AtomicLong();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger flips = new AtomicInteger();

    /**
     * Starts listening on {@code host} (a 127.x.y.z address, port 0) and forwarding to {@code target}.
     *
     * @param host   the loopback address to listen on
     * @param target where links go
     * @throws IOException if it cannot listen
     */
    FaultProxy(String host, InetSocketAddress target) throws IOException {
        this.target = target;
        for (Flow f : Flow.values()) {
            faults.put(f, Fault.PASS);
            flipArmed.put(f, new AtomicBoolean());
        }
        server = listen(new InetSocketAddress(host, 0));
        address = (InetSocketAddress) server.getLocalSocketAddress();
        name = "proxy-" + Connection.hostPort(address);
        acceptor = acceptorFor(server);
        acceptor.start();
    }

    /** @return where nodes should dial to go through this proxy */
    InetSocketAddress address() {
        return address;
    }

    /** Sets the fault of one flow, for the links open now and those accepted later. */
    void set(Flow flow, Fault fault) {
        lock.lock();
        try {
            faults.put(flow, fault);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Sets the same fault on both flows. */
    void setBoth(Fault fault) {
        set(Flow.TO_TARGET, fault);
        set(Flow.TO_CLIENT, fault);
    }

    /**
     * On every link open now, forwards {@code bytes} more bytes of the flow and then closes the link
     * (both sockets; each node reads the end of its stream). Links accepted later are not affected.
     */
    void truncate(Flow flow, long bytes) {
        for (Link l : openLinks()) {
            l.budget[flow.ordinal()].set(bytes);
        }
    }

    /** Closes every open link with SO_LINGER 0: both nodes get a TCP RST. Later links are not affected. */
    void reset() {
        for (Link l : openLinks()) {
            l.abort();
        }
    }

    /** Flips one bit in the middle of the next chunk of at least 8 bytes in the flow. */
    void flipNextByte(Flow flow) {
        flipArmed.get(flow).set(true);
    }

    /**
     * Stops listening: a node that dials the proxy gets "connection refused", as from a host whose
     * node is down. Links open now are not affected ({@link #reset} them for a crash).
     */
    void refuse() throws IOException {
        ServerSocket s;
        Thread a;
        lock.lock();
        try {
            s = server;
            a = acceptor;
            server = null;
        } finally {
            lock.unlock();
        }
        if (s != null) {
            s.close();
            // The JDK may close the listening socket only once the thread blocked in accept() has
            // woken up: until then, connections would still be accepted by the kernel.
            try {
                a.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while closing the listening socket");
            }
        }
    }

    /**
     * Ends every fault: both flows pass, truncations are called off, the proxy listens again on the
     * same port if it was refusing, and links accepted into a black hole (never connected to the
     * target) are reset, since what their client sent is gone.
     */
    void heal() throws IOException {
        List<Link> unconnected = new ArrayList<>();
        Thread newAcceptor = null;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            faults.replaceAll((f, old) -> Fault.PASS);
            for (Link l : links) {
                for (AtomicLong b : l.budget) {
                    b.set(-1);
                }
                if (l.target == null) {
                    unconnected.add(l);
                }
            }
            if (server == null) {
                server = listen(address);
                acceptor = newAcceptor = acceptorFor(server);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Link l : unconnected) {
            l.abort();
        }
        if (newAcceptor != null) {
            newAcceptor.start();
        }
    }

    /** @return bytes discarded by black holes so far */
    long swallowedBytes() {
        return swallowed.get();
    }

    /** @return connections accepted so far */
    int acceptedLinks() {
        return accepted.get();
    }

    /** @return bytes flipped so far */
    int flips() {
        return flips.get();
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        refuse();
        for (Link l : openLinks()) {
            l.abort();
        }
    }

    // ---- accepting ----------------------------------------------------------------------------

    private static ServerSocket listen(InetSocketAddress at) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true); // listen on the same port again after refuse()
        s.bind(at);
        return s;
    }

    /** @return the thread that will accept on {@code s}, to be started once it is recorded */
    private Thread acceptorFor(ServerSocket s) {
        return Thread.ofVirtual().name(name + "-accept").unstarted(() -> acceptLoop(s));
    }

    private void acceptLoop(ServerSocket s) {
        while (true) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return; // closed by refuse() or close()
            }
            accepted.incrementAndGet();
            try {
                open(client);
            } catch (IOException e) {
                abortQuietly(client); // the target is down: the client sees a reset
            }
        }
    }

    private void open(Socket client) throws IOException {
        Socket upstream = null;
        if (!(fault(Flow.TO_TARGET) instanceof Fault.BlackHole)) {
            upstream = new Socket();
            try {
                upstream.bind(new InetSocketAddress(address.getAddress(), 0));
                upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                abortQuietly(upstream);
                throw e;
            }
        }
        Link link;
        lock.lock();
        try {
            if (closed) {
                abortQuietly(client);
                if (upstream != null) {
                    abortQuietly(upstream);
                }
                return;
            }
            link = new Link(++linkIds, client, upstream);
            links.add(link);
        } finally {
            lock.unlock();
        }
        link.start();
    }

    private List<Link> openLinks() {
        lock.lock();
        try {
            return new ArrayList<>(links);
        } finally {
            lock.unlock();
        }
    }

    private Fault fault(Flow flow) {
        lock.lock();
        try {
            return faults.get(flow);
        } finally {
            lock.unlock();
        }
    }

    private static void abortQuietly(Socket s) {
        try {
            s.setSoLinger(true, 0); // close sends RST instead of FIN
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    // ---- one link -----------------------------------------------------------------------------

    /** One proxied connection: the client's socket, the target's (null if black-holed at accept), two pumps. */
    private final class Link {
        final Socket client;
        final Socket target;
        final String linkName;
        /** Per flow: bytes left before the link is closed, -1 for no limit. */
        final AtomicLong[] budget = {new AtomicLong(-1), new AtomicLong(-1)};
        /** Set when the link is closed; read by stalled pumps under {@link #lock}. */
        volatile boolean ended;
        private final AtomicInteger pumpsRunning = new AtomicInteger();

        Link(int id, Socket client, Socket target) {
            this.client = client;
            this.target = target;
            this.linkName = name + "-link" + id;
        }

        void start() {
            pumpsRunning.set(target == null ? 1 : 2);
            Thread.ofVirtual().name(linkName + "-to-target").start(() -> pump(Flow.TO_TARGET, client, target));
            if (target != null) {
                Thread.ofVirtual().name(linkName + "-to-client").start(() -> pump(Flow.TO_CLIENT, target, client));
            }
        }

        /**
         * Copies one flow until its end, applying the flow's fault to every chunk.
         *
         * @param to null for a link black-holed at accept: everything is discarded
         */
        private void pump(Flow flow, Socket from, Socket to) {
            byte[] buf = new byte[CHUNK];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to == null ? null : to.getOutputStream();
                while (awaitFlowing(flow)) {
                    int n = in.read(buf);
                    // A stall set while this read was waiting holds what it read (the end of the
                    // stream too) until the flow moves again: nothing passes a stall.
                    if (!awaitFlowing(flow)) {
                        return;
                    }
                    Fault f = to == null ? Fault.BLACK_HOLE : fault(flow);
                    if (n < 0) {
                        if (!(f instanceof Fault.BlackHole)) {
                            to.shutdownOutput(); // pass the FIN on; the other flow may go on (half-close)
                        }
                        return;
                    }
                    switch (f) {
                        case Fault.Pass p -> forward(flow, out, buf, n);
                        case Fault.Delay d -> {
                            Thread.sleep(d.perChunk());
                            forward(flow, out, buf, n);
                        }
                        case Fault.BlackHole b -> swallowed.addAndGet(n);
                        case Fault.Stall s -> forward(flow, out, buf, n); // stalled again just now: it was read before
                    }
                }
            } catch (IOException e) {
                // A socket was reset or closed. A black hole passes nothing on, not even that;
                // otherwise the other side is reset too, as a router would forward the RST.
                if (to != null && !(fault(flow) instanceof Fault.BlackHole)) {
                    abort();
                }
            } catch (InterruptedException e) {
                abort();
            } finally {
                if (pumpsRunning.decrementAndGet() == 0) {
                    close();
                }
            }
        }

        /** Writes the chunk, minus what a truncation cuts off; closes the link when the truncation is reached. */
        private void forward(Flow flow, OutputStream out, byte[] buf, int n) throws IOException {
            if (n >= 8 && flipArmed.get(flow).compareAndSet(true, false)) {
                buf[n / 2] ^= 0x01;
                flips.incrementAndGet();
            }
            AtomicLong left = budget[flow.ordinal()];
            long limit = left.get();
            if (limit < 0) {
                out.write(buf, 0, n);
                return;
            }
            int allowed = (int) Math.min(n, limit);
            out.write(buf, 0, allowed);
            left.set(limit - allowed);
            if (limit - allowed == 0) {
                close(); // truncated: both nodes read the end of their stream
            }
        }

        /** Blocks while the flow is stalled; false once the link has ended. */
        private boolean awaitFlowing(Flow flow) throws InterruptedException {
            lock.lock();
            try {
                while (!ended && faults.get(flow) instanceof Fault.Stall) {
                    changed.await();
                }
                return !ended;
            } finally {
                lock.unlock();
            }
        }

        /** Closes both sockets: FIN, or RST where unread bytes are still waiting in a socket. */
        void close() {
            end();
            closeQuietly(client);
            if (target != null) {
                closeQuietly(target);
            }
        }

        /** Closes both sockets with SO_LINGER 0: both nodes get a RST. */
        void abort() {
            end();
            abortQuietly(client);
            if (target != null) {
                abortQuietly(target);
            }
        }

        private void end() {
            lock.lock();
            try {
                ended = true;
                links.remove(this);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
