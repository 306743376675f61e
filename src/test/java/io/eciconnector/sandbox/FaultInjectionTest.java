package io.eciconnector.sandbox;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** POST /sandbox/faults: statuses with Retry-After, connection resets before/after applying, delays, rates. */
@QuarkusTest
class FaultInjectionTest extends SandboxTestSupport {

    @TestHTTPResource("/")
    URL base;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();

    private HttpResponse<String> createRaw(String auth, String provider, String externalId) throws Exception {
        String body = mapper.writeValueAsString(Map.of("calls",
                List.of(EciConnectConformanceTest.validCall(provider, externalId))));
        return http.send(HttpRequest.newBuilder(URI.create(base + "services/data/v60.0/voicecalls"))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void fault(Map<String, Object> spec) {
        given().contentType(ContentType.JSON).body(spec).post("/sandbox/faults").then().statusCode(201);
    }

    private static int voiceCallsWithKey(String key) {
        return given().get("/sandbox/voicecalls").path("findAll { it.vendorCallKey == '" + key + "' }.size()");
    }

    @Test
    void aHeldRequestIsAppliedAndAnsweredOnlyOnceReleased() throws Exception {
        String auth = auth();
        String provider = provider(auth);
        fault(Map.of("endpoint", "eci.voicecalls", "action", "hold"));
        String body = mapper.writeValueAsString(Map.of("calls", List.of(EciConnectConformanceTest.validCall(provider,
                "F-HELD"))));
        java.util.concurrent.CompletableFuture<HttpResponse<String>> answer = http.sendAsync(HttpRequest.newBuilder(
                URI.create(base + "services/data/v60.0/voicecalls")).header("Authorization", auth)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        // held: counted as received, not applied, not answered
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> given()
                .get("/sandbox/faults/held").path("held").equals(1));
        assertEquals(0, voiceCallsWithKey("F-HELD"));
        assertTrue(!answer.isDone());
        given().post("/sandbox/faults/release").then().statusCode(200).body("released", equalTo(1));
        assertEquals(200, answer.get(20, java.util.concurrent.TimeUnit.SECONDS).statusCode());
        assertEquals(1, voiceCallsWithKey("F-HELD"));
    }

    @Test
    void statusFaultsAnswerWithRetryAfterAndApplyNothing() throws Exception {
        String auth = auth();
        String provider = provider(auth);
        fault(Map.of("endpoint", "eci.voicecalls", "status", 503, "retryAfter", 2, "count", 1));
        fault(Map.of("endpoint", "eci.voicecalls", "status", 429, "retryAfter", 1, "count", 1));
        HttpResponse<String> first = createRaw(auth, provider, "F-1");
        assertEquals(503, first.statusCode());
        assertEquals("2", first.headers().firstValue("Retry-After").orElse(null));
        assertTrue(first.headers().firstValue("Sforce-Limit-Info").isPresent());
        HttpResponse<String> second = createRaw(auth, provider, "F-1");
        assertEquals(429, second.statusCode());
        assertEquals("1", second.headers().firstValue("Retry-After").orElse(null));
        assertEquals(0, voiceCallsWithKey("F-1"));
        assertEquals(200, createRaw(auth, provider, "F-1").statusCode());
        assertEquals(1, voiceCallsWithKey("F-1"));
        fault(Map.of("endpoint", "eci.voicecalls", "status", 500, "count", 1));
        assertEquals(500, createRaw(auth, provider, "F-2").statusCode());
        given().get("/sandbox/faults").then().body("", hasSize(3)).body("[0].hits", equalTo(1))
                .body("[0].remaining", equalTo(0));
        given().delete("/sandbox/faults").then().body("", hasSize(0));
    }

    @Test
    void resetBeforeAppliesNothingAndResetAfterAppliesTheRequest() throws Exception {
        String auth = auth();
        String provider = provider(auth);
        fault(Map.of("endpoint", "eci.voicecalls", "action", "reset-before", "count", 1));
        assertThrows(IOException.class, () -> createRaw(auth, provider, "R-BEFORE"));
        assertEquals(0, voiceCallsWithKey("R-BEFORE"));
        fault(Map.of("endpoint", "eci.voicecalls", "action", "reset-after", "count", 1));
        assertThrows(IOException.class, () -> createRaw(auth, provider, "R-AFTER"));
        // the client saw no answer, yet the call exists: the reconcile query must find it
        assertEquals(1, voiceCallsWithKey("R-AFTER"));
        given().header("Authorization", auth).queryParam("q", "SELECT Id FROM VoiceCall WHERE VendorCallKey = 'R-AFTER'")
                .get(V + "/query").then().body("totalSize", equalTo(1));
    }

    @Test
    void delayHoldsTheAnswerBack() throws Exception {
        String auth = auth();
        String provider = provider(auth);
        fault(Map.of("endpoint", "eci.voicecalls", "action", "delay", "delayMs", 400, "count", 1));
        long start = System.nanoTime();
        assertEquals(200, createRaw(auth, provider, "D-1").statusCode());
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 400, "answer came before the injected delay");
    }

    @Test
    void answerLateAppliesAtOnceAndAnswersAfterAClientHasGivenUp() throws Exception {
        String auth = auth();
        String provider = provider(auth);
        fault(Map.of("endpoint", "eci.voicecalls", "action", "answer-late", "delayMs", 3000, "count", 1));
        String body = mapper.writeValueAsString(Map.of("calls", List.of(EciConnectConformanceTest.validCall(provider,
                "LATE-1"))));
        // the client gives up after 1 s; the org has applied the request already
        assertThrows(java.net.http.HttpTimeoutException.class, () -> http.send(HttpRequest.newBuilder(
                URI.create(base + "services/data/v60.0/voicecalls")).timeout(java.time.Duration.ofSeconds(1))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(1, voiceCallsWithKey("LATE-1"));
        // the VoiceCall has no recording yet: CallRecordingId is null until one is received
        given().header("Authorization", auth).queryParam("q", "SELECT Id, CallRecordingId FROM VoiceCall WHERE "
                + "VendorCallKey = 'LATE-1'").get(V + "/query").then().body("totalSize", equalTo(1))
                .body("records[0].CallRecordingId", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void rateFaultsHitSomeRequestsAndSpareOthers() throws Exception {
        String auth = auth();
        String provider = provider(auth);
        fault(Map.of("endpoint", "eci.voicecalls", "status", 503, "rate", 0.5, "seed", 7));
        int faulted = 0;
        for (int i = 0; i < 30; i++) {
            if (createRaw(auth, provider, "RATE-" + i).statusCode() == 503) {
                faulted++;
            }
        }
        assertTrue(faulted > 3 && faulted < 27, "faulted " + faulted + " of 30 at rate 0.5");
        assertEquals(30 - faulted, (int) given().get("/sandbox/voicecalls").path("size()"));
        given().get("/sandbox/requests").then().body("byEndpoint.'eci.voicecalls'", equalTo(30));
    }

    @Test
    void badFaultSpecsAreRefused() {
        given().contentType(ContentType.JSON).body(Map.of("status", 200)).post("/sandbox/faults").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("action", "delay")).post("/sandbox/faults").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("action", "explode")).post("/sandbox/faults").then().statusCode(400);
    }
}
