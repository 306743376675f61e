package io.eciconnector.ledger;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A call's key in the ledger: what the in-memory channels carry (provider/externalId), never its content. */
@RegisterForReflection
public record CallKey(String provider, String externalId) {

    public static CallKey of(CallRow row) {
        return new CallKey(row.provider(), row.externalId());
    }

    @Override
    public String toString() {
        return provider + "/" + externalId;
    }
}
