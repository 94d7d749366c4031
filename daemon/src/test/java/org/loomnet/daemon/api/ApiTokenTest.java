package org.loomnet.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file across starts, including one that a kill interrupted. */
class ApiTokenTest {

    @TempDir
    Path dir;

    @Test
    void aTempFileLeftByAKilledStartIsReplacedNotJoinedByAnother() throws Exception {
        Path file = dir.resolve(ApiToken.FILE);
        // What SIGKILL between creating the temp file and moving it leaves: a temp file, perhaps
        // half written, and the previous run's token.
        Files.writeString(dir.resolve(ApiToken.FILE + ".tmp"), "0123");
        Files.writeString(file, "stale\n");

        ApiToken token = ApiToken.create(file);

        assertThat(ApiToken.read(file)).isEqualTo(token.value()).matches("[0-9a-f]{64}");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly(ApiToken.FILE);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void everyStartWritesANewToken() throws Exception {
        Path file = dir.resolve("sub").resolve(ApiToken.FILE);
        ApiToken first = ApiToken.create(file);
        ApiToken second = ApiToken.create(file);
        assertThat(second.value()).isNotEqualTo(first.value());
        assertThat(ApiToken.read(file)).isEqualTo(second.value());
        assertThat(second.matches(first.value())).isFalse();
    }
}
