package io.eciconnector.model;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One call in the connector's own terms, whatever the vendor. Numbers are E.164 where they could be normalised; a
 * participant that is no phone number is kept as the vendor gave it ({@code client:alice}, a Twilio Client identity)
 * or as {@code ext:101} (an internal extension without a number). {@code recording} is the reference as the vendor
 * gave it (a file name, an S3 key or location, a URL), or null when the recording is to be found by name next to the
 * record. {@code start}/{@code end} are the call's; {@code durationSeconds} the vendor's length of the call;
 * {@code recordingSeconds} the vendor's length of the recording (a recording can start later and end sooner).
 */
@RegisterForReflection
public record CanonicalCall(String vendor, String externalId, Instant start, Instant end, Long durationSeconds,
        Direction direction, String fromNumber, String toNumber, String userId, String userEmail,
        String vendorUserId, String agentUsername, String recording, Integer numberChannels, Integer userChannel,
        String recordingFormat, String recordId, String activityId, String sourceType, boolean voice,
        Double recordingSeconds) {

    /** The customer's number: the caller of an inbound call, the callee of an outbound one. */
    public String customerNumber() {
        return direction == Direction.OUTBOUND ? toNumber : fromNumber;
    }

    /** The rep's (internal) number. */
    public String internalNumber() {
        return direction == Direction.OUTBOUND ? fromNumber : toNumber;
    }

    /** Call length in whole seconds: the vendor's duration, else end - start. */
    public Long seconds() {
        if (durationSeconds != null) {
            return durationSeconds;
        }
        return start != null && end != null ? Math.max(0, end.getEpochSecond() - start.getEpochSecond()) : null;
    }

    /** This call with its Salesforce user. */
    public CanonicalCall withUserId(String id) {
        return new CanonicalCall(vendor, externalId, start, end, durationSeconds, direction, fromNumber, toNumber, id,
                userEmail, vendorUserId, agentUsername, recording, numberChannels, userChannel, recordingFormat,
                recordId, activityId, sourceType, voice, recordingSeconds);
    }

    /** This call with other from / to participants (a rep's identity replaced by the rep's number). */
    public CanonicalCall withNumbers(String from, String to) {
        return new CanonicalCall(vendor, externalId, start, end, durationSeconds, direction, from, to, userId,
                userEmail, vendorUserId, agentUsername, recording, numberChannels, userChannel, recordingFormat,
                recordId, activityId, sourceType, voice, recordingSeconds);
    }

    public static Builder builder(String vendor) {
        return new Builder(vendor);
    }

    /** Builder, since vendors fill different subsets of the fields. */
    public static final class Builder {
        private final String vendor;
        private String externalId;
        private Instant start;
        private Instant end;
        private Long durationSeconds;
        private Direction direction;
        private String fromNumber;
        private String toNumber;
        private String userId;
        private String userEmail;
        private String vendorUserId;
        private String agentUsername;
        private String recording;
        private Integer numberChannels;
        private Integer userChannel;
        private String recordingFormat;
        private String recordId;
        private String activityId;
        private String sourceType;
        private boolean voice = true;
        private Double recordingSeconds;

        Builder(String vendor) {
            this.vendor = vendor;
        }

        public Builder externalId(String v) { externalId = v; return this; }
        public Builder start(Instant v) { start = v; return this; }
        public Builder end(Instant v) { end = v; return this; }
        public Builder durationSeconds(Long v) { durationSeconds = v; return this; }
        public Builder direction(Direction v) { direction = v; return this; }
        public Builder fromNumber(String v) { fromNumber = v; return this; }
        public Builder toNumber(String v) { toNumber = v; return this; }
        public Builder userId(String v) { userId = v; return this; }
        public Builder userEmail(String v) { userEmail = v; return this; }
        public Builder vendorUserId(String v) { vendorUserId = v; return this; }
        public Builder agentUsername(String v) { agentUsername = v; return this; }
        public Builder recording(String v) { recording = v; return this; }
        public Builder numberChannels(Integer v) { numberChannels = v; return this; }
        public Builder userChannel(Integer v) { userChannel = v; return this; }
        public Builder recordingFormat(String v) { recordingFormat = v; return this; }
        public Builder recordId(String v) { recordId = v; return this; }
        public Builder activityId(String v) { activityId = v; return this; }
        public Builder sourceType(String v) { sourceType = v; return this; }
        public Builder voice(boolean v) { voice = v; return this; }
        public Builder recordingSeconds(Double v) { recordingSeconds = v; return this; }

        /** Sets from/to from the customer's and the rep's numbers and the direction. */
        public Builder parties(Direction d, String customer, String internal) {
            direction = d;
            fromNumber = d == Direction.OUTBOUND ? internal : customer;
            toNumber = d == Direction.OUTBOUND ? customer : internal;
            return this;
        }

        public CanonicalCall build() {
            return new CanonicalCall(vendor, externalId, start, end, durationSeconds, direction, fromNumber, toNumber,
                    userId, userEmail, vendorUserId, agentUsername, recording, numberChannels, userChannel,
                    recordingFormat, recordId, activityId, sourceType, voice, recordingSeconds);
        }
    }
}
