package org.loomnet.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.loomnet.node.NodeId;

/**
 * One-way streams of equal messages, the work of the throughput benchmarks (#1 and #2), done once
 * by LoomNet ({@code Node.send} to a {@code Node.subscribe} handler) and once by the baseline
 * (length-prefixed records on a plain socket, counted by a reader thread).
 */
final class Streams {

    /** The message type the throughput benchmarks send. */
    static final String TYPE = "bench";
    private static final int BUFFER = 64 * 1024;
    private static final long READ_TIMEOUT_SECONDS = 60;

    private Streams() {
    }

    /**
     * Sends {@code count} messages from a to b through the application API and waits until b's
     * subscriber has them all.
     *
     * @return seconds from the first send to the last delivery
     */
    static double loomnet(NodePair pair, Delivery delivery, byte[] payload, int count) throws InterruptedException {
        NodeId to = pair.b.id();
        delivery.expect(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            delivery.acquire(pair);
            pair.a.send(to, TYPE, payload);
        }
        delivery.awaitAll(pair);
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Writes {@code count} records (4-byte length, then the payload) through a 64 KiB buffer, flushed
     * once at the end; a reader thread on the other end reads and counts them into one reused
     * buffer. Platform threads, blocking I/O: the most this machine does with plain sockets.
     *
     * @return seconds from the first write to the last record read
     */
    static double plain(SocketPair sockets, byte[] payload, int count) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().name("plain-reader").start(() -> {
            try {
                DataInputStream in = new DataInputStream(new BufferedInputStream(sockets.server.getInputStream(), BUFFER));
                byte[] buffer = new byte[payload.length];
                long n = 0;
                while (n < count) {
                    int length = in.readInt();
                    in.readFully(buffer, 0, length);
                    n++;
                }
                done.complete(n);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        long start = System.nanoTime();
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(sockets.client.getOutputStream(), BUFFER));
        for (int i = 0; i < count; i++) {
            out.writeInt(payload.length);
            out.write(payload);
        }
        out.flush();
        done.get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        reader.join();
        return seconds;
    }
}
