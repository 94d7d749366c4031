package org.loomnet.daemon;

import java.util.Map;
import org.loomnet.daemon.api.ApiServer;
import org.loomnet.dht.DhtConfig;
import org.loomnet.node.NodeConfig;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of the command-line flags, taken from {@link NodeConfig#DEFAULTS} (the one source
 * of defaults) so that {@code --help} shows them with {@code ${DEFAULT-VALUE}} and they cannot
 * drift from the library's. picocli annotations only take constants, hence a provider.
 *
 * <p>A new flag for a node setting adds one line here and one field in {@link NodeOptions} (whose
 * comment lists the other places).
 */
public final class DefaultValues implements IDefaultValueProvider {

    private static final NodeConfig D = NodeConfig.DEFAULTS;

    /**
     * Flag (longest name) to default value, as text the flag would accept. Flags that add to a list
     * ({@code --peers}, {@code --seed-url}, {@code --dns-seed}) have none: they add to the
     * defaults' list, which is empty, and their help says "default: none".
     */
    static final Map<String, String> VALUES = Map.ofEntries(
            // Network
            Map.entry("--host", D.listenAddress().getAddress().getHostAddress()),
            Map.entry("--port", String.valueOf(D.listenAddress().getPort())),
            Map.entry("--network", D.network()),
            Map.entry("--name", D.nodeName()),
            // --data-dir has none here: it depends on --network and --port (NodeOptions.defaultDataDir).
            Map.entry("--plaintext", String.valueOf(!D.encryption())),
            // Peers and discovery
            Map.entry("--target-outgoing", String.valueOf(D.targetOutgoing())),
            Map.entry("--exclusive", String.valueOf(D.exclusive())),
            Map.entry("--exclusive-incoming", String.valueOf(D.exclusiveIncoming())),
            Map.entry("--peer-exchange-max", String.valueOf(D.peerExchangeMax())),
            Map.entry("--peer-exchange-interval", Durations.format(D.peerExchangeInterval())),
            Map.entry("--book-save-interval", Durations.format(D.bookSaveInterval())),
            // The DHT: --dht-port has none here (it follows --port); --dht-bootstrap adds to none.
            Map.entry("--no-dht", "false"),
            Map.entry("--dht-save-interval", Durations.format(DhtConfig.DEFAULTS.saveInterval())),
            // Limits
            Map.entry("--max-incoming", String.valueOf(D.maxIncoming())),
            Map.entry("--max-incoming-per-ip", String.valueOf(D.maxIncomingPerAddress())),
            Map.entry("--accepts-per-ip-per-second", String.valueOf(D.acceptsPerAddressPerSecond())),
            Map.entry("--ban-duration", Durations.format(D.banDuration())),
            // Gossip
            Map.entry("--fanout", String.valueOf(D.fanout())),
            Map.entry("--gossip-max-hops", String.valueOf(D.gossipMaxHops())),
            Map.entry("--gossip-cache", String.valueOf(D.gossipSeenCapacity())),
            Map.entry("--gossip-ttl", Durations.format(D.gossipTtl())),
            // The daemon's own settings, not the node's.
            Map.entry("--api", HostPort.format(ApiServer.DEFAULT_ADDRESS)),
            Map.entry("--no-api", "false"),
            // --config has none: no file unless one is given.
            Map.entry("--log-level", Main.DEFAULT_LOG_LEVEL.toString()));

    /** Creates the provider; picocli calls this. */
    public DefaultValues() {
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        // The node's flags only: a client subcommand's --api is another flag with its own default.
        return arg instanceof OptionSpec option && option.command().parent() == null
                ? VALUES.get(option.longestName()) : null;
    }
}
