package io.eciconnector.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Per-flow counters (Prometheus: eci_calls_total{flow,outcome,reason}, eci_retries_total{flow,cause}). */
@ApplicationScoped
public class FlowMetrics {

    @Inject
    MeterRegistry registry;

    public void call(String flow, String outcome, String reason) {
        Counter.builder("eci.calls").description("Calls by flow and outcome").tag("flow", flow)
                .tag("outcome", outcome).tag("reason", reason == null ? "" : reason).register(registry).increment();
    }

    public void retry(String flow, String cause) {
        Counter.builder("eci.retries").description("Requests sent again").tag("flow", flow).tag("cause", cause)
                .register(registry).increment();
    }

    public void requests(String endpoint, int calls) {
        Counter.builder("eci.api.requests").description("Salesforce API requests sent").tag("endpoint", endpoint)
                .register(registry).increment();
        Counter.builder("eci.api.calls.carried").description("Calls carried by create requests").tag("endpoint", endpoint)
                .register(registry).increment(calls);
    }
}
