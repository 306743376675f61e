package io.eciconnector.signals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.OptionalInt;
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
import io.eciconnector.metrics.FlowMetrics;
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

    /** The name Contact Lens gives an analysis file: {contactId}_analysis_[redacted_]{time}.json. */
    static final Pattern NAME = Pattern.compile("([^/_]+)_analysis_(redacted_)?[^/]*\\.json");

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "eci.signals.postcall.max-file-bytes",
            defaultValue = "33554432")
    long maxFileBytes;

    /**
     * Body: the file's bytes; header eciRecordName: its path or key; eciRecordLocation: where it stays (the done
     * area, the bucket). The size (CamelFileLength or CamelAwsS3ContentLength) is checked before the body is read.
     * Answers what was done, for the route's log.
     */
    public String accept(Exchange exchange) {
        String name = exchange.getMessage().getHeader("eciRecordName", String.class);
        String location = exchange.getMessage().getHeader("eciRecordLocation", name, String.class);
        Long size = exchange.getMessage().getHeader("CamelFileLength", Long.class);
        if (size == null) {
            size = exchange.getMessage().getHeader("CamelAwsS3ContentLength", Long.class);
        }
        if (size != null && size > maxFileBytes) {
            String reason = "the file is " + size + " bytes; a post-call analysis file may be at most " + maxFileBytes
                    + " bytes (eci.signals.postcall.max-file-bytes); not read";
            return refuse(name, contactFromName(name), reason, null, location);
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        return accept(name, body == null ? new byte[0] : body, location);
    }

    public String accept(String name, byte[] bytes) {
        return accept(name, bytes, name);
    }

    String accept(String name, byte[] bytes, String location) {
        String file = name.replaceAll(".*/", "");
        Matcher layout = NAME.matcher(file);
        boolean redactedCopy = ("/" + name).contains("/Redacted/") || file.contains("_analysis_redacted_");
        if (layout.matches() && redactedCopy != settings.redacted()) {
            // the other copy than the one configured: refused with the reason, its content not copied anywhere
            String reason = redactedCopy
                    ? "a redacted analysis file, but eci.contact-lens.redacted=false sends the unredacted analyses"
                    : "an unredacted analysis file (the raw transcript), but eci.contact-lens.redacted=true sends only "
                            + "the redacted copies (Analysis/Voice/Redacted/, *_analysis_redacted_*); point the source "
                            + "at those, or set eci.contact-lens.redacted=false to send the raw ones";
            return refuse(name, layout.group(1), reason, null, location);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (!layout.matches()) {
            return refuse(name, null, "the name " + file + " does not match the post-call layout "
                    + "{contactId}_analysis_[redacted_]{time}.json (Analysis/Voice/[Redacted/]YYYY/MM/DD/)", bytes, location);
        }
        JsonNode analysis;
        try {
            analysis = json.readTree(text);
        } catch (IOException e) {
            analysis = null;
        }
        if (analysis == null || !analysis.isObject()) {
            return refuse(name, layout.group(1), "not a JSON object (unreadable post-call analysis file)", bytes, location);
        }
        String contactId = analysis.path("CustomerMetadata").path("ContactId").asText("");
        if (contactId.isBlank()) {
            contactId = layout.group(1);
        }
        String status = analysis.path("JobStatus").asText("COMPLETED");
        if (!status.equals("COMPLETED")) {
            return refuse(name, contactId, "JobStatus is " + status + " (only COMPLETED analyses carry results)", bytes,
                    location);
        }
        String id = contactId;
        JsonNode analysisFile = analysis;
        long now = System.currentTimeMillis();
        try {
            // run again when the contact's first stream record stored it at the same time (SignalStore.storing); empty
            // when the contact was sent and forgotten by the retention (routes/signals-retention.yaml): a file read again
            OptionalInt queued = store.storing(c -> {
                SignalContact k = store.contact(c, id).orElse(null);
                if (k != null && k.forgotten()) {
                    return OptionalInt.empty();
                }
                if (k == null) {
                    // not seen on a stream: known from its trace record (or the recording's name), kept from now on
                    k = fromElsewhere(id, analysisFile);
                    if (!store.insertContact(c, k, now)) {
                        k = store.contact(c, id).orElseThrow();
                    }
                }
                List<OutboxItem> items = intake.mapper().postCall(analysisFile, k, telephony.service(),
                        telephony.postCallChunkSize());
                long recordId = store.insertRecord(c, name, null, id, now, text);
                // a contact without a start yet: its items wait for the stream or trace record that gives one
                boolean awaiting = SignalIntake.Base.AWAITING.equals(k.startBasis());
                long readyAt = k.completed() && !awaiting ? now : now + telephony.postCallCompletionWait().toMillis();
                return OptionalInt.of(store.insertItems(c, items, recordId, now, readyAt));
            });
            if (queued.isEmpty()) {
                metrics.signals("RECORD", "forgotten", 1);
                LOG.infof("Post-call file %s skipped: the signals of contact %s were sent and forgotten "
                        + "(eci.ledger.signal-retention)", name, id);
                return "skipped: the signals of contact " + id + " were sent and forgotten (eci.ledger.signal-retention)";
            }
            metrics.signals("POSTCALL", "stored", queued.getAsInt());
            sender.wake();
            return queued.getAsInt() + " post-call request(s) queued for contact " + id;
        } catch (IllegalArgumentException e) {
            return refuse(name, id, e.getMessage(), bytes, location);
        }
    }

    /** Refused whole: the dead letters (with the bytes, unless null), and a line under the contact's signals. */
    private String refuse(String name, String contactId, String reason, byte[] bytes, String location) {
        deadLetters.postCall(name, contactId, reason, bytes, location);
        metrics.signals("POSTCALL", "dead", 1);
        if (contactId != null) {
            store.refusedRecord(name, contactId, "refused: " + reason, System.currentTimeMillis());
        }
        LOG.warnf("Post-call file %s refused: %s", name, reason);
        return "dead-lettered: " + reason;
    }

    private static String contactFromName(String name) {
        Matcher m = NAME.matcher(name == null ? "" : name.replaceAll(".*/", ""));
        return m.matches() ? m.group(1) : null;
    }

    /**
     * A contact the streams never showed: its start is the agent's connect time in its contact trace record (where
     * the recording and the analysis offsets start); without it the file is refused, or, with
     * eci.contact-lens.post-call-recording-name-time=true, timed from the recording name's minute.
     */
    private SignalContact fromElsewhere(String contactId, JsonNode analysis) {
        String key = contactId;
        Instant start = null;
        String basis = null;
        String agent = null;
        boolean ctr = false;
        for (CallRow row : ledger.findByExternalId(contactId)) {
            agent = row.userId() != null ? row.userId() : agent;
            if (row.original() != null && row.provider().equals("amazon-connect")) {
                try {
                    JsonNode record = json.readTree(row.original());
                    ctr = true;
                    String initial = record.path("InitialContactId").asText("");
                    if (!initial.isBlank()) {
                        key = store.contact(initial).map(SignalContact::vendorCallKey).orElse(initial);
                    }
                    String connected = record.path("Agent").path("ConnectedToAgentTimestamp").asText("");
                    if (!connected.isBlank()) {
                        start = Times.iso(connected);
                        basis = SignalIntake.Base.AGENT_CONNECTED;
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.debugf("contact trace record of %s unreadable here: %s", contactId, e.getMessage());
                }
            }
        }
        if (start == null) {
            Matcher m = RECORDING_TIME.matcher(analysis.path("CustomerMetadata").path("InputS3Uri").asText(""));
            Instant minute = m.find() ? LocalDateTime.parse(m.group(1), RECORDING_FORMAT).toInstant(ZoneOffset.UTC) : null;
            if (minute != null && settings.postCallRecordingNameTime()) {
                start = minute;
                basis = SignalIntake.Base.RECORDING_NAME;
            } else {
                // no start yet: the items wait (eci.telephony.post-call-completion-wait) for the contact's stream to
                // give one, and are then moved to it; still none by then: refused by the sender, "no time base"
                LOG.infof("contact %s of a post-call file has no start yet (%s); its events wait for its stream",
                        contactId, ctr ? "its trace record has no Agent.ConnectedToAgentTimestamp" : "no trace record");
                start = minute != null ? minute : Instant.EPOCH;
                basis = SignalIntake.Base.AWAITING;
            }
        }
        // the analysis file is written after the contact ended
        return new SignalContact(contactId, key, start.toEpochMilli(), basis, "COMPLETED", agent);
    }

    Optional<SignalContact> contact(String contactId) {
        return store.contact(contactId);
    }
}
