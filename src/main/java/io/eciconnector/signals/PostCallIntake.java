package io.eciconnector.signals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.ops.FlowMetrics;
import io.eciconnector.vendor.Times;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Contact Lens post-call analysis files ({@code Analysis/Voice/YYYY/MM/DD/{contactId}_analysis_*.json}, the redacted
 * copies under {@code Analysis/Voice/Redacted/} by default) into postConversationEvents items. The contact's start and
 * vendorCallKey come from its stream, else its contact trace record, else the recording name the file points at
 * ({@code {contactId}_{YYYYMMDDThh:mm}_UTC.wav}). The events are sent only once the contact completed.
 */
@ApplicationScoped
@Named("postCallIntake")
@RegisterForReflection
public class PostCallIntake {

    private static final Logger LOG = Logger.getLogger(PostCallIntake.class);
    static final Pattern RECORDING_TIME = Pattern.compile("_(\\d{8}T\\d{2}:\\d{2})_UTC\\.");
    static final DateTimeFormatter RECORDING_FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm");

    @Inject
    SignalStore store;

    @Inject
    Ledger ledger;

    @Inject
    ObjectMapper json;

    @Inject
    ContactLensSettings settings;

    @Inject
    TelephonySettings telephony;

    @Inject
    SignalIntake intake;

    @Inject
    SignalDeadLetters deadLetters;

    @Inject
    SignalSender sender;

    @Inject
    FlowMetrics metrics;

    /** Body: the file's bytes; header eciRecordName: its path or key. Answers what was done, for the route's log. */
    public String accept(Exchange exchange) {
        String name = exchange.getMessage().getHeader("eciRecordName", String.class);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        return accept(name, body == null ? new byte[0] : body);
    }

    public String accept(String name, byte[] bytes) {
        boolean redactedCopy = ("/" + name).contains("/Redacted/") || name.contains("_redacted");
        if (redactedCopy != settings.redacted()) {
            return "skipped (" + (redactedCopy ? "a redacted copy; eci.contact-lens.redacted=false"
                    : "not the redacted copy; eci.contact-lens.redacted=true") + ")";
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        JsonNode analysis;
        try {
            analysis = json.readTree(text);
        } catch (IOException e) {
            analysis = null;
        }
        if (analysis == null || !analysis.isObject()) {
            deadLetters.record(name, null, "not a JSON object (unreadable post-call analysis file)", text);
            return "dead-lettered: unreadable";
        }
        String contactId = analysis.path("CustomerMetadata").path("ContactId").asText("");
        if (contactId.isBlank()) {
            String file = name.replaceAll(".*/", "");
            int cut = file.indexOf("_analysis");
            contactId = cut > 0 ? file.substring(0, cut) : "";
        }
        if (contactId.isBlank()) {
            deadLetters.record(name, null, "CustomerMetadata.ContactId is required (and the file name does not "
                    + "start with {contactId}_analysis)", text);
            return "dead-lettered: no contact id";
        }
        String status = analysis.path("JobStatus").asText("COMPLETED");
        if (!status.equals("COMPLETED")) {
            deadLetters.record(name, null, "JobStatus is " + status + " (only COMPLETED analyses carry results)", text);
            return "dead-lettered: job " + status;
        }
        String id = contactId;
        JsonNode file = analysis;
        long now = System.currentTimeMillis();
        try {
            int added = store.inTransaction(c -> {
                SignalContact k = store.contact(c, id).orElse(null);
                if (k == null) {
                    // not seen on a stream: known for this file only (the stream's view of contacts stays its own)
                    k = fromElsewhere(id, file);
                }
                List<OutboxItem> items = intake.mapper().postCall(file, k, telephony.service(),
                        telephony.postCallChunkSize());
                long recordId = store.insertRecord(c, name, null, id, now, text);
                long readyAt = k.completed() ? now : now + telephony.postCallCompletionWait().toMillis();
                return store.insertItems(c, items, recordId, now, readyAt);
            });
            metrics.signals("POSTCALL", "stored", added);
            sender.wake();
            return added + " post-call request(s) queued for contact " + id;
        } catch (IllegalArgumentException e) {
            deadLetters.record(name, null, e.getMessage(), text);
            return "dead-lettered: " + e.getMessage();
        }
    }

    /** A contact the streams never showed: from its contact trace record, else from the recording's name. */
    private SignalContact fromElsewhere(String contactId, JsonNode analysis) {
        String key = contactId;
        Instant start = null;
        String basis = null;
        String agent = null;
        for (CallRow row : ledger.findByExternalId(contactId)) {
            agent = row.userId() != null ? row.userId() : agent;
            if (row.original() != null && row.provider().equals("amazon-connect")) {
                try {
                    JsonNode ctr = json.readTree(row.original());
                    String initial = ctr.path("InitialContactId").asText("");
                    if (!initial.isBlank()) {
                        key = store.contact(initial).map(SignalContact::vendorCallKey).orElse(initial);
                    }
                    start = Times.iso(ctr.path("InitiationTimestamp").asText(null));
                    basis = "initiation-timestamp";
                } catch (IOException | RuntimeException e) {
                    LOG.debugf("contact trace record of %s unreadable here: %s", contactId, e.getMessage());
                }
            }
        }
        if (start == null) {
            Matcher m = RECORDING_TIME.matcher(analysis.path("CustomerMetadata").path("InputS3Uri").asText(""));
            if (m.find()) {
                start = LocalDateTime.parse(m.group(1), RECORDING_FORMAT).toInstant(ZoneOffset.UTC);
                basis = "recording-name";
            }
        }
        if (start == null) {
            throw new IllegalArgumentException("the start of contact " + contactId + " is unknown: no stream record, no "
                    + "contact trace record, and CustomerMetadata.InputS3Uri does not name {contactId}_{YYYYMMDDThh:mm}_UTC");
        }
        // the analysis file is written after the contact ended
        return new SignalContact(contactId, key, start.toEpochMilli(), basis, "COMPLETED", agent);
    }

    Optional<SignalContact> contact(String contactId) {
        return store.contact(contactId);
    }
}
