package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.drop;
import static io.eciconnector.ingest.Drops.requests;
import static io.eciconnector.ingest.Drops.state;
import static io.eciconnector.ingest.Drops.voiceCalls;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The org's daily API allocation, as Sforce-Limit-Info reports it: below 80 % calls go out as usual, above 80 % only
 * full batches, above 95 % (or on 403 REQUEST_LIMIT_EXCEEDED) nothing, until the usage falls again.
 */
@QuarkusTest
@TestProfile(BudgetProfile.class)
class ApiBudgetTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    static void usage(int used) {
        given().contentType(ContentType.JSON).body(Map.of("used", used, "max", 15000)).post("/sandbox/limits").then()
                .statusCode(200);
    }

    @BeforeEach
    void normal() {
        given().delete("/sandbox/faults");
        usage(0);
    }

    /** Drops a call and gives the connector time to read the usage and, if it would, to send (max-wait 2 s). */
    static void dropAndWait(String id) throws Exception {
        drop(id, 40);
        await().atMost(WAIT).until(() -> state(id) != null);
        Thread.sleep(6500); // three times max-wait: a normal connector has sent by now
    }

    @Test
    void at79PercentCallsGoOutAsUsual() throws Exception {
        usage(11850);
        drop("BUDGET-79", 40);
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("BUDGET-79")));
    }

    @Test
    void at81PercentOnlyFullBatchesGoOut() throws Exception {
        usage(12150);
        dropAndWait("BUDGET-81");
        assertEquals("CHECKED", state("BUDGET-81"), "a partial batch waits while the allocation runs low");
        usage(7500);
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("BUDGET-81")));
    }

    @Test
    void at96PercentNothingGoesOutUntilTheUsageFalls() throws Exception {
        usage(14400);
        int creates = requests("eci.voicecalls");
        dropAndWait("BUDGET-96");
        assertEquals("CHECKED", state("BUDGET-96"));
        assertEquals(creates, requests("eci.voicecalls"), "paused: no create request");
        usage(7500);
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("BUDGET-96")));
    }

    @Test
    void requestLimitExceededPausesInsteadOfDeadLettering() throws Exception {
        given().contentType(ContentType.JSON).body(Map.of("endpoint", "eci.voicecalls", "status", 403,
                "errorCode", "REQUEST_LIMIT_EXCEEDED", "message", "TotalRequests Limit exceeded.", "count", 1))
                .post("/sandbox/faults").then().statusCode(201);
        drop("BUDGET-403", 40);
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("BUDGET-403")));
        assertEquals(1, voiceCalls("BUDGET-403").size());
        given().get("/calls/BUDGET-403").then().body("history.reason.toString()",
                org.hamcrest.Matchers.containsString("REQUEST_LIMIT_EXCEEDED"));
    }
}
