package io.eciconnector.signals;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A contact seen on a stream: the vendorCallKey its signals go to (the first contact of the conversation), the start
 * every offset counts from (epoch millis) and how that start was known, its stream status and the agent's user id.
 */
@RegisterForReflection
public record SignalContact(String contactId, String vendorCallKey, long startedAt, String startBasis, String status,
        String agentUserId) {

    public boolean completed() {
        return "COMPLETED".equals(status) || "FAILED".equals(status);
    }

    /** Its conversation's records and items were forgotten by the retention (routes/signals-retention.yaml). */
    public boolean forgotten() {
        return SignalStore.FORGOTTEN.equals(status);
    }
}
