package io.eciconnector.security;

import static io.eciconnector.signals.ContactLensRecords.categories;
import static io.eciconnector.signals.ContactLensRecords.segments;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.ingest.FlowProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Issue 12, items 1, 2 and 6 through the product's route files: who may use the operations API, which headers of a
 * request reach the intake, and the modes of what the connector writes.
 */
@QuarkusTest
@TestProfile(FlowProfile.class)
class SecurityFlowTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(20)).method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(""));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static final List<String> READS = List.of("/calls/ANY-CALL", "/calls?state=DEAD", "/calls/failures?state=DEAD",
            "/signals/calls/any-contact", "/signals/outbox");
    static final List<String> CHANGES = List.of("/calls/ANY-CALL/replay",
            "/calls/retry?userId=0055e000001Ava0AAC&from=2026-01-01&to=2026-02-01", "/signals/calls/any-contact/replay");

    /** Item 1: every read needs the read or the operations token, every change the operations token. */
    @Test
    void theOperationsApiAnswersOnlyWithItsTokens() throws Exception {
        String ops = "Bearer " + FlowProfile.CONSOLE_TOKEN;
        String read = "Bearer " + FlowProfile.READ_TOKEN;
        for (String path : READS) {
            assertEquals(401, send("GET", path, null).statusCode(), "GET " + path + " without a token");
            assertEquals(401, send("GET", path, "Bearer wrong").statusCode(), "GET " + path + " with a wrong token");
            assertEquals(401, send("GET", path, "Bearer " + FlowProfile.WEBHOOK_TOKEN).statusCode(),
                    "GET " + path + " with the webhook's token");
            assertNotEquals(401, send("GET", path, read).statusCode(), "GET " + path + " with the read token");
            assertNotEquals(401, send("GET", path, ops).statusCode(), "GET " + path + " with the operations token");
        }
        for (String path : CHANGES) {
            assertEquals(401, send("POST", path, null).statusCode(), "POST " + path + " without a token");
            assertEquals(401, send("POST", path, "Bearer wrong").statusCode(), "POST " + path + " with a wrong token");
            assertEquals(401, send("POST", path, read).statusCode(), "POST " + path + " with the read token only");
            String sep = path.contains("?") ? "&" : "?";
            assertEquals(401, send("POST", path + sep + "CamelHttpMethod=GET", read).statusCode(),
                    "a query parameter does not make a change a read");
            assertNotEquals(401, send("POST", path, ops).statusCode(), "POST " + path + " with the operations token");
        }
        HttpResponse<String> refused = send("GET", "/calls/ANY-CALL", null);
        assertTrue(refused.headers().firstValue("WWW-Authenticate").isPresent(), "says which scheme");
        assertTrue(refused.body().contains("token") && !refused.body().contains("ANY-CALL"), refused.body());
        // basic auth with the token as password works too (Hawtio-style clients)
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("x:" + FlowProfile.READ_TOKEN).getBytes());
        assertEquals(404, send("GET", "/calls/ANY-CALL", basic).statusCode());
    }

    /** Item 2: a header of the request (eciSignalTime, CamelFileName, ...) is not an internal header. */
    @Test
    void requestHeadersDoNotBecomeInternalHeaders() throws Exception {
        timedFromArrival(true);
    }

    /** Item 2: nor is a query parameter (platform-http makes query parameters headers too). */
    @Test
    void queryParametersDoNotBecomeInternalHeaders() throws Exception {
        timedFromArrival(false);
    }

    /** Posts a record with a forged producer time as a header or query parameter: the contact is timed from arrival. */
    void timedFromArrival(boolean asHeader) throws Exception {
        String key = "hdr-" + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("vendorCallKeys", List.of(key)))
                .post("/sandbox/telephony/calls").then().statusCode(200);
        long before = System.currentTimeMillis();
        long forged = 1_000_000_000_000L;
        var request = given().header("Authorization", "Bearer " + FlowProfile.WEBHOOK_TOKEN);
        if (asHeader) {
            request = request.header("eciSignalTime", forged).header("ECISIGNALSOURCE", "kafka:forged/0")
                    .header("CamelFileName", "../../etc/passwd");
        } else {
            request = request.queryParam("eciSignalTime", forged).queryParam("eciSignalSource", "kafka:forged/0");
        }
        request.body(segments(key, categories("CustomerAngry", 1000, 2800)).toString())
                .post("/signals/contact-lens").then().statusCode(202);
        JsonNode view = JSON.readTree(given().get("/signals/calls/" + key).then().statusCode(200).extract().asString());
        JsonNode contact = view.path("contact");
        assertEquals("first-record-arrival", contact.path("startBasis").asText(), view.toString());
        long started = contact.path("startedAt").asLong();
        assertTrue(started >= before - 2800 - 1000 && started <= System.currentTimeMillis(),
                "timed from arrival, not from the forged value: " + contact);
        assertTrue(!view.path("records").toString().contains("forged"), view.toString());
    }

    /** Item 6: an id with a control or invisible character is refused with the reason, never sent. */
    @Test
    void idsWithControlOrInvisibleCharactersAreRefusedWithAReason() throws Exception {
        String base = "EVIL-" + UUID.randomUUID().toString().substring(0, 8);
        String id = base + "\r\n10:00:00.000 INFO  [forged] a line the record wrote\u200B";
        java.time.Instant start = java.time.Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Map<String, Object> call = new java.util.LinkedHashMap<>();
        call.put("externalId", id);
        call.put("startDateTime", start.toString());
        call.put("endDateTime", start.plusSeconds(60).toString());
        call.put("fromPhoneNumber", "+16315122409");
        call.put("toPhoneNumber", "+14155550101");
        call.put("callType", "Inbound");
        call.put("userEmail", "ava.agent@eci-sandbox.example");
        call.put("recordingDuration", 60);
        call.put("recording", base + ".wav");
        Path inbox = Files.createDirectories(Path.of(FlowProfile.INBOX));
        io.eciconnector.samples.WavWriter.tone(inbox.resolve(base + ".wav"), 8000, 0.2, 262.0);
        Path tmp = inbox.resolve("." + base + ".tmp");
        JSON.writeValue(tmp.toFile(), call);
        Files.move(tmp, inbox.resolve(base + ".json"));
        JsonNode[] row = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode r : JSON.readTree(given().get("/calls?state=DEAD&limit=1000").then().statusCode(200)
                    .extract().asString()).path("calls")) {
                if (r.path("externalId").asText().equals(id)) {
                    row[0] = r;
                    return true;
                }
            }
            return false;
        });
        assertEquals("rule:external-id", row[0].path("reasonCode").asText(), row[0].toString());
        assertTrue(row[0].path("reason").asText().contains("U+000D at position 14"), row[0].toString());
        assertTrue(row[0].path("reason").asText().contains("\\r\\n"), "the reason names the id escaped: " + row[0]);
        String created = given().get("/sandbox/voicecalls").then().extract().asString();
        assertTrue(!created.contains(base), "never sent: " + created);
    }

    /** Item 6: dead letters (original records, transcript text) are the connector's user's alone. */
    @Test
    void deadLettersAreWrittenOwnerOnly() throws Exception {
        String marker = "mode-" + UUID.randomUUID();
        given().header("Authorization", "Bearer " + FlowProfile.WEBHOOK_TOKEN)
                .body("{\"ContactId\": \"" + marker + "\", broken").post("/signals/contact-lens").then().statusCode(202);
        Path root = Path.of(FlowProfile.DEAD_LETTERS);
        Path[] letter = new Path[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.filter(Files::isRegularFile).toList()) {
                    if (Files.readString(p).contains(marker)) {
                        letter[0] = p;
                        return true;
                    }
                }
            }
            return false;
        });
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(letter[0])), letter[0].toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(letter[0].getParent())),
                letter[0].getParent().toString());
    }
}
