package io.eciconnector.signals;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One thing to send: a realtime event, a transcript message or a chunk of post-call events. {@code itemKey} is unique
 * per call and kind (a segment id, a category and its offset, a chunk number), so a redelivered record adds nothing.
 */
@RegisterForReflection
public record OutboxItem(long id, String vendorCallKey, Kind kind, String itemKey, long startTime, String payload,
        Long recordId, String state, int attempts, long nextAttemptAt, long receivedAt) {

    public enum Kind {
        EVENT, MESSAGE, POSTCALL
    }

    /** A new item, before it is stored. */
    public static OutboxItem of(String vendorCallKey, Kind kind, String itemKey, long startTime, String payload) {
        return new OutboxItem(0, vendorCallKey, kind, itemKey, startTime, payload, null, "PENDING", 0, 0, 0);
    }
}
