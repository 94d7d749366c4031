package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.loomnet.fuzz.NameLookups;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE} with any content: {@link ConfigFile#arguments} turns it into flags or
 * throws {@link ConfigFile.Problem} naming the file, never anything else. What it returns is a
 * list of the command's own flags, each followed by one value unless it is a switch; and the
 * command line parses those arguments or refuses them with picocli's
 * {@link CommandLine.ParameterException}, as {@code Main} does before it starts a node. Host
 * names in {@code --host} and {@code --api} are resolved as the flags are parsed: here every
 * such lookup is refused, as if the name did not exist.
 */
class ConfigFileFuzzTest {

    private static final Path FILE;
    private static final CommandSpec SPEC = commandLine().getCommandSpec();

    static {
        try {
            Path dir = Files.createTempDirectory("config-fuzz");
            dir.toFile().deleteOnExit();
            FILE = dir.resolve("node.json");
            FILE.toFile().deleteOnExit(); // after the file, at exit: the reverse order
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void arguments(byte[] file) throws Exception {
        Files.write(FILE, file);
        List<String> args;
        try {
            args = ConfigFile.arguments(FILE, SPEC, Set.of());
        } catch (ConfigFile.Problem e) {
            assertThat(e.getMessage()).startsWith("config file " + FILE + ": ");
            return;
        }
        for (int i = 0; i < args.size(); i++) {
            OptionSpec option = SPEC.findOption(args.get(i));
            assertThat(option).as(args.get(i)).isNotNull();
            assertThat(option.longestName()).isEqualTo(args.get(i));
            if (option.arity().max() > 0) {
                i++;
                assertThat(i).as("the value of " + option.longestName()).isLessThan(args.size());
            }
        }
        NameLookups.refused(() -> {
            try {
                commandLine().parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException expected) {
                // a value the command line refuses, reported as the file's
            }
        });
    }

    private static CommandLine commandLine() {
        return Main.commandLine(new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter()));
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("documented", utf8("""
                {
                  "host": "0.0.0.0", "port": 7700, "network": "loomnet", "name": "alice",
                  "peers": ["127.0.0.2:7700", "3f2a0b1c2d3e4f5061728394a5b6c7d8e9f00112@127.0.0.3:7700"],
                  "max-incoming": 64, "ban-duration": "1d", "plaintext": false,
                  "api": "127.0.0.1:6420", "log-level": "info"
                }
                """));
        seeds.put("switch-on", utf8("{\"plaintext\": true, \"no-dht\": true}"));
        seeds.put("null-value", utf8("{\"name\": null}"));
        seeds.put("unknown-key", utf8("{\"colour\": \"blue\"}"));
        seeds.put("list-for-one-value", utf8("{\"port\": [1, 2]}"));
        seeds.put("object-value", utf8("{\"name\": {\"first\": \"a\"}}"));
        seeds.put("value-like-a-flag", utf8("{\"name\": \"--plaintext\"}"));
        seeds.put("dht-bootstrap", utf8("{\"dht-bootstrap\": \"127.0.0.1:7700,127.0.0.2:7700\"}"));
        seeds.put("deep-nesting", utf8("{\"peers\":" + "[".repeat(5000)));
        seeds.put("not-utf8", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        return seeds;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
