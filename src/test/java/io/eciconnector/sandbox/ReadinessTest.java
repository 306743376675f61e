package io.eciconnector.sandbox;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;

import io.eciconnector.salesforce.SalesforceApi;
import io.eciconnector.salesforce.SalesforceReadiness;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Readiness follows the Salesforce login: DOWN while the org refuses logins, UP again after. */
@QuarkusTest
class ReadinessTest extends SandboxTestSupport {

    @Inject
    @Readiness
    SalesforceReadiness readiness;

    @Inject
    SalesforceApi api;

    @Test
    void downWhileLoginsAreRefusedUpAfter() throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> readiness.call().getStatus() == HealthCheckResponse.Status.UP);
        // the org expires the session and refuses every login for a while
        given().contentType(ContentType.JSON).body(List.of(
                Map.of("endpoint", "limits", "action", "expire-token", "count", 1),
                Map.of("endpoint", "oauth.token", "status", 503, "count", 1000)))
                .post("/sandbox/faults").then().statusCode(201);
        try {
            api.get("/services/data/v60.0/limits");
        } catch (SalesforceApi.LoginException expected) {
            // the refresh after the 401 was refused
        }
        assertEquals(HealthCheckResponse.Status.DOWN, readiness.call().getStatus());
        given().delete("/sandbox/faults").then().statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> readiness.call().getStatus() == HealthCheckResponse.Status.UP);
    }
}
