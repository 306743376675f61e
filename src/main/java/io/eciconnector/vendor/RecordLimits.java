package io.eciconnector.vendor;

/**
 * Bounds on what one record (a file or object of a source) may hand over, each refused with its rule
 * ({@code eci.ingest.*}, README "Bounds"): the record's size, one call's size, JSON nesting depth, the length of a
 * string, the number of calls.
 */
public record RecordLimits(long maxRecordBytes, long maxCallBytes, int maxDepth, int maxStringChars, long maxCalls) {

    /** The packaged defaults: 64 MiB a record, 1 MiB a call, depth 32, 256 Ki characters a string, 10,000 calls. */
    public static final RecordLimits DEFAULTS = new RecordLimits(64L * 1024 * 1024, 1024 * 1024, 32, 256 * 1024, 10_000);
}
