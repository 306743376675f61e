package io.eciconnector.vendor;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;

/**
 * RingCentral call log records: startTime ISO-8601, duration in seconds (end = start + duration), direction
 * Inbound/Outbound, from.phoneNumber / to.phoneNumber (a party with an extensionNumber only is an internal extension,
 * ext:{extensionNumber}), extension.id the rep, recording.contentUri.
 */
public class RingCentralMapper extends JsonVendorMapper {

    public RingCentralMapper(String defaultRegion) {
        super(defaultRegion);
    }

    @Override
    public String name() {
        return "ringcentral";
    }

    @Override
    protected String idField() {
        return "id";
    }

    @Override
    protected String idOf(JsonNode call) {
        return call.has("startTime") || call.has("sessionId") ? text(call, "id") : null;
    }

    @Override
    protected CanonicalCall map(JsonNode c) {
        Direction direction = direction(required(c, "direction"), "direction");
        Instant start = Times.iso(required(c, "startTime"));
        Long duration = Times.number(at(c, "duration"));
        if (duration == null) {
            throw new IllegalArgumentException("duration is required");
        }
        String from = party(c, "from");
        String to = party(c, "to");
        return CanonicalCall.builder(name()).externalId(required(c, "id")).start(start)
                .end(start.plusSeconds(duration)).durationSeconds(duration).direction(direction).fromNumber(from)
                .toNumber(to).vendorUserId(text(c, "extension.id")).recording(text(c, "recording.contentUri"))
                .build();
    }

    /** A party's phone number; an internal extension without one (an extension-to-extension call) as ext:{number}. */
    private String party(JsonNode c, String side) {
        String number = phone(c, side + ".phoneNumber");
        if (number == null && text(c, side + ".extensionNumber") != null) {
            return PhoneNumbers.EXTENSION + text(c, side + ".extensionNumber");
        }
        return number;
    }
}
