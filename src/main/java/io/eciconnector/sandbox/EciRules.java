package io.eciconnector.sandbox;

import io.eciconnector.salesforce.SalesforceIds;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The per-call validation rules of POST voicecalls (seed eci-recording-provider-api.txt, "Invalid data may result in
 * isSuccess=false"). Each rule answers the errorMsg the sandbox returns; null when the call passes.
 */
public final class EciRules {

    public static final int MAX_CALLS_PER_REQUEST = 200;
    public static final List<String> REQUIRED = List.of("startDateTime", "endDateTime", "fromPhoneNumber",
            "toPhoneNumber", "callType", "externalId", "recordingDuration", "recordingFormat", "mediaProviderId");
    /** yyyy-MM-ddTHH:mm:ss.SSS, UTC by default, with an optional Z or offset. */
    private static final Pattern DATE_TIME = Pattern
            .compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:?\\d{2})?");
    private static final Set<String> CALL_TYPES = Set.of("inbound", "outbound");
    /** The seed spells mp3/wav/flac, the API reference Mp3/Wav/Flac: both accepted. */
    private static final Set<String> FORMATS = Set.of("mp3", "wav", "flac");
    private static final Set<String> SOURCE_TYPES = Set.of("sales", "service");
    private static final Pattern INTEGER = Pattern.compile("\\d+");

    private EciRules() {
    }

    /** Validates one call; returns the errorMsg, or null when the call is valid. */
    public static String validate(JsonNode call, SandboxState org) {
        if (call == null || !call.isObject()) {
            return "Invalid call: expected a JSON object";
        }
        for (String field : REQUIRED) {
            if (blank(call.get(field))) {
                return "Missing required field: " + field;
            }
        }
        if (blank(call.get("userId")) && blank(call.get("userEmail"))) {
            return "Missing required field: userId or userEmail (at least one is required)";
        }
        Instant start = dateTime(call, "startDateTime");
        if (start == null) {
            return "Invalid startDateTime: expected yyyy-MM-ddTHH:mm:ss.SSS (UTC, e.g. 2019-11-06T19:41:56.000Z)";
        }
        Instant end = dateTime(call, "endDateTime");
        if (end == null) {
            return "Invalid endDateTime: expected yyyy-MM-ddTHH:mm:ss.SSS (UTC, e.g. 2019-11-06T19:41:56.000Z)";
        }
        if (start.isAfter(end)) {
            return "startDateTime is after endDateTime";
        }
        String callType = text(call, "callType");
        if (!CALL_TYPES.contains(callType.toLowerCase(Locale.ROOT))) {
            return "Invalid callType: '" + callType + "' (expected Inbound or Outbound)";
        }
        String format = text(call, "recordingFormat");
        if (!FORMATS.contains(format.toLowerCase(Locale.ROOT))) {
            return "Invalid recordingFormat: '" + format + "' (expected mp3, wav or flac)";
        }
        if (integer(call.get("recordingDuration")) == null) {
            return "Invalid recordingDuration: expected a whole number of seconds";
        }
        Long channels = 1L;
        if (!blank(call.get("numberChannels"))) {
            channels = integer(call.get("numberChannels"));
            if (channels == null || channels < 1) {
                return "Invalid numberChannels: expected a whole number of at least 1";
            }
        }
        if (!blank(call.get("userChannel"))) {
            Long userChannel = integer(call.get("userChannel"));
            if (userChannel == null || userChannel >= channels) {
                return "userChannel " + text(call, "userChannel") + " is not within range of numberChannels "
                        + channels + " (channels start from 0)";
            }
        }
        if (!blank(call.get("recordId"))) {
            String recordId = text(call, "recordId");
            if (!(SalesforceIds.isId(recordId, "001") || SalesforceIds.isId(recordId, "003")
                    || SalesforceIds.isId(recordId, "00Q"))) {
                return "Invalid recordId: '" + recordId + "' (expected an Account 001, Contact 003 or Lead 00Q id)";
            }
        }
        if (!blank(call.get("activityId")) && !SalesforceIds.isId(text(call, "activityId"), "00T")) {
            return "Invalid activityId: '" + text(call, "activityId") + "' (expected a Task 00T id)";
        }
        if (!blank(call.get("sourceType"))
                && !SOURCE_TYPES.contains(text(call, "sourceType").toLowerCase(Locale.ROOT))) {
            return "Invalid sourceType: '" + text(call, "sourceType") + "' (expected Sales or Service)";
        }
        String providerId = text(call, "mediaProviderId");
        if (org.provider(providerId).isEmpty()) {
            return "Invalid mediaProviderId: '" + providerId + "' is not a CallCoachingMediaProvider record";
        }
        if (!org.providerEnabled(providerId)) {
            return "Recording provider " + providerId + " is disabled for Einstein Conversation Insights";
        }
        Optional<SandboxState.User> user = Optional.empty();
        if (!blank(call.get("userId"))) {
            String userId = text(call, "userId");
            user = org.user(userId).filter(u -> u.active && SalesforceIds.isId(userId, "005"));
            if (user.isEmpty()) {
                return "userId '" + userId + "' is not an active Salesforce user";
            }
        }
        if (!blank(call.get("userEmail"))) {
            String email = text(call, "userEmail");
            Optional<SandboxState.User> byEmail = org.activeUserByEmail(email);
            if (byEmail.isEmpty()) {
                return "userEmail '" + email + "' doesn't match an active Salesforce user";
            }
            if (user.isPresent() && !user.get().id.equals(byEmail.get().id)) {
                return "userEmail '" + email + "' doesn't match userId '" + text(call, "userId") + "'";
            }
            user = byEmail;
        }
        if (!user.get().featurePermission) {
            return "Salesforce user " + user.get().id + " doesn't have feature permission";
        }
        if (!user.get().callCoaching) {
            return "Salesforce user " + user.get().id + " is not an active CallCoaching user";
        }
        return null;
    }

    /** The user a valid call belongs to (by userId, else userEmail). */
    public static Optional<SandboxState.User> userOf(JsonNode call, SandboxState org) {
        if (!blank(call.get("userId"))) {
            return org.user(text(call, "userId"));
        }
        return org.activeUserByEmail(text(call, "userEmail"));
    }

    static boolean blank(JsonNode node) {
        return node == null || node.isNull() || (node.isTextual() && node.asText().isBlank())
                || node.isContainerNode();
    }

    static String text(JsonNode call, String field) {
        JsonNode node = call.get(field);
        return node == null || node.isNull() ? "" : node.asText();
    }

    /** A whole number given as a JSON number or a numeric string (the seed's sample sends "300"). */
    static Long integer(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.asLong() < 0 ? null : node.asLong();
        }
        if (node.isTextual() && INTEGER.matcher(node.asText().trim()).matches()) {
            return Long.parseLong(node.asText().trim());
        }
        return null;
    }

    static Instant dateTime(JsonNode call, String field) {
        String value = text(call, field);
        if (!DATE_TIME.matcher(value).matches()) {
            return null;
        }
        try {
            if (value.endsWith("Z") || value.matches(".*[+-]\\d{2}:?\\d{2}$")) {
                String normalized = value.replaceAll("([+-]\\d{2})(\\d{2})$", "$1:$2");
                return OffsetDateTime.parse(normalized).toInstant();
            }
            return java.time.LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
