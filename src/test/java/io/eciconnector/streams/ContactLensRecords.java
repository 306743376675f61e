package io.eciconnector.streams;

import java.time.Instant;

/** Contact Lens real-time records (domain notes section 4) for the stream tests: one conversation's records. */
public final class ContactLensRecords {

    private final String contactId;

    public ContactLensRecords(String contactId) {
        this.contactId = contactId;
    }

    private String record(String type, String extra) {
        return "{\"Version\":\"1.0.0\",\"Channel\":\"VOICE\",\"AccountId\":\"123456789012\",\"InstanceId\":"
                + "\"a1b2c3d4-0000-4000-8000-000000000001\",\"ContactId\":\"" + contactId + "\",\"LanguageCode\":\"en-US\","
                + "\"EventType\":\"" + type + "\"" + extra + "}";
    }

    public String started(Instant start) {
        return record("STARTED", ",\"InitiationTimestamp\":\"" + start + "\"");
    }

    /** A SEGMENTS record of transcript turns n..m (ids {contactId}-t{n}), agent and customer taking turns. */
    public String transcripts(int from, int to) {
        StringBuilder s = new StringBuilder(",\"Segments\":[");
        for (int n = from; n <= to; n++) {
            String role = n % 2 == 1 ? "AGENT" : "CUSTOMER";
            s.append(n == from ? "" : ",").append("{\"Transcript\":{\"Id\":\"").append(id(n))
                    .append("\",\"ParticipantId\":\"").append(role).append("\",\"ParticipantRole\":\"").append(role)
                    .append("\",\"Content\":\"turn ").append(n).append("\",\"BeginOffsetMillis\":").append(n * 2000)
                    .append(",\"EndOffsetMillis\":").append(n * 2000 + 1500)
                    .append(",\"Sentiment\":\"NEUTRAL\",\"IssuesDetected\":[]}}");
        }
        return record("SEGMENTS", s.append("]").toString());
    }

    /** A SEGMENTS record of one transcript turn n (id {contactId}-t{n}) at the given offsets. */
    public String transcriptAt(int n, long begin, long end) {
        return record("SEGMENTS", ",\"Segments\":[{\"Transcript\":{\"Id\":\"" + id(n) + "\",\"ParticipantId\":\"AGENT\","
                + "\"ParticipantRole\":\"AGENT\",\"Content\":\"turn " + n + "\",\"BeginOffsetMillis\":" + begin
                + ",\"EndOffsetMillis\":" + end + ",\"IssuesDetected\":[]}}]");
    }

    public String completed() {
        return record("COMPLETED", "");
    }

    public String id(int n) {
        return contactId + "-t" + n;
    }
}
