package org.loomnet.bench;

import java.util.Locale;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.loomnet.node.Node;
import org.loomnet.node.Subscription;

/**
 * One case of a throughput benchmark: a connected pair of nodes (encrypted or plaintext) and a
 * plain socket pair, the same stream of messages through each, interleaved.
 */
final class Throughput {

    /**
     * What one case does.
     *
     * @param benchmark   the benchmark it belongs to
     * @param encryption  Noise or plaintext
     * @param payloadSize bytes of application payload per message
     * @param count       messages per iteration
     * @param window      messages in flight at most (see {@link Delivery})
     * @param tune        node settings beyond the defaults, or identity
     * @param perMessage  the figure per message per second: 1 for msg/s, payload / 1e9 for GB/s
     * @param unit        the unit of the figure
     * @param target      the target, or null
     */
    record Case(Benchmark benchmark, boolean encryption, int payloadSize, int count, int window,
                UnaryOperator<Node.Builder> tune, double perMessage, String unit, Target target) {
    }

    private Throughput() {
    }

    static Result run(RunSettings run, Case c, int warmup, int iterations) throws Exception {
        String variant = c.encryption() ? "encrypted" : "plaintext";
        byte[] payload = new byte[c.payloadSize()];
        new Random(42).nextBytes(payload);
        run.log("%s, %s: %d messages of %d bytes per iteration, window %d", c.benchmark().name(), variant,
                c.count(), c.payloadSize(), c.window());
        Delivery delivery = new Delivery(c.window());
        try (NodePair pair = NodePair.start(c.encryption(), c.tune());
             SocketPair sockets = SocketPair.open()) {
            Subscription sub = pair.b.subscribe(Streams.TYPE, delivery);
            delivery.subscribed(sub);
            long dropsBefore = pair.queueDropsAtoB();
            Measure.Samples s = Measure.interleaved(run, variant, new String[] {c.unit()}, warmup, iterations,
                    () -> new double[] {c.count() * c.perMessage() / Streams.loomnet(pair, delivery, payload, c.count())},
                    () -> new double[] {c.count() * c.perMessage() / Streams.plain(sockets, payload, c.count())});
            String notes = String.format(Locale.ROOT,
                    "%,d msgs of %,d B per iteration; at most %,d in flight (credits from the subscriber); "
                            + "dropped: send queue %d, subscriber %d",
                    c.count(), c.payloadSize(), c.window(), pair.queueDropsAtoB() - dropsBefore, sub.dropped());
            return new Result(c.benchmark().name(), c.benchmark().number(), variant, "throughput", c.unit(),
                    s.loomnet(0), s.baseline(0), c.target(), notes);
        }
    }
}
