package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.call;
import static io.eciconnector.ingest.Drops.drop;
import static io.eciconnector.ingest.Drops.requests;
import static io.eciconnector.ingest.Drops.state;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The configuration-change platform event through camel-salesforce's streaming consumer, against the sandbox's
 * Bayeux server: with the status otherwise read hourly, a user added in the org has their waiting call sent within
 * seconds.
 */
@QuarkusTest
@TestProfile(EventsProfile.class)
class CallCoachingEventTest {

    static final String CLEO = "0055e00000Cleo0AAB";

    /** Posts the change until the connector reacts with a status read (the subscription may still be starting). */
    static void changeAndAwaitRead(Map<String, Object> change) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3)).until(() -> {
            int reads = requests("eci.callcoaching");
            given().contentType(ContentType.JSON).body(change).post("/sandbox/callcoaching").then().statusCode(200);
            long deadline = System.currentTimeMillis() + 2500;
            while (System.currentTimeMillis() < deadline) {
                if (requests("eci.callcoaching") > reads) {
                    return true;
                }
                Thread.sleep(100);
            }
            return false;
        });
    }

    @Test
    void aUserAddedInTheOrgIsActedOnThroughThePlatformEvent() throws Exception {
        drop("EVENT-WARMUP", 30); // the first poll reads the status and registers the provider
        await().atMost(Duration.ofSeconds(30)).until(() -> "UPLOADED".equals(state("EVENT-WARMUP")));
        changeAndAwaitRead(Map.of("users", Map.of(CLEO, false)));
        Map<String, Object> c = call("EVENT-CLEO", 60);
        c.put("userEmail", "cleo.agent@eci-sandbox.example");
        drop("EVENT-CLEO.json", List.of(c));
        await().atMost(Duration.ofSeconds(30)).until(() -> "SKIPPED".equals(state("EVENT-CLEO")));
        Instant added = Instant.now();
        given().contentType(ContentType.JSON).body(Map.of("users", Map.of(CLEO, true))).post("/sandbox/callcoaching")
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> "UPLOADED".equals(state("EVENT-CLEO")));
        long seconds = Duration.between(added, Instant.now()).toSeconds();
        assertTrue(seconds < 15, "acted on " + seconds + " s after the change, with the status otherwise read hourly");
        assertTrue(requests("streaming") > 0, "camel-salesforce talked Bayeux to the org");
    }
}
