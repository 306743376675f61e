package io.eciconnector.vendor;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;

/**
 * Twilio's Call and Recording resources, with Twilio's field names. Call: sid (CA...), direction inbound /
 * outbound-api / outbound-dial, start_time / end_time in RFC 2822, duration a string of seconds, from / to (a phone
 * number, or a Twilio Client identity {@code client:alice}, kept as given). Recording: sid (RE...), call_sid,
 * duration (the recording's own length, seconds), channels, media_url.
 * <p>
 * A record holds a Call with its Recording ({@code {"call": {...}, "recording": {...}}}, or a Call with the Recording
 * under {@code recording}, or with media_url and channels at the top level), a Call alone, or a Recording alone. Both
 * alone are parts of one call, the call sid its externalId: the Recording waits for its Call (times, numbers and
 * direction are the Call's), the Call for its recording, and whichever comes second completes the first
 * ({@link #combine}). A Client identity on the rep's side is the vendor user id, matched to the User field
 * {@code eci.users.match-field.twilio}.
 */
public class TwilioMapper extends JsonVendorMapper {

    public TwilioMapper(String defaultRegion) {
        super(defaultRegion);
    }

    @Override
    public String name() {
        return "twilio";
    }

    @Override
    protected String idField() {
        return "sid";
    }

    @Override
    protected String idOf(JsonNode node) {
        JsonNode call = callPart(node);
        if (call != null) {
            return text(call, "sid");
        }
        return isRecording(node) ? text(node, "call_sid") : null;
    }

    /** A Recording resource alone: it names its call (call_sid) and has none of the Call's fields. */
    private static boolean isRecording(JsonNode node) {
        return node.isObject() && node.has("call_sid") && !node.has("direction") && !node.has("call");
    }

    /** The Call resource of a record, or null (a Recording alone). */
    private static JsonNode callPart(JsonNode node) {
        if (!node.isObject() || isRecording(node)) {
            return null;
        }
        JsonNode call = node.get("call");
        return call != null && call.isObject() ? call : node;
    }

    /** The Recording resource of a record, or null (a Call that names none). */
    private static JsonNode recordingPart(JsonNode node) {
        if (isRecording(node)) {
            return node;
        }
        JsonNode rec = node.get("recording");
        return rec != null && rec.isObject() ? rec : null;
    }

    @Override
    protected CanonicalCall map(JsonNode node) {
        JsonNode c = callPart(node);
        if (c == null) {
            throw new IncompleteCall("waiting for the Call resource " + text(node, "call_sid") + " (its Recording "
                    + text(node, "sid") + " came first; a call's times, numbers and direction are its Call's)");
        }
        JsonNode rec = recordingPart(node);
        Direction direction = direction(required(c, "direction"), "direction");
        String media = rec != null ? text(rec, "media_url") : null;
        if (media == null) {
            media = text(c, "media_url") != null ? text(c, "media_url") : text(c, "recording_url");
        }
        JsonNode channelsNode = rec != null && at(rec, "channels") != null ? at(rec, "channels") : at(c, "channels");
        Long channels = Times.number(channelsNode);
        Long recordingSeconds = rec != null ? Times.number(at(rec, "duration")) : null;
        // dual-channel Twilio recordings put the caller (from) on channel 0 and the callee (to) on channel 1
        Integer userChannel = channels != null && channels == 2 ? (direction == Direction.OUTBOUND ? 0 : 1) : null;
        String from = participant(c, "from");
        String to = participant(c, "to");
        String rep = direction == Direction.OUTBOUND ? from : to;
        return CanonicalCall.builder(name()).externalId(required(c, "sid"))
                .start(Times.rfc2822(required(c, "start_time"))).end(Times.rfc2822(required(c, "end_time")))
                .durationSeconds(Times.number(at(c, "duration"))).direction(direction).fromNumber(from).toNumber(to)
                .vendorUserId(rep != null && rep.startsWith(CLIENT) ? rep.substring(CLIENT.length()) : null)
                .recording(media).numberChannels(channels == null ? null : channels.intValue()).userChannel(userChannel)
                .recordingSeconds(recordingSeconds == null ? null : recordingSeconds.doubleValue()).build();
    }

    static final String CLIENT = PhoneNumbers.CLIENT;

    /** A phone number in E.164, or a Client identity as given (client:alice). */
    private String participant(JsonNode c, String field) {
        String v = text(c, field);
        return v != null && v.startsWith(CLIENT) ? v : phone(c, field);
    }

    /** A Call and its Recording, given in two records in either order, as one {"call", "recording"} record. */
    @Override
    public String combine(String earlier, String later) {
        JsonNode a;
        JsonNode b;
        try {
            a = mapper.readTree(earlier);
            b = mapper.readTree(later);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (a == null || b == null || !a.isObject() || !b.isObject()) {
            return null;
        }
        JsonNode call = callPart(b) != null ? callPart(b) : callPart(a);
        JsonNode rec = recordingPart(b) != null ? recordingPart(b) : recordingPart(a);
        if (call == null || rec == null || (call == callPart(b) && rec == recordingPart(b))) {
            return null; // not two parts of a call, or the later record is complete by itself
        }
        String callSid = text(call, "sid");
        String recCall = text(rec, "call_sid");
        if (callSid == null || (recCall != null && !recCall.equals(callSid))) {
            return null;
        }
        ObjectNode pair = mapper.createObjectNode();
        ObjectNode callOnly = call.deepCopy();
        callOnly.remove("recording");
        pair.set("call", callOnly);
        pair.set("recording", rec.deepCopy());
        return pair.toString();
    }
}
