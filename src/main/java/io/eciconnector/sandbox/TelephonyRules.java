package io.eciconnector.sandbox;

import io.eciconnector.salesforce.SalesforceIds;
import java.math.BigDecimal;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The documented rules of the Service Cloud Voice telephony API (seeds scv-realtime-conversation-events.txt,
 * scv-post-call-conversation-events.txt, scv-bulk-transcripts.txt). Each method answers the error message, or null.
 */
public final class TelephonyRules {

    public static final String CATEGORY = "IntelligenceSignal__Category";
    public static final String SENTIMENT = "IntelligenceSignal__Sentiment";
    public static final int MAX_CALLS_PER_BULK = 5;
    public static final int MAX_MESSAGES_PER_CALL = 5;
    static final Set<String> PARTICIPANTS = Set.of("AGENT", "CUSTOMER");
    static final Set<String> SENDER_TYPES = Set.of("END_USER", "EXTERNAL_USER", "HUMAN_AGENT", "SUPERVISOR",
            "VIRTUAL_AGENT");
    private static final BigDecimal MAX_SENTIMENT = BigDecimal.valueOf(1000);
    private static final BigDecimal MIN_SENTIMENT = BigDecimal.valueOf(-1000);

    private TelephonyRules() {
    }

    /** POST /voiceCalls/{vendorCallKey}/realtimeConversationEvents. */
    public static String realtime(JsonNode body) {
        String common = serviceAndEvents(body);
        if (common != null) {
            return common;
        }
        long previous = Long.MIN_VALUE;
        int i = 0;
        for (JsonNode event : body.get("events")) {
            String where = "events[" + i++ + "]";
            String type = text(event, "type");
            if (!CATEGORY.equals(type) && !SENTIMENT.equals(type)) {
                return where + ".type must be " + CATEGORY + " or " + SENTIMENT + ", got '" + type + "'";
            }
            if (blank(event.get("value"))) {
                return where + ".value is required";
            }
            Long start = int64(event.get("startTime"));
            if (start == null) {
                return where + ".startTime is required (int64, milliseconds since the Unix epoch)";
            }
            if (start < previous) {
                return "events must be sorted in chronological ascending order by startTime (" + where + ")";
            }
            previous = start;
            String participant = text(event, "participant");
            if (SENTIMENT.equals(type)) {
                if (participant.isEmpty()) {
                    return where + ".participant is required for " + SENTIMENT;
                }
                String sentiment = sentiment(event.get("value"));
                if (sentiment != null) {
                    return where + ".value " + sentiment;
                }
            }
            if (!participant.isEmpty() && !PARTICIPANTS.contains(participant)) {
                return where + ".participant must be AGENT or CUSTOMER, got '" + participant + "'";
            }
            if (!blank(event.get("score"))) {
                BigDecimal score = decimal(event.get("score"));
                if (score == null || score.signum() < 0 || score.compareTo(MAX_SENTIMENT) > 0) {
                    return where + ".score must be between 0 and 1000";
                }
            }
        }
        return null;
    }

    /** POST /voiceCalls/{vendorCallKey}/postConversationEvents. */
    public static String postCall(JsonNode body) {
        String common = serviceAndEvents(body);
        if (common != null) {
            return common;
        }
        long previous = Long.MIN_VALUE;
        int i = 0;
        for (JsonNode event : body.get("events")) {
            String where = "events[" + i++ + "]";
            if (!SENTIMENT.equals(text(event, "type"))) {
                return where + ".type must be " + SENTIMENT + ", got '" + text(event, "type") + "'";
            }
            String sentiment = sentiment(event.get("value"));
            if (sentiment != null) {
                return where + ".value " + sentiment;
            }
            Long start = int64(event.get("startTime"));
            Long end = int64(event.get("endTime"));
            if (start == null || end == null) {
                return where + ".startTime and endTime are required (int64, milliseconds since the Unix epoch)";
            }
            if (end < start) {
                return where + ".endTime is before startTime";
            }
            if (start < previous) {
                return "events must be sorted in chronological ascending order by startTime (" + where + ")";
            }
            previous = start;
            if (!PARTICIPANTS.contains(text(event, "participant"))) {
                return where + ".participant must be AGENT or CUSTOMER";
            }
        }
        return null;
    }

    /** The shape of a bulk request: 1..5 entries of 1..5 messages. Violations reject the whole request. */
    public static String bulkShape(JsonNode body) {
        if (body == null || !body.isObject() || !body.path("entries").isArray()) {
            return "entries is required (an array of voice calls)";
        }
        JsonNode entries = body.get("entries");
        if (entries.isEmpty() || entries.size() > MAX_CALLS_PER_BULK) {
            return "entries must hold 1 to " + MAX_CALLS_PER_BULK + " voice calls, got " + entries.size();
        }
        int i = 0;
        for (JsonNode entry : entries) {
            JsonNode messages = entry.get("messages");
            if (messages == null || !messages.isArray() || messages.isEmpty()
                    || messages.size() > MAX_MESSAGES_PER_CALL) {
                return "entries[" + i + "].messages must hold 1 to " + MAX_MESSAGES_PER_CALL + " messages, got "
                        + (messages == null || !messages.isArray() ? 0 : messages.size());
            }
            if (blank(entry.get("vendorCallKey"))) {
                return "entries[" + i + "].vendorCallKey is required";
            }
            i++;
        }
        return null;
    }

    /** One transcript message of a call; strict: a wrong participantId is an error, not rewritten. */
    public static String message(String vendorCallKey, JsonNode message, boolean strict) {
        return message(vendorCallKey, message, strict, Integer.MAX_VALUE);
    }

    /** As {@link #message(String, JsonNode, boolean)}, with {@code content} at most {@code maxContent} characters. */
    public static String message(String vendorCallKey, JsonNode message, boolean strict, int maxContent) {
        for (String field : new String[] { "participantId", "messageId", "content", "senderType" }) {
            if (blank(message.get(field))) {
                return field + " is required";
            }
        }
        int length = text(message, "content").length();
        if (length > maxContent) {
            return "content is " + length + " characters; at most " + maxContent + " are accepted";
        }
        Long start = int64(message.get("startTime"));
        Long end = int64(message.get("endTime"));
        if (start == null || end == null) {
            return "startTime and endTime are required (int64, milliseconds since the Unix epoch)";
        }
        if (end < start) {
            return "endTime is before startTime";
        }
        String senderType = text(message, "senderType");
        if (!SENDER_TYPES.contains(senderType)) {
            return "senderType must be one of " + SENDER_TYPES + ", got '" + senderType + "'";
        }
        String participantId = text(message, "participantId");
        if ("HUMAN_AGENT".equals(senderType) && !SalesforceIds.isId(participantId, "005")) {
            return "participantId for HUMAN_AGENT must be the agent's 15- or 18-character Salesforce user id (005...)";
        }
        String expected = expectedParticipantId(vendorCallKey, senderType);
        if (strict && expected != null && !expected.equals(participantId)) {
            return "participantId for " + senderType + " must be " + expected;
        }
        return null;
    }

    /** The participantId Salesforce enforces for END_USER, SUPERVISOR and VIRTUAL_AGENT; null for the others. */
    public static String expectedParticipantId(String vendorCallKey, String senderType) {
        return switch (senderType) {
            case "END_USER", "SUPERVISOR", "VIRTUAL_AGENT" -> vendorCallKey + senderType;
            default -> null;
        };
    }

    private static String serviceAndEvents(JsonNode body) {
        if (body == null || !body.isObject()) {
            return "the request body must be a JSON object";
        }
        if (blank(body.get("service"))) {
            return "service is required";
        }
        if (body.has("persist") && !body.get("persist").isBoolean()) {
            return "persist must be a boolean";
        }
        if (!body.path("events").isArray() || body.get("events").isEmpty()) {
            return "events is required (a non-empty array)";
        }
        return null;
    }

    private static String sentiment(JsonNode value) {
        BigDecimal v = decimal(value);
        if (v == null) {
            return "must be a number between -1000 and 1000";
        }
        if (v.compareTo(MIN_SENTIMENT) < 0 || v.compareTo(MAX_SENTIMENT) > 0) {
            return "must be between -1000 and 1000, got " + v.toPlainString();
        }
        if (v.stripTrailingZeros().scale() > 2) {
            return "must have at most 2 decimals, got " + v.toPlainString();
        }
        return null;
    }

    static BigDecimal decimal(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        try {
            return node.isTextual() ? new BigDecimal(node.asText().trim()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Long int64(JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToLong() ? node.asLong() : null;
    }

    static boolean blank(JsonNode node) {
        return node == null || node.isNull() || (node.isTextual() && node.asText().isBlank());
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }
}
