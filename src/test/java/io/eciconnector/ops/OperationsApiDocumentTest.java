package io.eciconnector.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.ingest.FlowProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * GET /openapi: the operations API described from the REST DSL of routes/operations-api.yaml (OpenAPI 3), so a
 * client or an API gateway is set up from the document, not from the README. The document holds no data and needs
 * no token; the operations still do.
 */
@QuarkusTest
@TestProfile(FlowProfile.class)
class OperationsApiDocumentTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL base;

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theOperationsAreDescribedWithTheirParametersAndAnswers() throws Exception {
        HttpResponse<String> answer = get("/openapi");
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode doc = new ObjectMapper().readTree(answer.body());
        assertTrue(doc.path("openapi").asText().startsWith("3."), "an OpenAPI 3 document: " + doc.path("openapi"));
        assertEquals("eci-connector operations API", doc.path("info").path("title").asText());

        JsonNode paths = doc.path("paths");
        List<String> operations = new ArrayList<>();
        paths.fields().forEachRemaining(p -> p.getValue().fieldNames()
                .forEachRemaining(verb -> operations.add(verb.toUpperCase() + " " + p.getKey())));
        assertEquals(List.of("GET /calls", "GET /calls/failures", "GET /calls/{externalId}",
                "GET /signals/calls/{vendorCallKey}", "GET /signals/outbox", "POST /calls/retry",
                "POST /calls/{externalId}/replay", "POST /signals/calls/{vendorCallKey}/replay"),
                operations.stream().sorted().toList(), "every operation of routes/operations-api.yaml, nothing else");

        JsonNode status = paths.path("/calls/{externalId}").path("get");
        JsonNode id = status.path("parameters").get(0);
        assertEquals("externalId", id.path("name").asText());
        assertEquals("path", id.path("in").asText());
        assertTrue(id.path("required").asBoolean(), "the call's id is required");
        assertTrue(status.path("responses").has("404"), "an unknown call is documented: " + status.path("responses"));

        JsonNode list = paths.path("/calls").path("get");
        List<String> states = new ArrayList<>();
        list.path("parameters").forEach(p -> {
            if (p.path("name").asText().equals("state")) {
                p.path("schema").path("enum").forEach(v -> states.add(v.asText()));
            }
        });
        assertTrue(states.contains("DEAD") && states.contains("UPLOADED"), "the ledger's states are listed: " + states);
        // the route file lists them by hand: it must say what the ledger has
        assertEquals(java.util.Arrays.stream(io.eciconnector.ledger.CallState.values()).map(Enum::name).toList(), states,
                "routes/operations-api.yaml lists the ledger's states, all of them, in order");

        assertTrue(paths.path("/signals/calls/{vendorCallKey}/replay").path("post").path("responses").has("202"),
                "a replay of signals answers 202 (sent again later), as documented");
    }

    @Test
    void theDocumentDoesNotOpenTheOperations() throws Exception {
        assertEquals(401, get("/calls/ANY-CALL").statusCode());
        assertEquals(401, get("/signals/outbox").statusCode());
    }
}
