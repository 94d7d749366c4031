package org.loomnet.daemon;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: the node's flags written as a JSON object, for operators who would
 * rather keep settings in a file. Each key is a flag's long name without the dashes, each value
 * what the flag takes:
 *
 * <pre>
 * {
 *   "host": "0.0.0.0", "port": 7700, "network": "loomnet", "name": "alice",
 *   "peers": ["127.0.0.2:7700", "3f2a...@127.0.0.3:7700"],
 *   "max-incoming": 64, "ban-duration": "1d", "plaintext": false,
 *   "api": "127.0.0.1:6420", "log-level": "info"
 * }
 * </pre>
 *
 * A flag on the command line wins over the file's key for the same flag, for lists too (the
 * file's peers are not added to the command line's, they are replaced). The file is turned into
 * the arguments it stands for ({@link #arguments}), which are parsed by the same converters as
 * the command line, so a value the command line would refuse the file cannot sneak in.
 */
final class ConfigFile {

    /** The largest config file read: a settings file, not a data file. */
    static final long MAX_SIZE = 1024 * 1024;

    private ConfigFile() {
    }

    /** A config file that cannot be used; the message names the file and the problem in one line. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(Path file, String problem) {
            super("config file " + file + ": " + problem, null, false, false);
        }
    }

    /**
     * Reads the file into command-line arguments, leaving out the flags already given.
     *
     * @param file  the JSON file
     * @param spec  the command whose flags the keys name
     * @param given the long names of the flags given on the command line
     * @return arguments such as {@code ["--port", "7700", "--peers", "a:1", "--peers", "b:2"]}
     * @throws Problem if the file cannot be read, is not a JSON object, or names no such flag, or
     *                 a value has the wrong JSON type
     */
    static List<String> arguments(Path file, CommandSpec spec, Set<String> given) throws Problem {
        JsonObject root = read(file);
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            String key = e.getKey();
            OptionSpec option = key.startsWith("-") ? null : spec.findOption("--" + key);
            if (option == null || option.usageHelp() || option.versionHelp() || key.equals("config")) {
                throw new Problem(file, "unknown key \"" + key + "\"; the keys are the flags' long names without "
                        + "the dashes: " + String.join(", ", keys(spec)));
            }
            if (given.contains(option.longestName())) {
                continue; // the command line wins
            }
            JsonElement v = e.getValue();
            String flag = option.longestName();
            if (v.isJsonNull()) {
                continue;
            }
            if (option.arity().max() == 0) { // a switch such as --plaintext
                if (!(v instanceof JsonPrimitive p) || !p.isBoolean()) {
                    throw new Problem(file, "\"" + key + "\" must be true or false");
                }
                if (p.getAsBoolean()) {
                    args.add(flag);
                }
            } else if (v.isJsonArray()) {
                if (!option.isMultiValue()) {
                    throw new Problem(file, "\"" + key + "\" takes one value, not a list");
                }
                for (JsonElement item : v.getAsJsonArray()) {
                    args.add(flag);
                    args.add(scalar(file, key, item));
                }
            } else {
                args.add(flag);
                args.add(scalar(file, key, v));
            }
        }
        return args;
    }

    private static JsonObject read(Path file) throws Problem {
        String text;
        try {
            if (Files.size(file) > MAX_SIZE) {
                throw new Problem(file, "larger than " + MAX_SIZE + " bytes");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Problem(file, "no such file");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new Problem(file, "not UTF-8 text");
        } catch (IOException e) {
            throw new Problem(file, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException | StackOverflowError e) {
            String why = e.getMessage() == null ? "" : ": " + e.getMessage().replaceAll("\\s*\\R\\s*", " ");
            throw new Problem(file, "not valid JSON" + why);
        }
        if (!root.isJsonObject()) {
            throw new Problem(file, "must hold a JSON object, {\"port\": 7700, ...}");
        }
        return root.getAsJsonObject();
    }

    private static String scalar(Path file, String key, JsonElement v) throws Problem {
        if (!(v instanceof JsonPrimitive p)) {
            throw new Problem(file, "\"" + key + "\" must be a string or a number");
        }
        return p.getAsString();
    }

    private static Set<String> keys(CommandSpec spec) {
        Set<String> keys = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            if (!o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--config")) {
                keys.add(o.longestName().substring(2));
            }
        }
        return keys;
    }
}
