package org.loomnet.daemon;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Layout;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The option list of {@code --help}, in sections with a heading each: Network, Peers and
 * discovery, Limits, Gossip, Logging, Help.
 *
 * <p>Only the help text is grouped. The flags themselves stay plain options: picocli's argument
 * groups would change how they parse (in a group, a flag given a second time starts a new group
 * and drops the other flags of the group given before it, so bin/node's {@code --peers-file}
 * followed by the user's would lose the user's other flags of that section).
 *
 * <p>A flag missing from {@link #SECTIONS} is still listed, under "Other"; the CLI test makes
 * sure none is.
 */
final class HelpSections implements IHelpSectionRenderer {

    /** The heading of the flags no section names. */
    static final String OTHER = "Other";

    /**
     * A heading and the flags under it.
     *
     * @param heading the heading, without the colon
     * @param flags   the flags, by their longest names, in the order shown
     */
    record Section(String heading, List<String> flags) {
    }

    /** The sections, in the order shown. */
    static final List<Section> SECTIONS = List.of(
            new Section("Network", List.of("--host", "--port", "--network", "--name", "--data-dir", "--plaintext")),
            new Section("Peers and discovery", List.of("--peers", "--peers-file", "--seed-url", "--dns-seed",
                    "--target-outgoing", "--exclusive", "--exclusive-incoming",
                    "--peer-exchange-max", "--peer-exchange-interval", "--book-save-interval")),
            new Section("DHT", List.of("--dht-port", "--dht-bootstrap", "--no-dht", "--dht-save-interval")),
            new Section("Limits", List.of("--max-incoming", "--max-incoming-per-ip", "--accepts-per-ip-per-second",
                    "--ban-duration")),
            new Section("Gossip", List.of("--fanout", "--gossip-max-hops", "--gossip-cache", "--gossip-ttl")),
            new Section("API and dashboard", List.of("--api", "--no-api")),
            new Section("Configuration and logging", List.of("--config", "--log-level")),
            new Section("Help", List.of("--help", "--version")));

    @Override
    public String render(Help help) {
        CommandSpec spec = help.commandSpec();
        StringBuilder out = new StringBuilder();
        Set<OptionSpec> shown = new HashSet<>();
        for (Section s : SECTIONS) {
            List<OptionSpec> options = s.flags().stream().map(spec::findOption).filter(Objects::nonNull)
                    .filter(o -> !o.hidden()).toList();
            shown.addAll(options);
            append(help, out, s.heading(), options);
        }
        List<OptionSpec> rest = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (!o.hidden() && !shown.contains(o)) {
                rest.add(o);
            }
        }
        append(help, out, OTHER, rest);
        return out.toString();
    }

    private static void append(Help help, StringBuilder out, String heading, List<OptionSpec> options) {
        if (options.isEmpty()) {
            return;
        }
        // Columns sized per section: a long flag elsewhere does not narrow every description.
        Layout layout = help.createDefaultLayout(options, List.of(), help.colorScheme());
        layout.addOptions(options, help.parameterLabelRenderer());
        out.append(help.createHeading("%n" + heading + ":%n")).append(layout);
    }
}
