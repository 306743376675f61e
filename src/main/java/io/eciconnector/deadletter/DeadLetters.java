package io.eciconnector.deadletter;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.ledger.CallRow;

/**
 * The dead-letter channel: every failed item goes to {@code direct:dead-letter} (routes/dead-letters.yaml chooses
 * where it lands: a folder by default, an S3 prefix in production) as a JSON envelope with its reason, the HTTP
 * status / errorCode / message when an API refused it, attempts and times, and the original bytes. Each exchange
 * carries the headers eciDeadLetterName, eciVendor and eciStage, so the route can send one vendor's or one stage's
 * dead letters elsewhere.
 */
@ApplicationScoped
@jakarta.inject.Named("deadLetters")
public class DeadLetters {

    public static final String ENDPOINT = "direct:dead-letter";
    public static final String NAME_HEADER = "eciDeadLetterName";
    /** The vendor (provider) of the failed item: generic, aircall, ...; telephony for signal-stream items. */
    public static final String VENDOR_HEADER = "eciVendor";
    /** The stage it failed at: ingest, create, upload, or a signal stream's flow. */
    public static final String STAGE_HEADER = "eciStage";
    /** Why it failed (routes/dead-letters.yaml logs it once the letter is written). */
    public static final String REASON_HEADER = "eciDeadLetterReason";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS")
            .withZone(ZoneOffset.UTC);

    @Inject
    ProducerTemplate producer;

    @Inject
    ObjectMapper mapper;

    /** An API's refusal, when there was one. */
    public record ApiError(Integer httpStatus, String errorCode, String message) {
    }

    /** A call that failed at some stage, with its ledger row. */
    public void call(String flow, CallRow row, String reason, ApiError error) {
        send(callLetter(flow, row, reason, error));
    }

    /**
     * A dead letter made, not sent yet: for a route that sends it to {@code direct:dead-letter} itself (see
     * {@link #message(Exchange)}). {@code envelope} is the JSON written, {@code reason} its reason (for the log).
     */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record Letter(String name, String vendor, String stage, byte[] envelope, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The dead letter of a call that failed at some stage, with its ledger row. */
    public Letter callLetter(String flow, CallRow row, String reason, ApiError error) {
        Map<String, Object> e = envelope(flow, row.provider(), row.externalId(), row.source(), reason, error);
        e.put("attempts", row.attempts());
        e.put("firstSeen", row.createdAt() == null ? null : row.createdAt().toString());
        e.put("recording", row.recordingUri());
        e.put("voiceCallId", row.voiceCallId());
        original(e, row.original() == null ? null : row.original().getBytes(StandardCharsets.UTF_8));
        e.put("replay", "POST /calls/" + row.externalId() + "/replay (after fixing the cause)");
        return letter(flow, row.provider(), row.externalId(), e);
    }

    /**
     * For a route: the body (a {@link Letter}) becomes the message routes/dead-letters.yaml takes: the envelope as
     * the body, with the headers eciDeadLetterName, eciVendor and eciStage.
     */
    public void message(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        Letter l = exchange.getMessage().getMandatoryBody(Letter.class);
        Message m = exchange.getMessage();
        m.setBody(l.envelope());
        m.setHeader(NAME_HEADER, l.name());
        m.setHeader(VENDOR_HEADER, l.vendor());
        m.setHeader(STAGE_HEADER, l.stage());
        m.setHeader(REASON_HEADER, l.reason());
    }

    /** A record (file or object) that could not be read at all: its bytes as they came. */
    public void record(String flow, String provider, String source, String reason, byte[] original) {
        Map<String, Object> e = envelope(flow, provider, null, source, reason, null);
        e.put("attempts", 1);
        original(e, original);
        e.put("replay", "fix the record and drop it in the inbox again");
        String name = source == null ? "record" : source.replaceAll(".*[/\\\\]", "");
        send(flow, provider, name, e);
    }

    /**
     * A record refused without being read whole (over a bound, broken part-way, or failing every poll): where the
     * record itself is kept (it moves to the done area, never deleted), its size, and, when there is one small enough
     * to keep, the unread rest as a record of its own ({@code original}: a CSV header and its rows from the broken one
     * on) that can be fixed and dropped again.
     */
    public void recordKept(String flow, String provider, String source, String reason, String keptAt, Long bytes,
            byte[] rest) {
        Map<String, Object> e = envelope(flow, provider, null, source, reason, null);
        e.put("attempts", 1);
        e.put("recordAt", keptAt);
        e.put("recordBytes", bytes);
        original(e, rest);
        e.put("replay", rest != null ? "fix the original (the rest of the record) and drop it in the inbox again"
                : "fix the record (at recordAt) and drop it in the inbox again; calls already taken in are not taken twice");
        String name = source == null ? "record" : source.replaceAll(".*[/\\\\]", "");
        send(flow, provider, name, e);
    }

    /**
     * A signal-stream item (a record, a segment, or telephony API items the API refused): under
     * {@code telephony/{vendorCallKey or contact}-{time}-{n}.json}, with the original record.
     */
    public void signal(String flow, String key, String source, String reason, ApiError error, int attempts,
            Map<String, Object> details, byte[] original, String replay) {
        Map<String, Object> e = envelope(flow, "telephony", key, source, reason, error);
        e.put("attempts", attempts);
        e.putAll(details);
        original(e, original);
        e.put("replay", replay);
        send(flow, "telephony", (key == null ? "record" : key) + "-" + sequence.incrementAndGet(), e);
    }

    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();

    private Map<String, Object> envelope(String flow, String provider, String externalId, String source,
            String reason, ApiError error) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("flow", flow);
        e.put("provider", provider);
        e.put("externalId", externalId);
        e.put("source", source);
        e.put("reason", reason);
        if (error != null) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("httpStatus", error.httpStatus());
            err.put("errorCode", error.errorCode());
            err.put("message", error.message());
            e.put("error", err);
        }
        e.put("failedAt", Instant.now().toString());
        return e;
    }

    private static void original(Map<String, Object> e, byte[] bytes) {
        if (bytes == null) {
            return;
        }
        try {
            e.put("original", StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
            e.put("originalEncoding", "utf-8");
        } catch (CharacterCodingException notText) {
            e.put("original", Base64.getEncoder().encodeToString(bytes));
            e.put("originalEncoding", "base64");
        }
    }

    /**
     * To routes/dead-letters.yaml with the headers it may route on: eciDeadLetterName (the file name it is written
     * under), eciVendor and eciStage.
     */
    private void send(String flow, String provider, String id, Map<String, Object> envelope) {
        send(letter(flow, provider, id, envelope));
    }

    private void send(Letter l) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(NAME_HEADER, l.name());
        headers.put(VENDOR_HEADER, l.vendor());
        headers.put(STAGE_HEADER, l.stage());
        headers.put(REASON_HEADER, l.reason());
        producer.sendBodyAndHeaders(ENDPOINT, l.envelope(), headers);
    }

    private Letter letter(String flow, String provider, String id, Map<String, Object> envelope) {
        String name = safe(provider) + "/" + safe(id) + "-" + STAMP.format(Instant.now()) + ".json";
        try {
            return new Letter(name, provider == null ? "unknown" : provider, flow, mapper.writeValueAsBytes(envelope),
                    String.valueOf(envelope.get("reason")));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String safe(String s) {
        return s == null ? "unknown" : s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
