package io.eciconnector.salesforce;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once a Salesforce login has worked, and not while logins are refused. Answers from the last login's outcome
 * without any request while it is good; after a failure (or before any login) it logs in again, at most every 5 s.
 * Login requests do not count against the org's API allocation.
 */
@Readiness
@ApplicationScoped
public class SalesforceReadiness implements HealthCheck {

    static final Duration RETRY = Duration.ofSeconds(5);

    @Inject
    SalesforceApi api;

    private volatile Instant lastTry = Instant.EPOCH;

    @Override
    public HealthCheckResponse call() {
        Boolean works = api.loginWorks();
        if (!Boolean.TRUE.equals(works) && Instant.now().isAfter(lastTry.plus(RETRY))) {
            lastTry = Instant.now();
            try {
                if (works == null) {
                    api.token();
                } else {
                    api.relogin();
                }
            } catch (SalesforceApi.LoginException | RuntimeException e) {
                // reported below
            }
            works = api.loginWorks();
        }
        HealthCheckResponseBuilder b = HealthCheckResponse.named("salesforce-login");
        if (Boolean.TRUE.equals(works)) {
            return b.up().build();
        }
        String error = api.lastLoginError();
        return b.down().withData("error", error == null ? "no login yet" : error).build();
    }
}
