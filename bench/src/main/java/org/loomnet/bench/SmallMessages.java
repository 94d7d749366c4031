package org.loomnet.bench;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * #1: small messages on one connection. 128-byte payloads from {@code Node.send} on one node to a
 * {@code Node.subscribe} handler on the other, in messages per second, encrypted and plaintext.
 * Baseline: as many 128-byte length-prefixed records over a plain socket, counted by a reader thread.
 */
public final class SmallMessages implements Benchmark {

    static final int PAYLOAD = 128;
    /**
     * Messages in flight at most. Below the subscriber mailbox (1024 by default), the send queue
     * (4096) and both inboxes (8192), so that no queue of the default configuration can drop.
     */
    static final int WINDOW = 1000;

    @Override
    public String name() {
        return "small-messages";
    }

    @Override
    public int number() {
        return 1;
    }

    @Override
    public String title() {
        return "128-byte messages, one connection, Node.send -> subscriber: messages per second";
    }

    @Override
    public List<Result> run(RunSettings run) throws Exception {
        int count = run.count(500_000, 2_000);
        int warmup = run.warmup(2, 1);
        int iterations = run.iterations(5, 1);
        Target target = new Target("≥ 1,000,000 msg/s", Target.Kind.AT_LEAST, 1_000_000);
        return List.of(
                Throughput.run(run, new Throughput.Case(this, true, PAYLOAD, count, WINDOW, UnaryOperator.identity(),
                        1, "msg/s", target), warmup, iterations),
                Throughput.run(run, new Throughput.Case(this, false, PAYLOAD, count, WINDOW, UnaryOperator.identity(),
                        1, "msg/s", null), warmup, iterations));
    }
}
