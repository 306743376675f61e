package io.eciconnector.send;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eciconnector.deadletter.DeadLetters;
import io.eciconnector.ingest.CallCoaching;
import io.eciconnector.ingest.IngestSettings;
import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.ops.FlowMetrics;
import io.eciconnector.salesforce.ApiBudget;
import io.eciconnector.salesforce.ApiResponse;
import io.eciconnector.salesforce.SalesforceApi;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Creates the VoiceCalls (POST voicecalls, up to 200 calls a request) for the calls the ledger holds as CHECKED, and
 * splits the per-call results: successes go on to the upload (CREATED), refusals to the dead-letter channel. Retries
 * are scheduled in the ledger, never by sleeping. A request whose outcome is unknown leaves its calls in RECONCILE:
 * they are looked up by VendorCallKey before anything is sent again, so no VoiceCall is created twice.
 */
@ApplicationScoped
@Named("voiceCallSender")
@RegisterForReflection
public class VoiceCallSender {

    private static final Logger LOG = Logger.getLogger(VoiceCallSender.class);
    static final int RECONCILE_CHUNK = 100;
    /** Calls have stopped coming in when none arrived for this long. */
    static final Duration QUIET = Duration.ofMillis(500);

    @Inject
    Ledger ledger;

    @Inject
    SalesforceApi api;

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

    /** Set when a claim came back empty (another replica was faster): ends this cycle's loop. */
    private volatile boolean idle;

    /**
     * Whether a create request is due: a full batch is ready; or the oldest ready call has waited max-wait and calls
     * have stopped coming in (none for the last half second), so a burst goes out in full batches; or the oldest has
     * waited three times max-wait, so a steady trickle still goes out.
     */
    public boolean due() {
        if (idle) {
            idle = false;
            return false;
        }
        CallCoaching.Status status = callCoaching.last();
        if (status == null || !status.enabled()) {
            return false;
        }
        ApiBudget.Mode mode = budget.mode();
        if (mode == ApiBudget.Mode.PAUSED) {
            return false;
        }
        Ledger.Ready ready = ledger.ready(CallState.CHECKED);
        if (ready.count() == 0) {
            return false;
        }
        if (ready.count() >= settings.create().batchSize()) {
            return true;
        }
        Instant now = Instant.now();
        Duration waited = Duration.between(ready.oldest(), now);
        boolean quiet = Duration.between(ready.newest(), now).compareTo(QUIET) >= 0;
        Duration maxWait = settings.create().maxWait();
        if (mode == ApiBudget.Mode.SLOW) {
            // the org's allocation is running low: full batches only, or a partial one after 10 x max-wait
            return waited.compareTo(maxWait.multipliedBy(10)) >= 0;
        }
        return waited.compareTo(maxWait) >= 0 && (quiet || waited.compareTo(maxWait.multipliedBy(3)) >= 0);
    }

    /** Claims the next batch: up to batch-size CHECKED calls, oldest first. */
    public List<CallRow> claimBatch() {
        List<CallRow> batch = ledger.claim(CallState.CHECKED, CallState.CREATING,
                Math.min(200, settings.create().batchSize()));
        idle = batch.isEmpty();
        return batch;
    }

    /** Sends one create request for the batch and records each call's outcome. Answers a summary. */
    public Map<String, Integer> createVoiceCalls(List<CallRow> batch) throws InterruptedException {
        Map<String, Integer> summary = new HashMap<>();
        if (batch.isEmpty()) {
            return summary;
        }
        ObjectNode body = mapper.createObjectNode();
        ArrayNode calls = body.putArray("calls");
        for (CallRow r : batch) {
            try {
                calls.add(mapper.readTree(r.payload()));
            } catch (IOException e) {
                throw new IllegalStateException("ledger payload of " + r.externalId() + " is not JSON", e);
            }
        }
        ApiResponse response;
        try {
            response = api.postJson(api.connectBase() + "/voicecalls", body.toString());
            metrics.requests("eci.voicecalls", batch.size());
        } catch (SalesforceApi.LoginException | ConnectException | HttpConnectTimeoutException e) {
            // nothing reached the API: safe to send again later
            retryAll(batch, "not sent: " + e.getMessage(), Optional.empty(), "connect");
            summary.put("retry", batch.size());
            return summary;
        } catch (IOException e) {
            // sent, no answer: the calls may exist now
            for (CallRow r : batch) {
                ledger.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.RECONCILE,
                        "create request outcome unknown (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                                + "); to be looked up before any resend",
                        Ledger.fields("claimed_by", null));
            }
            metrics.retry("create", "unknown-outcome");
            summary.put("reconcile", batch.size());
            return summary;
        }
        if (response.ok()) {
            return results(batch, response, summary);
        }
        if (isLimit(response)) {
            budget.limitExceeded();
            retryAll(batch, "the org's daily API allocation is used up (403 REQUEST_LIMIT_EXCEEDED)", Optional.empty(),
                    "limit");
            summary.put("retry", batch.size());
            return summary;
        }
        if (response.retryable() || response.status() == 401) {
            retryAll(batch, "create request refused: " + response.describe(), response.retryAfterDuration(),
                    String.valueOf(response.status()));
            summary.put("retry", batch.size());
            return summary;
        }
        // 400: the request itself is wrong (bad JSON, permission set missing, over 200 calls): not retried
        DeadLetters.ApiError error = apiError(response);
        for (CallRow r : batch) {
            dead(r, CallState.CREATING, "create request refused: " + response.describe(), error);
        }
        summary.put("dead", batch.size());
        return summary;
    }

    private Map<String, Integer> results(List<CallRow> batch, ApiResponse response, Map<String, Integer> summary) {
        Map<String, JsonNode> byExternalId = new HashMap<>();
        try {
            for (JsonNode r : resultArray(mapper.readTree(response.body()))) {
                byExternalId.putIfAbsent(r.path("externalId").asText(), r);
            }
        } catch (IOException e) {
            LOG.warnf("Unreadable create answer (%s): calls go to reconcile", e.getMessage());
        }
        boolean coachingChanged = false;
        // the successes, the bulk of an answer, are recorded in one transaction
        Ledger.Batch created = ledger.batch();
        List<CallRow> rest = new ArrayList<>();
        for (CallRow r : batch) {
            JsonNode result = byExternalId.get(r.externalId());
            if (result != null && result.path("isSuccess").asBoolean(false)
                    && !result.path("voiceCallId").asText("").isEmpty()) {
                created.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.CREATED,
                        "VoiceCall " + result.path("voiceCallId").asText() + " created",
                        Ledger.fields("voice_call_id", result.path("voiceCallId").asText(), "upload_url",
                                result.path("uploadUrl").asText(null), "attempts", 0, "claimed_by", null,
                                "next_attempt_at", null));
            } else {
                rest.add(r);
            }
        }
        for (boolean done : created.commit()) {
            if (done) {
                metrics.call("create", "created", "");
                summary.merge("created", 1, Integer::sum);
            }
        }
        for (CallRow r : rest) {
            JsonNode result = byExternalId.get(r.externalId());
            if (result == null) {
                ledger.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.RECONCILE,
                        "no result for this call in the create answer; to be looked up", Ledger.fields("claimed_by", null));
                summary.merge("reconcile", 1, Integer::sum);
            } else {
                String msg = result.path("errorMsg").asText("refused without errorMsg");
                String lower = msg.toLowerCase();
                if (lower.contains("disabled")) {
                    // the admin switched the provider off since the last status: wait, do not dead-letter
                    coachingChanged = true;
                    retry(r, "provider disabled: " + msg, Optional.empty(), "disabled");
                    summary.merge("retry", 1, Integer::sum);
                } else if (lower.contains("callcoaching user") || lower.contains("call-coaching user")) {
                    coachingChanged = true;
                    ledger.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.SKIPPED,
                            "ECI refused: " + msg, Ledger.fields("claimed_by", null, "reason_code", "user-not-coached"));
                    metrics.call("create", "skipped", "user-not-coached");
                    summary.merge("skipped", 1, Integer::sum);
                } else {
                    dead(r, CallState.CREATING, "ECI refused the call: " + msg, new DeadLetters.ApiError(200, null, msg));
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
     * Looks up the calls whose create outcome is unknown (and those a crashed replica left in CREATING) with
     * {@code SELECT Id, VendorCallKey FROM VoiceCall WHERE VendorCallKey IN (...)}: found ones are CREATED, the others
     * CHECKED again. Answers how many were settled.
     */
    public int reconcile() throws InterruptedException {
        ledger.recoverAbandoned(CallState.CREATING, CallState.RECONCILE,
                "create request abandoned (replica stopped mid-request); to be looked up");
        List<CallRow> pending = ledger.inState(CallState.RECONCILE, 1000);
        int settled = 0;
        for (int i = 0; i < pending.size(); i += RECONCILE_CHUNK) {
            List<CallRow> chunk = pending.subList(i, Math.min(pending.size(), i + RECONCILE_CHUNK));
            Map<String, String> found = new HashMap<>();
            try {
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
                } catch (SalesforceApi.QueryException e) {
                    LOG.warnf("Reconcile query refused (%s); trying again next cycle", e.getMessage());
                    return settled;
                } finally {
                    metrics.requests("query", 0);
                }
                for (JsonNode rec : records) {
                    found.putIfAbsent(rec.path("VendorCallKey").asText(), rec.path("Id").asText());
                }
                String base = api.connectBase();
                for (CallRow r : chunk) {
                    String id = found.get(r.externalId());
                    boolean moved = id != null
                            ? ledger.transition(r.provider(), r.externalId(), CallState.RECONCILE, CallState.CREATED,
                                    "reconciled: VoiceCall " + id + " exists",
                                    Ledger.fields("voice_call_id", id, "upload_url", base + "/voicecalls/" + id
                                            + "/audio_upload", "attempts", 0, "next_attempt_at", null))
                            : ledger.transition(r.provider(), r.externalId(), CallState.RECONCILE, CallState.CHECKED,
                                    "reconciled: no VoiceCall yet; to be sent again", Ledger.fields());
                    if (moved) {
                        settled++;
                    }
                }
            } catch (IOException e) {
                LOG.warnf("Reconcile failed (%s); trying again next cycle", e.getMessage());
                return settled;
            }
        }
        return settled;
    }

    private static boolean isLimit(ApiResponse r) {
        return r.status() == 403 && r.body() != null && r.body().contains("REQUEST_LIMIT_EXCEEDED");
    }

    private void retryAll(List<CallRow> batch, String reason, Optional<Duration> retryAfter, String cause) {
        metrics.retry("create", cause);
        for (CallRow r : batch) {
            retry(r, reason, retryAfter, cause);
        }
    }

    private void retry(CallRow r, String reason, Optional<Duration> retryAfter, String cause) {
        if (r.attempts() >= settings.create().maxAttempts() && !"disabled".equals(cause) && !"limit".equals(cause)) {
            dead(r, CallState.CREATING, reason + " (gave up after " + r.attempts() + " attempts)", null);
            return;
        }
        Instant next = Backoff.next(r.attempts(), settings.create().backoffBase(), settings.create().backoffMax(),
                retryAfter);
        ledger.transition(r.provider(), r.externalId(), CallState.CREATING, CallState.CHECKED,
                reason + "; next attempt at " + next, Ledger.fields("next_attempt_at", next, "claimed_by", null));
    }

    private void dead(CallRow r, CallState from, String reason, DeadLetters.ApiError error) {
        String code = error == null ? "create-gave-up" : error.httpStatus() != null && error.httpStatus() == 200
                ? "eci-refused" : "create-http-" + error.httpStatus();
        if (ledger.transition(r.provider(), r.externalId(), from, CallState.DEAD, reason,
                Ledger.fields("claimed_by", null, "reason_code", code))) {
            deadLetters.call("create", r, reason, error);
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
