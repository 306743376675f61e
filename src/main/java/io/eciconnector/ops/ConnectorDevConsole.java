package io.eciconnector.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import org.apache.camel.support.console.AbstractDevConsole;

import io.eciconnector.cluster.LeaderElection;
import io.eciconnector.ingest.Intake;
import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.HistoryEntry;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.salesforce.ApiBudget;
import io.eciconnector.salesforce.ApiUsage;

/**
 * The connector's own dev console, {@code eci} ({@code /q/camel/dev-console/eci}): the ledger by state, the dead
 * and skipped calls by reason with the latest ones, the org's API usage and budget mode, and who leads the pollers.
 * Options: {@code externalId=...} shows that call's ledger rows and history; {@code state=DEAD&limit=20} lists the
 * calls in a state; {@code action=replay&externalId=...} (POST) takes a DEAD or SKIPPED call in again through the
 * same checks and ledger (never sent twice), as {@code POST /calls/{externalId}/replay} does.
 */
@Singleton
public class ConnectorDevConsole extends AbstractDevConsole {

    @Inject
    Ledger ledger;

    @Inject
    Intake intake;

    @Inject
    ApiUsage usage;

    @Inject
    ApiBudget budget;

    @Inject
    LeaderElection leaderElection;

    public ConnectorDevConsole() {
        super("eci", "eci", "ECI connector", "Ledger by state, dead letters by reason, API budget, leadership; replay");
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        Map<String, Object> root = new LinkedHashMap<>();
        String action = (String) options.get("action");
        String externalId = (String) options.get("externalId");
        if (action != null) {
            root.put("action", act(action, externalId));
        }
        Map<String, Object> ledgerView = new LinkedHashMap<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        ledger.counts().forEach((s, n) -> counts.put(s.name(), n));
        ledgerView.put("counts", counts);
        Ledger.Ready checked = ledger.ready(CallState.CHECKED);
        ledgerView.put("readyToCreate", checked.count());
        ledgerView.put("oldestReadyToCreate", checked.oldest() == null ? null : checked.oldest().toString());
        root.put("ledger", ledgerView);
        root.put("deadLetters", failures(CallState.DEAD));
        root.put("skipped", failures(CallState.SKIPPED));
        root.put("duplicates", duplicates());
        Map<String, Object> api = new LinkedHashMap<>();
        api.put("used", usage.used());
        api.put("max", usage.max());
        api.put("share", usage.share());
        api.put("mode", budget.mode().name());
        api.put("requestsSent", usage.requestsSent());
        root.put("api", api);
        root.put("leadership", leaderElection.status());
        if (externalId != null && action == null) {
            root.put("call", describe(externalId));
        }
        String state = (String) options.get("state");
        if (state != null) {
            try {
                int limit = Integer.parseInt(String.valueOf(options.getOrDefault("limit", "20")));
                root.put("calls", ledger.inState(CallState.valueOf(state.toUpperCase()), Math.max(1, Math.min(limit, 1000)))
                        .stream().map(ConnectorDevConsole::view).toList());
            } catch (IllegalArgumentException e) {
                root.put("calls", List.of());
                root.put("error", "state is one of " + List.of(CallState.values()) + ", limit a number");
            }
        }
        root.put("operations", List.of("GET /calls/{externalId}", "GET /calls?state=DEAD", "GET /calls/failures?state=DEAD",
                "POST /calls/{externalId}/replay", "POST /calls/retry?userId=&from=&to=",
                "POST /q/camel/dev-console/eci?action=replay&externalId="));
        return root;
    }

    private Map<String, Object> act(String action, String externalId) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("action", action);
        if (!"replay".equals(action) || externalId == null) {
            out.put("error", "the only action is replay, with externalId");
            return out;
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (CallRow r : ledger.findByExternalId(externalId)) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("provider", r.provider());
            one.put("was", r.state().name());
            try {
                Optional<CallState> now = intake.retake(r, "replayed from the console");
                one.put("now", now.map(Enum::name).orElse(r.state().name() + " (only DEAD and SKIPPED calls are replayed)"));
            } catch (Exception e) {
                one.put("error", e.getMessage());
            }
            results.add(one);
        }
        out.put("externalId", externalId);
        out.put("results", results);
        return out;
    }

    private Map<String, Object> failures(CallState state) {
        Map<String, Integer> byReason = new TreeMap<>();
        List<CallRow> rows = ledger.where("state = ? ORDER BY updated_at DESC", state.name());
        for (CallRow r : rows) {
            byReason.merge(r.reasonCode() == null ? "unknown" : r.reasonCode(), 1, Integer::sum);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", rows.size());
        out.put("byReason", byReason);
        out.put("latest", rows.stream().limit(10).map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("externalId", r.externalId());
            m.put("reasonCode", r.reasonCode());
            m.put("reason", r.reason());
            m.put("at", r.updatedAt().toString());
            return m;
        }).toList());
        return out;
    }

    /** Calls the org holds more than one VoiceCall for (issue 10.1): counted and the latest listed, from the ledger. */
    private Map<String, Object> duplicates() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", ledger.duplicateCount());
        out.put("latest", ledger.duplicates(10).stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("externalId", d.externalId());
            m.put("provider", d.provider());
            m.put("state", d.state());
            m.put("voiceCallId", d.voiceCallId());
            m.put("duplicateVoiceCallIds", d.extraIds());
            m.put("at", d.at() == null ? null : d.at().toString());
            return m;
        }).toList());
        return out;
    }

    private List<Map<String, Object>> describe(String externalId) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CallRow r : ledger.findByExternalId(externalId)) {
            Map<String, Object> m = view(r);
            List<String> history = new ArrayList<>();
            for (HistoryEntry h : ledger.history(r.provider(), r.externalId())) {
                history.add(h.at() + " " + h.state() + (h.reason() == null ? "" : " " + h.reason()));
            }
            m.put("history", history);
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> view(CallRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", r.provider());
        m.put("externalId", r.externalId());
        m.put("state", r.state().name());
        m.put("reasonCode", r.reasonCode());
        m.put("reason", r.reason());
        m.put("voiceCallId", r.voiceCallId());
        m.put("attempts", r.attempts());
        m.put("updated", r.updatedAt().toString());
        return m;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected String doCallText(Map<String, Object> options) {
        Map<String, Object> j = doCallJson(options);
        StringBuilder sb = new StringBuilder();
        if (j.containsKey("action")) {
            sb.append("Action: ").append(j.get("action")).append("\n\n");
        }
        Map<String, Object> l = (Map<String, Object>) j.get("ledger");
        sb.append("Ledger:\n");
        ((Map<String, Long>) l.get("counts")).forEach((s, n) -> sb.append(String.format("    %-10s %d%n", s, n)));
        sb.append(String.format("    ready to create: %s (oldest %s)%n", l.get("readyToCreate"), l.get("oldestReadyToCreate")));
        for (String kind : List.of("deadLetters", "skipped")) {
            Map<String, Object> f = (Map<String, Object>) j.get(kind);
            sb.append(kind.equals("deadLetters") ? "Dead letters" : "Skipped").append(": ").append(f.get("total")).append('\n');
            ((Map<String, Integer>) f.get("byReason")).forEach((r, n) -> sb.append(String.format("    %-24s %d%n", r, n)));
        }
        Map<String, Object> dup = (Map<String, Object>) j.get("duplicates");
        sb.append("Duplicate VoiceCalls (a VendorCallKey the org holds more than once): ").append(dup.get("total")).append('\n');
        ((List<Map<String, Object>>) dup.get("latest")).forEach(d -> sb.append(String.format("    %s kept %s, duplicates %s%n",
                d.get("externalId"), d.get("voiceCallId"), d.get("duplicateVoiceCallIds"))));
        Map<String, Object> api = (Map<String, Object>) j.get("api");
        sb.append(String.format("API usage: %s/%s (%.1f %%), mode %s%n", api.get("used"), api.get("max"),
                100 * ((Number) api.get("share")).doubleValue(), api.get("mode")));
        Map<String, Object> lead = (Map<String, Object>) j.get("leadership");
        sb.append("Leadership (").append(lead.get("mode")).append(", member ").append(lead.get("member")).append("):\n");
        ((Map<String, Object>) lead.get("groups")).forEach((g, v) -> sb.append("    ").append(g).append(": ").append(v).append('\n'));
        if (j.containsKey("call")) {
            sb.append("Call: ").append(j.get("call")).append('\n');
        }
        if (j.containsKey("calls")) {
            ((List<Object>) j.get("calls")).forEach(c -> sb.append("    ").append(c).append('\n'));
        }
        return sb.toString();
    }
}
