package io.eciconnector.salesforce;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * How much of the org's daily API allocation the connector may use now, from the last Sforce-Limit-Info: NORMAL,
 * SLOW above eci.budget.slow-at (80 %), PAUSED above eci.budget.pause-at (95 %) or after a 403
 * REQUEST_LIMIT_EXCEEDED. A pause ends by itself: after pause-check the usage is read again (GET /limits).
 */
@ApplicationScoped
public class ApiBudget {

    private static final Logger LOG = Logger.getLogger(ApiBudget.class);

    public enum Mode {
        NORMAL,
        SLOW,
        PAUSED
    }

    @Inject
    ApiUsage usage;

    @Inject
    BudgetSettings settings;

    @Inject
    SalesforceApi api;

    @Inject
    MeterRegistry registry;

    @Inject
    SalesforceSettings salesforce;

    private volatile Instant limitExceededUntil = Instant.EPOCH;
    private volatile Instant nextCheck = Instant.EPOCH;
    private volatile Mode last = Mode.NORMAL;

    void registerGauges(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        Gauge.builder("eci.api.usage.ratio", usage, ApiUsage::share)
                .description("Share of the org's daily API allocation used (Sforce-Limit-Info)").register(registry);
        Gauge.builder("eci.api.budget.mode", this, b -> b.last.ordinal())
                .description("0 normal, 1 slow, 2 paused").register(registry);
    }

    /** The mode now; while paused, reads the usage again once pause-check has passed. */
    public Mode mode() {
        Mode m = compute();
        if (m == Mode.PAUSED && Instant.now().isAfter(nextCheck)) {
            nextCheck = Instant.now().plus(settings.pauseCheck());
            try {
                ApiResponse limits = api.get("/services/data/v" + salesforce.apiVersion() + "/limits");
                if (limits.status() != 403) {
                    limitExceededUntil = Instant.EPOCH;
                }
            } catch (Exception e) {
                LOG.debugf("API usage not read: %s", e.getMessage());
            }
            m = compute();
        }
        if (m != last) {
            LOG.infof("API budget: %s (%.1f %% of %d daily requests used)", m, usage.share() * 100, usage.max());
            last = m;
        }
        return m;
    }

    private Mode compute() {
        if (Instant.now().isBefore(limitExceededUntil)) {
            return Mode.PAUSED;
        }
        double share = usage.share();
        if (share >= settings.pauseAt()) {
            return Mode.PAUSED;
        }
        return share >= settings.slowAt() ? Mode.SLOW : Mode.NORMAL;
    }

    /** A 403 REQUEST_LIMIT_EXCEEDED: pause, do not dead-letter. */
    public void limitExceeded() {
        limitExceededUntil = Instant.now().plus(settings.limitExceededPause());
        nextCheck = limitExceededUntil;
        LOG.warnf("403 REQUEST_LIMIT_EXCEEDED: the org's daily API allocation is used up; sending paused for %s",
                settings.limitExceededPause());
    }
}
