package io.eciconnector.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceIdTest {

    @TempDir
    Path dir;

    @Test
    void thePodNameInKubernetes() {
        Path file = dir.resolve("instance-id");
        assertEquals("eci-connector-0", InstanceId.resolve(Optional.empty(), Map.of("POD_NAME", "eci-connector-0",
                "HOSTNAME", "other"), file).id());
        assertEquals("eci-connector-7d9f-x2k", InstanceId.resolve(Optional.empty(), Map.of("HOSTNAME",
                "eci-connector-7d9f-x2k", "KUBERNETES_SERVICE_HOST", "10.0.0.1"), file).id());
        assertEquals("configured", InstanceId.resolve(Optional.of("configured"), Map.of("POD_NAME", "p"), file).id());
        assertTrue(Files.notExists(file), "no file when the pod names the instance");
    }

    @Test
    void outsideKubernetesAnIdKeptInTheDataDirectoryReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("data/instance-id");
        String first;
        // a machine's HOSTNAME is not an instance: two connectors on one machine would share it
        try (InstanceId id = InstanceId.resolve(Optional.empty(), Map.of("HOSTNAME", "build-host"), file)) {
            first = id.id();
            assertNotEquals("build-host", first);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(first, Files.readString(file).trim());
            // a second process in the same directory while the first runs gets a name of its own
            try (InstanceId second = InstanceId.resolve(Optional.empty(), Map.of(), file)) {
                assertNotEquals(first, second.id());
                assertTrue(second.source().startsWith("random"), second.source());
            }
        }
        try (InstanceId again = InstanceId.resolve(Optional.empty(), Map.of(), file)) {
            assertEquals(first, again.id(), "the same id after a restart");
        }
    }
}
