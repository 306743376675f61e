package io.eciconnector.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A sample Contact Lens stream for the main job: two conversations as JSON lines of real-time records, and the
 * redacted post-call analysis file of the first.
 * <ul>
 * <li>{@link #CALL_A}: an agent the org knows (matched by username), six transcript turns (so two bulk requests),
 * turn sentiments, a category, an utterance (not sent: transcripts are), COMPLETED; then its post-call file;</li>
 * <li>{@link #CALL_B}: a conversation transferred once: its second contact names the first as InitialContactId, so
 * every signal of both goes to the first contact's key; no agent known (VIRTUAL_AGENT).</li>
 * </ul>
 */
public final class SampleStream {

    public static final String CALL_A = "5324881f-1e84-4367-8930-f69a74b30ca6";
    public static final String CALL_B = "7b1d2a40-5c8e-4f0b-9a61-2f4c0d9e1b01";
    public static final String CALL_B_TRANSFER = "9e0f3c72-1a4b-4d8e-b5c6-3d7e8f9a0b12";
    static final String INSTANCE = "a1b2c3d4-0000-4000-8000-000000000001";
    private final ObjectMapper json = new ObjectMapper();
    private final int run;
    private final String callA;
    private final String callB;
    private final String callBTransfer;

    /** The stream of the documented contact ids (run 1). */
    public SampleStream() {
        this(1);
    }

    /**
     * The stream of one run of the main job in the same directory: run 1 uses the documented contact ids, a later
     * run the same conversations under other contact ids (see {@link #contactId}), as a new day's calls would.
     */
    public SampleStream(int run) {
        this.run = run;
        this.callA = contactId(CALL_A, run);
        this.callB = contactId(CALL_B, run);
        this.callBTransfer = contactId(CALL_B_TRANSFER, run);
    }

    /** A sample contact's id in a run: as documented in run 1, a name-based UUID of it and the run after that. */
    public static String contactId(String base, int run) {
        return run <= 1 ? base
                : java.util.UUID.nameUUIDFromBytes((base + "/run-" + run).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .toString();
    }

    /** The vendorCallKeys of the stream's calls (the telephony side must know them before their signals). */
    public List<String> keys() {
        return List.of(callA, callB);
    }

    /** Writes the stream file and the post-call file; answers the vendorCallKeys the telephony side must know. */
    public List<String> generate(Path streamDir, Path postCallDir, Instant start) throws IOException {
        Files.createDirectories(streamDir);
        List<String> lines = new ArrayList<>();
        // conversation A
        ObjectNode started = record(callA, "STARTED");
        // enriched as EventBridge contact events are: the analysis (and its offsets) starts at the agent's connect time
        started.put("InitiationTimestamp", start.toString());
        started.putObject("Agent").put("Username", "ava.agent@eci-sandbox.example")
                .put("ConnectedToAgentTimestamp", start.plusSeconds(12).toString());
        lines.add(started.toString());
        ObjectNode seg = record(callA, "SEGMENTS");
        ArrayNode s = seg.putArray("Segments");
        s.add(transcript("a-t1", "AGENT", "Thank you for calling, this is Ava. How can I help?", 400, 3200, "POSITIVE", null));
        s.add(transcript("a-t2", "CUSTOMER", "My order has not arrived and I am quite upset.", 3600, 7100, "NEGATIVE",
                Map.of("Negative", 0.91, "Positive", 0.02, "Neutral", 0.07)));
        s.add(categories("OrderStatus", 3600, 7100));
        lines.add(seg.toString());
        seg = record(callA, "SEGMENTS");
        s = seg.putArray("Segments");
        ObjectNode utterance = s.addObject().putObject("Utterance");
        utterance.put("Id", "a-u3").put("TranscriptId", "a-t3").put("ParticipantId", "AGENT")
                .put("ParticipantRole", "AGENT").put("PartialContent", "Let me check").put("BeginOffsetMillis", 7500)
                .put("EndOffsetMillis", 8200);
        s.add(transcript("a-t3", "AGENT", "Let me check that order for you.", 7500, 9400, "NEUTRAL", null));
        s.add(transcript("a-t4", "CUSTOMER", "It is order 4471.", 9800, 11300, "NEUTRAL", null));
        s.add(transcript("a-t5", "AGENT", "It ships today and arrives tomorrow morning.", 11700, 15100, "POSITIVE", null));
        s.add(transcript("a-t6", "CUSTOMER", "Great, thank you so much!", 15500, 17200, "POSITIVE", null));
        lines.add(seg.toString());
        lines.add(record(callA, "COMPLETED").toString());
        // conversation B, transferred
        ObjectNode b = record(callB, "STARTED");
        b.put("InitiationTimestamp", start.plusSeconds(60).toString());
        b.putObject("Agent").put("ConnectedToAgentTimestamp", start.plusSeconds(60 + 8).toString());
        lines.add(b.toString());
        seg = record(callB, "SEGMENTS");
        s = seg.putArray("Segments");
        s.add(transcript("b-t1", "AGENT", "Billing, how may I help?", 300, 2100, "NEUTRAL", null));
        s.add(transcript("b-t2", "CUSTOMER", "I was charged twice.", 2500, 4300, "NEGATIVE", null));
        lines.add(seg.toString());
        lines.add(record(callB, "COMPLETED").toString());
        ObjectNode t = record(callBTransfer, "STARTED");
        t.put("InitialContactId", callB);
        t.put("InitiationTimestamp", start.plusSeconds(60 + 30).toString());
        t.putObject("Agent").put("ConnectedToAgentTimestamp", start.plusSeconds(60 + 35).toString());
        lines.add(t.toString());
        seg = record(callBTransfer, "SEGMENTS");
        seg.put("InitialContactId", callB);
        s = seg.putArray("Segments");
        s.add(transcript("b2-t1", "AGENT", "Refunds team, I can see the double charge.", 500, 3500, "POSITIVE", null));
        s.add(transcript("b2-t2", "CUSTOMER", "Thanks, please refund one.", 3900, 5600, "NEUTRAL", null));
        s.add(categories("Refund", 500, 5600));
        lines.add(seg.toString());
        lines.add(record(callBTransfer, "COMPLETED").toString());
        Files.write(streamDir.resolve(run <= 1 ? "contact-lens-sample.jsonl" : "contact-lens-sample-R" + run + ".jsonl"), lines);

        // the post-call analysis of A (redacted copy), laid out as Contact Lens writes it
        String day = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC).format(start);
        Path dir = postCallDir.resolve("Analysis/Voice/Redacted/" + day);
        Files.createDirectories(dir);
        String stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC)
                .format(start.plusSeconds(20));
        Files.writeString(dir.resolve(callA + "_analysis_redacted_" + stamp + ".json"), analysis(start).toString());
        return List.of(callA, callB);
    }

    private ObjectNode record(String contactId, String type) {
        ObjectNode r = json.createObjectNode();
        r.put("Version", "1.0.0").put("Channel", "VOICE").put("AccountId", "123456789012").put("InstanceId", INSTANCE)
                .put("ContactId", contactId).put("LanguageCode", "en-US").put("EventType", type);
        return r;
    }

    private ObjectNode transcript(String id, String role, String content, int begin, int end, String sentiment,
            Map<String, Double> scores) {
        ObjectNode seg = json.createObjectNode();
        ObjectNode t = seg.putObject("Transcript");
        t.put("Id", id).put("ParticipantId", role).put("ParticipantRole", role).put("Content", content)
                .put("BeginOffsetMillis", begin).put("EndOffsetMillis", end).put("Sentiment", sentiment);
        if (scores != null) {
            ObjectNode sc = t.putObject("SentimentScore");
            scores.forEach(sc::put);
        }
        t.putArray("IssuesDetected");
        return seg;
    }

    private ObjectNode categories(String name, int begin, int end) {
        ObjectNode seg = json.createObjectNode();
        ObjectNode c = seg.putObject("Categories");
        c.putArray("MatchedCategories").add(name);
        c.putObject("MatchedDetails").putObject(name).putArray("PointsOfInterest").addObject()
                .put("BeginOffsetMillis", begin).put("EndOffsetMillis", end);
        return seg;
    }

    private ObjectNode analysis(Instant start) {
        ObjectNode a = json.createObjectNode();
        a.put("Version", "1.1.0").put("AccountId", "123456789012").put("Channel", "VOICE").put("JobStatus", "COMPLETED")
                .put("LanguageCode", "en-US");
        ArrayNode participants = a.putArray("Participants");
        participants.addObject().put("ParticipantId", "AGENT").put("ParticipantRole", "AGENT");
        participants.addObject().put("ParticipantId", "CUSTOMER").put("ParticipantRole", "CUSTOMER");
        ObjectNode cc = a.putObject("ConversationCharacteristics");
        cc.put("TotalConversationDurationMillis", 17600);
        ObjectNode sentiment = cc.putObject("Sentiment");
        sentiment.putObject("OverallSentiment").put("AGENT", 2.5).put("CUSTOMER", 0.6);
        ObjectNode quarter = sentiment.putObject("SentimentByPeriod").putObject("QUARTER");
        double[][] agent = { { 0, 4400, 3.2 }, { 4400, 8800, 1.4 }, { 8800, 13200, 1.9 }, { 13200, 17600, 3.5 } };
        double[][] customer = { { 0, 4400, -2.6 }, { 4400, 8800, -1.25 }, { 8800, 13200, 0.8 }, { 13200, 17600, 4.1 } };
        ArrayNode ag = quarter.putArray("AGENT");
        for (double[] p : agent) {
            ag.addObject().put("BeginOffsetMillis", (long) p[0]).put("EndOffsetMillis", (long) p[1]).put("Score", p[2]);
        }
        ArrayNode cu = quarter.putArray("CUSTOMER");
        for (double[] p : customer) {
            cu.addObject().put("BeginOffsetMillis", (long) p[0]).put("EndOffsetMillis", (long) p[1]).put("Score", p[2]);
        }
        a.putObject("Categories").putArray("MatchedCategories").add("OrderStatus");
        a.putArray("Transcript");
        ObjectNode meta = a.putObject("CustomerMetadata");
        String minute = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm").withZone(ZoneOffset.UTC).format(start);
        meta.put("InputS3Uri", "s3://connect-bucket/connect/example/CallRecordings/" + callA + "_" + minute + "_UTC.wav")
                .put("ContactId", callA).put("InstanceId", INSTANCE);
        return a;
    }
}
