package io.eciconnector.signals;

import static io.eciconnector.signals.ContactLensRecords.analysis;
import static io.eciconnector.signals.ContactLensRecords.categories;
import static io.eciconnector.signals.ContactLensRecords.segments;
import static io.eciconnector.signals.ContactLensRecords.summary;
import static io.eciconnector.signals.ContactLensRecords.transcript;
import static io.eciconnector.signals.ContactLensRecords.utterance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Every segment type and rule of the Contact Lens mapping, without I/O. */
class ContactLensMapperTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> LABELS = Map.of("POSITIVE", "1000", "NEGATIVE", "-1000", "NEUTRAL", "0", "MIXED", "0");
    static final long START = 1_795_000_000_000L;
    static final SignalContact AGENT_KNOWN = new SignalContact("c-1", "first-1", START, "initiation-timestamp",
            "STARTED", "0055e000001Ava0AAC");
    static final SignalContact AGENT_UNKNOWN = new SignalContact("c-1", "first-1", START, "initiation-timestamp",
            "STARTED", null);

    final ContactLensMapper transcripts = new ContactLensMapper(JSON, "transcript", LABELS, 200, 10_000);
    final ContactLensMapper utterances = new ContactLensMapper(JSON, "utterance", LABELS, 200, 10_000);

    static JsonNode payload(OutboxItem i) throws Exception {
        return JSON.readTree(i.payload());
    }

    @Test
    void transcriptSegmentsBecomeMessagesTimedFromTheContactStartNotArrival() throws Exception {
        var m = transcripts.segments(segments("c-1", transcript("t-1", "AGENT", "Hello", 1200, 2500, null),
                transcript("t-2", "CUSTOMER", "Hi", 2600, 3100, null)), AGENT_KNOWN, START + 999_999);
        List<OutboxItem> messages = m.items().stream().filter(i -> i.kind() == OutboxItem.Kind.MESSAGE).toList();
        assertEquals(2, messages.size());
        JsonNode agent = payload(messages.get(0));
        assertEquals("t-1", agent.get("messageId").asText());
        assertEquals(START + 1200, agent.get("startTime").asLong());
        assertEquals(START + 2500, agent.get("endTime").asLong());
        assertEquals("HUMAN_AGENT", agent.get("senderType").asText());
        assertEquals("0055e000001Ava0AAC", agent.get("participantId").asText());
        assertEquals("Hello", agent.get("content").asText());
        JsonNode customer = payload(messages.get(1));
        assertEquals("END_USER", customer.get("senderType").asText());
        assertEquals("first-1END_USER", customer.get("participantId").asText(), "the key of the FIRST contact");
        assertEquals("first-1", messages.get(1).vendorCallKey());
    }

    @Test
    void anAgentWithoutAMatchedUserIsTheVirtualAgentAndASupervisorHasItsOwnId() throws Exception {
        var m = transcripts.segments(segments("c-1", transcript("t-1", "AGENT", "Hello", 0, 10, null),
                transcript("t-2", "SUPERVISOR", "Listening in", 20, 30, null)), AGENT_UNKNOWN, START);
        assertEquals("VIRTUAL_AGENT", payload(m.items().get(0)).get("senderType").asText());
        assertEquals("first-1VIRTUAL_AGENT", payload(m.items().get(0)).get("participantId").asText());
        assertEquals("SUPERVISOR", payload(m.items().get(1)).get("senderType").asText());
        assertEquals("first-1SUPERVISOR", payload(m.items().get(1)).get("participantId").asText());
    }

    @Test
    void transcriptSentimentBecomesASentimentEventPerParticipantWithTheConfiguredValue() throws Exception {
        var m = transcripts.segments(segments("c-1", transcript("t-1", "AGENT", "Great", 500, 900, "POSITIVE"),
                transcript("t-2", "CUSTOMER", "Awful", 1000, 1500, "NEGATIVE"),
                transcript("t-3", "CUSTOMER", "Fine", 1600, 1700, "NEUTRAL"),
                transcript("t-4", "CUSTOMER", "Hm", 1800, 1900, "UNLISTED")), AGENT_KNOWN, START);
        List<JsonNode> events = m.items().stream().filter(i -> i.kind() == OutboxItem.Kind.EVENT).map(i -> {
            try {
                return payload(i);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertEquals(3, events.size(), "an unmapped label sends no event");
        assertEquals(ContactLensMapper.SENTIMENT, events.get(0).get("type").asText());
        assertEquals("1000", events.get(0).get("value").asText());
        assertEquals("AGENT", events.get(0).get("participant").asText());
        assertEquals(START + 500, events.get(0).get("startTime").asLong());
        assertEquals("-1000", events.get(1).get("value").asText());
        assertEquals("CUSTOMER", events.get(1).get("participant").asText());
        assertEquals("0", events.get(2).get("value").asText());
        assertFalse(events.get(0).has("score"), "no confidence in the source: no score");
    }

    @Test
    void aConfidenceBecomesAScoreWithinZeroToAThousand() throws Exception {
        var seg = transcript("t-1", "CUSTOMER", "Awful", 0, 10, "NEGATIVE");
        ((com.fasterxml.jackson.databind.node.ObjectNode) seg.get("Transcript")).putObject("SentimentScore")
                .put("Negative", 0.8765).put("Positive", 0.1);
        var m = transcripts.segments(segments("c-1", seg), AGENT_KNOWN, START);
        JsonNode e = payload(m.items().stream().filter(i -> i.kind() == OutboxItem.Kind.EVENT).findFirst().orElseThrow());
        assertEquals(876.5, e.get("score").asDouble(), 0.0001);
    }

    @Test
    void categoriesBecomeCategoryEventsAtTheirFirstPointOfInterest() throws Exception {
        var m = transcripts.segments(segments("c-1", categories("CustomerAngry", 9000, 9500, 4000, 4500)),
                AGENT_KNOWN, START + 60_000);
        assertEquals(1, m.items().size());
        JsonNode e = payload(m.items().get(0));
        assertEquals(ContactLensMapper.CATEGORY, e.get("type").asText());
        assertEquals("CustomerAngry", e.get("value").asText());
        assertEquals(START + 4000, e.get("startTime").asLong());
        assertFalse(e.has("participant"));
        var noPoi = transcripts.segments(segments("c-1", categories("Silence")), AGENT_KNOWN, START + 60_000);
        assertEquals(START + 60_000, payload(noPoi.items().get(0)).get("startTime").asLong(),
                "without a point of interest: the record's time");
    }

    @Test
    void utterancesAreIgnoredByDefaultAndSentWhenConfiguredWhileSentimentStillComesFromTranscripts() throws Exception {
        var record = segments("c-1", utterance("u-1", "t-1", "AGENT", "Hel", 100, 300),
                transcript("t-1", "AGENT", "Hello", 100, 900, "POSITIVE"), summary("A summary"));
        var byTranscript = transcripts.segments(record, AGENT_KNOWN, START);
        assertEquals(List.of("t-1"), byTranscript.items().stream().filter(i -> i.kind() == OutboxItem.Kind.MESSAGE)
                .map(OutboxItem::itemKey).toList());
        assertEquals(2, byTranscript.ignored(), "the utterance and the post-contact summary");
        var byUtterance = utterances.segments(record, AGENT_KNOWN, START);
        List<OutboxItem> messages = byUtterance.items().stream().filter(i -> i.kind() == OutboxItem.Kind.MESSAGE).toList();
        assertEquals(List.of("u-1"), messages.stream().map(OutboxItem::itemKey).toList());
        assertEquals("Hel", payload(messages.get(0)).get("content").asText());
        assertEquals(1, byUtterance.items().stream().filter(i -> i.kind() == OutboxItem.Kind.EVENT).count());
    }

    @Test
    void aSegmentThatBreaksARuleIsAProblemAndTheOthersGoOn() {
        var m = transcripts.segments(segments("c-1", transcript("t-1", "ROBOT", "beep", 0, 10, null),
                transcript("t-2", "CUSTOMER", "", 0, 10, null), transcript("t-3", "AGENT", "ok", 50, 10, null),
                transcript("t-4", "AGENT", "fine", 60, 70, null)), AGENT_KNOWN, START);
        assertEquals(3, m.problems().size());
        assertTrue(m.problems().get(0).rule().contains("ParticipantRole"));
        assertTrue(m.problems().get(1).rule().contains("content"));
        assertTrue(m.problems().get(2).rule().contains("offsets"));
        assertEquals(List.of("t-4"), m.items().stream().map(OutboxItem::itemKey).toList());
    }

    @Test
    void postCallPeriodsAreScaledSortedAndChunked() throws Exception {
        var file = analysis("c-1", new double[][] { { 0, 1000, 2.5 }, { 1000, 2000, -5 }, { 2000, 3000, 5 } },
                new double[][] { { 0, 1000, -1.234 }, { 1000, 2000, 0 } });
        List<OutboxItem> chunks = transcripts.postCall(file, AGENT_KNOWN, "AmazonConnectContactLens", 2);
        assertEquals(3, chunks.size(), "5 events in chunks of 2");
        List<JsonNode> events = new java.util.ArrayList<>();
        for (OutboxItem c : chunks) {
            JsonNode body = payload(c);
            assertEquals("AmazonConnectContactLens", body.get("service").asText());
            body.get("events").forEach(events::add);
        }
        assertEquals(List.of("500", "-246.8", "-1000", "0", "1000"),
                events.stream().map(e -> e.get("value").asText()).toList());
        long previous = 0;
        for (JsonNode e : events) {
            assertTrue(e.get("startTime").asLong() >= previous, "sorted by startTime");
            previous = e.get("startTime").asLong();
            assertEquals(e.get("startTime").asLong() + 1000, e.get("endTime").asLong());
        }
        assertEquals(START, events.get(0).get("startTime").asLong());
        assertEquals("AGENT", events.get(0).get("participant").asText());
    }

    @Test
    void aSentimentMapOutsideTheRangeIsRefusedAtStart() {
        assertThrows(IllegalArgumentException.class,
                () -> new ContactLensMapper(JSON, "transcript", Map.of("POSITIVE", "1500"), 200, 10_000));
        assertThrows(IllegalArgumentException.class, () -> new ContactLensMapper(JSON, "words", LABELS, 200, 10_000));
    }

    @Test
    void decimalsAreAtMostTwo() {
        assertEquals("400.13", ContactLensMapper.decimal(new java.math.BigDecimal("400.125")));
        assertEquals("-1000", ContactLensMapper.decimal(new java.math.BigDecimal("-1000.000")));
        assertEquals("0", ContactLensMapper.decimal(new java.math.BigDecimal("-0.001")));
    }

    @Test
    void aTranscriptThatBreaksARuleSendsNoSentimentEither() {
        for (ContactLensMapper mapper : List.of(transcripts, utterances)) {
            var m = mapper.segments(segments("c-1", transcript("t-1", "CUSTOMER", "Angry words", 900, 100, "NEGATIVE"),
                    transcript("t-2", "AGENT", "", 0, 10, "POSITIVE")), AGENT_KNOWN, START);
            assertTrue(m.items().stream().noneMatch(i -> i.itemKey().equals("sentiment:t-1")),
                    "bad offsets: refused whole");
            if (mapper == transcripts) {
                assertEquals(2, m.problems().size());
                assertTrue(m.items().isEmpty(), "an empty message: its sentiment is refused with it");
            }
        }
    }

    @Test
    void contentLongerThanTheBoundIsRefusedNamingTheKey() {
        var m = transcripts.segments(segments("c-1", transcript("t-1", "AGENT", "x".repeat(10_001), 0, 10, "POSITIVE"),
                transcript("t-2", "AGENT", "y".repeat(10_000), 20, 30, null)), AGENT_KNOWN, START);
        assertEquals(1, m.problems().size());
        assertTrue(m.problems().get(0).rule().contains("eci.contact-lens.max-content-chars"));
        assertEquals(List.of("t-2"), m.items().stream().map(OutboxItem::itemKey).toList());
    }

    @Test
    void theLargestOffsetOfARecordCountsItsCategoriesPointsOfInterest() {
        assertEquals(2800, SignalIntake.maxOffset(segments("c-1", categories("Angry", 1000, 2800))));
        assertEquals(900, SignalIntake.maxOffset(segments("c-1", transcript("t", "AGENT", "a", 100, 900, null),
                categories("Angry", 100, 200))));
    }

    @Test
    void aRebaseMovesEveryTimeOfAPayload() throws Exception {
        assertEquals(JSON.readTree("{\"startTime\":1100,\"endTime\":1200,\"content\":\"a\"}"),
                JSON.readTree(SignalStore.shift("{\"startTime\":1000,\"endTime\":1100,\"content\":\"a\"}", 100)));
        assertEquals(JSON.readTree("{\"service\":\"s\",\"events\":[{\"startTime\":90,\"endTime\":190}]}"),
                JSON.readTree(SignalStore.shift("{\"service\":\"s\",\"events\":[{\"startTime\":100,\"endTime\":200}]}", -10)));
    }
}
