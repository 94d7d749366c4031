package org.loomnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The cacophony test vector for our protocol, byte for byte: the three handshake messages, the
 * handshake hash, then transport messages. These are the vectors the Rust {@code snow} and C
 * {@code noise-c} implementations pass, so agreeing with them means agreeing with them.
 */
class NoiseVectorTest {

    private static final String VECTOR_FILE = "noise-cacophony-subset.json";
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Walks up from the working directory (the module when Maven runs the tests) to the project
     * root, the directory holding {@code core/}, and looks beside it in
     * {@code ../shared/test-vectors}. A missing file fails the test: skipping would let the one
     * interoperability check vanish silently.
     */
    static Path vectorFile() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("core"))) {
                Path file = dir.resolve("../shared/test-vectors").resolve(VECTOR_FILE).normalize();
                if (Files.isRegularFile(file)) {
                    return file;
                }
                return fail("project root " + dir + " found, but " + file + " is missing");
            }
        }
        return fail("no project root (a directory with core/) above " + start + ", so no ../shared/test-vectors/"
                + VECTOR_FILE);
    }

    static JsonObject vector(String protocolName) throws IOException {
        try (Reader reader = Files.newBufferedReader(vectorFile())) {
            JsonArray vectors = JsonParser.parseReader(reader).getAsJsonObject().getAsJsonArray("vectors");
            for (JsonElement element : vectors) {
                JsonObject candidate = element.getAsJsonObject();
                if (candidate.get("protocol_name").getAsString().equals(protocolName)) {
                    return candidate;
                }
            }
        }
        return fail("no vector for " + protocolName + " in " + VECTOR_FILE);
    }

    private static byte[] hex(JsonObject object, String field) {
        return HEX.parseHex(object.get(field).getAsString());
    }

    @Test
    void xx25519ChaChaPolyBlake2bMatchesCacophonyByteForByte() throws Exception {
        JsonObject vector = vector(NoiseHandshake.PROTOCOL_NAME);
        NoiseHandshake initiator = NoiseHandshake.withEphemeral(true, hex(vector, "init_prologue"),
                hex(vector, "init_static"), hex(vector, "init_ephemeral"));
        NoiseHandshake responder = NoiseHandshake.withEphemeral(false, hex(vector, "resp_prologue"),
                hex(vector, "resp_static"), hex(vector, "resp_ephemeral"));
        JsonArray messages = vector.getAsJsonArray("messages");
        assertThat(messages.size()).as("handshake and transport messages in the vector").isGreaterThanOrEqualTo(6);

        // Handshake: message i is written by the initiator when i is even.
        for (int i = 0; i < 3; i++) {
            JsonObject message = messages.get(i).getAsJsonObject();
            NoiseHandshake writer = i % 2 == 0 ? initiator : responder;
            NoiseHandshake reader = i % 2 == 0 ? responder : initiator;
            byte[] written = writer.writeMessage(hex(message, "payload"));
            assertThat(HEX.formatHex(written)).as("ciphertext of handshake message %d", i)
                    .isEqualTo(message.get("ciphertext").getAsString());
            assertThat(reader.readMessage(written)).as("payload of handshake message %d", i)
                    .isEqualTo(hex(message, "payload"));
        }
        assertThat(initiator.isComplete()).isTrue();
        assertThat(responder.isComplete()).isTrue();
        assertThat(HEX.formatHex(initiator.handshakeHash())).isEqualTo(vector.get("handshake_hash").getAsString());
        assertThat(responder.handshakeHash()).isEqualTo(initiator.handshakeHash());
        assertThat(initiator.remoteStatic()).isEqualTo(X25519.publicKey(hex(vector, "resp_static")));
        assertThat(responder.remoteStatic()).isEqualTo(X25519.publicKey(hex(vector, "init_static")));

        // Transport: the turns keep alternating, so message 3 is the responder's (XX ends on the
        // initiator's message 3 of the handshake, index 2).
        NoiseSession initiatorSession = initiator.split();
        NoiseSession responderSession = responder.split();
        for (int i = 3; i < messages.size(); i++) {
            JsonObject message = messages.get(i).getAsJsonObject();
            boolean byInitiator = i % 2 == 0;
            NoiseSession writer = byInitiator ? initiatorSession : responderSession;
            NoiseSession reader = byInitiator ? responderSession : initiatorSession;
            byte[] written = writer.sender().encrypt(hex(message, "payload"));
            assertThat(HEX.formatHex(written)).as("ciphertext of transport message %d", i)
                    .isEqualTo(message.get("ciphertext").getAsString());
            assertThat(reader.receiver().decrypt(written)).as("payload of transport message %d", i)
                    .isEqualTo(hex(message, "payload"));
        }
    }
}
