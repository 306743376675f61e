package io.eciconnector.signals;

import java.io.IOException;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.ingest.UserMatcher;
import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.metrics.FlowMetrics;
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
    public static final String ARRIVAL = "eciSignalArrivalTimeBase";
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

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "eci.signals.max-record-bytes", defaultValue = "1048576")
    int maxRecordBytes;

    ContactLensMapper mapper;
    RecordReader reader;

    /** The mapping in use (the post-call intake maps with it too). */
    ContactLensMapper mapper() {
        return mapper;
    }

    @PostConstruct
    void init() {
        Map<String, String> labels = settings.sentiment().isEmpty()
                ? Map.of("POSITIVE", "1000", "NEGATIVE", "-1000", "NEUTRAL", "0", "MIXED", "0")
                : settings.sentiment();
        mapper = new ContactLensMapper(json, settings.messages(), labels, settings.postCallScale(),
                settings.maxContentChars());
        reader = new RecordReader(json, maxRecordBytes);
    }

    /**
     * What a call of {@link #accept} did; {@code forgotten} counts records of a conversation whose signals were sent
     * and then forgotten by the retention (skipped); {@code refused} says which record or segment went to the dead
     * letters.
     */
    @RegisterForReflection
    public record Summary(int records, int items, int duplicates, int ignored, int deadLettered, int forgotten,
            List<Refusal> refused) {
    }

    /** A record (its 0-based index in the body) or one of its segments that went to the dead letters, and why. */
    @RegisterForReflection
    public record Refusal(int record, String segment, String reason) {
    }

    /** At most this many refusals are listed in an answer (all of them are counted and dead-lettered). */
    static final int MAX_LISTED = 50;

    /**
     * The body: one record, a JSON array of records, JSON lines, or records one after another. Headers
     * {@value #SOURCE}, {@value #REF}, {@value #TIME} (epoch millis the record was produced, when the source knows
     * it), {@value #ARRIVAL} (true: a contact with no better time base is timed from now, as a live source may). The
     * answer (also the new body) is a JSON summary.
     */
    public String accept(Exchange exchange) throws IOException {
        byte[] body = bytes(exchange.getMessage());
        String source = exchange.getMessage().getHeader(SOURCE, "direct", String.class);
        String ref = exchange.getMessage().getHeader(REF, String.class);
        Long time = exchange.getMessage().getHeader(TIME, Long.class);
        boolean arrival = exchange.getMessage().getHeader(ARRIVAL, false, Boolean.class);
        Summary s = accept(body == null ? new byte[0] : body, source, ref, time, arrival);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return json.writeValueAsString(s);
    }

    /**
     * The body's bytes. A stream (the HTTP source's request, cached by Camel) is read whole here, not through Camel's
     * type converter, which buffers it twice on the way (16 KB of garbage a request in SignalBench); a stream cache is
     * left reset for the steps after this one. Anything else is converted.
     */
    static byte[] bytes(org.apache.camel.Message in) throws IOException {
        Object raw = in.getBody();
        if (raw instanceof byte[] b) {
            return b;
        }
        if (raw instanceof java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } finally {
                if (raw instanceof org.apache.camel.StreamCache cache) {
                    cache.reset();
                } else {
                    stream.close();
                }
            }
        }
        return in.getBody(byte[].class);
    }

    public Summary accept(byte[] body, String source, String ref, Long producedAt, boolean arrivalIsTime) {
        int[] n = new int[6]; // records, items, duplicates, ignored, dead, forgotten
        List<Refusal> refused = new ArrayList<>();
        java.util.function.BiConsumer<Integer, Refusal> refuse = (count, r) -> {
            n[4] += count;
            if (refused.size() < MAX_LISTED) {
                refused.add(r);
            }
        };
        reader.read(body, element -> {
            n[0]++;
            String text = element.text();
            JsonNode record = element.value();
            String problem = element.problem() != null ? element.problem()
                    : record == null || !record.isObject() ? "not a JSON object" : shapeProblem(record);
            if (problem != null) {
                deadLetters.record(source, ref, "record " + element.index() + ": " + problem, text);
                metrics.signals("RECORD", "dead", 1);
                refuse.accept(1, new Refusal(element.index(), null, problem));
                return;
            }
            if (!"VOICE".equals(record.path("Channel").asText("VOICE"))) {
                n[3]++; // chat contacts have no voice call to signal
                return;
            }
            Outcome o;
            try {
                o = store(record, text, source, ref, producedAt, arrivalIsTime);
            } catch (NoTimeBase e) {
                deadLetters.record(source, ref, "record " + element.index() + ": " + e.getMessage(), text);
                store.refusedRecord(source, record.get("ContactId").asText(), "refused: " + e.getMessage(),
                        System.currentTimeMillis());
                metrics.signals("RECORD", "dead", 1);
                refuse.accept(1, new Refusal(element.index(), null, e.getMessage()));
                return;
            }
            if (o.forgotten) {
                // its conversation went out and was forgotten (routes/signals-retention.yaml): a replay, not sent again
                n[5]++;
                metrics.signals("RECORD", "forgotten", 1);
                LOG.debugf("record %d (contact %s) skipped: the contact's signals were sent and forgotten",
                        element.index(), o.contact.contactId());
                return;
            }
            // committed: the sender takes the new items at once (routes/telephony-send.yaml)
            sender.stored(o.stored);
            n[1] += o.added;
            n[2] += o.duplicates;
            n[3] += o.mapped == null ? 0 : o.mapped.ignored();
            if (o.mapped != null && !o.mapped.problems().isEmpty()) {
                for (ContactLensMapper.Problem p : o.mapped.problems()) {
                    deadLetters.segment(o.contact, p, source, ref, text);
                    refuse.accept(1, new Refusal(element.index(), p.segment(), p.rule()));
                }
                metrics.signals("SEGMENT", "dead", o.mapped.problems().size());
            }
        });
        if (n[5] > 0) {
            LOG.infof("%d record(s) from %s skipped: their contacts' signals were sent and then forgotten "
                    + "(eci.ledger.signal-retention); a replay, not sent again", n[5], source);
        }
        metrics.signals("RECORD", "received", n[0]);
        metrics.signals("ITEM", "stored", n[1]);
        metrics.signals("ITEM", "duplicate", n[2]);
        return new Summary(n[0], n[1], n[2], n[3], n[4], n[5], List.copyOf(refused));
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
        /** The items this record added, as stored (with their ids). */
        final List<OutboxItem> stored = new ArrayList<>();
        int duplicates;
        /** The contact's conversation was forgotten: nothing stored. */
        boolean forgotten;

        void reset() {
            contact = null;
            mapped = null;
            added = 0;
            stored.clear();
            duplicates = 0;
            forgotten = false;
        }
    }

    /** A contact seen for the first time without anything its offsets could count from. */
    static final class NoTimeBase extends RuntimeException {
        NoTimeBase(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A start the offsets can count from, and what it is worth: {@code rank} 4 the agent's connect time (where the
     * recording and the analysis start), 3 a producer's time (a record cannot have been produced before the end of the
     * offsets it reports), 2 the contact's initiation (early by the IVR and queue time), 1 the connector's own arrival
     * time, 0 the minute of the recording's name, -1 none yet (a post-call file that came before anything else of its
     * contact: its items wait for a start).
     */
    record Base(long at, String basis, int rank) {
        static final String AGENT_CONNECTED = "agent-connected";
        static final String STARTED_PRODUCED = "started-record-produced";
        static final String FIRST_PRODUCED = "first-record-produced";
        static final String INITIATION = "initiation-timestamp";
        static final String ARRIVAL = "first-record-arrival";
        static final String RECORDING_NAME = "recording-name-minute";
        static final String AWAITING = "awaiting-time-base";
        static final int PRODUCER = 3;

        /** True when this is a better base than {@code k}'s: a higher rank, or the same producer rank and earlier. */
        boolean betterThan(SignalContact k) {
            int current = rank(k.startBasis());
            return rank > current || (rank == PRODUCER && current == PRODUCER && at < k.startedAt());
        }

        static int rank(String basis) {
            return switch (basis) {
                case AGENT_CONNECTED -> 4;
                case STARTED_PRODUCED, FIRST_PRODUCED -> PRODUCER;
                case INITIATION -> 2;
                case ARRIVAL -> 1;
                case RECORDING_NAME -> 0;
                default -> -1;
            };
        }
    }

    /**
     * What this record tells of its contact's start, best first: the agent's connect time (the record's, or its
     * contact trace record's); the producer's time of the record (for STARTED the start itself; for another record
     * its time less the largest offset it reports, since it cannot have been produced before that offset ended); the
     * contact's InitiationTimestamp; the arrival time when the source is live. Null when none is known.
     */
    private Base base(JsonNode record, Known known, Long producedAt, boolean arrivalIsTime, long now) {
        Instant connected = parse(record.path("Agent").path("ConnectedToAgentTimestamp").asText(null));
        if (connected == null && known != null) {
            connected = known.connected;
        }
        if (connected != null) {
            return new Base(connected.toEpochMilli(), Base.AGENT_CONNECTED, 4);
        }
        boolean started = record.path("EventType").asText().equals("STARTED");
        if (producedAt != null) {
            return started ? new Base(producedAt, Base.STARTED_PRODUCED, Base.PRODUCER)
                    : new Base(producedAt - maxOffset(record), Base.FIRST_PRODUCED, Base.PRODUCER);
        }
        Instant initiation = parse(record.path("InitiationTimestamp").asText(null));
        if (initiation == null && known != null) {
            initiation = known.initiation;
        }
        if (initiation != null) {
            return new Base(initiation.toEpochMilli(), Base.INITIATION, 2);
        }
        return arrivalIsTime ? new Base(now - maxOffset(record), Base.ARRIVAL, 1) : null;
    }

    private Outcome store(JsonNode record, String text, String source, String ref, Long producedAt,
            boolean arrivalIsTime) {
        String contactId = record.get("ContactId").asText();
        String type = record.get("EventType").asText();
        long now = System.currentTimeMillis();
        // what is known outside the stream is looked up once per contact, and again only while its agent is not
        // matched though the stream named one (a lookup that failed, or a user added since), not per record
        SignalContact existing = store.contact(contactId).orElse(null);
        if (existing != null && existing.forgotten()) {
            Outcome o = new Outcome();
            o.contact = existing;
            o.forgotten = true;
            return o;
        }
        String agentRef = agentRef(record);
        String knownAgentRef = agentRef != null || existing == null || existing.agentUserId() != null ? agentRef
                : store.agentRef(contactId).orElse(null);
        Known known = existing == null || (existing.agentUserId() == null && knownAgentRef != null)
                ? known(record, contactId, knownAgentRef) : new Known();
        Base base = base(record, existing == null ? known : null, producedAt, arrivalIsTime, now);
        boolean awaiting = existing != null && Base.rank(existing.startBasis()) < 0;
        if ((existing == null || awaiting) && base == null) {
            throw new NoTimeBase("no time base for contact " + contactId + ": its offsets count from the agent's "
                    + "connect time, and neither the record (Agent.ConnectedToAgentTimestamp, InitiationTimestamp) nor "
                    + "a contact trace record gives it, and this source carries no producer time (a replayed capture; "
                    + "eci.signals.folder.arrival-time-base=true times it from when it is read)");
        }
        Outcome o = new Outcome();
        // another writer storing the same contact or item meanwhile: the next pass finds it (SignalStore.storing)
        store.storing(c -> {
            o.reset(); // a pass may run again (a row stored meanwhile, a shared commit that failed): it starts afresh
            SignalContact k = store.contact(c, contactId).orElse(null);
            if (k != null && k.forgotten()) {
                o.contact = k; // forgotten meanwhile by the retention
                o.forgotten = true;
                return null;
            }
            if (k == null) {
                k = newContact(c, record, contactId, known, base);
                if (!store.insertContact(c, k, now)) {
                    k = store.contact(c, contactId).orElseThrow();
                }
            } else if (base != null && base.betterThan(k)) {
                // a better start learned before anything of the contact went out: its waiting items move
                // with it, so every signal of a contact counts from one start
                if (store.rebase(c, contactId, base.at() - k.startedAt(), base.basis(), now)) {
                    k = new SignalContact(k.contactId(), k.vendorCallKey(), base.at(), base.basis(), k.status(),
                            k.agentUserId());
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
                // a category matched without a point of interest happened by the time of the record
                long recordTime = producedAt != null ? producedAt : k.startedAt() + maxOffset(record);
                o.mapped = mapper.segments(record, k, recordTime);
                o.added = store.insertItems(c, o.mapped.items(), recordId, now, now, o.stored);
                o.duplicates = o.mapped.items().size() - o.added;
                if (!o.mapped.problems().isEmpty()) {
                    store.recordOutcome(c, recordId, o.mapped.problems().size() + " segment(s) refused: "
                            + o.mapped.problems().get(0).segment() + ": " + o.mapped.problems().get(0).rule());
                }
            } else if (!type.equals("STARTED")) {
                store.updateContact(c, contactId, type, null, now);
                store.releasePostCall(c, k.vendorCallKey(), now);
            }
            return null;
        });
        return o;
    }

    /** What the connector knows of a contact outside its stream: its contact trace record, the agent. */
    private static final class Known {
        String initialContactId;
        Instant initiation;
        Instant connected;
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
                    if (k.connected == null) {
                        k.connected = parse(ctr.path("Agent").path("ConnectedToAgentTimestamp").asText(null));
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
     * start: the base this record gives (see {@link #base}).
     */
    private SignalContact newContact(java.sql.Connection c, JsonNode record, String contactId, Known known, Base base)
            throws java.sql.SQLException {
        String key = contactId;
        if (known.initialContactId != null && !known.initialContactId.equals(contactId)) {
            key = store.contact(c, known.initialContactId).map(SignalContact::vendorCallKey)
                    .orElse(known.initialContactId);
        }
        String status = record.get("EventType").asText().equals("SEGMENTS") ? "STARTED" : record.get("EventType").asText();
        return new SignalContact(contactId, key, base.at(), base.basis(), status, known.agentUserId);
    }

    /** The largest offset a record reports: its segments' end offsets and its categories' points of interest. */
    static long maxOffset(JsonNode record) {
        long max = 0;
        for (JsonNode segment : record.path("Segments")) {
            for (JsonNode part : segment) {
                max = Math.max(max, part.path("EndOffsetMillis").asLong(0));
                for (JsonNode detail : part.path("MatchedDetails")) {
                    for (JsonNode poi : detail.path("PointsOfInterest")) {
                        max = Math.max(max, poi.path("EndOffsetMillis").asLong(0));
                    }
                }
            }
        }
        return max;
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
