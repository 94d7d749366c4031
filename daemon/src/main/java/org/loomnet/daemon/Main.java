package org.loomnet.daemon;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.loomnet.node.Node;
import org.loomnet.node.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code node}: runs one LoomNet node from the command line until Ctrl-C or SIGTERM.
 *
 * <p>The life of the process:
 * <ol>
 *   <li>picocli parses the flags ({@link NodeOptions}, plus {@code --log-level} here). A bad
 *       flag prints one line on stderr and exits with 2; {@code --help} and {@code --version}
 *       print and exit with 0.</li>
 *   <li>Logging is configured ({@link Logging}) before the first logger exists.</li>
 *   <li>The node is built from the flags and started. If the listen address cannot be bound
 *       (port in use), one line on stderr and exit code 1.</li>
 *   <li>The main thread waits. On SIGINT/SIGTERM the shutdown hook closes the node, which sends
 *       DISCONNECT "node shutting down" to every peer, and the process exits with 0.</li>
 * </ol>
 * Connections and disconnections, with their reasons, are logged by the core (logger
 * {@code Node}, at INFO), so the daemon adds no event handler of its own.
 */
@Command(name = "node", mixinStandardHelpOptions = true, version = "loomnet " + NodeConfig.VERSION,
        defaultValueProvider = DefaultValues.class, sortOptions = false, usageHelpAutoWidth = true,
        description = "Runs a LoomNet peer-to-peer node until Ctrl-C or SIGTERM.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by Ctrl-C or SIGTERM (or --help, --version)",
            "1:the node could not start (e.g. the port is in use)",
            "2:invalid command line"})
public final class Main implements Callable<Integer> {

    /** The default of {@code --log-level}. */
    static final LogLevel DEFAULT_LOG_LEVEL = LogLevel.INFO;

    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions options;

    @Option(names = "--log-level", paramLabel = "LEVEL", converter = LogLevel.Converter.class,
            description = "One of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LogLevel logLevel;

    /** Created by picocli. */
    public Main() {
    }

    /**
     * Runs the node; returns only through {@link System#exit}.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /**
     * The configured picocli command line; {@code execute(args)} runs it and returns the exit code.
     *
     * @param out where help and version go
     * @param err where errors go
     * @return the command line, not yet run
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return new CommandLine(new Main())
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                // bin/node passes --peers-file first; a --peers-file of the user's replaces it.
                .setOverwrittenOptionsAllowed(true)
                .setParameterExceptionHandler(Main::invalidInput);
    }

    /**
     * Parses a command line without running it, for tests and embedding.
     *
     * @param args the flags
     * @return the parsed command
     * @throws ParameterException if the flags are invalid
     */
    static Main parse(String... args) {
        CommandLine cl = commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        cl.parseArgs(args);
        return cl.getCommand();
    }

    /** Prints one line, no usage text, no stack trace, and returns 2. */
    private static int invalidInput(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
        cl.getErr().println(cl.getCommandName() + ": " + message + " (see " + cl.getCommandName() + " --help)");
        cl.getErr().flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public Integer call() throws InterruptedException {
        Logging.configure(logLevel);
        Logger log = LoggerFactory.getLogger(Main.class);
        Node node = build(log);
        try {
            node.start();
        } catch (UncheckedIOException e) {
            node.close();
            PrintWriter err = spec.commandLine().getErr();
            String cause = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
            err.println("node: cannot listen on " + HostPort.format(node.config().listenAddress()) + ": " + cause
                    + (e.getCause() instanceof BindException ? " (another node running? pick another --port)" : ""));
            err.flush();
            return 1;
        }
        runUntilShutdown(node, log);
        return 0;
    }

    /**
     * Builds the node the flags describe (not started); a flag value the node refuses becomes a
     * command-line error.
     *
     * @param log where notes about the peers file go
     * @return the node
     * @throws ParameterException if a setting is invalid
     */
    Node build(Logger log) {
        try {
            return options.toBuilder((level, message) -> log.atLevel(level).log(message)).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid setting: " + e.getMessage());
        }
    }

    private static void runUntilShutdown(Node node, Logger log) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            int status = 1;
            try {
                log.info("shutting down");
                node.close(); // bounded: closeLinger plus about two seconds
                status = 0;
            } catch (RuntimeException | Error e) {
                log.error("shutdown failed", e);
            } finally {
                stopped.countDown();
                // The JVM exits on a signal with 128+signal (130 for Ctrl-C, 143 for SIGTERM). A
                // node that closed every connection cleanly has done what was asked: report
                // success. halt() skips the hooks still running (only the JDK's own, which have
                // nothing to flush for us).
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(status);
            }
        }));
        stopped.await(); // the only way on is the hook, which ends the process
    }
}
