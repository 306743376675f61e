package io.eciconnector.sandbox;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Issued tokens expire after eci.sandbox.token-ttl; the API then answers 401 INVALID_SESSION_ID. */
@QuarkusTest
@TestProfile(TokenExpiryTest.ShortTokens.class)
class TokenExpiryTest extends SandboxTestSupport {

    public static class ShortTokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("eci.sandbox.token-ttl", "PT1S");
        }
    }

    @Test
    void tokenWorksUntilItsTtlThenGets401() {
        String auth = auth();
        given().header("Authorization", auth).get(V + "/limits").then().statusCode(200);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> given()
                .header("Authorization", auth).get(V + "/limits").then().statusCode(401)
                .body("[0].errorCode", equalTo("INVALID_SESSION_ID"))
                .body("[0].message", equalTo("Session expired or invalid")));
    }
}
