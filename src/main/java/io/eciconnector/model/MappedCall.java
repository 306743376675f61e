package io.eciconnector.model;

/**
 * A call read from a vendor record: the canonical call, or the reason it could not be read. {@code original} is the
 * call's own text as the vendor sent it (its JSON element or CSV line), for the ledger and the dead letters.
 */
public record MappedCall(String externalId, CanonicalCall call, String error, String original) {

    public static MappedCall ok(CanonicalCall call, String original) {
        return new MappedCall(call.externalId(), call, null, original);
    }

    public static MappedCall failed(String externalId, String error, String original) {
        return new MappedCall(externalId, null, error, original);
    }
}
