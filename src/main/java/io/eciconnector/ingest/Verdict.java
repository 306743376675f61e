package io.eciconnector.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eciconnector.ledger.CallState;

/**
 * The outcome of the checks: CHECKED with the ECI payload, or SKIPPED / DEAD with a short code (for metrics) and a
 * reason that names the rule (for the ledger and the dead letters).
 */
public record Verdict(CallState state, String code, String reason, ObjectNode payload, String userId) {

    static Verdict skip(String code, String reason) {
        return new Verdict(CallState.SKIPPED, code, reason, null, null);
    }

    static Verdict dead(String code, String reason) {
        return new Verdict(CallState.DEAD, code, reason, null, null);
    }
}
