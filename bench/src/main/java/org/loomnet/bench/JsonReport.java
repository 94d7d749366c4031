package org.loomnet.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Writes a run's results as JSON: the machine, the command, and every result with its samples. */
final class JsonReport {

    private JsonReport() {
    }

    static void write(Path file, Machine machine, List<String> args, boolean smoke, List<Result> results,
                      List<String> failures) throws IOException {
        JsonObject root = new JsonObject();
        root.addProperty("time", Instant.now().toString());
        root.addProperty("smoke", smoke);
        JsonArray command = new JsonArray();
        args.forEach(command::add);
        root.add("arguments", command);
        JsonObject m = new JsonObject();
        m.addProperty("cpus", machine.cpus());
        m.addProperty("cpu", machine.cpu());
        m.addProperty("memory", machine.memory());
        m.addProperty("os", machine.os());
        m.addProperty("java", machine.java());
        m.addProperty("load", machine.load());
        root.add("machine", m);
        JsonArray rs = new JsonArray();
        for (Result r : results) {
            JsonObject o = new JsonObject();
            o.addProperty("benchmark", r.benchmark());
            o.addProperty("number", r.number());
            o.addProperty("case", r.variant());
            o.addProperty("metric", r.metric());
            o.addProperty("unit", r.unit());
            o.add("loomnet", stats(r.loomnet()));
            o.add("baseline", stats(r.baseline()));
            o.addProperty("ratio", r.ratio());
            if (r.target() != null && !smoke) {
                JsonObject t = new JsonObject();
                t.addProperty("target", r.target().text());
                t.addProperty("met", r.verdict().met());
                t.addProperty("verdict", r.verdict().text());
                o.add("target", t);
            }
            o.addProperty("notes", r.notes());
            rs.add(o);
        }
        root.add("results", rs);
        JsonArray fs = new JsonArray();
        failures.forEach(fs::add);
        root.add("failures", fs);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n",
                StandardCharsets.UTF_8);
    }

    private static JsonObject stats(Stats s) {
        JsonObject o = new JsonObject();
        o.addProperty("median", s.median());
        o.addProperty("min", s.min());
        o.addProperty("max", s.max());
        JsonArray samples = new JsonArray();
        s.samples().forEach(samples::add);
        o.add("samples", samples);
        return o;
    }
}
