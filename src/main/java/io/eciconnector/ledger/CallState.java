package io.eciconnector.ledger;

/** Where a call stands. Terminal: UPLOADED, SKIPPED, DEAD (the last two can be retried or replayed). */
public enum CallState {
    /** Taken in before its recording arrived: looked for again until eci.checks.recording-grace has passed. */
    WAITING,
    /** Taken in, passed every check, waiting for its create request. */
    CHECKED,
    /** Claimed by a create request in flight. */
    CREATING,
    /** A create request's outcome is unknown (reset, timeout, crash): to be looked up before any resend. */
    RECONCILE,
    /** The VoiceCall exists; its recording waits for upload. */
    CREATED,
    /** Claimed by an upload in flight. */
    UPLOADING,
    /** The VoiceCall exists with its recording. Done. */
    UPLOADED,
    /** Not processed on purpose (short call, excluded number, user not in call coaching, ...), with the reason. */
    SKIPPED,
    /** Failed for good, with the reason; its dead letter holds the original. */
    DEAD;

    /** Taken in again by a new drop, a replay or a retry: skipped, dead, or still waiting for its recording. */
    public boolean reopenable() {
        return this == SKIPPED || this == DEAD || this == WAITING;
    }
}
