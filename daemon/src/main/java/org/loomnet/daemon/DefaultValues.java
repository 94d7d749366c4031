package org.loomnet.daemon;

import java.util.Map;
import org.loomnet.node.NodeConfig;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of the command-line flags, taken from {@link NodeConfig#DEFAULTS} (the one source
 * of defaults) so that {@code --help} shows them with {@code ${DEFAULT-VALUE}} and they cannot
 * drift from the library's. picocli annotations only take constants, hence a provider.
 *
 * <p>A new flag for a node setting adds one line here and one field in {@link NodeOptions}.
 */
public final class DefaultValues implements IDefaultValueProvider {

    private static final NodeConfig D = NodeConfig.DEFAULTS;

    /** Flag (longest name) to default value, as text the flag would accept. */
    static final Map<String, String> VALUES = Map.of(
            "--host", D.listenAddress().getAddress().getHostAddress(),
            "--port", String.valueOf(D.listenAddress().getPort()),
            "--network", D.network(),
            "--name", D.nodeName(),
            "--max-incoming", String.valueOf(D.maxIncoming()),
            "--fanout", String.valueOf(D.fanout()),
            "--plaintext", String.valueOf(!D.encryption()),
            // --data-dir has none here: it depends on --network and --port (NodeOptions.defaultDataDir).
            // Not a node setting: the daemon's own.
            "--log-level", Main.DEFAULT_LOG_LEVEL.toString());

    /** Creates the provider; picocli calls this. */
    public DefaultValues() {
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        return arg instanceof OptionSpec option ? VALUES.get(option.longestName()) : null;
    }
}
