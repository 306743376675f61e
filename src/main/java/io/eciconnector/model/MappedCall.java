package io.eciconnector.model;

/**
 * A call read from a vendor record: the canonical call, or the reason it could not be read, or (a part of a call
 * that comes in two records, such as a Twilio Recording resource without its Call) what it waits for.
 * {@code original} is the call's own text as the vendor sent it (its JSON element or CSV line), for the ledger and the
 * dead letters.
 */
public record MappedCall(String externalId, CanonicalCall call, String error, String original, String waitingFor) {

    public static MappedCall ok(CanonicalCall call, String original) {
        return new MappedCall(call.externalId(), call, null, original, null);
    }

    public static MappedCall failed(String externalId, String error, String original) {
        return new MappedCall(externalId, null, error, original, null);
    }

    /** A part of a call whose other part (another record of the same call) has not been seen yet. */
    public static MappedCall incomplete(String externalId, String waitingFor, String original) {
        return new MappedCall(externalId, null, null, original, waitingFor);
    }
}
