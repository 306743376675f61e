package io.eciconnector.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * DOWN while the configuration-change platform-event subscription is dead and starting it anew has not helped within
 * eci.callcoaching.events-stall; UP otherwise (also while it is not used). See {@link EventSubscription}.
 */
@Readiness
@ApplicationScoped
public class EventSubscriptionReadiness implements HealthCheck {

    @Inject
    EventSubscription subscription;

    @Override
    public HealthCheckResponse call() {
        return subscription.health();
    }
}
