package io.eciconnector.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per-flow counters (Prometheus: eci_calls_total{flow,outcome,reason}, eci_retries_total{flow,cause}) and the signal
 * flow's figures: eci_signals_total{kind,outcome}, eci_telephony_requests_total{endpoint,status},
 * eci_telephony_bulk_messages (messages per bulk request: the fill), eci_telephony_latency_seconds (record taken in to
 * accepted by the API).
 */
@ApplicationScoped
public class FlowMetrics {

    @Inject
    MeterRegistry registry;

    public void call(String flow, String outcome, String reason) {
        calls(flow, outcome, reason, 1);
    }

    /** {@code n} calls at once. */
    public void calls(String flow, String outcome, String reason, int n) {
        Counter.builder("eci.calls").description("Calls by flow and outcome").tag("flow", flow)
                .tag("outcome", outcome).tag("reason", reason == null ? "" : reason).register(registry).increment(n);
    }

    /**
     * Duplicates found in the org (eci_duplicates_total{kind}): {@code voicecall}, a VendorCallKey with more than one
     * VoiceCall. Each call is counted once; the eci console lists them from the ledger.
     */
    public void duplicate(String kind) {
        Counter.builder("eci.duplicates").description("Calls the org holds more than once").tag("kind", kind)
                .register(registry).increment();
    }

    public void retry(String flow, String cause) {
        Counter.builder("eci.retries").description("Requests sent again").tag("flow", flow).tag("cause", cause)
                .register(registry).increment();
    }

    /**
     * Signal items (kind EVENT / MESSAGE / POSTCALL / RECORD / CONVERSATION / CONTACT / REFUSAL) by outcome: received,
     * duplicate, sent, retried, dead, forgotten (a conversation the retention forgot; a record of one, skipped; a
     * refusal older than the retention), guard-expired (a forgotten contact past the replay guard).
     */
    public void signals(String kind, String outcome, int n) {
        if (n > 0) {
            Counter.builder("eci.signals").description("Signal items by kind and outcome").tag("kind", kind)
                    .tag("outcome", outcome).register(registry).increment(n);
        }
    }

    public void telephonyRequest(String endpoint, int status) {
        Counter.builder("eci.telephony.requests").description("Telephony API requests by answer")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status)).register(registry).increment();
    }

    public void bulkFill(int messages) {
        DistributionSummary.builder("eci.telephony.bulk.messages").description("Messages per bulk transcript request (max 25)")
                .register(registry).record(messages);
    }

    public void telephonyLatency(String kind, long millis) {
        Timer.builder("eci.telephony.latency").description("From the record taken in to the API accepting it")
                .tag("kind", kind).publishPercentiles(0.5, 0.99).register(registry)
                .record(java.time.Duration.ofMillis(Math.max(0, millis)));
    }

    public void requests(String endpoint, int calls) {
        Counter.builder("eci.api.requests").description("Salesforce API requests sent").tag("endpoint", endpoint)
                .register(registry).increment();
        Counter.builder("eci.api.calls.carried").description("Calls carried by create requests").tag("endpoint", endpoint)
                .register(registry).increment(calls);
    }
}
