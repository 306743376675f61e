package io.eciconnector.signals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Contact Lens real-time records written from the documented format (domain notes section 4): Version, Channel,
 * AccountId, InstanceId, ContactId, LanguageCode, EventType and, for SEGMENTS, Segments of Utterance, Transcript,
 * Categories or PostContactSummary.
 */
public final class ContactLensRecords {

    static final ObjectMapper JSON = new ObjectMapper();

    private ContactLensRecords() {
    }

    public static ObjectNode record(String contactId, String eventType) {
        ObjectNode r = JSON.createObjectNode();
        r.put("Version", "1.0.0").put("Channel", "VOICE").put("AccountId", "123456789012")
                .put("InstanceId", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee").put("ContactId", contactId)
                .put("LanguageCode", "en-US").put("EventType", eventType);
        return r;
    }

    /**
     * STARTED with the start its offsets count from, the agent's connect time, as an enriched source (or the contact
     * trace record) gives it; the contact's initiation 20 s before (IVR and queue), which is not that start.
     */
    public static ObjectNode started(String contactId, long startMillis) {
        ObjectNode r = record(contactId, "STARTED");
        r.put("InitiationTimestamp", java.time.Instant.ofEpochMilli(startMillis - 20_000).toString());
        r.putObject("Agent").put("ConnectedToAgentTimestamp", java.time.Instant.ofEpochMilli(startMillis).toString());
        return r;
    }

    /** A contact trace record (Amazon Connect CTR) of a call: initiated, connected to the agent, disconnected. */
    public static ObjectNode traceRecord(String contactId, long initiation, long connected, long disconnect) {
        ObjectNode r = JSON.createObjectNode();
        r.put("ContactId", contactId).put("InitiationMethod", "INBOUND").put("Channel", "VOICE")
                .put("InitiationTimestamp", java.time.Instant.ofEpochMilli(initiation).toString())
                .put("DisconnectTimestamp", java.time.Instant.ofEpochMilli(disconnect).toString());
        r.putObject("Agent").put("Username", "nobody@example.com")
                .put("ConnectedToAgentTimestamp", java.time.Instant.ofEpochMilli(connected).toString());
        r.putObject("CustomerEndpoint").put("Address", "+15550100");
        r.putObject("SystemEndpoint").put("Address", "+15550101");
        return r;
    }

    public static ObjectNode segments(String contactId, ObjectNode... segments) {
        ObjectNode r = record(contactId, "SEGMENTS");
        ArrayNode a = r.putArray("Segments");
        for (ObjectNode s : segments) {
            a.add(s);
        }
        return r;
    }

    public static ObjectNode transcript(String id, String role, String content, long begin, long end, String sentiment) {
        ObjectNode s = JSON.createObjectNode();
        ObjectNode t = s.putObject("Transcript");
        t.put("Id", id).put("ParticipantId", role.toLowerCase() + "-participant").put("ParticipantRole", role)
                .put("Content", content).put("BeginOffsetMillis", begin).put("EndOffsetMillis", end);
        if (sentiment != null) {
            t.put("Sentiment", sentiment);
        }
        t.putArray("IssuesDetected");
        return s;
    }

    public static ObjectNode utterance(String id, String transcriptId, String role, String partial, long begin, long end) {
        ObjectNode s = JSON.createObjectNode();
        s.putObject("Utterance").put("Id", id).put("TranscriptId", transcriptId).put("ParticipantId", role)
                .put("ParticipantRole", role).put("PartialContent", partial).put("BeginOffsetMillis", begin)
                .put("EndOffsetMillis", end);
        return s;
    }

    public static ObjectNode categories(String name, long... pointsOfInterest) {
        ObjectNode s = JSON.createObjectNode();
        ObjectNode c = s.putObject("Categories");
        c.putArray("MatchedCategories").add(name);
        ArrayNode pois = c.putObject("MatchedDetails").putObject(name).putArray("PointsOfInterest");
        for (int i = 0; i + 1 < pointsOfInterest.length; i += 2) {
            pois.addObject().put("BeginOffsetMillis", pointsOfInterest[i]).put("EndOffsetMillis", pointsOfInterest[i + 1]);
        }
        return s;
    }

    public static ObjectNode summary(String content) {
        ObjectNode s = JSON.createObjectNode();
        s.putObject("PostContactSummary").put("Status", "COMPLETED").put("Content", content);
        return s;
    }

    /** A post-call analysis file with quarter periods [begin, end, score] per role. */
    public static ObjectNode analysis(String contactId, double[][] agent, double[][] customer) {
        ObjectNode a = JSON.createObjectNode();
        a.put("Version", "1.1.0").put("AccountId", "123456789012").put("Channel", "VOICE")
                .put("JobStatus", "COMPLETED").put("LanguageCode", "en-US");
        a.putArray("Participants").addObject().put("ParticipantId", "A").put("ParticipantRole", "AGENT");
        ObjectNode s = a.putObject("ConversationCharacteristics").putObject("Sentiment");
        s.putObject("OverallSentiment").put("AGENT", 1.0).put("CUSTOMER", 0.5);
        ObjectNode q = s.putObject("SentimentByPeriod").putObject("QUARTER");
        for (String role : new String[] { "AGENT", "CUSTOMER" }) {
            ArrayNode periods = q.putArray(role);
            for (double[] p : role.equals("AGENT") ? agent : customer) {
                periods.addObject().put("BeginOffsetMillis", (long) p[0]).put("EndOffsetMillis", (long) p[1])
                        .put("Score", p[2]);
            }
        }
        a.putArray("Transcript");
        a.putObject("CustomerMetadata").put("ContactId", contactId).put("InstanceId", "i")
                .put("InputS3Uri", "s3://b/connect/i/CallRecordings/2026/11/21/" + contactId + "_20261121T08:00_UTC.wav");
        return a;
    }
}
