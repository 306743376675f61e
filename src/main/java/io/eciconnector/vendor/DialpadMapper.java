package io.eciconnector.vendor;

import com.fasterxml.jackson.databind.JsonNode;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;

/**
 * Dialpad calls (call event or stats export): date_started / date_ended in epoch MILLISECONDS, duration in
 * milliseconds, external_number / internal_number, target.id / target.email the rep, recording_details[].url and
 * recording_details[].duration (the recording's length, milliseconds).
 */
public class DialpadMapper extends JsonVendorMapper {

    public DialpadMapper(String defaultRegion) {
        super(defaultRegion);
    }

    @Override
    public String name() {
        return "dialpad";
    }

    @Override
    protected String idField() {
        return "call_id";
    }

    @Override
    protected String idOf(JsonNode call) {
        return text(call, "call_id");
    }

    @Override
    protected CanonicalCall map(JsonNode c) {
        Direction direction = direction(required(c, "direction"), "direction");
        Long durationMs = Times.number(at(c, "duration"));
        String recording = null;
        Long recordingMs = null;
        JsonNode details = c.path("recording_details");
        if (details.isArray() && !details.isEmpty()) {
            recording = text(details.get(0), "url");
            recordingMs = Times.number(at(details.get(0), "duration"));
        }
        if (recording == null && c.path("recording_url").isArray() && !c.path("recording_url").isEmpty()) {
            recording = c.path("recording_url").get(0).asText();
        }
        return CanonicalCall.builder(name()).externalId(required(c, "call_id"))
                .start(Times.epochMillis(at(c, "date_started"))).end(Times.epochMillis(at(c, "date_ended")))
                .durationSeconds(durationMs == null ? null : Math.round(durationMs / 1000.0))
                .parties(direction, phone(c, "external_number"), phone(c, "internal_number"))
                .vendorUserId(text(c, "target.id")).userEmail(text(c, "target.email")).recording(recording)
                .recordingSeconds(recordingMs == null ? null : recordingMs / 1000.0).build();
    }
}
