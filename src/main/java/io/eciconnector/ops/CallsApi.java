package io.eciconnector.ops;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.Header;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.ingest.Intake;
import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.HistoryEntry;
import io.eciconnector.ledger.Ledger;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The ledger for operators (routes/operations-api.yaml): why was this call (not) processed, what failed and why,
 * and replaying dead or skipped calls through the same checks and ledger (never sent twice).
 */
@ApplicationScoped
@Named("callsApi")
@RegisterForReflection
public class CallsApi {

    @Inject
    Ledger ledger;

    @Inject
    Intake intake;

    @Inject
    ObjectMapper mapper;

    private String json(Exchange exchange, int status, Object body) throws JsonProcessingException {
        return JsonAnswer.of(exchange, mapper, status, body);
    }

    /** GET /calls/{externalId}: the ledger rows (one per provider) with their history. */
    public String describe(@Header("externalId") String externalId, Exchange exchange) throws JsonProcessingException {
        List<CallRow> rows = ledger.findByExternalId(externalId);
        if (rows.isEmpty()) {
            return json(exchange, 404, Map.of("externalId", externalId, "error", "the ledger has no call with this externalId"));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (CallRow r : rows) {
            Map<String, Object> m = view(r);
            List<Map<String, Object>> history = new ArrayList<>();
            for (HistoryEntry h : ledger.history(r.provider(), r.externalId())) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("at", h.at().toString());
                e.put("state", h.state().name());
                e.put("reason", h.reason());
                history.add(e);
            }
            m.put("history", history);
            out.add(m);
        }
        return json(exchange, 200, out.size() == 1 ? out.get(0) : Map.of("externalId", externalId, "calls", out));
    }

    /** GET /calls?state=DEAD&limit=100: calls in a state, with their reasons (the error-handling screen). */
    public String list(@Header("state") String state, @Header("limit") Integer limit, Exchange exchange)
            throws JsonProcessingException {
        CallState s;
        try {
            s = CallState.valueOf(state == null ? "DEAD" : state.toUpperCase());
        } catch (IllegalArgumentException e) {
            return json(exchange, 400, Map.of("error", "state must be one of " + List.of(CallState.values())));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("counts", ledger.counts());
        answer.put("calls", ledger.inState(s, limit == null ? 100 : Math.min(1000, limit)).stream().map(this::view).toList());
        return json(exchange, 200, answer);
    }

    /** POST /calls/{externalId}/replay: takes a DEAD or SKIPPED call in again. */
    public String replay(@Header("externalId") String externalId, Exchange exchange)
            throws IOException, InterruptedException {
        List<CallRow> rows = ledger.findByExternalId(externalId);
        if (rows.isEmpty()) {
            return json(exchange, 404, Map.of("externalId", externalId, "error", "the ledger has no call with this externalId"));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        boolean any = false;
        for (CallRow r : rows) {
            Optional<CallState> now = intake.retake(r, "replayed by an operator");
            any |= now.isPresent();
            out.add(Map.of("provider", r.provider(), "externalId", externalId, "was", r.state().name(), "now",
                    now.map(Enum::name).orElse(r.state().name() + " (not replayable: only DEAD and SKIPPED calls are)")));
        }
        return json(exchange, any ? 200 : 409, Map.of("externalId", externalId, "results", out));
    }

    /** GET /calls/failures?state=DEAD: counts by reason code, with one example reason each. */
    public String failures(@Header("state") String state, Exchange exchange) throws JsonProcessingException {
        CallState s;
        try {
            s = CallState.valueOf(state == null ? "DEAD" : state.toUpperCase());
        } catch (IllegalArgumentException e) {
            return json(exchange, 400, Map.of("error", "state must be one of " + List.of(CallState.values())));
        }
        Map<String, Map<String, Object>> byCode = new java.util.TreeMap<>();
        for (CallRow r : ledger.where("state = ? ORDER BY updated_at DESC", s.name())) {
            Map<String, Object> entry = byCode.computeIfAbsent(r.reasonCode() == null ? "unknown" : r.reasonCode(),
                    k -> new LinkedHashMap<>(Map.of("count", 0, "example", r.reason() == null ? "" : r.reason(),
                            "externalIds", new ArrayList<String>())));
            entry.put("count", (int) entry.get("count") + 1);
            @SuppressWarnings("unchecked")
            List<String> ids = (List<String>) entry.get("externalIds");
            if (ids.size() < 20) {
                ids.add(r.externalId());
            }
        }
        return json(exchange, 200, Map.of("state", s.name(), "reasons", byCode));
    }

    /**
     * POST /calls/retry?userId=005...&from=2026-11-01&to=2026-11-21: every DEAD or SKIPPED call of the user that
     * started in [from, to) is taken in again, whatever its age. Dates are ISO-8601 dates (UTC) or date-times.
     */
    public String retry(@Header("userId") String userId, @Header("from") String from, @Header("to") String to,
            Exchange exchange) throws IOException, InterruptedException {
        if (userId == null || from == null || to == null) {
            return json(exchange, 400, Map.of("error", "userId, from and to are required"));
        }
        java.time.Instant start;
        java.time.Instant end;
        try {
            start = instant(from);
            end = instant(to);
        } catch (java.time.format.DateTimeParseException e) {
            return json(exchange, 400, Map.of("error", "from and to are ISO-8601 dates or date-times: " + e.getMessage()));
        }
        Map<String, Integer> outcome = new java.util.TreeMap<>();
        String id15 = userId.length() >= 15 ? userId.substring(0, 15) : userId;
        for (CallRow r : ledger.where("state IN (?, ?) AND (user_id = ? OR user_id LIKE ?) AND call_start >= ? AND "
                + "call_start < ?", CallState.DEAD.name(), CallState.SKIPPED.name(), userId, id15 + "%", start, end)) {
            Optional<CallState> now = intake.retake(r, "retried for user " + userId + " from " + from + " to " + to);
            outcome.merge(now.map(Enum::name).orElse("unchanged"), 1, Integer::sum);
        }
        return json(exchange, 200, Map.of("userId", userId, "from", start.toString(), "to", end.toString(), "calls", outcome));
    }

    static java.time.Instant instant(String value) {
        return value.length() == 10 ? java.time.LocalDate.parse(value).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                : java.time.OffsetDateTime.parse(value).toInstant();
    }

    private Map<String, Object> view(CallRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", r.provider());
        m.put("externalId", r.externalId());
        m.put("state", r.state().name());
        m.put("reason", r.reason());
        m.put("reasonCode", r.reasonCode());
        m.put("voiceCallId", r.voiceCallId());
        m.put("userId", r.userId());
        m.put("callStart", r.callStart() == null ? null : r.callStart().toString());
        m.put("source", r.source());
        m.put("recording", r.recordingUri());
        m.put("recordingBytes", r.recordingBytes());
        m.put("attempts", r.attempts());
        m.put("nextAttemptAt", r.nextAttemptAt() == null ? null : r.nextAttemptAt().toString());
        m.put("firstSeen", r.createdAt().toString());
        m.put("updated", r.updatedAt().toString());
        return m;
    }

}
