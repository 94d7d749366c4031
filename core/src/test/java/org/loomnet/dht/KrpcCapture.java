package org.loomnet.dht;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The packets of {@code ../shared/test-vectors/krpc-bittorrent-dht-capture.txt}: KRPC exchanged on
 * loopback with the npm package {@code bittorrent-dht} 11.0.12 (see that directory's README).
 */
final class KrpcCapture {

    static final String FILE = "krpc-bittorrent-dht-capture.txt";

    /**
     * @param heading the {@code ---} line naming the packet, without the dashes
     * @param bytes   the packet
     */
    record Packet(String heading, byte[] bytes) {
    }

    private KrpcCapture() {
    }

    /**
     * Walks up from the working directory (the module when Maven runs the tests) to the project
     * root, the directory holding {@code core/}, and looks beside it in {@code ../shared/test-vectors}.
     * A missing file fails the test: skipping would let the interoperability check vanish silently.
     */
    static Path file() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("core"))) {
                Path file = dir.resolve("../shared/test-vectors").resolve(FILE).normalize();
                if (Files.isRegularFile(file)) {
                    return file;
                }
                return fail("project root " + dir + " found, but " + file + " is missing");
            }
        }
        return fail("no project root (a directory with core/) above " + start);
    }

    static List<Packet> packets() throws IOException {
        List<Packet> out = new ArrayList<>();
        String heading = null;
        for (String line : Files.readAllLines(file())) {
            if (line.startsWith("--- ")) {
                heading = line.substring(4).replaceFirst(" \\(\\d+ bytes\\)$", "");
            } else if (line.startsWith("hex: ") && heading != null) {
                out.add(new Packet(heading, HexFormat.of().parseHex(line.substring(5).trim())));
                heading = null;
            }
        }
        if (out.size() < 20) {
            fail("expected the capture to hold at least 20 packets, found " + out.size());
        }
        return out;
    }

    /** @return the one packet whose heading is exactly {@code heading} */
    static byte[] packet(String heading) throws IOException {
        byte[] found = null;
        for (Packet p : packets()) {
            if (p.heading().equals(heading)) {
                if (found != null) {
                    fail("two packets named " + heading);
                }
                found = p.bytes();
            }
        }
        if (found == null) {
            fail("no packet named " + heading + " in " + FILE);
        }
        return found;
    }
}
