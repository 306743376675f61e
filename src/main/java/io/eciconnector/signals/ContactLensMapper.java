package io.eciconnector.signals;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Contact Lens records to telephony API items (domain notes sections 3 and 4):
 * <ul>
 * <li>Categories segments: one IntelligenceSignal__Category event per matched category, at the contact start plus its
 * first point of interest;</li>
 * <li>Transcript segments with a Sentiment label: an IntelligenceSignal__Sentiment event for the participant (AGENT or
 * CUSTOMER), its value from the configured label map, its score (0..1000) from SentimentScore when the source gives
 * one;</li>
 * <li>Transcript segments (or Utterance segments, when configured): transcript messages, messageId = the segment id,
 * startTime/endTime = contact start + offsets (epoch millis), senderType and participantId by the documented rules;</li>
 * <li>post-call analysis files: SentimentByPeriod per participant, scores scaled to -1000..1000, sorted, chunked.</li>
 * </ul>
 * Pure: no I/O, so every rule is tested on its own.
 */
public class ContactLensMapper {

    public static final String CATEGORY = "IntelligenceSignal__Category";
    public static final String SENTIMENT = "IntelligenceSignal__Sentiment";
    static final BigDecimal LIMIT = BigDecimal.valueOf(1000);

    /** A segment that could not be mapped, with the rule it broke. */
    public record Problem(String segment, String rule) {
    }

    /** Items of one record, and what could not be mapped. */
    public record Mapped(List<OutboxItem> items, List<Problem> problems, int ignored) {
    }

    private final ObjectMapper mapper;
    private final boolean utterances;
    private final Map<String, BigDecimal> sentimentLabels;
    private final double postCallScale;
    private final int maxContentChars;

    public ContactLensMapper(ObjectMapper mapper, String messages, Map<String, String> sentimentLabels,
            double postCallScale, int maxContentChars) {
        this.maxContentChars = maxContentChars;
        this.mapper = mapper;
        String m = messages.toLowerCase(Locale.ROOT);
        if (!m.equals("transcript") && !m.equals("utterance")) {
            throw new IllegalArgumentException("eci.contact-lens.messages must be transcript or utterance, not " + messages);
        }
        this.utterances = m.equals("utterance");
        this.sentimentLabels = new LinkedHashMap<>();
        sentimentLabels.forEach((label, value) -> {
            BigDecimal v = new BigDecimal(value.trim());
            if (v.abs().compareTo(LIMIT) > 0) {
                throw new IllegalArgumentException("eci.contact-lens.sentiment." + label + " must be within -1000..1000");
            }
            this.sentimentLabels.put(label.toUpperCase(Locale.ROOT), v);
        });
        this.postCallScale = postCallScale;
    }

    /** The segments of a SEGMENTS record as items for the contact. */
    public Mapped segments(JsonNode record, SignalContact contact, long recordTime) {
        List<OutboxItem> items = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        int ignored = 0;
        int i = 0;
        for (JsonNode segment : record.path("Segments")) {
            String where = "Segments[" + i++ + "]";
            if (segment.has("Transcript")) {
                // a segment is taken whole or refused whole: its message and its sentiment stand or fall together
                JsonNode t = segment.get("Transcript");
                String id = t.path("Id").asText("");
                if (id.isEmpty()) {
                    problems.add(new Problem(where + ".Transcript", "Id is required (it becomes the messageId)"));
                    continue;
                }
                String at = where + ".Transcript " + id;
                String role = t.path("ParticipantRole").asText("");
                Problem problem = roleProblem(at, role);
                if (problem == null) {
                    problem = offsetsProblem(at, t);
                }
                if (problem == null && !utterances) {
                    problem = contentProblem(at, "Content", t.path("Content").asText(""));
                }
                if (problem != null) {
                    problems.add(problem);
                    continue;
                }
                if (!utterances) {
                    items.add(message(id, role, t.path("Content").asText(""), t, contact));
                }
                sentiment(t, id, role, contact, items);
            } else if (segment.has("Utterance")) {
                if (!utterances) {
                    ignored++;
                    continue;
                }
                JsonNode u = segment.get("Utterance");
                String id = u.path("Id").asText("");
                if (id.isEmpty()) {
                    problems.add(new Problem(where + ".Utterance", "Id is required (it becomes the messageId)"));
                    continue;
                }
                String at = where + ".Utterance " + id;
                String role = u.path("ParticipantRole").asText("");
                Problem problem = roleProblem(at, role);
                if (problem == null) {
                    problem = offsetsProblem(at, u);
                }
                if (problem == null) {
                    problem = contentProblem(at, "PartialContent", u.path("PartialContent").asText(""));
                }
                if (problem != null) {
                    problems.add(problem);
                    continue;
                }
                items.add(message(id, role, u.path("PartialContent").asText(""), u, contact));
            } else if (segment.has("Categories")) {
                categories(segment.get("Categories"), contact, recordTime, items);
            } else {
                ignored++; // PostContactSummary and segment types the API has no place for
            }
        }
        return new Mapped(items, problems, ignored);
    }

    private Problem roleProblem(String where, String role) {
        return switch (role) {
            case "AGENT", "CUSTOMER", "SUPERVISOR" -> null;
            default -> new Problem(where, "ParticipantRole must be AGENT, CUSTOMER or SUPERVISOR, got '" + role + "'");
        };
    }

    private Problem offsetsProblem(String where, JsonNode segment) {
        if (!segment.path("BeginOffsetMillis").canConvertToLong() || !segment.path("EndOffsetMillis").canConvertToLong()) {
            return new Problem(where, "BeginOffsetMillis and EndOffsetMillis are required");
        }
        long begin = segment.get("BeginOffsetMillis").asLong();
        long end = segment.get("EndOffsetMillis").asLong();
        if (begin < 0 || end < begin) {
            return new Problem(where, "offsets must satisfy 0 <= BeginOffsetMillis <= EndOffsetMillis");
        }
        return null;
    }

    private Problem contentProblem(String where, String field, String content) {
        if (content.isBlank()) {
            return new Problem(where, "the text is empty (content is required)");
        }
        if (content.length() > maxContentChars) {
            return new Problem(where, field + " is " + content.length() + " characters; a transcript message may carry at "
                    + "most " + maxContentChars + " (eci.contact-lens.max-content-chars)");
        }
        return null;
    }

    private OutboxItem message(String id, String role, String content, JsonNode segment, SignalContact k) {
        long begin = segment.get("BeginOffsetMillis").asLong();
        long end = segment.get("EndOffsetMillis").asLong();
        ObjectNode m = mapper.createObjectNode();
        String key = k.vendorCallKey();
        switch (role) {
            case "AGENT" -> {
                if (k.agentUserId() != null) {
                    m.put("participantId", k.agentUserId());
                    m.put("senderType", "HUMAN_AGENT");
                } else {
                    m.put("participantId", key + "VIRTUAL_AGENT");
                    m.put("senderType", "VIRTUAL_AGENT");
                }
            }
            case "SUPERVISOR" -> {
                m.put("participantId", key + "SUPERVISOR");
                m.put("senderType", "SUPERVISOR");
            }
            default -> {
                m.put("participantId", key + "END_USER");
                m.put("senderType", "END_USER");
            }
        }
        m.put("messageId", id);
        m.put("startTime", k.startedAt() + begin);
        m.put("endTime", k.startedAt() + end);
        m.put("content", content);
        return OutboxItem.of(key, OutboxItem.Kind.MESSAGE, id, k.startedAt() + begin, m.toString());
    }

    private void sentiment(JsonNode t, String id, String role, SignalContact k, List<OutboxItem> items) {
        String label = t.path("Sentiment").asText("").toUpperCase(Locale.ROOT);
        BigDecimal value = sentimentLabels.get(label);
        if (value == null || role.equals("SUPERVISOR")) {
            return; // no label, a label not mapped, or a participant the API has no sentiment for
        }
        long start = k.startedAt() + t.get("BeginOffsetMillis").asLong();
        ObjectNode e = mapper.createObjectNode();
        e.put("type", SENTIMENT);
        e.put("value", decimal(value));
        e.put("startTime", start);
        JsonNode scores = t.path("SentimentScore");
        if (scores.isObject()) {
            // Comprehend-style confidences 0..1 per label: the chosen label's confidence, scaled to 0..1000
            JsonNode c = null;
            for (var f = scores.fields(); f.hasNext();) {
                var entry = f.next();
                if (entry.getKey().equalsIgnoreCase(label)) {
                    c = entry.getValue();
                }
            }
            if (c != null && c.isNumber()) {
                BigDecimal score = BigDecimal.valueOf(c.asDouble()).multiply(LIMIT).max(BigDecimal.ZERO).min(LIMIT);
                e.put("score", new BigDecimal(decimal(score)));
            }
        }
        e.put("participant", role);
        items.add(OutboxItem.of(k.vendorCallKey(), OutboxItem.Kind.EVENT, "sentiment:" + id, start, e.toString()));
    }

    private void categories(JsonNode c, SignalContact k, long recordTime, List<OutboxItem> items) {
        for (JsonNode name : c.path("MatchedCategories")) {
            String category = name.asText();
            long offset = -1;
            for (JsonNode poi : c.path("MatchedDetails").path(category).path("PointsOfInterest")) {
                long b = poi.path("BeginOffsetMillis").asLong(-1);
                if (b >= 0 && (offset < 0 || b < offset)) {
                    offset = b;
                }
            }
            // a category matched without a point of interest (e.g. on silence) happened when the record was made
            long start = offset >= 0 ? k.startedAt() + offset : recordTime;
            ObjectNode e = mapper.createObjectNode();
            e.put("type", CATEGORY);
            e.put("value", category);
            e.put("startTime", start);
            items.add(OutboxItem.of(k.vendorCallKey(), OutboxItem.Kind.EVENT,
                    "category:" + category + ":" + (offset >= 0 ? offset : "record"), start, e.toString()));
        }
    }

    /**
     * A post-call analysis file as postConversationEvents requests: the SentimentByPeriod scores (-5..5) of each
     * participant, scaled, sorted by startTime, in chunks of {@code chunkSize} events, each a whole request body.
     */
    public List<OutboxItem> postCall(JsonNode analysis, SignalContact k, String service, int chunkSize) {
        List<ObjectNode> events = new ArrayList<>();
        JsonNode periods = analysis.path("ConversationCharacteristics").path("Sentiment").path("SentimentByPeriod")
                .path("QUARTER");
        for (String role : List.of("AGENT", "CUSTOMER")) {
            for (JsonNode p : periods.path(role)) {
                if (!p.path("Score").isNumber() || !p.path("BeginOffsetMillis").canConvertToLong()
                        || !p.path("EndOffsetMillis").canConvertToLong()) {
                    throw new IllegalArgumentException("SentimentByPeriod.QUARTER." + role
                            + ": every period needs BeginOffsetMillis, EndOffsetMillis and a numeric Score");
                }
                BigDecimal value = BigDecimal.valueOf(p.get("Score").asDouble() * postCallScale).max(LIMIT.negate())
                        .min(LIMIT);
                ObjectNode e = mapper.createObjectNode();
                e.put("type", SENTIMENT);
                e.put("value", decimal(value));
                e.put("startTime", k.startedAt() + p.get("BeginOffsetMillis").asLong());
                e.put("endTime", k.startedAt() + p.get("EndOffsetMillis").asLong());
                e.put("participant", role);
                events.add(e);
            }
        }
        events.sort(Comparator.comparingLong((ObjectNode e) -> e.get("startTime").asLong())
                .thenComparing(e -> e.get("participant").asText()));
        List<OutboxItem> chunks = new ArrayList<>();
        for (int from = 0, n = 0; from < events.size(); from += chunkSize, n++) {
            ObjectNode body = mapper.createObjectNode();
            body.put("service", service);
            ArrayNode array = body.putArray("events");
            events.subList(from, Math.min(events.size(), from + chunkSize)).forEach(array::add);
            chunks.add(OutboxItem.of(k.vendorCallKey(), OutboxItem.Kind.POSTCALL, "postcall:" + n,
                    array.get(0).get("startTime").asLong(), body.toString()));
        }
        return chunks;
    }

    /** At most two decimals, no trailing zeros: "400.13", "-1000", "0". */
    static String decimal(BigDecimal v) {
        BigDecimal d = v.setScale(2, RoundingMode.HALF_UP).stripTrailingZeros();
        return d.signum() == 0 ? "0" : d.toPlainString();
    }
}
