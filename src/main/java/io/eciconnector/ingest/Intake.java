package io.eciconnector.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eciconnector.deadletter.DeadLetters;
import io.eciconnector.ledger.Announcements;
import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.ledger.RecordAttempts;
import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.MappedCall;
import io.eciconnector.metrics.FlowMetrics;
import io.eciconnector.recording.RecordingInfo;
import io.eciconnector.recording.RecordingRefused;
import io.eciconnector.recording.RecordingStore;
import io.eciconnector.vendor.RecordLimits;
import io.eciconnector.vendor.VendorMapper;
import io.eciconnector.vendor.VendorMappers;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The steps of taking a drop in, called by routes/ingest-records.yaml (which says in what order): {@link #tooLarge},
 * {@link #begin} (the attempt counted), {@link #calls} (the record's calls one at a time, for the split),
 * {@link #take} (one call: pairs its recording, runs the checks, and writes it to the ledger, CHECKED, SKIPPED,
 * WAITING or DEAD with its reason, before its recording is moved to the done area), {@link #unreadable},
 * {@link #done} and {@link #failed}. A call the ledger already has is not taken in twice; a SKIPPED or DEAD one is
 * taken in again (a replay).
 * <p>
 * Headers set by the source routes: {@code eciVendor} (generic, amazon-connect, aircall, dialpad, ringcentral,
 * twilio), {@code eciSource} (folder, s3, sftp), {@code eciRecordName}, {@code eciRecordingsAt} (where recordings
 * named after the record or the call are looked for: a directory, s3://bucket/prefix/ or sftp://host:port/dir/) and
 * {@code eciArchiveArea} (where processed recordings go, relative to where they are).
 */
@ApplicationScoped
@Named("intake")
@RegisterForReflection
public class Intake {

    private static final Logger LOG = Logger.getLogger(Intake.class);
    private static final DateTimeFormatter DAY_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    @Inject
    VendorMappers vendors;

    @Inject
    Ledger ledger;

    @Inject
    RecordingStore recordings;

    @Inject
    Checks checks;

    @Inject
    CallCoaching callCoaching;

    @Inject
    ProviderRegistry provider;

    @Inject
    DeadLetters deadLetters;

    @Inject
    FlowMetrics metrics;

    @Inject
    UserMatcher users;

    @Inject
    ChecksSettings checkSettings;

    /** Where a drop came from and where its recordings go. */
    record Drop(String vendor, String source, String recordName, URI recordingsAt, String archiveArea, boolean singleCall) {
    }

    @Inject
    RecordAttempts recordAttempts;

    @Inject
    Announcements announcements;

    @ConfigProperty(name = "eci.ingest.max-record-file-bytes", defaultValue = "67108864")
    long maxRecordFileBytes;

    @ConfigProperty(name = "eci.ingest.max-call-bytes", defaultValue = "1048576")
    long maxCallBytes;

    @ConfigProperty(name = "eci.ingest.max-json-depth", defaultValue = "32")
    int maxJsonDepth;

    @ConfigProperty(name = "eci.ingest.max-string-chars", defaultValue = "262144")
    int maxStringChars;

    @ConfigProperty(name = "eci.ingest.max-calls-per-file", defaultValue = "10000")
    long maxCallsPerFile;

    @ConfigProperty(name = "eci.ingest.max-record-attempts", defaultValue = "5")
    int maxRecordAttempts;

    RecordLimits limits() {
        return new RecordLimits(maxRecordFileBytes, maxCallBytes, maxJsonDepth, maxStringChars, maxCallsPerFile);
    }

    /**
     * A record over eci.ingest.max-record-file-bytes (its size from the source's listing, header eciRecordBytes):
     * dead-lettered unread, naming where it is kept; the route moves it to the done area like any other.
     */
    public Map<String, Object> tooLarge(Exchange exchange) {
        Message in = exchange.getMessage();
        String name = in.getHeader("eciRecordName", String.class);
        String source = in.getHeader("eciSource", "folder", String.class) + ":" + name;
        Long size = in.getHeader("eciRecordBytes", Long.class);
        String vendor = vendors.get(in.getHeader("eciVendor", "generic", String.class)).name();
        deadLetters.recordKept("ingest", vendor, source, "record " + name + " is " + size + " bytes; a record may be at"
                + " most " + maxRecordFileBytes + " bytes (eci.ingest.max-record-file-bytes): refused unread",
                keptAt(in, name), size, null);
        metrics.call("ingest", "dead", "record-too-large");
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("record", name);
        counts.put("refused", 1);
        return counts;
    }

    /** Exchange properties the record's steps share (the split's items see their record's). */
    static final String COUNTS = "eciCounts";
    static final String STATUS = "eciCoachingStatus";
    static final String PROVIDER_ID = "eciProviderId";
    static final String ATTEMPT_KEY = "eciAttemptKey";
    static final String LAST_REASON = "eciAttemptLastReason";
    /** The record's calls as the split reads them, and how many of them reached {@link #take(Exchange)}. */
    static final String CALLS = "eciRecordCalls";
    static final String TAKEN = "eciRecordCallsTaken";
    /** Header: this poll's attempt at the record (1 the first time; routes/ingest-records.yaml compares it). */
    static final String ATTEMPT = "eciRecordAttempt";

    /**
     * Before a record is read (routes/ingest-records.yaml): reads the call coaching status (when it cannot be read,
     * this throws and the drop stays in place for the next poll, not counted as its failure), then counts the attempt
     * durably (eci.ingest.max-record-attempts: a record that failed that many polls, whatever the cause, a crash
     * included, goes to the dead letters unread). Sets header eciRecordAttempt.
     */
    public void begin(Exchange exchange) throws IOException, InterruptedException {
        Message in = exchange.getMessage();
        String name = in.getHeader("eciRecordName", String.class);
        String source = in.getHeader("eciSource", "folder", String.class) + ":" + name;
        CallCoaching.Status status = callCoaching.current();
        String providerId = provider.providerId();
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("record", name);
        exchange.setProperty(COUNTS, counts);
        exchange.setProperty(STATUS, status);
        exchange.setProperty(PROVIDER_ID, providerId);
        RecordAttempts.Attempt attempt = recordAttempts.begin(source, in.getHeader("eciRecordVersion", String.class));
        exchange.setProperty(ATTEMPT_KEY, source);
        exchange.setProperty(LAST_REASON, attempt.lastReason());
        in.setHeader(ATTEMPT, attempt.number());
    }

    /** A record that failed eci.ingest.max-record-attempts polls: dead-lettered unread; answers the counts. */
    public Map<String, Object> tooManyAttempts(Exchange exchange) {
        Message in = exchange.getMessage();
        String name = in.getHeader("eciRecordName", String.class);
        String source = exchange.getProperty(ATTEMPT_KEY, String.class);
        int number = in.getHeader(ATTEMPT, Integer.class);
        String last = exchange.getProperty(LAST_REASON, String.class);
        VendorMapper mapper = vendors.get(in.getHeader("eciVendor", "generic", String.class));
        deadLetters.recordKept("ingest", mapper.name(), source, "record " + name + " failed " + (number - 1)
                + " polls (eci.ingest.max-record-attempts " + maxRecordAttempts + ") without being taken in; last: "
                + (last != null ? last : "the connector stopped while reading it (crashed?)") + "; not read again",
                keptAt(in, name), in.getHeader("eciRecordBytes", Long.class), null);
        metrics.call("ingest", "dead", "record-attempts");
        recordAttempts.done(source);
        Map<String, Object> counts = counts(exchange);
        counts.put("refused", 1);
        return counts;
    }

    /**
     * The record's calls one at a time, for the route's streaming split (see {@link RecordCalls}). A record small
     * enough for a call is read whole first, so a dead letter of it carries its bytes; a larger one is only referred
     * to.
     */
    public Iterator<RecordCalls.Item> calls(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        String name = in.getHeader("eciRecordName", String.class);
        Long size = in.getHeader("eciRecordBytes", Long.class);
        VendorMapper mapper = vendors.get(in.getHeader("eciVendor", "generic", String.class));
        RecordLimits limits = limits();
        InputStream body = in.getBody(InputStream.class);
        if (body == null) {
            throw new IOException("record " + name + " has no body");
        }
        byte[] whole = null;
        if (size != null && size <= limits.maxCallBytes()) {
            try {
                whole = body.readNBytes((int) limits.maxCallBytes() + 1);
            } catch (IOException e) {
                body.close();
                throw e;
            }
        }
        exchange.setProperty("eciRecordWhole", whole);
        RecordCalls calls = new RecordCalls(mapper, body, whole, name, limits);
        exchange.setProperty(CALLS, calls);
        exchange.setProperty(TAKEN, new java.util.concurrent.atomic.AtomicInteger());
        return calls;
    }

    /**
     * What the checks find for one call of the record, before anything is written (routes/ingest-records.yaml, before
     * {@link #take(Exchange)}): pairs its recording, matches its user, looks it up in the ledger, runs ECI's checks.
     * Sets the headers eciCheck ({@code checked}, {@code skipped}, {@code dead}, {@code waiting}: for its recording
     * or its other part, {@code duplicate}: already taken in, {@code resume}: its VoiceCall exists, only the upload is
     * left) and eciCheckCode (why: {@code checked}, {@code rule:start-after-end}, {@code recording-waiting}, ...),
     * on which an operator's filter or choice can act. The body is a {@link RecordCalls.Item}, unchanged.
     */
    public void check(Exchange exchange) throws IOException, InterruptedException {
        Message in = exchange.getMessage();
        RecordCalls.Item item = in.getBody(RecordCalls.Item.class);
        Plan plan = plan(drop(in, item.singleCall()), item.call(), exchange.getProperty(STATUS, CallCoaching.Status.class),
                exchange.getProperty(PROVIDER_ID, String.class));
        exchange.setProperty(PLAN, new Planned(item, plan));
        in.setHeader(CHECK, plan.check().header());
        in.setHeader(CHECK_CODE, plan.code());
    }

    /**
     * One call of the record into the ledger as {@link #check(Exchange)} found it (CHECKED, SKIPPED, WAITING or DEAD
     * with its reason; not twice), its recording archived; a DEAD one to the dead letters. The body is a
     * {@link RecordCalls.Item}; without the check step before it (or with another body), the checks run here.
     */
    public void take(Exchange exchange) throws IOException, InterruptedException {
        Message in = exchange.getMessage();
        RecordCalls.Item item = in.getBody(RecordCalls.Item.class);
        Drop drop = drop(in, item.singleCall());
        Planned planned = exchange.getProperty(PLAN, Planned.class);
        Plan plan = planned != null && planned.item() == item ? planned.plan()
                : plan(drop, item.call(), exchange.getProperty(STATUS, CallCoaching.Status.class),
                        exchange.getProperty(PROVIDER_ID, String.class));
        exchange.removeProperty(PLAN);
        count(counts(exchange), apply(drop, plan));
        java.util.concurrent.atomic.AtomicInteger taken = exchange.getProperty(TAKEN,
                java.util.concurrent.atomic.AtomicInteger.class);
        if (taken != null) {
            taken.incrementAndGet();
        }
    }

    /**
     * The unreadable record, or its unreadable rest, to the dead letters: with the record's bytes when it was read
     * whole and nothing of it was taken in, else naming where the record is kept (and the rest when it was kept).
     */
    public void unreadable(Exchange exchange) {
        Message in = exchange.getMessage();
        VendorMapper.RecordException e = in.getBody(RecordCalls.Item.class).recordException();
        String name = in.getHeader("eciRecordName", String.class);
        Drop drop = drop(in, false);
        byte[] whole = exchange.getProperty("eciRecordWhole", byte[].class);
        if (e.callsBefore() == 0 && e.rest() == null && whole != null && whole.length <= limits().maxCallBytes()) {
            deadLetters.record("ingest", drop.vendor(), drop.source(), e.getMessage(), whole);
        } else {
            deadLetters.recordKept("ingest", drop.vendor(), drop.source(), e.getMessage(), keptAt(in, name),
                    in.getHeader("eciRecordBytes", Long.class),
                    e.rest() == null ? null : e.rest().getBytes(StandardCharsets.UTF_8));
        }
        metrics.call("ingest", "dead", "unreadable-record");
        counts(exchange).put("unreadable", 1);
    }

    /**
     * The record was read to its end: its attempts are forgotten; answers the counts by outcome (the route logs them),
     * with {@code leftOut}: calls read that did not reach {@link #take(Exchange)} (an operator's filter at the route's
     * per-call point left them out; counted in eci_calls_total{flow="ingest",outcome="left-out"} as well).
     */
    public Map<String, Object> done(Exchange exchange) {
        recordAttempts.done(exchange.getProperty(ATTEMPT_KEY, String.class));
        Map<String, Object> counts = counts(exchange);
        RecordCalls calls = exchange.getProperty(CALLS, RecordCalls.class);
        java.util.concurrent.atomic.AtomicInteger taken = exchange.getProperty(TAKEN,
                java.util.concurrent.atomic.AtomicInteger.class);
        if (calls != null && taken != null && calls.callsRead() > taken.get()) {
            int leftOut = calls.callsRead() - taken.get();
            counts.put("leftOut", leftOut);
            metrics.calls("ingest", "left-out", "route", leftOut);
        }
        return counts;
    }

    /**
     * Reading the record failed (its stream broke, the ledger could not be written...): the attempt's reason is kept
     * for the next poll, or, when the connector is stopping, the attempt does not count. Throws the failure on, so
     * the record stays in place. For the route's doCatch.
     */
    public void failed(Exchange exchange) throws Exception {
        Throwable e = cause(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        String source = exchange.getProperty(ATTEMPT_KEY, String.class);
        if (source != null && e != null) {
            if (e instanceof InterruptedException) {
                recordAttempts.uncount(source);
            } else {
                recordAttempts.failed(source, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        if (e instanceof Exception x) {
            throw x;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new IllegalStateException("record failed", e);
    }

    /** The failure itself, out of the wrappers of the split and of the reader's hand-over. */
    static Throwable cause(Throwable e) {
        Throwable t = e;
        while (t != null && t.getCause() != null && t.getCause() != t
                && (t instanceof org.apache.camel.CamelExchangeException || t instanceof java.io.UncheckedIOException
                        || t instanceof org.apache.camel.RuntimeCamelException
                        || (t.getClass() == IllegalStateException.class && t.getCause() instanceof InterruptedException))) {
            t = t.getCause();
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> counts(Exchange exchange) {
        return exchange.getProperty(COUNTS, Map.class);
    }

    /** Where the record came from and where its recordings go, from the source's headers. */
    private Drop drop(Message in, boolean singleCall) {
        String name = in.getHeader("eciRecordName", String.class);
        return new Drop(vendors.get(in.getHeader("eciVendor", "generic", String.class)).name(),
                in.getHeader("eciSource", "folder", String.class) + ":" + name, name,
                location(in.getHeader("eciRecordingsAt", String.class)), in.getHeader("eciArchiveArea", String.class),
                singleCall);
    }

    private static void count(Map<String, Object> counts, CallState outcome) {
        counts.merge(outcome == null ? "duplicate" : outcome.name().toLowerCase(), 1, (a, b) -> (int) a + (int) b);
    }

    /**
     * Where the record is kept once the route has moved it (the done area: {@code ../done/{day}/name} beside a folder,
     * the done prefix in the bucket), for dead letters that refer to it rather than carry it.
     */
    static String keptAt(Message in, String name) {
        String area = in.getHeader("eciArchiveArea", String.class);
        String bucket = in.getHeader("CamelAwsS3BucketName", String.class);
        if (bucket != null) {
            return "s3://" + bucket + "/" + (area == null ? "" : area) + name;
        }
        URI at = location(in.getHeader("eciRecordingsAt", String.class));
        String file = name == null ? "" : name.replaceAll(".*/", "");
        if (at == null) {
            return file;
        }
        try {
            return at.resolve((area == null ? "" : area + "/").replace(" ", "%20") + java.net.URLEncoder
                    .encode(file, StandardCharsets.UTF_8).replace("+", "%20")).normalize().toString();
        } catch (IllegalArgumentException e) {
            return at + (area == null ? "" : area + "/") + file;
        }
    }

    /** One call of a drop; null when the ledger already had it (not taken in twice). */
    private CallState take(Drop drop, MappedCall m, CallCoaching.Status status, String providerId)
            throws IOException, InterruptedException {
        return apply(drop, plan(drop, m, status, providerId));
    }

    /** What the checks found for a call: the header eciCheck is its {@link #header()}. */
    enum Check {
        /** Passed ECI's rules: CHECKED in the ledger, on to the create. */
        CHECKED,
        /** Left out on purpose (too old, user not coached, ...): SKIPPED with the reason. */
        SKIPPED,
        /** Refused: DEAD with the reason, to the dead letters. */
        DEAD,
        /** Its recording (or its other part) has not come yet: WAITING. */
        WAITING,
        /** Already in the ledger: not taken in twice. */
        DUPLICATE,
        /** Its VoiceCall exists: only the upload is left, with the recording just dropped. */
        RESUME;

        String header() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** A verdict of ECI's rules as a check (its state: CHECKED, SKIPPED or DEAD). */
        static Check of(Verdict v) {
            return valueOf(v.state().name());
        }
    }

    /** What {@link #apply} does with a call, decided from reads only; {@code check} and {@code code} name it. */
    record Plan(MappedCall m, CanonicalCall call, Optional<CallRow> existing, Lookup lookup, Verdict verdict,
            Check check, String code) {
    }

    /** The plan made for one item of the record's split (take uses it when its body is still that item). */
    record Planned(RecordCalls.Item item, Plan plan) {
    }

    static final String PLAN = "eciCallPlan";
    /** Headers {@link #check(Exchange)} sets for the per-call point of routes/ingest-records.yaml. */
    static final String CHECK = "eciCheck";
    static final String CHECK_CODE = "eciCheckCode";

    /** Pairs, matches, looks up and checks a call of a drop; writes nothing. */
    private Plan plan(Drop drop, MappedCall m, CallCoaching.Status status, String providerId)
            throws IOException, InterruptedException {
        if (m.error() == null) {
            m = completed(drop, m);
        }
        if (m.error() != null) {
            return new Plan(m, null, Optional.empty(), null, null, Check.DEAD, "unreadable-call");
        }
        if (m.waitingFor() != null) {
            return new Plan(m, null, Optional.empty(), null, null, Check.WAITING, "part-waiting");
        }
        CanonicalCall call = users.match(m.call());
        Optional<CallRow> existing = ledger.find(drop.vendor(), call.externalId());
        Lookup lookup = lookup(drop, call);
        if (existing.isPresent() && existing.get().voiceCallId() != null && existing.get().state().reopenable()) {
            return new Plan(m, call, existing, lookup, null, Check.RESUME, "upload-left");
        }
        if (existing.isPresent() && !existing.get().state().reopenable()) {
            return new Plan(m, call, existing, lookup, null, Check.DUPLICATE, existing.get().state().name().toLowerCase());
        }
        Verdict v = lookup.refused() != null
                ? Verdict.dead("recording-refused", "call " + call.externalId() + ": recording reference refused ("
                        + lookup.refused().rule() + "): " + lookup.refused().getMessage())
                : checks.check(call, lookup.recording(), status, providerId, false);
        if ("recording-missing".equals(v.code())) {
            return new Plan(m, call, existing, lookup, v, Check.WAITING, "recording-waiting");
        }
        return new Plan(m, call, existing, lookup, v, Check.of(v), v.code());
    }

    /** Does what the plan says: the ledger written, the recording archived, a dead call to the dead letters. */
    private CallState apply(Drop drop, Plan p) throws IOException {
        MappedCall m = p.m();
        if (m.error() != null) {
            if (m.externalId() == null) {
                deadLetters.record("ingest", drop.vendor(), drop.source(), m.error(),
                        m.original() == null ? null : m.original().getBytes(StandardCharsets.UTF_8));
                metrics.call("ingest", "dead", "unreadable-call");
                return CallState.DEAD;
            }
            CallRow row = CallRow.received(drop.vendor(), m.externalId(), CallState.DEAD, "unreadable-call", m.error(),
                    null, null, null, null, m.original(), drop.source(), null, null);
            return store(row, "unreadable-call", m.error()) ? CallState.DEAD : null;
        }
        if (m.waitingFor() != null) {
            return waitForPart(drop, m);
        }
        CanonicalCall call = p.call();
        Optional<CallRow> existing = p.existing();
        Lookup lookup = p.lookup();
        Optional<RecordingInfo> recording = lookup.recording();
        if (p.check() == Check.RESUME) {
            // its VoiceCall exists: only the upload is left to do, with the recording just dropped
            URI where = archive(drop, recording.map(RecordingInfo::uri).orElse(null));
            return resumeUpload(existing.get(), where, recording.map(RecordingInfo::bytes).orElse(null),
                    "dropped again") ? CallState.CREATED : null;
        }
        if (p.check() == Check.DUPLICATE) {
            // already taken in: only make sure its recording left the inbox
            if (recording.isPresent() && !recording.get().uri().toString().equals(existing.get().recordingUri())) {
                archive(drop, recording.get().uri());
            }
            metrics.call("ingest", "duplicate", "");
            return null;
        }
        Verdict v = p.verdict();
        if ("recording-missing".equals(v.code())) {
            return waitForRecording(drop, m, call, existing, lookup.error());
        }
        URI where = archive(drop, recording.map(RecordingInfo::uri).orElse(null));
        CallRow row = CallRow.received(drop.vendor(), call.externalId(), v.state(), v.code(), v.reason(),
                v.userId() != null ? v.userId() : call.userId(),
                call.userEmail(), call.start(), v.payload() == null ? null : v.payload().toString(), m.original(),
                drop.source(), where == null ? null : where.toString(),
                recording.map(RecordingInfo::bytes).orElse(null));
        if (existing.isPresent()) {
            if (!ledger.reopen(row, "taken in again")) {
                return null;
            }
            afterStore(row, v.code(), v.reason());
            return v.state();
        }
        return store(row, v.code(), v.reason()) ? v.state() : null;
    }

    private boolean store(CallRow row, String code, String reason) {
        if (!ledger.insert(row)) {
            metrics.call("ingest", "duplicate", "");
            return false;
        }
        afterStore(row, code, reason);
        return true;
    }

    private void afterStore(CallRow row, String code, String reason) {
        metrics.call("ingest", row.state().name().toLowerCase(), code);
        if (row.state() == CallState.DEAD) {
            deadLetters.call("ingest", row, reason, null);
        } else if (row.state() == CallState.SKIPPED) {
            LOG.infof("Call %s skipped: %s", row.externalId(), reason);
        } else if (row.state() == CallState.CHECKED) {
            announcements.checked(row.provider(), row.externalId()); // committed: on to create-voicecalls at once
        }
    }

    /**
     * Takes a SKIPPED or DEAD call in again from its ledger row (the vendor's original and the recording where it
     * was archived): the same mapping and checks as a new drop. Answers its new state, or empty when it was not
     * SKIPPED or DEAD (never sent twice).
     */
    public Optional<CallState> retake(CallRow row, String why) throws IOException, InterruptedException {
        if (!row.state().reopenable()) {
            return Optional.empty();
        }
        if (row.voiceCallId() != null) {
            return resumeUpload(row, null, null, why) ? Optional.of(CallState.CREATED) : Optional.empty();
        }
        List<MappedCall> calls;
        try {
            calls = vendors.get(row.provider()).read(row.original().getBytes(StandardCharsets.UTF_8), originalName(row));
        } catch (VendorMapper.RecordException e) {
            return Optional.of(CallState.DEAD);
        }
        MappedCall m = calls.get(0);
        if (m.error() != null || m.waitingFor() != null) {
            return Optional.of(CallState.DEAD);
        }
        Optional<RecordingInfo> recording = row.recordingUri() == null ? Optional.empty()
                : recordings.stat(URI.create(row.recordingUri()));
        CanonicalCall call = users.match(m.call());
        Verdict v = checks.check(call, recording, callCoaching.current(), provider.providerId(), true);
        CallRow fresh = CallRow.received(row.provider(), row.externalId(), v.state(), v.code(), v.reason(),
                v.userId() != null ? v.userId() : call.userId(),
                m.call().userEmail(), m.call().start(), v.payload() == null ? null : v.payload().toString(),
                row.original(), row.source(), row.recordingUri(), recording.map(RecordingInfo::bytes).orElse(null));
        if (!ledger.reopen(fresh, why)) {
            return Optional.empty();
        }
        afterStore(fresh, v.code(), v.reason());
        return Optional.of(v.state());
    }

    /**
     * A call taken in before its recording (or whose recording could not be fetched, {@code error}): WAITING, looked
     * for again every recording-recheck until the grace ends.
     */
    private CallState waitForRecording(Drop drop, MappedCall m, CanonicalCall call, Optional<CallRow> existing,
            String error) {
        Instant firstSeen = existing.map(CallRow::createdAt).orElse(Instant.now());
        Instant until = firstSeen.plus(checkSettings.recordingGrace());
        CallRow row = CallRow.received(drop.vendor(), call.externalId(), CallState.WAITING, "recording-waiting",
                "waiting for the recording until " + until + " (" + lookedFor(drop, call)
                        + (error == null ? "" : "; " + error) + ")", call.userId(),
                call.userEmail(), call.start(), null, m.original(), drop.source(), Search.of(drop, call).toString(),
                null);
        boolean stored = existing.isPresent() ? ledger.reopen(row, "taken in again") : ledger.insert(row);
        if (stored) {
            ledger.transition(row.provider(), row.externalId(), CallState.WAITING, CallState.WAITING, null,
                    Ledger.fields("next_attempt_at", Instant.now().plus(checkSettings.recordingRecheck())));
            metrics.call("ingest", "waiting", "recording-waiting");
            return CallState.WAITING;
        }
        return null;
    }

    /**
     * A record that completes an earlier one of the same call still waiting in the ledger (Twilio: a Call and its
     * Recording in two records, in either order): the two read as one; otherwise the record as it is.
     */
    private MappedCall completed(Drop drop, MappedCall m) throws IOException {
        Optional<CallRow> prior = m.externalId() == null ? Optional.empty() : ledger.find(drop.vendor(), m.externalId());
        if (prior.isEmpty() || !prior.get().state().reopenable() || prior.get().voiceCallId() != null
                || prior.get().original() == null) {
            return m;
        }
        VendorMapper mapper = vendors.get(drop.vendor());
        String combined = mapper.combine(prior.get().original(), m.original());
        if (combined == null) {
            return m;
        }
        try {
            List<MappedCall> read = mapper.read(combined.getBytes(StandardCharsets.UTF_8), m.externalId());
            return read.size() == 1 ? read.get(0) : m;
        } catch (VendorMapper.RecordException e) {
            return m;
        }
    }

    /**
     * A part of a call whose other part has not come yet (a Twilio Recording before its Call): WAITING with what it
     * waits for, looked at again like a call waiting for its recording, dead-lettered after eci.checks.recording-grace.
     */
    private CallState waitForPart(Drop drop, MappedCall m) {
        Optional<CallRow> existing = ledger.find(drop.vendor(), m.externalId());
        if (existing.isPresent() && !existing.get().state().reopenable()) {
            metrics.call("ingest", "duplicate", "");
            return null; // the call went on already; this part adds nothing
        }
        Instant until = existing.map(CallRow::createdAt).orElse(Instant.now()).plus(checkSettings.recordingGrace());
        CallRow row = CallRow.received(drop.vendor(), m.externalId(), CallState.WAITING, "part-waiting",
                m.waitingFor() + "; until " + until, null, null, null, null, m.original(), drop.source(),
                Search.of(drop, null).toString(), null);
        boolean stored = existing.isPresent() ? ledger.reopen(row, "taken in again") : ledger.insert(row);
        if (!stored) {
            return null;
        }
        ledger.transition(row.provider(), row.externalId(), CallState.WAITING, CallState.WAITING, null,
                Ledger.fields("next_attempt_at", Instant.now().plus(checkSettings.recordingRecheck())));
        metrics.call("ingest", "waiting", "part-waiting");
        return CallState.WAITING;
    }

    /** The name a call's original is read under: its record's when that was CSV (header + row), else its id. */
    private static String originalName(CallRow row) {
        String s = row.source();
        return s != null && s.toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? s : row.externalId();
    }

    /** A waiting part whose other part did not come within the grace period goes to the dead letters. */
    private boolean partExpired(CallRow r) {
        if (!r.createdAt().plus(checkSettings.recordingGrace()).isBefore(Instant.now())) {
            ledger.transition(r.provider(), r.externalId(), CallState.WAITING, CallState.WAITING, null,
                    Ledger.fields("next_attempt_at", Instant.now().plus(checkSettings.recordingRecheck())));
            return false;
        }
        String reason = "call " + r.externalId() + ": the other record of the call never came ("
                + String.valueOf(r.reason()).replaceFirst("; until .*$", "") + ")";
        if (ledger.transition(r.provider(), r.externalId(), CallState.WAITING, CallState.DEAD, reason,
                Ledger.fields("reason_code", "part-missing", "next_attempt_at", null))) {
            deadLetters.call("ingest", ledger.find(r.provider(), r.externalId()).orElse(r), reason, null);
            metrics.call("ingest", "dead", "part-missing");
            return true;
        }
        return false;
    }

    private static String lookedFor(Drop drop, CanonicalCall call) {
        return call.recording() != null ? "looked for " + call.recording()
                : "looked for " + call.externalId() + ".wav/.mp3/.flac or " + call.externalId() + "_* in " + drop.recordingsAt();
    }

    /**
     * Looks again for the recordings of WAITING calls that are due (create-voicecalls calls this each cycle): found,
     * the call is checked and goes on; still missing after eci.checks.recording-grace, it is dead-lettered.
     */
    public int recheckWaiting() throws IOException, InterruptedException {
        int moved = 0;
        for (CallRow r : ledger.where("state = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
                CallState.WAITING.name(), Instant.now())) {
            Search search = Search.parse(r.recordingUri());
            List<MappedCall> calls;
            try {
                calls = vendors.get(r.provider()).read(r.original().getBytes(StandardCharsets.UTF_8), originalName(r));
            } catch (VendorMapper.RecordException e) {
                continue;
            }
            Drop drop = new Drop(r.provider(), r.source(), search.recordName(), search.at(), search.area(), search.single());
            if (calls.get(0).waitingFor() != null) {
                moved += partExpired(r) ? 1 : 0;
                continue;
            }
            CanonicalCall call = users.match(calls.get(0).call());
            Lookup lookup = lookup(drop, call);
            Optional<RecordingInfo> recording = lookup.recording();
            if (lookup.refused() != null) {
                String reason = "call " + r.externalId() + ": recording reference refused (" + lookup.refused().rule()
                        + "): " + lookup.refused().getMessage();
                if (ledger.transition(r.provider(), r.externalId(), CallState.WAITING, CallState.DEAD, reason,
                        Ledger.fields("reason_code", "recording-refused", "next_attempt_at", null))) {
                    deadLetters.call("ingest", ledger.find(r.provider(), r.externalId()).orElse(r), reason, null);
                    metrics.call("ingest", "dead", "recording-refused");
                    moved++;
                }
            } else if (recording.isPresent()) {
                Verdict v = checks.check(call, recording, callCoaching.current(), provider.providerId(), true);
                URI where = archive(drop, recording.get().uri());
                CallRow fresh = CallRow.received(r.provider(), r.externalId(), v.state(), v.code(), v.reason(),
                        v.userId() != null ? v.userId() : call.userId(), call.userEmail(), call.start(),
                        v.payload() == null ? null : v.payload().toString(), r.original(), r.source(), where.toString(),
                        recording.get().bytes());
                if (ledger.reopen(fresh, "the recording arrived")) {
                    afterStore(fresh, v.code(), v.reason());
                    moved++;
                }
            } else if (r.createdAt().plus(checkSettings.recordingGrace()).isBefore(Instant.now())) {
                java.time.Duration grace = checkSettings.recordingGrace();
                String reason = "no recording found for call " + r.externalId() + " within "
                        + (grace.toMinutes() > 0 ? grace.toMinutes() + " min" : grace.toSeconds() + " s") + " ("
                        + lookedFor(drop, call) + (lookup.error() == null ? "" : "; " + lookup.error()) + ")";
                if (ledger.transition(r.provider(), r.externalId(), CallState.WAITING, CallState.DEAD, reason,
                        Ledger.fields("reason_code", "recording-missing", "next_attempt_at", null))) {
                    deadLetters.call("ingest", ledger.find(r.provider(), r.externalId()).orElse(r), reason, null);
                    metrics.call("ingest", "dead", "recording-missing");
                    moved++;
                }
            } else {
                String reason = lookup.error() == null ? null : waitingReason(r.reason(), lookup.error());
                ledger.transition(r.provider(), r.externalId(), CallState.WAITING, CallState.WAITING,
                        reason != null && reason.equals(r.reason()) ? null : reason,
                        Ledger.fields("next_attempt_at", Instant.now().plus(checkSettings.recordingRecheck())));
            }
        }
        return moved;
    }

    /** Where a waiting call's recording is looked for, kept in its ledger row while it waits. */
    record Search(URI at, String area, String recordName, boolean single) {

        static Search of(Drop drop, CanonicalCall call) {
            return new Search(drop.recordingsAt(), drop.archiveArea(), drop.recordName(), drop.singleCall());
        }

        @Override
        public String toString() {
            return "search:?at=" + enc(at == null ? "" : at.toString()) + "&area=" + enc(area == null ? "" : area)
                    + "&record=" + enc(recordName == null ? "" : recordName) + "&single=" + single;
        }

        static Search parse(String value) {
            Map<String, String> p = new LinkedHashMap<>();
            for (String pair : value.substring(value.indexOf('?') + 1).split("&")) {
                int eq = pair.indexOf('=');
                p.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            String at = p.getOrDefault("at", "");
            String area = p.getOrDefault("area", "");
            String record = p.getOrDefault("record", "");
            return new Search(at.isEmpty() ? null : URI.create(at), area.isEmpty() ? null : area,
                    record.isEmpty() ? null : record, Boolean.parseBoolean(p.get("single")));
        }

        private static String enc(String s) {
            return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    /**
     * A call whose VoiceCall exists (it failed at the upload) goes back to CREATED: the upload is retried, the
     * VoiceCall is never created again.
     */
    private boolean resumeUpload(CallRow row, URI recording, Long bytes, String why) {
        boolean moved = ledger.transition(row.provider(), row.externalId(), row.state(), CallState.CREATED,
                why + ": VoiceCall " + row.voiceCallId() + " exists, the upload is retried",
                recording == null ? Ledger.fields("attempts", 0, "next_attempt_at", null, "reason_code", null)
                        : Ledger.fields("attempts", 0, "next_attempt_at", null, "reason_code", null, "recording_uri",
                                recording.toString(), "recording_bytes", bytes));
        if (moved) {
            metrics.call("ingest", "resumed", "upload");
            announcements.created(row.provider(), row.externalId());
        }
        return moved;
    }

    /**
     * What looking for a call's recording gave: the recording; or why its reference is refused (final); or the
     * error that made it unreadable for now (the call waits, and a file beside the record is used when there is one).
     */
    record Lookup(Optional<RecordingInfo> recording, RecordingRefused refused, String error) {
    }

    /** Looks for the call's recording without letting any failure reach the rest of the drop. */
    private Lookup lookup(Drop drop, CanonicalCall call) {
        try {
            return new Lookup(locate(drop, call, true), null, null);
        } catch (RecordingRefused e) {
            return new Lookup(Optional.empty(), e, null);
        } catch (IOException | RuntimeException e) {
            String error = "the recording could not be read: " + describe(e);
            if (call.recording() != null) {
                // the pairing rules' next step: a file named like the record or the call, beside it
                try {
                    Optional<RecordingInfo> beside = locate(drop, call, false);
                    if (beside.isPresent()) {
                        LOG.infof("Call %s: its recording reference failed (%s); using %s found beside the record",
                                call.externalId(), describe(e), beside.get().uri());
                        return new Lookup(beside, null, null);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // the reference's own error is the one reported
                }
            }
            return new Lookup(Optional.empty(), null, error);
        }
    }

    static String describe(Throwable e) {
        String msg = e.getMessage();
        String text = e.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : " " + msg);
        return text.replaceAll("[\\p{Cntrl}]", " ");
    }

    static String waitingReason(String reason, String error) {
        String base = reason == null ? "" : reason.replaceFirst("; the recording could not be read: .*\\)$", ")");
        return base.endsWith(")") ? base.substring(0, base.length() - 1) + "; " + error + ")" : base + " (" + error + ")";
    }

    /** Moves a recording to the drop's archive area when it is the connector's own and not archived yet. */
    private URI archive(Drop drop, URI where) throws IOException {
        if (where != null && recordings.archivable(where, drop.recordingsAt(), drop.archiveArea())) {
            return recordings.archive(where, drop.archiveArea());
        }
        return where;
    }

    /**
     * Finds the call's recording: its own reference ({@code byReference}), else a file named like the record or the
     * call. Every location is checked against what the source may read ({@link RecordingStore#resolve}).
     */
    private Optional<RecordingInfo> locate(Drop drop, CanonicalCall call, boolean byReference) throws IOException {
        String ref = call.recording();
        if (ref != null && byReference) {
            URI uri = recordings.resolve(ref, drop.recordingsAt(), drop.recordingsAt(), drop.archiveArea());
            Optional<RecordingInfo> info = recordings.stat(uri);
            if (info.isEmpty() && drop.archiveArea() != null && "file".equals(uri.getScheme())
                    && !ref.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !ref.startsWith("/")) {
                // taken in before a crash: the recording already went to the done area
                URI done = recordings.resolve(ref, drop.recordingsAt().resolve(drop.archiveArea() + "/"),
                        drop.recordingsAt(), drop.archiveArea());
                info = recordings.stat(done);
            }
            if (info.isEmpty() && drop.archiveArea() != null && "s3".equals(uri.getScheme())
                    && recordings.archivable(uri, drop.recordingsAt(), drop.archiveArea())) {
                // the same in S3: archived to {done-prefix}{key} before a crash
                URI done = URI.create("s3://" + uri.getHost() + "/" + drop.archiveArea().replaceAll("/+$", "")
                        + uri.getRawPath());
                recordings.checkReadable(done, drop.recordingsAt(), drop.archiveArea());
                info = recordings.stat(done);
            }
            return info;
        }
        if (drop.recordingsAt() == null) {
            return Optional.empty();
        }
        URI at = drop.recordingsAt();
        if (at.getPath() != null && at.getPath().endsWith("CallRecordings/") && call.start() != null) {
            at = at.resolve(DAY_PATH.format(call.start()) + "/");
        }
        String base = drop.singleCall() && drop.recordName() != null
                ? drop.recordName().replaceAll(".*/", "").replaceAll("\\.[^.]+$", "") : call.externalId();
        Optional<URI> found = recordings.find(at, base, call.externalId() + "_");
        if (found.isEmpty() && !base.equals(call.externalId())) {
            found = recordings.find(at, call.externalId(), null);
        }
        if (found.isEmpty() && drop.archiveArea() != null && at.getScheme().equals("file")) {
            found = recordings.find(at.resolve(drop.archiveArea() + "/"), base, call.externalId() + "_");
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        recordings.checkReadable(found.get(), drop.recordingsAt(), drop.archiveArea()); // a link pointing out
        return recordings.stat(found.get());
    }

    /** A directory path or a URI, as a URI ending in '/'. */
    static URI location(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        URI uri = value.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !value.matches("^[a-zA-Z]:\\\\.*")
                ? URI.create(value) : java.nio.file.Path.of(value).toAbsolutePath().normalize().toUri();
        String s = uri.toString();
        return s.endsWith("/") ? uri : URI.create(s + "/");
    }
}
