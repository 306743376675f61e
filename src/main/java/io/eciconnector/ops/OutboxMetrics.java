package io.eciconnector.ops;

import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.eciconnector.signals.OutboxItem;
import io.eciconnector.signals.SignalStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The telephony outbox as gauges: eci_signals_outbox{kind,state}. Read from the ledger at most every 5 seconds,
 * whatever the scrape rate (the call ledger's gauges: {@link LedgerMetrics}).
 */
@ApplicationScoped
public class OutboxMetrics {

    static final long TTL_MS = 5000;

    @Inject
    MeterRegistry registry;

    @Inject
    SignalStore signals;

    private final Cached<Map<String, Long>> outbox = new Cached<>(() -> signals.counts());

    void register(@Observes StartupEvent event) {
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
