package io.eciconnector.vendor;

import java.time.Instant;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;

/**
 * Amazon Connect contact trace records (one per object, arrays, or JSON lines as Kinesis Firehose writes them).
 * The call runs from InitiationTimestamp to DisconnectTimestamp (IVR and queue included). Recordings are stereo with the agent on the right channel (userChannel 1). The recording is Recording.Location
 * ("bucket/connect/{instance}/CallRecordings/YYYY/MM/DD/{contactId}_..._UTC.wav"), else found by contact id.
 */
public class AmazonConnectMapper extends JsonVendorMapper {

    static final Set<String> OUTBOUND = Set.of("OUTBOUND", "API", "CALLBACK");

    public AmazonConnectMapper(String defaultRegion) {
        super(defaultRegion);
    }

    @Override
    public String name() {
        return "amazon-connect";
    }

    @Override
    protected String idField() {
        return "ContactId";
    }

    @Override
    protected String idOf(JsonNode call) {
        return text(call, "ContactId");
    }

    @Override
    protected CanonicalCall map(JsonNode c) {
        String method = required(c, "InitiationMethod");
        // INBOUND, TRANSFER, QUEUE_TRANSFER are the customer calling in; OUTBOUND, API (campaigns), CALLBACK call out
        Direction direction = OUTBOUND.contains(method) ? Direction.OUTBOUND : Direction.INBOUND;
        // the call's own start and end; the recording starts later, when the agent is connected
        // (Agent.ConnectedToAgentTimestamp): recordingDuration comes from the recording itself
        Instant start = Times.iso(required(c, "InitiationTimestamp"));
        Instant end = Times.iso(required(c, "DisconnectTimestamp"));
        String location = text(c, "Recording.Location");
        if (location == null && c.path("Recordings").isArray() && !c.path("Recordings").isEmpty()) {
            location = text(c.path("Recordings").get(0), "Location");
        }
        String channel = text(c, "Channel");
        return CanonicalCall.builder(name()).externalId(required(c, "ContactId")).start(start).end(end)
                .parties(direction, phone(c, "CustomerEndpoint.Address"), phone(c, "SystemEndpoint.Address"))
                .agentUsername(text(c, "Agent.Username")).vendorUserId(text(c, "Agent.ARN"))
                .recording(location == null ? null : "s3://" + location.replaceFirst("^s3://", ""))
                .numberChannels(2).userChannel(1).voice(channel == null || channel.equals("VOICE")).build();
    }
}
