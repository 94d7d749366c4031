package org.loomnet.daemon;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.net.InetSocketAddress;
import org.loomnet.crypto.Identity;
import org.loomnet.daemon.api.ApiServer;
import org.loomnet.daemon.api.ApiToken;
import org.loomnet.daemon.cli.ClientCommands;
import org.loomnet.daemon.cli.DemoCommand;
import org.loomnet.node.Node;
import org.loomnet.node.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
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
 *   <li>The node is built from the flags: its identity is loaded from {@code node.key} in the
 *       data directory, or created there on first start. A key file that cannot be read or is
 *       malformed is one line on stderr naming it and exit code 1; it is never replaced, since
 *       that would change the node's id.</li>
 *   <li>The node is started. If the listen address cannot be bound (port in use), one line on
 *       stderr and exit code 1. The core's "node ID listening on ..." is the first INFO line,
 *       so that the node id is easy to find: what the daemon has to say about the peers file
 *       and the identity is held until after it.</li>
 *   <li>The main thread waits. On SIGINT/SIGTERM the shutdown hook closes the node, which sends
 *       DISCONNECT "node shutting down" to every peer, and the process exits with 0.</li>
 * </ol>
 * Connections and disconnections, with their reasons, are logged by the core (logger
 * {@code Node}, at INFO), so the daemon adds no event handler of its own.
 */
@Command(name = "node", mixinStandardHelpOptions = true, version = "loomnet " + NodeConfig.VERSION,
        defaultValueProvider = DefaultValues.class, sortOptions = false, usageHelpAutoWidth = true,
        abbreviateSynopsis = true,
        description = {"Runs a LoomNet peer-to-peer node until Ctrl-C or SIGTERM.", "",
            "A DURATION is a whole number and a unit, ms, s, m, h or d (30s, 15m, 24h, 7d), "
                    + "or ISO-8601 (PT1H30M)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by Ctrl-C or SIGTERM (or --help, --version)",
            "1:the node could not start (e.g. the port is in use, or its key file is unreadable)",
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

    @Option(names = "--api", paramLabel = "HOST:PORT", converter = HostPort.ListenAddressConverter.class,
            description = "Address of the HTTP API, the dashboard (/) and the Prometheus metrics (/metrics); "
                    + "port 0 picks a free one. Changing requests need the token in DATA_DIR/" + ApiToken.FILE
                    + "; bound to anything but loopback, every request does (default: ${DEFAULT-VALUE}).")
    InetSocketAddress api;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A JSON file of settings: {\"port\": 7700, \"peers\": [\"127.0.0.2:7700\"], ...}, each key a "
                    + "flag's long name without the dashes; flags on the command line win (default: none).")
    Path config;

    /** True once --config's file has been applied, on the second parse that includes it. */
    private boolean configApplied;

    @Option(names = "--no-api", description = "Run without the HTTP API, the dashboard and the metrics "
            + "(default: ${DEFAULT-VALUE}).")
    boolean noApi;

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
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        // The option list in sections (Network, Peers and discovery, ...): see HelpSections.
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, new HelpSections());
        // The client subcommands, which talk to a running node over its API.
        cl.addSubcommand(new DemoCommand());
        for (Class<?> c : ClientCommands.ALL) {
            cl.addSubcommand(c);
        }
        sameVersion(cl, cl.getCommandSpec().version());
        return cl
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                // bin/node passes --peers-file first; a --peers-file of the user's replaces it.
                .setOverwrittenOptionsAllowed(true)
                .setParameterExceptionHandler(Main::invalidInput)
                .setExecutionStrategy(parsed -> runWithConfigFile(parsed, out, err));
    }

    /** Gives every subcommand the top command's {@code --version} text. */
    private static void sameVersion(CommandLine cl, String[] version) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().version(version);
            sameVersion(sub, version);
        }
    }

    /**
     * Runs what was parsed, after applying {@code --config}: the file's settings become arguments
     * placed before the command line's ({@link ConfigFile}), and the whole is parsed again.
     */
    private static int runWithConfigFile(ParseResult parsed, PrintWriter out, PrintWriter err) {
        Main main = parsed.commandSpec().commandLine().getCommand();
        if (parsed.subcommand() != null || main.config == null || main.configApplied
                || parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
            return new CommandLine.RunLast().execute(parsed);
        }
        List<String> args;
        try {
            args = withConfigFile(parsed);
        } catch (ConfigFile.Problem e) {
            err.println(parsed.commandSpec().name() + ": " + e.getMessage());
            err.flush();
            return parsed.commandSpec().exitCodeOnInvalidInput();
        }
        CommandLine again = commandLine(out, err);
        ((Main) again.getCommand()).configApplied = true;
        return again.execute(args.toArray(String[]::new));
    }

    /**
     * The command line with the config file's settings in front.
     *
     * @throws ConfigFile.Problem if the file is unusable, or one of its values is invalid
     */
    private static List<String> withConfigFile(ParseResult parsed) throws ConfigFile.Problem {
        Main main = parsed.commandSpec().commandLine().getCommand();
        Set<String> given = new HashSet<>();
        parsed.matchedOptions().forEach(o -> given.add(o.longestName()));
        List<String> fromFile = ConfigFile.arguments(main.config, parsed.commandSpec(), given);
        try {
            // Alone first, so that a bad value is reported as the file's, not the command line's.
            commandLine(new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter()))
                    .parseArgs(fromFile.toArray(String[]::new));
        } catch (ParameterException e) {
            throw new ConfigFile.Problem(main.config, e.getMessage().strip().replaceAll("\\s*\\R\\s*", " "));
        }
        List<String> all = new ArrayList<>(fromFile);
        all.addAll(parsed.originalArgs());
        return all;
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
        ParseResult parsed = cl.parseArgs(args);
        Main main = cl.getCommand();
        if (main.config == null) {
            return main;
        }
        List<String> all;
        try {
            all = withConfigFile(parsed);
        } catch (ConfigFile.Problem e) {
            throw new ParameterException(cl, e.getMessage());
        }
        CommandLine again = commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        again.parseArgs(all.toArray(String[]::new));
        Main applied = again.getCommand();
        applied.configApplied = true;
        return applied;
    }

    /** Prints one line, no usage text, no stack trace, and returns 2. */
    private static int invalidInput(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
        String name = cl.getCommandSpec().qualifiedName();
        cl.getErr().println(name + ": " + message + " (see " + name + " --help)");
        cl.getErr().flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public Integer call() throws InterruptedException {
        Logging.configure(logLevel);
        Logger log = LoggerFactory.getLogger(Main.class);
        List<Report> held = new ArrayList<>();
        Node node;
        try {
            node = build((level, message) -> held.add(new Report(level, message)));
        } catch (KeyFileProblem e) {
            held.forEach(r -> r.logTo(log));
            return fail(e.getMessage());
        } catch (RuntimeException e) {
            held.forEach(r -> r.logTo(log));
            throw e;
        }
        try {
            node.start();
        } catch (UncheckedIOException e) {
            node.close();
            held.forEach(r -> r.logTo(log));
            String cause = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
            if (node.config().dht() != null && e.getMessage() != null && e.getMessage().startsWith("cannot bind the DHT")) {
                return fail("cannot listen for the DHT on udp " + HostPort.format(node.config().dht().bindAddress())
                        + ": " + cause + (e.getCause() instanceof BindException
                                ? " (another node running? pick another --dht-port, or --no-dht)" : ""));
            }
            return fail("cannot listen on " + HostPort.format(node.config().listenAddress()) + ": " + cause
                    + (e.getCause() instanceof BindException ? " (another node running? pick another --port)" : ""));
        }
        // The hook as soon as the node runs: a SIGTERM from now on (even before the API is up, or
        // the held lines are out) must stop it cleanly.
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<ApiServer> apiServer = new AtomicReference<>();
        Thread hook = shutdownHook(node, apiServer, stopped, log);
        Runtime.getRuntime().addShutdownHook(hook);
        if (!noApi) {
            try {
                apiServer.set(startApi(node));
            } catch (IOException e) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook); // exit with 1, not the hook's 0
                } catch (IllegalStateException shuttingDown) {
                    // a signal came meanwhile: the hook is stopping the node anyway
                }
                node.close();
                held.forEach(r -> r.logTo(log));
                return fail("cannot listen for the API on " + HostPort.format(api) + ": " + e.getMessage()
                        + (e instanceof BindException ? " (another node running? pick another --api port, or --no-api)"
                                : ""));
            }
        }
        held.forEach(r -> r.logTo(log));
        if (apiServer.get() != null) {
            log.info("API and dashboard on {}/ (token in {})", apiServer.get().url(), apiServer.get().token().file());
        }
        stopped.await(); // the only way on is the hook, which ends the process
        return 0;
    }

    /**
     * Starts the HTTP API for a started node, with a fresh token in the node's data directory (or,
     * for a node without one, in a new temporary directory, which the log names).
     */
    private ApiServer startApi(Node node) throws IOException {
        Path dir = node.config().dataDir() != null ? node.config().dataDir()
                : Files.createTempDirectory("loomnet-api-");
        ApiToken token = ApiToken.create(dir.resolve(ApiToken.FILE));
        try {
            return ApiServer.start(node, api, token);
        } catch (IOException | RuntimeException e) {
            token.delete();
            throw e;
        }
    }

    /** Prints one line on stderr and returns exit code 1. */
    private int fail(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.commandLine().getCommandName() + ": " + message);
        err.flush();
        return 1;
    }

    /** Something to log once the node is listening. */
    private record Report(Level level, String message) {
        void logTo(Logger log) {
            log.atLevel(level).log(message);
        }
    }

    /**
     * Builds the node the flags describe (not started), logging what the operator should know
     * as it goes.
     *
     * @param log where notes about the peers file and the identity go
     * @return the node
     * @throws ParameterException if a setting is invalid
     * @throws KeyFileProblem if the node key cannot be loaded or created
     */
    Node build(Logger log) {
        return build((level, message) -> log.atLevel(level).log(message));
    }

    /**
     * Builds the node the flags describe (not started); a flag value the node refuses becomes a
     * command-line error.
     *
     * @param report receives notes about the peers file and the node's identity
     * @return the node
     * @throws ParameterException if a setting is invalid
     * @throws KeyFileProblem if the node key cannot be loaded or created
     */
    Node build(BiConsumer<Level, String> report) {
        NodeConfig config;
        try {
            config = options.toBuilder(report).config();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid setting: " + NodeOptions.inFlagTerms(e.getMessage()));
        }
        Path keyFile = config.dataDir() == null ? null : config.dataDir().resolve(Identity.KEY_FILE);
        boolean existed = keyFile != null && Files.exists(keyFile);
        Node node;
        try {
            node = Node.create(config);
        } catch (UncheckedIOException e) {
            if (keyFile == null) {
                throw e;
            }
            // Only loading or creating the key does I/O before start(); a bad file is never replaced.
            throw new KeyFileProblem(keyFile, Files.exists(keyFile), e.getCause());
        }
        if (keyFile == null) {
            report.accept(Level.INFO, "node key kept in memory only (--port 0 and no --data-dir): "
                    + "the node id changes at every start");
        } else {
            report.accept(Level.INFO, (existed ? "node key loaded from " : "new node key written to ") + keyFile);
        }
        if (!config.encryption()) {
            report.accept(Level.WARN, "encryption is off (--plaintext): traffic can be read and changed on the "
                    + "way and node ids are not proven; only --plaintext peers can connect");
        }
        return node;
    }

    /** The node key file cannot be read, is malformed, or cannot be created; the message is one line. */
    static final class KeyFileProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KeyFileProblem(Path file, boolean exists, IOException cause) {
            super(exists
                    ? "cannot load the node key " + file + ": " + describe(file, cause)
                            + "; the file was left as it is (it holds this node's identity)"
                    : "cannot create the node key " + file + ": " + describe(file, cause),
                    cause, false, false);
        }

        private static String describe(Path file, IOException e) {
            String what;
            if (e instanceof AccessDeniedException a) {
                what = "permission denied" + (file.toString().equals(a.getFile()) ? "" : " on " + a.getFile());
            } else if (e instanceof NoSuchFileException n) {
                what = "no such file or directory " + n.getFile();
            } else if (e instanceof FileAlreadyExistsException f) {
                what = f.getFile() + " is in the way (a file where a directory should be)";
            } else if (e instanceof CharacterCodingException) {
                what = "malformed key file: not text";
            } else if (e instanceof FileSystemException f && f.getReason() != null) {
                what = (f.getFile() == null || f.getFile().equals(file.toString()) ? "" : f.getFile() + ": ")
                        + f.getReason();
            } else {
                String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                // The core's messages start with the file's name, which ours already carries.
                String prefix = file + ": ";
                what = m.startsWith(prefix) ? m.substring(prefix.length()) : m;
            }
            return what.strip().replaceAll("\\s*\\R\\s*", " ");
        }
    }

    /**
     * The shutdown hook: closes the API (if it is up), then the node, and ends the process.
     *
     * @param stopped counted down when the node is closed (just before the process ends)
     */
    private static Thread shutdownHook(Node node, AtomicReference<ApiServer> apiServer, CountDownLatch stopped,
                                       Logger log) {
        return Thread.ofPlatform().name("shutdown").unstarted(() -> {
            int status = 1;
            try {
                log.info("shutting down");
                ApiServer api = apiServer.get();
                if (api != null) {
                    api.close(); // first: no request may reach a node that is closing
                    api.token().delete();
                }
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
        });
    }
}
