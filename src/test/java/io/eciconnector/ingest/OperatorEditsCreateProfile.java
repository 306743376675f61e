package io.eciconnector.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import io.eciconnector.testing.Dirs;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The flow settings against a copy of routes/ in which an operator changed the batch size of
 * create-voicecalls.yaml to {@value #BATCH_SIZE}, with a recovery pass so rare ({@code eci.create.recovery-ms} one
 * minute) that only the calls' announcements can make them go within the tests' bounds.
 */
public class OperatorEditsCreateProfile implements QuarkusTestProfile {

    static final Path ROUTES = Path.of("target/operator-edits-create/routes");
    static final int BATCH_SIZE = 3;
    static final String SIZE_LINE = "completionSize: \"{{eci.create.batch-size:200}}\"";

    @Override
    public String getConfigProfile() {
        return "flow";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = FlowProfile.variant("operator-edits-create");
        copyAndEdit();
        m.put("eci.routes.dir", ROUTES.toString());
        m.put("eci.cluster.file.root", "target/operator-edits-create/cluster");
        m.put("eci.create.recovery-ms", "60000");
        m.put("eci.upload.recovery-ms", "60000");
        return m;
    }

    /** routes/ copied, and the batch size written into the copy of create-voicecalls.yaml as an operator would. */
    static void copyAndEdit() {
        Dirs.clean(ROUTES);
        try {
            Files.createDirectories(ROUTES);
            try (Stream<Path> files = Files.list(Path.of("routes"))) {
                for (Path f : files.toList()) {
                    Files.copy(f, ROUTES.resolve(f.getFileName()));
                }
            }
            Path create = ROUTES.resolve("create-voicecalls.yaml");
            String yaml = Files.readString(create);
            if (!yaml.contains(SIZE_LINE)) {
                throw new IllegalStateException("routes/create-voicecalls.yaml has no line " + SIZE_LINE);
            }
            Files.writeString(create, yaml.replace(SIZE_LINE, "completionSize: " + BATCH_SIZE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
