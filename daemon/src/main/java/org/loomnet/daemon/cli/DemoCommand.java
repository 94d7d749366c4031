package org.loomnet.daemon.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code node demo}: a local network of N nodes in one process, for a first look. It prints the
 * dashboard address of node 1 and then a summary of every node every few seconds, and stops
 * cleanly on Ctrl-C (every node says goodbye to its peers).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs a local demo network: N nodes on loopback in this process, finding each other "
                + "through a seed, peer exchange and the DHT, sending sample messages. Stop it with Ctrl-C."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "5",
            description = "How many nodes, 2 to 50 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--api", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:6420",
            description = "Node 1's API and dashboard; a free port if taken (default: ${DEFAULT-VALUE}).")
    String api;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
            converter = org.loomnet.daemon.Durations.Converter.class,
            description = "Time between sample messages (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--summary-every", paramLabel = "DURATION", defaultValue = "5s",
            converter = org.loomnet.daemon.Durations.Converter.class,
            description = "Time between two summaries (default: ${DEFAULT-VALUE}).")
    Duration summaryEvery;

    @Option(names = "--stop-after", paramLabel = "DURATION", converter = org.loomnet.daemon.Durations.Converter.class,
            description = "Stop by itself after this long (default: run until Ctrl-C).")
    Duration stopAfter;

    @Option(names = "--network", paramLabel = "NAME", defaultValue = "loomnet-demo",
            description = "The demo network's name (default: ${DEFAULT-VALUE}).")
    String network;

    /** Created by picocli. */
    public DemoCommand() {
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (nodes < 2 || nodes > 50) {
            err.println("node demo: --nodes must be from 2 to 50: " + nodes);
            return 2;
        }
        InetSocketAddress apiAddress;
        try {
            apiAddress = org.loomnet.daemon.HostPort.resolve(org.loomnet.daemon.HostPort.parseListen(api));
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            err.println("node demo: --api: " + e.getMessage());
            return 2;
        }
        quietLogging();
        Demo demo;
        try {
            demo = Demo.start(nodes, apiAddress, interval, network, out);
        } catch (IOException | RuntimeException e) {
            err.println("node demo: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().name("demo-shutdown").unstarted(() -> {
            stop.countDown();
            out.println("stopping: every node says goodbye to its peers ...");
            out.flush();
            demo.close();
            out.println("stopped");
            out.flush();
            // Exit with 0, not the 130 of a Ctrl-C: the demo stopped cleanly, as asked (see Main).
            Runtime.getRuntime().halt(0);
        });
        Runtime.getRuntime().addShutdownHook(hook);

        Demo.Member first = demo.members().get(0);
        out.println("LoomNet demo: " + nodes + " nodes on loopback, network \"" + network + "\"");
        out.println("dashboard of demo-1:  " + first.api().url() + "/");
        out.println("try:                  bin/node status --api "
                + org.loomnet.daemon.HostPort.format(first.api().address()));
        out.println("stop with Ctrl-C");
        out.println();
        out.flush();

        long deadline = stopAfter == null ? Long.MAX_VALUE : System.nanoTime() + stopAfter.toNanos();
        boolean connectedSaid = false;
        while (System.nanoTime() < deadline) {
            long wait = Math.min(summaryEvery.toNanos(), Math.max(0, deadline - System.nanoTime()));
            if (stop.await(wait, TimeUnit.NANOSECONDS)) {
                return 0; // Ctrl-C: the hook closes the demo and the JVM exits with 0 (see Main)
            }
            if (!connectedSaid && demo.fullyConnected()) {
                out.println("every node is connected to every other node");
                connectedSaid = true;
            }
            out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_LOCAL_TIME)
                    + "  " + demo.sent() + " sample messages sent");
            out.print(demo.summary());
            out.println();
            out.flush();
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        out.println("stopping: every node says goodbye to its peers ...");
        demo.close();
        out.println("stopped");
        out.flush();
        return 0;
    }

    /** The demo's own output is the summary: the nodes' INFO lines would bury it. */
    private static void quietLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }
}
