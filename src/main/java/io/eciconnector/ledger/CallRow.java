package io.eciconnector.ledger;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A ledger row. {@code payload} is the ECI VoiceCall JSON; {@code original} the call as the vendor sent it. */
@RegisterForReflection
public record CallRow(String provider, String externalId, CallState state, String reason, String voiceCallId,
        String uploadUrl, String userId, String userEmail, Instant callStart, String payload, String original,
        String source, String recordingUri, Long recordingBytes, int attempts, Instant nextAttemptAt,
        String claimedBy, Instant claimedAt, Instant createdAt, Instant updatedAt, String reasonCode) {

    /** A new row, before it is stored. */
    public static CallRow received(String provider, String externalId, CallState state, String reasonCode,
            String reason, String userId, String userEmail, Instant callStart, String payload, String original,
            String source, String recordingUri, Long recordingBytes) {
        Instant now = Instant.now();
        return new CallRow(provider, externalId, state, reason, null, null, userId, userEmail, callStart, payload,
                original, source, recordingUri, recordingBytes, 0, null, null, null, now, now, reasonCode);
    }

    /** The same row, claimed at {@code at}. */
    public CallRow withClaimedAt(Instant at) {
        return new CallRow(provider, externalId, state, reason, voiceCallId, uploadUrl, userId, userEmail, callStart,
                payload, original, source, recordingUri, recordingBytes, attempts, nextAttemptAt, claimedBy, at,
                createdAt, updatedAt, reasonCode);
    }
}
