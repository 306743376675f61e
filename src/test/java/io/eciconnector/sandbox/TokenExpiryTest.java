package io.eciconnector.sandbox;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Issued tokens expire after eci.sandbox.token-ttl (2 h by default); the API then answers 401 INVALID_SESSION_ID.
 * The sandbox's token clock is moved instead of waiting the lifetime out, so no request can arrive late.
 */
@QuarkusTest
class TokenExpiryTest extends SandboxTestSupport {

    @Inject
    Sandbox sandbox;

    @Inject
    SandboxConfig config;

    /** A clock that stands still until moved. */
    static final class ManualClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }
    }

    @Test
    void tokenWorksUntilItsTtlThenGets401() {
        ManualClock clock = new ManualClock();
        sandbox.state().tokenClock(clock);
        try {
            String auth = auth();
            given().header("Authorization", auth).get(V + "/limits").then().statusCode(200);
            clock.advance(config.tokenTtl().minusMillis(1));
            given().header("Authorization", auth).get(V + "/limits").then().statusCode(200);
            clock.advance(Duration.ofMillis(1));
            given().header("Authorization", auth).get(V + "/limits").then().statusCode(401)
                    .body("[0].errorCode", equalTo("INVALID_SESSION_ID"))
                    .body("[0].message", equalTo("Session expired or invalid"));
        } finally {
            sandbox.state().tokenClock(Clock.systemUTC());
        }
    }
}
