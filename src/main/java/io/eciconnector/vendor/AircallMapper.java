package io.eciconnector.vendor;

import com.fasterxml.jackson.databind.JsonNode;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;

/**
 * Aircall calls (the Call object of the public API or the data of a call.ended webhook): started_at / ended_at in
 * epoch SECONDS, raw_digits the external party, number.digits the Aircall line, user.id / user.email the rep,
 * recording a signed, expiring URL.
 */
public class AircallMapper extends JsonVendorMapper {

    public AircallMapper(String defaultRegion) {
        super(defaultRegion);
    }

    @Override
    public String name() {
        return "aircall";
    }

    @Override
    protected String idField() {
        return "id";
    }

    @Override
    protected String idOf(JsonNode call) {
        return call.has("direction") || call.has("started_at") ? text(call, "id") : null;
    }

    @Override
    protected CanonicalCall map(JsonNode c) {
        Direction direction = direction(required(c, "direction"), "direction");
        return CanonicalCall.builder(name()).externalId(required(c, "id"))
                .start(Times.epochSeconds(at(c, "started_at"))).end(Times.epochSeconds(at(c, "ended_at")))
                .durationSeconds(Times.number(at(c, "duration")))
                .parties(direction, phone(c, "raw_digits"), phone(c, "number.digits"))
                .vendorUserId(text(c, "user.id")).userEmail(text(c, "user.email"))
                .recording(text(c, "recording")).build();
    }
}
