package io.eciconnector.vendor;

import com.fasterxml.jackson.databind.JsonNode;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;

/**
 * Twilio Call resources with their recording: sid (CA...), direction inbound / outbound-api / outbound-dial,
 * start_time / end_time in RFC 2822, duration a string of seconds, from / to, and the recording as
 * {@code recording} {media_url, channels} (or media_url / recording_url and channels at the top level).
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
    protected String idOf(JsonNode call) {
        return text(call, "sid");
    }

    @Override
    protected CanonicalCall map(JsonNode c) {
        Direction direction = direction(required(c, "direction"), "direction");
        String media = text(c, "recording.media_url");
        if (media == null) {
            media = text(c, "media_url") != null ? text(c, "media_url") : text(c, "recording_url");
        }
        Long channels = Times.number(at(c, "recording.channels") != null ? at(c, "recording.channels") : at(c, "channels"));
        // dual-channel Twilio recordings put the caller (from) on channel 0 and the callee (to) on channel 1
        Integer userChannel = channels != null && channels == 2 ? (direction == Direction.OUTBOUND ? 0 : 1) : null;
        return CanonicalCall.builder(name()).externalId(required(c, "sid"))
                .start(Times.rfc2822(required(c, "start_time"))).end(Times.rfc2822(required(c, "end_time")))
                .durationSeconds(Times.number(at(c, "duration"))).direction(direction)
                .fromNumber(phone(c, "from")).toNumber(phone(c, "to")).recording(media)
                .numberChannels(channels == null ? null : channels.intValue()).userChannel(userChannel).build();
    }
}
