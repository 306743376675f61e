package io.eciconnector.ops;

import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.signals.OutboxItem;
import io.eciconnector.signals.SignalStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The backlogs as gauges: eci_ledger_calls{state} (calls per ledger state) and eci_signals_outbox{kind,state}
 * (telephony outbox items). Read from the ledger at most every 5 seconds, whatever the scrape rate.
 */
@ApplicationScoped
public class BacklogMetrics {

    static final long TTL_MS = 5000;

    @Inject
    MeterRegistry registry;

    @Inject
    Ledger ledger;

    @Inject
    SignalStore signals;

    private final Cached<Map<CallState, Long>> calls = new Cached<>(() -> ledger.counts());
    private final Cached<Map<String, Long>> outbox = new Cached<>(() -> signals.counts());

    void register(@Observes StartupEvent event) {
        for (CallState s : CallState.values()) {
            Gauge.builder("eci.ledger.calls", calls, c -> c.get().getOrDefault(s, 0L)).tag("state", s.name())
                    .description("Calls in the ledger by state").register(registry);
        }
        for (OutboxItem.Kind k : OutboxItem.Kind.values()) {
            for (String state : new String[] { "PENDING", "SENDING", "SENT", "DEAD" }) {
                Gauge.builder("eci.signals.outbox", outbox, o -> o.get().getOrDefault(k.name() + "." + state, 0L))
                        .tag("kind", k.name()).tag("state", state).description("Telephony outbox items").register(registry);
            }
        }
    }

    static final class Cached<T> {
        private final Supplier<T> read;
        private T value;
        private long at;

        Cached(Supplier<T> read) {
            this.read = read;
        }

        synchronized T get() {
            long now = System.currentTimeMillis();
            if (value == null || now - at > TTL_MS) {
                try {
                    value = read.get();
                } catch (RuntimeException e) {
                    if (value == null) {
                        throw e;
                    }
                }
                at = now;
            }
            return value;
        }
    }
}
