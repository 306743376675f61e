package io.eciconnector.vendor;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;

/** The time formats vendors send: ISO-8601, epoch seconds, epoch milliseconds, RFC 2822; and ECI's output form. */
public final class Times {

    /** ECI's form: yyyy-MM-ddTHH:mm:ss.SSSZ, UTC, always with milliseconds. */
    public static final DateTimeFormatter ECI = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    public static String eci(Instant t) {
        return t == null ? null : ECI.format(t);
    }

    /** ISO-8601 with an offset or Z; a local date-time is taken as UTC. */
    public static Instant iso(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("'" + value + "' is not an ISO-8601 date-time");
            }
        }
    }

    /** RFC 2822 (Twilio): "Tue, 10 Aug 2010 08:02:17 +0000". */
    public static Instant rfc2822(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not an RFC 2822 date-time");
        }
    }

    public static Instant epochSeconds(JsonNode node) {
        Long v = number(node);
        return v == null ? null : Instant.ofEpochSecond(v);
    }

    public static Instant epochMillis(JsonNode node) {
        Long v = number(node);
        return v == null ? null : Instant.ofEpochMilli(v);
    }

    /** A whole number given as a JSON number or numeric string; null when absent. */
    public static Long number(JsonNode node) {
        if (node == null || node.isNull() || (node.isTextual() && node.asText().isBlank())) {
            return null;
        }
        if (node.isNumber()) {
            return node.asLong();
        }
        try {
            return (long) Double.parseDouble(node.asText().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + node.asText() + "' is not a number");
        }
    }
}
