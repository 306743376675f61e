package io.eciconnector.sources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.eciconnector.testing.Dirs;

/**
 * The S3 source's settings with a copy of routes/ that an operator edited: one more templatedRoute of the s3-drop
 * template in routes/ingest-s3.yaml, for a second bucket of generic records, with the template's defaults otherwise.
 */
public class S3TemplateProfile extends S3SourceProfile {

    static final Path ROUTES = Path.of("target/s3-template/routes");

    static final String SECOND_BUCKET_ROUTE = """

            - templatedRoute:
                routeTemplateRef: s3-drop
                routeId: ingest-s3-second
                parameters:
                  - name: bucket
                    value: %s
                  - name: pollMs
                    value: "300"
            """.formatted(S3ProxyResource.SECOND_BUCKET);

    @Override
    public String getConfigProfile() {
        return "s3template";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = super.getConfigOverrides();
        try {
            Dirs.copyRoutes(ROUTES);
            Path s3 = ROUTES.resolve("ingest-s3.yaml");
            Files.writeString(s3, Files.readString(s3) + SECOND_BUCKET_ROUTE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        m.put("eci.routes.dir", ROUTES.toString());
        return m;
    }
}
