package io.eciconnector.ingest;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eciconnector.ledger.CallState;
import io.eciconnector.model.CanonicalCall;
import io.eciconnector.recording.RecordingInfo;
import io.eciconnector.salesforce.SalesforceIds;
import io.eciconnector.security.LogText;
import io.eciconnector.vendor.PhoneNumbers;
import io.eciconnector.vendor.Times;

/**
 * Everything checked before any request, so no API call is wasted on a call ECI would refuse or ignore: ECI's own
 * rules (seed eci-recording-provider-api.txt), the Voice Connector's (calls of 10 s or less, excluded numbers,
 * only active call-coaching users), and the 64 MB recording limit. Builds the VoiceCall payload of a call that passes.
 */
@ApplicationScoped
public class Checks {

    @Inject
    IngestSettings settings;

    @Inject
    Participants participants;

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "eci.phone.default-region", defaultValue = "US")
    String region;

    private volatile Set<String> excluded;

    private Set<String> excluded() {
        if (excluded == null) {
            Set<String> set = new HashSet<>();
            settings.checks().excludedNumbers().ifPresent(list -> list.forEach(n -> {
                if (!n.isBlank()) {
                    set.add(PhoneNumbers.e164(n, region));
                }
            }));
            excluded = set;
        }
        return excluded;
    }

    /**
     * @param retry an operator's retry: calls older than eci.checks.max-age are taken anyway (the admin's "retry by
     *              user and date range").
     */
    public Verdict check(CanonicalCall c, Optional<RecordingInfo> recording, CallCoaching.Status coaching,
            String providerId, boolean retry) throws IOException, InterruptedException {
        String invisible = LogText.firstControlOrInvisible(c.externalId());
        if (invisible != null) {
            // it becomes the VoiceCall's VendorCallKey and appears in logs and file names: only visible characters
            return Verdict.dead("rule:external-id", "externalId '" + LogText.escape(c.externalId())
                    + "' contains a control or invisible character (" + invisible + "); ids are refused with them");
        }
        if (!c.voice()) {
            return Verdict.skip("not-voice", "not a voice contact");
        }
        if (recording.isEmpty()) {
            // decided at once when the verdict needs no recording (too short, start after end, ...): such a call
            // never waits for (or fetches) a recording
            Verdict pre = withoutRecording(c, retry);
            if (pre != null) {
                return pre;
            }
            return Verdict.dead("recording-missing", "no recording found for call " + c.externalId()
                    + (c.recording() == null ? " (looked for " + c.externalId() + ".wav/.mp3/.flac beside the record)"
                            : " at " + c.recording()));
        }
        RecordingInfo rec = recording.get();
        if (rec.audio() == null) {
            return Verdict.dead("recording-format", "recording of call " + c.externalId()
                    + " is not mp3, wav or flac (ECI's recordingFormat values)");
        }
        long max = settings.checks().maxRecordingBytes();
        if (rec.bytes() > max) {
            return Verdict.dead("recording-too-large", "recording of call " + c.externalId() + " has " + rec.bytes()
                    + " bytes; ECI does not process recordings over " + max + " bytes (64 MB)");
        }
        if (RecordingUrlMode.MODE.equals(settings.upload().mode()) && RecordingUrlMode.recordingUrl(rec.uri()).isEmpty()) {
            // decided before the create: the upload could never offer it
            return Verdict.dead("recording-not-offerable", RecordingUrlMode.notOfferable(c.externalId(), rec.uri()));
        }
        Verdict pre = withoutRecording(c, retry);
        if (pre != null) {
            return pre;
        }
        int channels = rec.audio().channels() != null ? rec.audio().channels()
                : c.numberChannels() != null ? c.numberChannels() : 1;
        if (c.numberChannels() != null && rec.audio().channels() != null && !c.numberChannels().equals(channels)) {
            return Verdict.dead("rule:number-channels", "call " + c.externalId() + ": the record says "
                    + c.numberChannels() + " channels, the recording has " + channels);
        }
        // stereo: customer left (0), rep right (1), unless the vendor says otherwise
        int userChannel = c.userChannel() != null ? c.userChannel() : channels >= 2 ? 1 : 0;
        if (userChannel < 0 || userChannel >= channels) {
            return Verdict.dead("rule:user-channel", "call " + c.externalId() + ": userChannel " + userChannel
                    + " is not within range of numberChannels " + channels + " (channels start from 0)");
        }
        if (c.recordId() != null && !(SalesforceIds.isId(c.recordId(), "001") || SalesforceIds.isId(c.recordId(), "003")
                || SalesforceIds.isId(c.recordId(), "00Q"))) {
            return Verdict.dead("rule:record-id", "call " + c.externalId() + ": recordId " + c.recordId()
                    + " is not an Account (001), Contact (003) or Lead (00Q) id");
        }
        if (c.activityId() != null && !SalesforceIds.isId(c.activityId(), "00T")) {
            return Verdict.dead("rule:activity-id", "call " + c.externalId() + ": activityId " + c.activityId()
                    + " is not a Task (00T) id");
        }
        if (c.userId() == null && c.userEmail() == null) {
            return Verdict.skip("user-unmatched", "no Salesforce user matched call " + c.externalId()
                    + (c.vendorUserId() != null ? " (vendor user " + c.vendorUserId() + ")" : "")
                    + (c.agentUsername() != null ? " (agent " + c.agentUsername() + ")" : ""));
        }
        Optional<String> user = coaching.activeUser(c.userId(), c.userEmail());
        if (user.isEmpty()) {
            return new Verdict(CallState.SKIPPED, "user-not-coached", "user "
                    + (c.userId() != null ? c.userId() : c.userEmail()) + " is not an active call-coaching user", null,
                    c.userId());
        }
        Participants.Rep rep = participants.repSide(c, user.get());
        if (rep.skip() != null) {
            return new Verdict(rep.skip().state(), rep.skip().code(), rep.skip().reason(), null, user.get());
        }
        c = rep.call();
        ObjectNode p = mapper.createObjectNode();
        p.put("startDateTime", Times.eci(c.start()));
        p.put("endDateTime", Times.eci(c.end()));
        p.put("fromPhoneNumber", c.fromNumber());
        p.put("toPhoneNumber", c.toNumber());
        p.put("callType", c.direction().callType());
        p.put("userId", user.get());
        if (c.recordId() != null) {
            p.put("recordId", c.recordId());
        }
        p.put("externalId", c.externalId());
        p.put("recordingDuration", recordingDuration(c, rec));
        p.put("numberChannels", channels);
        p.put("userChannel", userChannel);
        p.put("recordingFormat", rec.audio().format());
        if (c.activityId() != null) {
            p.put("activityId", c.activityId());
        }
        p.put("mediaProviderId", providerId);
        if (c.sourceType() != null) {
            p.put("sourceType", c.sourceType());
        }
        return new Verdict(CallState.CHECKED, "checked", null, p, user.get());
    }

    /** The verdicts that need no recording: the call's times, length, numbers, type and participants; null: none. */
    Verdict withoutRecording(CanonicalCall c, boolean retry) throws IOException, InterruptedException {
        if (c.start() == null || c.end() == null) {
            return Verdict.dead("rule:dates", "call " + c.externalId() + ": start and end times are required");
        }
        if (c.start().isAfter(c.end())) {
            return Verdict.dead("rule:start-after-end", "call " + c.externalId() + ": start time "
                    + Times.eci(c.start()) + " is after end time " + Times.eci(c.end()));
        }
        Duration maxAge = settings.checks().maxAge();
        if (!retry && c.start().isBefore(Instant.now().minus(maxAge))) {
            return Verdict.skip("too-old", "call of " + Times.eci(c.start()) + " is older than " + maxAge.toDays()
                    + " days (retry it by id, or by user and date range)");
        }
        Long seconds = c.seconds();
        long min = settings.checks().minDurationSeconds();
        if (seconds != null && seconds <= min) {
            return Verdict.skip("too-short", "call of " + seconds + " s (calls of " + min + " s or less are not processed)");
        }
        for (String n : new String[] { c.fromNumber(), c.toNumber() }) {
            if (n != null && excluded().contains(PhoneNumbers.e164(n, region))) {
                return Verdict.skip("excluded-number", "participant " + PhoneNumbers.mask(n)
                        + " is on the excluded numbers list");
            }
        }
        if (c.fromNumber() == null || c.toNumber() == null) {
            return Verdict.dead("rule:phone-numbers", "call " + c.externalId()
                    + ": fromPhoneNumber and toPhoneNumber are required (a call needs two participants)");
        }
        if (c.direction() == null) {
            return Verdict.dead("rule:call-type", "call " + c.externalId() + ": callType must be Inbound or Outbound");
        }
        Verdict others = participants.otherSide(c);
        if (others != null) {
            return others; // every participant internal, or the other party no phone number
        }
        return null;
    }

    /**
     * ECI's recordingDuration: the recording's own length in whole seconds (nearest, at least 1 for any audio), not
     * the call's. From the recording's bytes when its header tells it exactly (WAV data size, FLAC samples, MP3
     * Xing/VBRI frames); else the vendor's recording duration; else an estimate from the bytes (an MP3's bit rate);
     * else, as a last resort, the call's length.
     */
    static long recordingDuration(CanonicalCall c, RecordingInfo rec) {
        Double seconds = rec.exactLength() ? rec.seconds() : null;
        if (seconds == null) {
            seconds = c.recordingSeconds();
        }
        if (seconds == null) {
            seconds = rec.seconds();
        }
        if (seconds == null) {
            Long call = c.seconds();
            return call == null ? 0 : call;
        }
        return seconds > 0 ? Math.max(1, Math.round(seconds)) : 0;
    }
}
