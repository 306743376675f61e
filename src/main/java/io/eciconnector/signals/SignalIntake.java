package io.eciconnector.signals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.ingest.UserMatcher;
import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.ops.FlowMetrics;
import io.eciconnector.vendor.Times;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Takes Contact Lens real-time records in ({@code direct:contact-lens}, from every stream source) and stores what they
 * mean durably: the contact (its vendorCallKey, start and agent), the record as it came, and one outbox item per
 * event or message. Returns only once that is committed, so a source may then acknowledge (HTTP 202, Kafka commit,
 * Kinesis checkpoint); a redelivered record adds nothing. Records that cannot be read, and segments that break a rule,
 * go to the dead letters with the original record; the other records and segments go on.
 */
@ApplicationScoped
@Named("signalIntake")
@RegisterForReflection
public class SignalIntake {

    private static final Logger LOG = Logger.getLogger(SignalIntake.class);
    public static final String SOURCE = "eciSignalSource";
    public static final String REF = "eciSignalRef";
    public static final String TIME = "eciSignalTime";
    static final Set<String> EVENT_TYPES = Set.of("STARTED", "SEGMENTS", "COMPLETED", "FAILED");

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
    UserMatcher users;

    @Inject
    SignalDeadLetters deadLetters;

    @Inject
    SignalSender sender;

    @Inject
    FlowMetrics metrics;

    ContactLensMapper mapper;

    /** The mapping in use (the post-call intake maps with it too). */
    ContactLensMapper mapper() {
        return mapper;
    }

    @PostConstruct
    void init() {
        Map<String, String> labels = settings.sentiment().isEmpty()
                ? Map.of("POSITIVE", "1000", "NEGATIVE", "-1000", "NEUTRAL", "0", "MIXED", "0")
                : settings.sentiment();
        mapper = new ContactLensMapper(json, settings.messages(), labels, settings.postCallScale());
    }

    /** What a call of {@link #accept} did. */
    @RegisterForReflection
    public record Summary(int records, int items, int duplicates, int ignored, int deadLettered) {
    }

    /**
     * The body: one record, a JSON array of records, or JSON lines. Headers {@value #SOURCE}, {@value #REF},
     * {@value #TIME} (epoch millis the record was produced, when the source knows it). The answer (also the new
     * body) is a JSON summary.
     */
    public String accept(Exchange exchange) throws JsonProcessingException {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        String source = exchange.getMessage().getHeader(SOURCE, "direct", String.class);
        String ref = exchange.getMessage().getHeader(REF, String.class);
        Long time = exchange.getMessage().getHeader(TIME, Long.class);
        Summary s = accept(body == null ? new byte[0] : body, source, ref, time);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return json.writeValueAsString(s);
    }

    public Summary accept(byte[] body, String source, String ref, Long producedAt) {
        int records = 0, items = 0, duplicates = 0, ignored = 0, dead = 0;
        for (String text : split(body)) {
            records++;
            JsonNode record;
            try {
                record = json.readTree(text);
            } catch (IOException e) {
                record = null;
            }
            String problem = record == null || !record.isObject() ? "not a JSON object (unreadable record)"
                    : shapeProblem(record);
            if (problem != null) {
                deadLetters.record(source, ref, problem, text);
                metrics.signals("RECORD", "dead", 1);
                dead++;
                continue;
            }
            if (!"VOICE".equals(record.path("Channel").asText("VOICE"))) {
                ignored++; // chat contacts have no voice call to signal
                continue;
            }
            Outcome o = store(record, text, source, ref, producedAt);
            items += o.added;
            duplicates += o.duplicates;
            ignored += o.mapped == null ? 0 : o.mapped.ignored();
            if (o.mapped != null && !o.mapped.problems().isEmpty()) {
                for (ContactLensMapper.Problem p : o.mapped.problems()) {
                    deadLetters.segment(o.contact, p, source, ref, text);
                }
                dead += o.mapped.problems().size();
                metrics.signals("SEGMENT", "dead", o.mapped.problems().size());
            }
        }
        metrics.signals("RECORD", "received", records);
        metrics.signals("ITEM", "stored", items);
        metrics.signals("ITEM", "duplicate", duplicates);
        if (items > 0) {
            sender.wake();
        }
        return new Summary(records, items, duplicates, ignored, dead);
    }

    private static String shapeProblem(JsonNode r) {
        if (r.path("ContactId").asText("").isBlank()) {
            return "ContactId is required";
        }
        String type = r.path("EventType").asText("");
        if (!EVENT_TYPES.contains(type)) {
            return "EventType must be STARTED, SEGMENTS, COMPLETED or FAILED, got '" + type + "'";
        }
        if (type.equals("SEGMENTS") && !r.path("Segments").isArray()) {
            return "a SEGMENTS record needs a Segments array";
        }
        return null;
    }

    private static final class Outcome {
        SignalContact contact;
        ContactLensMapper.Mapped mapped;
        int added;
        int duplicates;
    }

    private Outcome store(JsonNode record, String text, String source, String ref, Long producedAt) {
        String contactId = record.get("ContactId").asText();
        String type = record.get("EventType").asText();
        long now = System.currentTimeMillis();
        // what is known outside the stream is looked up once per contact, and again only while its agent is not
        // matched though the stream named one (a lookup that failed, or a user added since), not per record
        SignalContact existing = store.contact(contactId).orElse(null);
        String agentRef = agentRef(record);
        String knownAgentRef = agentRef != null || existing == null || existing.agentUserId() != null ? agentRef
                : store.agentRef(contactId).orElse(null);
        Known known = existing == null || (existing.agentUserId() == null && knownAgentRef != null)
                ? known(record, contactId, knownAgentRef) : new Known();
        Outcome o = new Outcome();
        for (int attempt = 0;; attempt++) {
            try {
                store.inTransaction(c -> {
                    SignalContact k = store.contact(c, contactId).orElse(null);
                    if (k == null) {
                        k = newContact(c, record, contactId, known, producedAt, now);
                        if (!store.insertContact(c, k, now)) {
                            k = store.contact(c, contactId).orElseThrow();
                        }
                    }
                    if (agentRef != null) {
                        store.setAgentRef(c, contactId, agentRef);
                    }
                    if (k.agentUserId() == null && known.agentUserId != null) {
                        store.updateContact(c, contactId, null, known.agentUserId, now);
                        k = new SignalContact(k.contactId(), k.vendorCallKey(), k.startedAt(), k.startBasis(),
                                k.status(), known.agentUserId);
                    }
                    o.contact = k;
                    long recordId = store.insertRecord(c, source, ref, contactId, now, text);
                    if (type.equals("SEGMENTS")) {
                        o.mapped = mapper.segments(record, k, producedAt == null ? now : producedAt);
                        o.added = store.insertItems(c, o.mapped.items(), recordId, now, now);
                        o.duplicates = o.mapped.items().size() - o.added;
                    } else if (!type.equals("STARTED")) {
                        store.updateContact(c, contactId, type, null, now);
                        store.releasePostCall(c, k.vendorCallKey(), now);
                    }
                    return null;
                });
                return o;
            } catch (Ledger.LedgerException e) {
                // another replica stored the same item between our check and insert: the second pass skips it
                if (attempt >= 2 || !(e.getCause() instanceof java.sql.SQLException s) || !"23505".equals(s.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    /** What the connector knows of a contact outside its stream: its contact trace record, the agent. */
    private static final class Known {
        String initialContactId;
        Instant initiation;
        String agentUserId;
    }

    /** The agent as the record names it (Agent.ARN and Agent.Username, a line each), or null. */
    private static String agentRef(JsonNode record) {
        String arn = blankToNull(record.path("Agent").path("ARN").asText(null));
        String username = blankToNull(record.path("Agent").path("Username").asText(null));
        return arn == null && username == null ? null : (arn == null ? "" : arn) + "\n" + (username == null ? "" : username);
    }

    private Known known(JsonNode record, String contactId, String agentRef) {
        Known k = new Known();
        k.initialContactId = blankToNull(record.path("InitialContactId").asText(null));
        k.initiation = parse(record.path("InitiationTimestamp").asText(null));
        // the contact trace record, when the ingest flow has seen it
        for (CallRow row : ledger.findByExternalId(contactId)) {
            if (row.userId() != null) {
                k.agentUserId = row.userId();
            }
            if (row.original() != null && row.provider().equals("amazon-connect")) {
                try {
                    JsonNode ctr = json.readTree(row.original());
                    if (k.initialContactId == null) {
                        k.initialContactId = blankToNull(ctr.path("InitialContactId").asText(null));
                    }
                    if (k.initiation == null) {
                        k.initiation = parse(ctr.path("InitiationTimestamp").asText(null));
                    }
                } catch (IOException e) {
                    // the ledger holds what the ingest flow could read; nothing more to learn here
                }
            }
        }
        if (k.agentUserId == null) {
            String[] named = agentRef == null ? new String[] { "", "" } : (agentRef + "\n").split("\n", -1);
            try {
                k.agentUserId = users.agent("amazon-connect", blankToNull(named[0]), blankToNull(named[1])).orElse(null);
            } catch (IOException | RuntimeException e) {
                LOG.infof("agent of contact %s not matched now (%s); the contact's next record tries again", contactId,
                        e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return k;
    }

    /**
     * A contact seen for the first time. Its key: the first contact of the conversation (InitialContactId from the
     * record or the contact trace record, followed to that contact's own key when it was seen), else its own id. Its
     * start, the base of every offset: the contact trace record's InitiationTimestamp, else the record's, else the
     * time the source says the record was produced (or now) less the largest offset the record carries.
     */
    private SignalContact newContact(java.sql.Connection c, JsonNode record, String contactId, Known known,
            Long producedAt, long now) throws java.sql.SQLException {
        String key = contactId;
        if (known.initialContactId != null && !known.initialContactId.equals(contactId)) {
            key = store.contact(c, known.initialContactId).map(SignalContact::vendorCallKey)
                    .orElse(known.initialContactId);
        }
        long start;
        String basis;
        if (known.initiation != null) {
            start = known.initiation.toEpochMilli();
            basis = "initiation-timestamp";
        } else {
            long at = producedAt == null ? now : producedAt;
            start = at - maxEndOffset(record);
            basis = producedAt == null ? "first-record-arrival" : "first-record-produced";
        }
        String status = record.get("EventType").asText().equals("SEGMENTS") ? "STARTED" : record.get("EventType").asText();
        return new SignalContact(contactId, key, start, basis, status, known.agentUserId);
    }

    private static long maxEndOffset(JsonNode record) {
        long max = 0;
        for (JsonNode segment : record.path("Segments")) {
            for (JsonNode part : segment) {
                max = Math.max(max, part.path("EndOffsetMillis").asLong(0));
            }
        }
        return max;
    }

    /**
     * One record, a JSON array of records, or a sequence of them (JSON lines, or pretty-printed one after another).
     * When the whole does not parse, each line is a record of its own, so one bad line costs only itself.
     */
    List<String> split(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        List<String> out = new ArrayList<>();
        if (text.isEmpty()) {
            return out;
        }
        try (com.fasterxml.jackson.databind.MappingIterator<JsonNode> values = json.readerFor(JsonNode.class)
                .readValues(text)) {
            List<JsonNode> all = values.readAll();
            if (all.size() == 1 && all.get(0).isArray()) {
                all.get(0).forEach(r -> out.add(r.toString()));
            } else {
                all.forEach(r -> out.add(r.toString()));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            out.clear();
        }
        for (String line : text.split("\\r?\\n")) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }

    private static Instant parse(String iso) {
        try {
            return iso == null || iso.isBlank() ? null : Times.iso(iso);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
