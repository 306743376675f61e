package io.eciconnector.ops;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The ledger as gauges (Prometheus {@code eci_ledger_calls{state}}: calls in each state; the backlog is WAITING +
 * CHECKED + CREATING + RECONCILE + CREATED + UPLOADING). One GROUP BY query, at most every 10 s, whatever the
 * number of scrapes; every replica reports the same shared ledger. This replica's commits ({@code
 * eci_ledger_commits_total}) and the changes its group commit carried ({@code eci_ledger_grouped_works_total}).
 */
@ApplicationScoped
public class LedgerMetrics {

    private static final Logger LOG = Logger.getLogger(LedgerMetrics.class);
    static final Duration MAX_AGE = Duration.ofSeconds(10);

    @Inject
    Ledger ledger;

    @Inject
    MeterRegistry registry;

    private volatile Map<CallState, Long> counts = Map.of();
    private volatile long readAt;

    void register(@Observes StartupEvent start) {
        for (CallState state : CallState.values()) {
            Gauge.builder("eci.ledger.calls", this, m -> m.count(state)).tag("state", state.name())
                    .description("Calls in the ledger by state").register(registry);
        }
        // this replica's transactions: with the group commit, fewer than the changes they carry under load
        io.micrometer.core.instrument.FunctionCounter.builder("eci.ledger.commits", ledger, Ledger::commits)
                .description("Ledger transactions this replica committed").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("eci.ledger.grouped.works", ledger, Ledger::groupedWorks)
                .description("Changes committed through the group commit (several may share one transaction)")
                .register(registry);
    }

    double count(CallState state) {
        long now = System.nanoTime();
        if (now - readAt > MAX_AGE.toNanos() || counts.isEmpty()) {
            try {
                counts = ledger.counts();
                readAt = now;
            } catch (RuntimeException e) {
                LOG.debugf("ledger counts not read: %s", e.getMessage());
                return Double.NaN;
            }
        }
        return counts.getOrDefault(state, 0L);
    }
}
