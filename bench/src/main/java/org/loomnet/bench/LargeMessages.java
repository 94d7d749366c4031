package org.loomnet.bench;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * #2: large messages on one connection. 1 MiB payloads from {@code Node.send} to a subscriber, in
 * bytes of payload per second (GB/s, 10^9 bytes), encrypted and plaintext. Baseline: as many 1 MiB
 * length-prefixed records over a plain socket, read by a reader thread into one reused buffer.
 */
public final class LargeMessages implements Benchmark {

    static final int PAYLOAD = 1 << 20;
    /**
     * Messages in flight at most: 16 MiB, well under the send queue's bytes (129 MiB), the inbox's
     * (256 MiB) and the subscriber mailbox's (128 MiB), so that nothing is dropped.
     */
    static final int WINDOW = 16;

    @Override
    public String name() {
        return "large-messages";
    }

    @Override
    public int number() {
        return 2;
    }

    @Override
    public String title() {
        return "1 MiB messages, one connection, Node.send -> subscriber: bytes per second";
    }

    @Override
    public List<Result> run(RunSettings run) throws Exception {
        int count = run.count(512, 16);
        int warmup = run.warmup(2, 1);
        int iterations = run.iterations(5, 1);
        double perMessage = PAYLOAD / 1e9;
        return List.of(
                Throughput.run(run, new Throughput.Case(this, true, PAYLOAD, count, WINDOW, UnaryOperator.identity(),
                        perMessage, "GB/s", new Target("≥ 1 GB/s", Target.Kind.AT_LEAST, 1.0)), warmup, iterations),
                Throughput.run(run, new Throughput.Case(this, false, PAYLOAD, count, WINDOW, UnaryOperator.identity(),
                        perMessage, "GB/s", new Target("≥ 80% of plain socket", Target.Kind.RATIO_AT_LEAST, 0.8)),
                        warmup, iterations));
    }
}
