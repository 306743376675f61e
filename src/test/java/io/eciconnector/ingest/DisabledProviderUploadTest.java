package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.drop;
import static io.eciconnector.ingest.Drops.state;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Issue 11 item 11: an upload the org refuses because the provider was disabled at that moment is not final: the call
 * waits while the provider stays disabled and is uploaded once it is enabled again (before: dead-lettered).
 */
@QuarkusTest
@TestProfile(FlowProfile.class)
class DisabledProviderUploadTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    ProviderRegistry provider;

    static void post(String path, Map<String, Object> body) {
        given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(lessThan(300));
    }

    @Test
    void anUploadRefusedWhileTheProviderWasDisabledGoesOnceItIsEnabledAgain() throws Exception {
        String providerId = provider.providerId();
        given().delete("/sandbox/faults");
        try {
            // the upload reaches the org, waits there while the admin disables the provider, then is refused
            post("/sandbox/faults", Map.of("endpoint", "eci.audio_upload", "action", "hold", "count", 1));
            drop("DISABLED-AT-UPLOAD", 30);
            await().atMost(WAIT).until(() -> given().get("/sandbox/faults/held").<Integer>path("held") >= 1);
            post("/sandbox/callcoaching", Map.of("providers", Map.of(providerId, false)));
            given().post("/sandbox/faults/release").then().statusCode(200);
            await().atMost(WAIT).until(() -> Set.of("CREATED", "DEAD").contains(String.valueOf(state("DISABLED-AT-UPLOAD"))));
            assertEquals("CREATED", state("DISABLED-AT-UPLOAD"), "refused while disabled: waits, not dead");
            // still waiting a while later: nothing is uploaded while the provider is disabled, and nothing loops
            int uploads = Drops.requests("eci.audio_upload");
            Thread.sleep(3000); // a stretch of time is the behaviour under test: no upload attempts meanwhile
            assertEquals("CREATED", state("DISABLED-AT-UPLOAD"));
            assertEquals(uploads, Drops.requests("eci.audio_upload"), "no upload tried while disabled");
            post("/sandbox/callcoaching", Map.of("providers", Map.of(providerId, true)));
            await().atMost(WAIT).until(() -> "UPLOADED".equals(state("DISABLED-AT-UPLOAD")));
        } finally {
            given().delete("/sandbox/faults");
            post("/sandbox/callcoaching", Map.of("providers", Map.of(providerId, true)));
        }
    }
}
