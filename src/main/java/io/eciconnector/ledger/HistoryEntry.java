package io.eciconnector.ledger;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

@RegisterForReflection
public record HistoryEntry(Instant at, CallState state, String reason) {
}
