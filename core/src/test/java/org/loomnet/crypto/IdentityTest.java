package org.loomnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node key file and the proofs that bind a node id to a Noise static key. */
class IdentityTest {

    @Test
    void isCreatedOnceOwnerOnlyAndLoadedAgain(@TempDir Path dir) throws IOException {
        Identity first = Identity.loadOrCreate(dir.resolve("data"));
        Path file = dir.resolve("data").resolve(Identity.KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Identity again = Identity.loadOrCreate(dir.resolve("data"));
        assertThat(again.nodeId()).isEqualTo(first.nodeId()).hasSize(Identity.NODE_ID_LENGTH);
        assertThat(again.staticPublicKey()).isEqualTo(first.staticPublicKey());
        try (var files = Files.list(dir.resolve("data"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(Identity.KEY_FILE); // no temp left
        }
    }

    @Test
    void aMalformedKeyFileIsAnErrorAndIsLeftAsItIs(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(Identity.KEY_FILE);
        Files.writeString(file, "x25519-private zz\n");
        assertThatThrownBy(() -> Identity.loadOrCreate(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("malformed key file");
        assertThat(Files.readString(file)).isEqualTo("x25519-private zz\n");
    }

    @Test
    void theNodeIdFollowsFromTheSigningKey() {
        Identity id = Identity.generate();
        assertThat(Identity.nodeIdOf(id.signingPublicKey())).isEqualTo(id.nodeId());
        assertThat(Identity.generate().nodeId()).isNotEqualTo(id.nodeId());
    }

    @Test
    void aProofVerifiesOnlyForItsOwnStaticKey() throws NoiseException {
        Identity a = Identity.generate();
        Identity b = Identity.generate();
        assertThat(Identity.verifyProof(a.proof(), a.staticPublicKey())).isEqualTo(a.signingPublicKey());
        assertThatThrownBy(() -> Identity.verifyProof(a.proof(), b.staticPublicKey())).isInstanceOf(NoiseException.class);
        byte[] tampered = a.proof();
        tampered[40] ^= 1;
        assertThatThrownBy(() -> Identity.verifyProof(tampered, a.staticPublicKey())).isInstanceOf(NoiseException.class);
        assertThatThrownBy(() -> Identity.verifyProof(new byte[10], a.staticPublicKey())).isInstanceOf(NoiseException.class);
    }

    @Test
    void theProofIsSignedOnceAndHandedOutAsACopy() throws NoiseException {
        Identity a = Identity.generate();
        byte[] first = a.proof();
        first[40] ^= 1; // a caller that scribbles on its copy

        assertThat(a.proof()).isNotSameAs(a.proof()).isEqualTo(a.proof());
        assertThat(Identity.verifyProof(a.proof(), a.staticPublicKey())).isEqualTo(a.signingPublicKey());
    }
}
