package io.eciconnector.send;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eciconnector.deadletter.DeadLetters;
import io.eciconnector.ingest.CallCoaching;
import io.eciconnector.ingest.IngestSettings;
import io.eciconnector.ledger.Announcements;
import io.eciconnector.ledger.CallKey;
import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.metrics.FlowMetrics;
import io.eciconnector.salesforce.ApiBudget;
import io.eciconnector.salesforce.ApiResponse;
import io.eciconnector.salesforce.SalesforceApi;
import io.eciconnector.salesforce.SalesforceRequest;
import io.eciconnector.salesforce.SalesforceSettings;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Creates the VoiceCalls (POST voicecalls, up to 200 calls a request) of the batches routes/create-voicecalls.yaml
 * aggregates: claims exactly the calls of a batch in the ledger, sends them, and records each call's outcome; the route
 * splits the outcomes (created: on to the upload; refused: dead-lettered here). Retries are scheduled in the ledger,
 * never by sleeping, and announced again by the recovery route when due. A request whose outcome is unknown leaves its calls in RECONCILE:
 * they are looked up by VendorCallKey before anything is sent again, so no VoiceCall is created twice.
 */
@ApplicationScoped
@Named("voiceCallSender")
@RegisterForReflection
public class VoiceCallSender {

    private static final Logger LOG = Logger.getLogger(VoiceCallSender.class);
    static final int RECONCILE_CHUNK = 100;

    @Inject
    Ledger ledger;

    @Inject
    SalesforceApi api;

    @Inject
    SalesforceSettings salesforce;

    @Inject
    CallCoaching callCoaching;

    @Inject
    IngestSettings settings;

    @Inject
    DeadLetters deadLetters;

    @Inject
    FlowMetrics metrics;

    @Inject
    ObjectMapper mapper;

    @Inject
    ApiBudget budget;

    @Inject
    Announcements announcements;

    /**
     * One call's outcome in a create request: created, retry, reconcile, skipped or dead; a dead one carries its dead
     * letter, which routes/create-voicecalls.yaml sends to the dead-letter channel.
     */
    @RegisterForReflection
    public record CallResult(String provider, String externalId, String outcome, DeadLetters.Letter deadLetter) {
        public CallKey key() {
            return new CallKey(provider, externalId);
        }
    }

    /** What a batch gave: counts by outcome (its toString, for the log) and each call's outcome (for the split). */
    @RegisterForReflection
    public record Answer(Map<String, Integer> summary, List<CallResult> calls) {
        @Override
        public String toString() {
            return summary.toString();
        }
    }

    /**
     * Claims exactly the announced calls of a batch that are still to be created: CHECKED, retry time come, not taken
     * by another replica (a call already claimed or created elsewhere is simply not in the claim). Nothing is claimed
     * while the provider is disabled or the org's API allocation is (nearly) used up, and, while it runs low, only a
     * batch that filled up (or whose oldest call has waited 10 x eci.create.max-wait): those calls stay CHECKED and the
     * recovery route announces them again. Every call of the batch may be announced again from here on.
     */
    public List<CallRow> claim(List<CallKey> keys, @ExchangeProperty(Exchange.AGGREGATED_COMPLETED_BY) String completedBy) {
        announcements.takenForCreate(keys);
        if (keys.isEmpty() || !sending()) {
            return List.of();
        }
        if (budget.mode() == ApiBudget.Mode.SLOW && !"size".equals(completedBy)) {
            // the org's allocation is running low: full batches only, or a partial one after 10 x max-wait
            Instant oldest = ledger.ready(CallState.CHECKED).oldest();
            if (oldest == null || Duration.between(oldest, Instant.now())
                    .compareTo(settings.create().maxWait().multipliedBy(10)) < 0) {
                return List.of();
            }
        }
        return ledger.claim(keys, CallState.CHECKED, CallState.CREATING);
    }

    /** Whether calls may be sent now: the provider enabled, the org's API allocation not (nearly) used up. */
    boolean sending() {
        CallCoaching.Status status = callCoaching.last();
        return status != null && status.enabled() && budget.mode() != ApiBudget.Mode.PAUSED;
    }

    /**
     * Completes a batch whose first call has waited three times eci.create.max-wait even though calls keep coming (the
     * aggregate's completionTimeout only fires once none came for max-wait): a steady trickle still goes out.
     */
    public boolean overdue(Exchange batch) {
        return batch.getClock().elapsed() >= settings.create().maxWait().multipliedBy(3).toMillis();
    }

    /**
     * The CHECKED calls that are due and that nobody announced, oldest first (at most 1000): what a crash, a restart,
     * another replica or a retry time left. A call stored in the last 2 x eci.create.max-wait without a retry time is
     * left to the replica that stored it (it announced it), so two replicas do not split each other's batches.
     */
    public List<CallKey> leftovers() {
        if (!sending()) {
            return List.of();
        }
        Instant fresh = Instant.now().minus(settings.create().maxWait().multipliedBy(2));
        List<CallKey> out = new ArrayList<>();
        for (CallRow r : ledger.due(CallState.CHECKED, 1000)) {
            CallKey key = CallKey.of(r);
            if (!announcements.pendingCreate(key) && (r.nextAttemptAt() != null || r.updatedAt() == null
                    || r.updatedAt().isBefore(fresh))) {
                out.add(key);
            }
        }
        return out;
    }

    /** Exchange property: the calls of the create request on its way (set by {@link #request}). */
    static final String ROWS = "eciCreateRows";

    /** The claimed calls in requests of at most 200 (ECI's limit): the route sends each. */
    public List<List<CallRow>> requests(List<CallRow> claimed) {
        List<List<CallRow>> out = new ArrayList<>();
        for (int i = 0; i < claimed.size(); i += 200) {
            out.add(List.copyOf(claimed.subList(i, Math.min(claimed.size(), i + 200))));
        }
        return out;
    }

    /**
     * The create request of these calls for routes/salesforce-request.yaml: POST
     * /services/data/vNN.0/voicecalls with {"calls": [...]}, each call's payload as the ledger holds it.
     */
    public String request(List<CallRow> batch, Exchange exchange) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode calls = body.putArray("calls");
        for (CallRow r : batch) {
            try {
                calls.add(mapper.readTree(r.payload()));
            } catch (IOException e) {
                throw new IllegalStateException("ledger payload of " + r.externalId() + " is not JSON", e);
            }
        }
        exchange.setProperty(ROWS, batch);
        exchange.setProperty(SalesforceRequest.PATH, "/services/data/v" + salesforce.apiVersion() + "/voicecalls");
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=UTF-8");
        return body.toString();
    }

    /** The org answered the create request: each call's outcome recorded in the ledger. */
    public Answer answered(ApiResponse response, @ExchangeProperty(ROWS) List<CallRow> batch) throws InterruptedException {
        metrics.requests("eci.voicecalls", batch.size());
        Outcomes outcomes = new Outcomes();
        return answer(batch, createVoiceCalls(batch, response, outcomes), outcomes);
    }

    /** Nothing reached the API (no login, no connection): the calls are safe to send again, after a back-off. */
    public Answer notSent(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception e,
            @ExchangeProperty(ROWS) List<CallRow> batch) {
        Outcomes outcomes = new Outcomes();
        retryAll(batch, outcomes, "not sent: " + describe(e), Optional.empty(), "connect");
        return answer(batch, Map.of("retry", batch.size()), outcomes);
    }

    /**
     * Sent, no answer (a timeout, a reset): the calls may exist now, or be created later (the org applies a request
     * it received even when the client has given up). RECONCILE: looked up at once, sent again only once the request
     * is settled (eci.create.settle-time) and they are still missing.
     */
    public Answer outcomeUnknown(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception e,
            @ExchangeProperty(ROWS) List<CallRow> batch) {
        metrics.requests("eci.voicecalls", batch.size());
        Outcomes outcomes = new Outcomes();
        Duration settle = settings.create().settleTime();
        for (CallRow r : batch) {
            Instant until = (r.claimedAt() == null ? Instant.now() : r.claimedAt()).plus(settle);
            ledger.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.RECONCILE,
                    "create request outcome unknown (" + describe(e) + "); looked up by VendorCallKey, sent again only"
                            + " if still missing after " + until + " (eci.create.settle-time " + settle + ")",
                    Ledger.fields("claimed_by", null, "next_attempt_at", null, "settle_until", until));
            outcomes.put(CallKey.of(r), "reconcile");
        }
        metrics.retry("create", "unknown-outcome");
        return answer(batch, Map.of("reconcile", batch.size()), outcomes);
    }

    private static String describe(Exception e) {
        return e == null ? "no exception" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static Answer answer(List<CallRow> batch, Map<String, Integer> summary, Outcomes outcomes) {
        List<CallResult> calls = new ArrayList<>();
        for (CallRow r : batch) {
            CallKey key = CallKey.of(r);
            calls.add(new CallResult(r.provider(), r.externalId(), outcomes.get(key, "retry"), outcomes.letter(key)));
        }
        return new Answer(new java.util.TreeMap<>(summary), calls);
    }

    /** What the answer to one create request means for each of its calls, recorded in the ledger. */
    Map<String, Integer> createVoiceCalls(List<CallRow> batch, ApiResponse response, Outcomes outcomes)
            throws InterruptedException {
        Map<String, Integer> summary = new HashMap<>();
        if (response.ok()) {
            return results(batch, response, summary, outcomes);
        }
        if (isLimit(response)) {
            budget.limitExceeded();
            retryAll(batch, outcomes, "the org's daily API allocation is used up (403 REQUEST_LIMIT_EXCEEDED)", Optional.empty(),
                    "limit");
            summary.put("retry", batch.size());
            return summary;
        }
        if (response.retryable() || response.status() == 401) {
            retryAll(batch, outcomes, "create request refused: " + response.describe(), response.retryAfterDuration(),
                    String.valueOf(response.status()));
            summary.put("retry", batch.size());
            return summary;
        }
        // 400: the request itself is wrong (bad JSON, permission set missing, over 200 calls): not retried
        DeadLetters.ApiError error = apiError(response);
        for (CallRow r : batch) {
            dead(r, CallState.CREATING, "create request refused: " + response.describe(), error, outcomes);
            outcomes.put(CallKey.of(r), "dead");
        }
        summary.put("dead", batch.size());
        return summary;
    }

    private Map<String, Integer> results(List<CallRow> batch, ApiResponse response, Map<String, Integer> summary,
            Outcomes outcomes) throws InterruptedException {
        Map<String, JsonNode> byExternalId = new HashMap<>();
        try {
            for (JsonNode r : resultArray(mapper.readTree(response.body()))) {
                byExternalId.putIfAbsent(r.path("externalId").asText(), r);
            }
        } catch (IOException e) {
            LOG.warnf("Unreadable create answer (%s): calls go to reconcile", e.getMessage());
        }
        boolean coachingChanged = false;
        // calls sent again after a request with an unknown outcome: looked at again once created
        Set<String> resent = new HashSet<>();
        ledger.where("state = ? AND claimed_by = ? AND settle_until IS NOT NULL", CallState.CREATING.name(),
                ledger.instance()).forEach(r -> resent.add(r.provider() + "/" + r.externalId()));
        // the successes, the bulk of an answer, are recorded in one transaction
        Ledger.Batch created = ledger.batch();
        List<CallRow> createdRows = new ArrayList<>();
        List<CallRow> rest = new ArrayList<>();
        for (CallRow r : batch) {
            JsonNode result = byExternalId.get(r.externalId());
            if (result != null && result.path("isSuccess").asBoolean(false)
                    && !result.path("voiceCallId").asText("").isEmpty()) {
                created.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.CREATED,
                        "VoiceCall " + result.path("voiceCallId").asText() + " created",
                        Ledger.fields("voice_call_id", result.path("voiceCallId").asText(), "upload_url",
                                result.path("uploadUrl").asText(null), "attempts", 0, "claimed_by", null,
                                "next_attempt_at", null, "settle_until", null));
                createdRows.add(r);
            } else {
                rest.add(r);
            }
        }
        boolean[] done = created.commit();
        List<CallRow> toVerify = new ArrayList<>();
        Map<String, String> keptIds = new HashMap<>();
        for (int i = 0; i < done.length; i++) {
            if (done[i]) {
                metrics.call("create", "created", "");
                summary.merge("created", 1, Integer::sum);
                CallRow r = createdRows.get(i);
                outcomes.put(CallKey.of(r), "created");
                if (resent.contains(r.provider() + "/" + r.externalId())) {
                    toVerify.add(r);
                    keptIds.put(r.externalId(), byExternalId.get(r.externalId()).path("voiceCallId").asText());
                }
            }
        }
        if (!toVerify.isEmpty()) {
            int found = verify(toVerify, keptIds);
            if (found > 0) {
                summary.merge("duplicate", found, Integer::sum);
            }
        }
        for (CallRow r : rest) {
            JsonNode result = byExternalId.get(r.externalId());
            if (result == null) {
                ledger.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.RECONCILE,
                        "no result for this call in the create answer; to be looked up", Ledger.fields("claimed_by", null));
                outcomes.put(CallKey.of(r), "reconcile");
                summary.merge("reconcile", 1, Integer::sum);
            } else {
                String msg = result.path("errorMsg").asText("refused without errorMsg");
                String lower = msg.toLowerCase();
                if (lower.contains("disabled")) {
                    // the admin switched the provider off since the last status: wait, do not dead-letter
                    coachingChanged = true;
                    outcomes.put(CallKey.of(r), retry(r, "provider disabled: " + msg, Optional.empty(), "disabled",
                            outcomes));
                    summary.merge("retry", 1, Integer::sum);
                } else if (lower.contains("callcoaching user") || lower.contains("call-coaching user")) {
                    coachingChanged = true;
                    ledger.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.SKIPPED,
                            "ECI refused: " + msg, Ledger.fields("claimed_by", null, "reason_code", "user-not-coached"));
                    metrics.call("create", "skipped", "user-not-coached");
                    outcomes.put(CallKey.of(r), "skipped");
                    summary.merge("skipped", 1, Integer::sum);
                } else {
                    dead(r, CallState.CREATING, "ECI refused the call: " + msg, new DeadLetters.ApiError(200, null, msg),
                            outcomes);
                    outcomes.put(CallKey.of(r), "dead");
                    summary.merge("dead", 1, Integer::sum);
                }
            }
        }
        if (coachingChanged) {
            callCoaching.invalidate();
        }
        return summary;
    }

    /** The per-call results: {"results": [...]}, a bare array, or the first array field of the answer. */
    static List<JsonNode> resultArray(JsonNode answer) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode array = null;
        if (answer.isArray()) {
            array = answer;
        } else if (answer.isObject()) {
            array = answer.has("results") ? answer.get("results") : null;
            for (var it = answer.fields(); array == null && it.hasNext();) {
                JsonNode v = it.next().getValue();
                if (v.isArray()) {
                    array = v;
                }
            }
        }
        if (array != null) {
            array.forEach(out::add);
        }
        return out;
    }

    /**
     * Looks up the calls whose create outcome is unknown (and those a crashed replica, or this instance before its
     * restart, left in CREATING) with {@code SELECT Id, VendorCallKey FROM VoiceCall WHERE VendorCallKey IN (...)}:
     * found ones are CREATED (a key with several VoiceCalls is reported as a duplicate); missing ones wait until
     * their earlier request can no longer be applied (settle_until: its start + eci.create.settle-time), are looked
     * up again then, and only then go back to CHECKED to be sent again. Answers how many were settled.
     */
    public int reconcile() throws InterruptedException {
        ledger.recoverAbandoned(CallState.CREATING, CallState.RECONCILE,
                "create request abandoned (replica stopped mid-request); to be looked up", settings.create().settleTime());
        List<CallRow> pending = ledger.due(CallState.RECONCILE, 1000);
        int settled = 0;
        for (int i = 0; i < pending.size(); i += RECONCILE_CHUNK) {
            List<CallRow> chunk = pending.subList(i, Math.min(pending.size(), i + RECONCILE_CHUNK));
            Map<String, List<String>> found;
            try {
                found = lookUp(chunk);
            } catch (SalesforceApi.QueryException e) {
                LOG.warnf("Reconcile query refused (%s); trying again next cycle", e.getMessage());
                return settled;
            } catch (IOException e) {
                LOG.warnf("Reconcile failed (%s); trying again next cycle", e.getMessage());
                return settled;
            }
            Map<String, Instant> settleUntil = ledger.settleUntil(chunk);
            String base;
            try {
                base = api.connectBase();
            } catch (SalesforceApi.LoginException e) {
                LOG.warnf("Reconcile: no login (%s); trying again next cycle", e.getMessage());
                return settled;
            }
            Instant now = Instant.now();
            for (CallRow r : chunk) {
                List<String> ids = found.getOrDefault(r.externalId(), List.of());
                Instant until = settleUntil.get(r.provider() + "/" + r.externalId());
                boolean moved;
                if (!ids.isEmpty()) {
                    String id = ids.get(0);
                    moved = ledger.transition(r.provider(), r.externalId(), CallState.RECONCILE, CallState.CREATED,
                            "reconciled: VoiceCall " + id + " exists",
                            Ledger.fields("voice_call_id", id, "upload_url", base + "/voicecalls/" + id
                                    + "/audio_upload", "attempts", 0, "next_attempt_at", null, "claimed_by", null,
                                    "settle_until", null));
                    if (ids.size() > 1) {
                        reportDuplicate(r, id, ids);
                    }
                    if (moved) {
                        announcements.created(r.provider(), r.externalId());
                    }
                } else if (until != null && now.isBefore(until)) {
                    // not there (yet): the earlier request may still be applied until then; nothing is sent before
                    ledger.transition(r.provider(), r.externalId(), CallState.RECONCILE, CallState.RECONCILE,
                            "no VoiceCall for this VendorCallKey yet; the earlier request may still be applied until "
                                    + until + ": looked up again then, sent again only if still missing",
                            Ledger.fields("next_attempt_at", until));
                    moved = false;
                } else {
                    moved = ledger.transition(r.provider(), r.externalId(), CallState.RECONCILE, CallState.CHECKED,
                            "reconciled: no VoiceCall" + (until == null ? "" : " after the settle time (" + until + ")")
                                    + "; to be sent again",
                            Ledger.fields("next_attempt_at", null, "claimed_by", null));
                    if (moved) {
                        announcements.checked(r.provider(), r.externalId());
                    }
                }
                if (moved) {
                    settled++;
                }
            }
        }
        return settled;
    }

    /**
     * The VoiceCalls of these calls, by VendorCallKey, oldest first: every page of
     * {@code SELECT Id, VendorCallKey FROM VoiceCall WHERE VendorCallKey IN (...) ORDER BY CreatedDate}.
     */
    private Map<String, List<String>> lookUp(List<CallRow> chunk) throws IOException, InterruptedException {
        StringBuilder keys = new StringBuilder();
        for (CallRow r : chunk) {
            keys.append(keys.length() == 0 ? "" : ",").append('\'')
                    .append(r.externalId().replace("\\", "\\\\").replace("'", "\\'")).append('\'');
        }
        List<JsonNode> records;
        try {
            // every page: a VoiceCall on a later page is found too, and not created a second time
            records = api.queryAll("SELECT Id, VendorCallKey FROM VoiceCall WHERE VendorCallKey IN (" + keys
                    + ") ORDER BY CreatedDate");
        } finally {
            metrics.requests("query", 0);
        }
        Map<String, List<String>> found = new LinkedHashMap<>();
        for (JsonNode rec : records) {
            List<String> ids = found.computeIfAbsent(rec.path("VendorCallKey").asText(), k -> new ArrayList<>());
            String id = rec.path("Id").asText();
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return found;
    }

    /**
     * Looks again at calls created by a request sent after an earlier one had an unknown outcome: a VendorCallKey
     * that now has more than one VoiceCall is reported. Answers how many calls have duplicates.
     */
    int verify(List<CallRow> rows, Map<String, String> keptIds) throws InterruptedException {
        int duplicates = 0;
        for (int i = 0; i < rows.size(); i += RECONCILE_CHUNK) {
            List<CallRow> chunk = rows.subList(i, Math.min(rows.size(), i + RECONCILE_CHUNK));
            Map<String, List<String>> found;
            try {
                found = lookUp(chunk);
            } catch (IOException e) {
                LOG.warnf("Could not look again at %d calls sent again after an unknown outcome (%s)", chunk.size(),
                        e.getMessage());
                continue;
            }
            for (CallRow r : chunk) {
                List<String> ids = found.getOrDefault(r.externalId(), List.of());
                if (ids.size() > 1) {
                    reportDuplicate(r, keptIds.get(r.externalId()), ids);
                    duplicates++;
                }
            }
        }
        return duplicates;
    }

    private void reportDuplicate(CallRow r, String kept, List<String> ids) {
        List<String> extra = ids.stream().filter(id -> !id.equals(kept)).toList();
        String reason = "DUPLICATE: the org has " + ids.size() + " VoiceCalls for VendorCallKey " + r.externalId()
                + ": " + kept + " (kept, its recording is uploaded) and " + String.join(", ", extra)
                + " (no recording; to be removed by an admin)";
        if (ledger.reportDuplicates(r.provider(), r.externalId(), String.join(",", extra), reason)) {
            metrics.duplicate("voicecall");
            LOG.warnf("Call %s/%s: %s", r.provider(), r.externalId(), reason);
        }
    }

    private static boolean isLimit(ApiResponse r) {
        return r.status() == 403 && r.body() != null && r.body().contains("REQUEST_LIMIT_EXCEEDED");
    }

    private void retryAll(List<CallRow> batch, Outcomes outcomes, String reason,
            Optional<Duration> retryAfter, String cause) {
        metrics.retry("create", cause);
        for (CallRow r : batch) {
            outcomes.put(CallKey.of(r), retry(r, reason, retryAfter, cause, outcomes));
        }
    }

    /** Back to CHECKED with a retry time (the recovery route announces it then); answers retry, or dead. */
    private String retry(CallRow r, String reason, Optional<Duration> retryAfter, String cause, Outcomes outcomes) {
        if (r.attempts() >= settings.create().maxAttempts() && !"disabled".equals(cause) && !"limit".equals(cause)) {
            dead(r, CallState.CREATING, reason + " (gave up after " + r.attempts() + " attempts)", null, outcomes);
            return "dead";
        }
        Instant next = Backoff.next(r.attempts(), settings.create().backoffBase(), settings.create().backoffMax(),
                retryAfter);
        ledger.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.CHECKED,
                reason + "; next attempt at " + next, Ledger.fields("next_attempt_at", next, "claimed_by", null));
        return "retry";
    }

    /** Each call's outcome in a send, and the dead letter of each call that died in it (the route sends them). */
    static final class Outcomes {
        private final Map<CallKey, String> outcome = new HashMap<>();
        private final Map<CallKey, DeadLetters.Letter> letters = new HashMap<>();

        void put(CallKey key, String what) {
            outcome.put(key, what);
        }

        String get(CallKey key, String otherwise) {
            return outcome.getOrDefault(key, otherwise);
        }

        DeadLetters.Letter letter(CallKey key) {
            return letters.get(key);
        }
    }

    /** DEAD in the ledger; its dead letter made for the route to send (routes/create-voicecalls.yaml). */
    private void dead(CallRow r, CallState from, String reason, DeadLetters.ApiError error, Outcomes outcomes) {
        String code = error == null ? "create-gave-up" : error.httpStatus() != null && error.httpStatus() == 200
                ? "eci-refused" : "create-http-" + error.httpStatus();
        if (ledger.transition(r.provider(), r.externalId(), from, CallState.DEAD, reason,
                Ledger.fields("claimed_by", null, "reason_code", code))) {
            outcomes.letters.put(CallKey.of(r), deadLetters.callLetter("create", r, reason, error));
            metrics.call("create", "dead", error != null && error.httpStatus() != null ? "http-" + error.httpStatus()
                    : "gave-up");
        }
    }

    DeadLetters.ApiError apiError(ApiResponse r) {
        try {
            JsonNode json = mapper.readTree(r.body());
            JsonNode first = json.isArray() && json.size() > 0 ? json.get(0) : json;
            return new DeadLetters.ApiError(r.status(), first.path("errorCode").asText(null),
                    first.path("message").asText(null));
        } catch (IOException | RuntimeException e) {
            return new DeadLetters.ApiError(r.status(), null, r.body());
        }
    }
}
