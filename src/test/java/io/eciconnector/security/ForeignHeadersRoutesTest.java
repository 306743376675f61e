package io.eciconnector.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.camel.support.PatternHelper;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Issue 12.2: every route of routes/ whose source carries headers from outside (an HTTP request, a Kafka record, an
 * S3 object) begins by removing every eci* and Camel* header, so that nothing the sender chose reaches a step as an
 * internal header; only the consumer's own headers (CamelKafka*, CamelAwsS3*) are kept. A template's route is checked
 * (every templatedRoute made from it begins the same).
 */
class ForeignHeadersRoutesTest {

    static final Path ROUTES = Path.of("routes");

    @Test
    void routesFromForeignSourcesDropInternalHeadersFirst() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<String> checked = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROUTES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode item : yaml.readTree(f.toFile())) {
                    // a route, or the route of a template (each of its templatedRoutes is made from it)
                    JsonNode route = item.has("routeTemplate") ? item.path("routeTemplate").path("route")
                            : item.path("route");
                    String uri = route.path("from").path("uri").asText("").replaceFirst("^master:[^:]+:", "");
                    if (!uri.matches("^(platform-http|kafka|aws2-s3|netty-http|vertx-http|jetty|undertow):.*")) {
                        continue;
                    }
                    String id = item.has("routeTemplate") ? item.path("routeTemplate").path("id").asText()
                            : route.path("id").asText();
                    JsonNode steps = route.path("from").path("steps");
                    List<JsonNode> removals = new ArrayList<>();
                    for (int i = 0; i < steps.size() && steps.get(i).has("removeHeaders"); i++) {
                        removals.add(steps.get(i).path("removeHeaders"));
                    }
                    for (String forged : List.of("eciSignalTime", "ECISIGNALTIME", "eciRecordName", "eciVendor",
                            "eciSignalArrivalTimeBase", "CamelFileName", "camelHttpResponseCode")) {
                        assertTrue(removed(removals, forged), id + " (" + f.getFileName() + ") keeps a header "
                                + forged + " from outside: its first steps must be removeHeaders of eci* and Camel*");
                    }
                    checked.add(id);
                }
            }
        }
        assertEquals(List.of("s3-drop", "signals-http", "signals-kafka"),
                checked.stream().sorted().toList(), "the routes with foreign headers");
    }

    /** True when one of the leading removeHeaders removes the header (its pattern matches, its exclusion does not). */
    static boolean removed(List<JsonNode> removals, String header) {
        for (JsonNode r : removals) {
            String pattern = r.path("pattern").asText();
            String exclude = r.path("excludePattern").asText(null);
            if (PatternHelper.matchPattern(header, pattern)
                    && (exclude == null || !PatternHelper.matchPattern(header, exclude))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void exclusionsKeepOnlyTheConsumersOwnHeaders() {
        assertFalse(PatternHelper.matchPattern("CamelFileName", "CamelKafka*"));
        assertTrue(PatternHelper.matchPattern("camelkafkamanualcommit", "CamelKafka*"));
    }
}
