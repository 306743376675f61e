package io.eciconnector.sandbox;

import io.eciconnector.salesforce.SalesforceIds;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.http.HttpMethod;

/** Inspection and control of the sandbox: /sandbox/... (see the README). */
final class SandboxControl {

    private final Sandbox sandbox;
    private final ObjectMapper mapper;

    SandboxControl(Sandbox sandbox, ObjectMapper mapper) {
        this.sandbox = sandbox;
        this.mapper = mapper;
    }

    private SandboxState org() {
        return sandbox.state();
    }

    void handle(SandboxExchange ex, String path) {
        HttpMethod method = ex.request().method();
        SandboxRoutes.readBody(ex, buffer -> {
            JsonNode body = null;
            if (buffer.length() > 0) {
                try {
                    body = mapper.readTree(buffer.getBytes());
                } catch (IOException e) {
                    ex.json(400, Map.of("error", "Bad JSON: " + EciApi.firstLine(e.getMessage())));
                    return;
                }
            }
            try {
                dispatch(ex, method, path.replaceAll("/+$", ""), body);
            } catch (IllegalArgumentException e) {
                ex.json(400, Map.of("error", e.getMessage()));
            }
        });
    }

    private void dispatch(SandboxExchange ex, HttpMethod method, String path, JsonNode body) {
        String route = method.name() + " " + path;
        switch (route) {
            case "GET /sandbox" -> ex.json(200, index());
            case "GET /sandbox/voicecalls" -> ex.json(200, voiceCalls());
            case "GET /sandbox/telephony" -> ex.json(200, telephony());
            case "POST /sandbox/telephony/calls" -> registerCalls(ex, body);
            case "GET /sandbox/requests" -> {
                Map<String, Long> counts = org().requestCounts();
                ex.json(200, Map.of("total", counts.values().stream().mapToLong(Long::longValue).sum(), "byEndpoint",
                        counts, "apiUsage", Map.of("used", org().apiUsed(), "max", org().apiMax())));
            }
            case "POST /sandbox/reset" -> {
                sandbox.reset();
                ex.json(200, Map.of("reset", true));
            }
            case "GET /sandbox/faults" -> ex.json(200, sandbox.faults().describe());
            case "DELETE /sandbox/faults" -> {
                sandbox.faults().clear();
                ex.json(200, sandbox.faults().describe());
            }
            case "POST /sandbox/faults" -> addFaults(ex, body);
            case "POST /sandbox/faults/release" -> ex.json(200, Map.of("released", sandbox.faults().release()));
            case "GET /sandbox/faults/held" -> ex.json(200, Map.of("held", sandbox.faults().heldCount(), "delayed",
                    sandbox.faults().delayedCount()));
            case "GET /sandbox/callcoaching" -> ex.json(200, callCoaching());
            case "POST /sandbox/callcoaching" -> {
                JsonNode b = require(body);
                setCallCoaching(b);
                // the org announces configuration changes with a platform event
                sandbox.publishConfigChange(b.has("users") ? "USER" : b.has("providers") ? "PROVIDER" : "FEATURE");
                ex.json(200, callCoaching());
            }
            case "GET /sandbox/users" -> ex.json(200, users());
            case "POST /sandbox/users" -> {
                upsertUsers(require(body));
                ex.json(200, users());
            }
            case "POST /sandbox/limits" -> {
                JsonNode b = require(body);
                org().setApiUsage(b.path("used").asLong(org().apiUsed()), b.path("max").asLong(org().apiMax()));
                ex.json(200, Map.of("used", org().apiUsed(), "max", org().apiMax()));
            }
            default -> ex.json(404, Map.of("error", "no such sandbox endpoint: " + route, "endpoints", index()));
        }
    }

    private static JsonNode require(JsonNode body) {
        if (body == null) {
            throw new IllegalArgumentException("a JSON body is required");
        }
        return body;
    }

    private static Map<String, String> index() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("GET /sandbox/voicecalls", "each created VoiceCall with its fields and its recording's byte count and SHA-256");
        m.put("GET /sandbox/telephony", "telephony events and messages received, per vendorCallKey, in arrival order");
        m.put("POST /sandbox/telephony/calls", "register vendorCallKeys known to the telephony side: {\"vendorCallKeys\":[...]}");
        m.put("GET /sandbox/requests", "count of API requests by endpoint, and the org's API usage");
        m.put("POST /sandbox/reset", "back to the configured org (records, calls, counters, faults cleared)");
        m.put("GET|POST|DELETE /sandbox/faults", "list, inject or clear faults");
        m.put("POST /sandbox/faults/release", "let the requests held by hold faults go on");
        m.put("GET /sandbox/faults/held", "how many requests hold faults keep (held) and delay faults keep back (delayed)");
        m.put("GET|POST /sandbox/callcoaching", "the org's ECI switches: {enabled, integrationPermissionSet, providers:{id:active}, users:{id:bool}}");
        m.put("GET|POST /sandbox/users", "the org's users (upsert by id)");
        m.put("POST /sandbox/limits", "set the API usage reported in Sforce-Limit-Info: {used, max}");
        return m;
    }

    private List<Map<String, Object>> voiceCalls() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SandboxState.VoiceCall c : org().voiceCalls()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id);
            m.put("vendorCallKey", c.vendorCallKey);
            m.put("created", c.created.toString());
            m.put("fields", c.fields);
            Map<String, Object> r = new LinkedHashMap<>();
            SandboxState.Recording rec = c.recording;
            r.put("status", rec.status);
            r.put("uploads", rec.uploads.get());
            r.put("bytes", rec.bytes);
            r.put("sha256", rec.sha256);
            r.put("seconds", rec.seconds);
            r.put("source", rec.source);
            r.put("fileName", rec.fileName);
            r.put("contentType", rec.contentType);
            r.put("recordingUrl", rec.recordingUrl);
            r.put("namedCredential", rec.namedCredential);
            r.put("error", rec.error);
            m.put("recording", r);
            out.add(m);
        }
        return out;
    }

    private Map<String, Object> telephony() {
        Map<String, Object> out = new LinkedHashMap<>();
        synchronized (org()) {
            org().telephonyCalls().forEach((key, call) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                List<Object> realtime = new ArrayList<>();
                List<Object> postCall = new ArrayList<>();
                List<Object> messages = new ArrayList<>();
                List<Object> rejected = new ArrayList<>();
                for (Map<String, Object> e : call.received) {
                    switch ((String) e.get("kind")) {
                        case "realtime" -> realtime.add(e);
                        case "postcall" -> postCall.add(e);
                        case "message" -> messages.add(e);
                        default -> rejected.add(e);
                    }
                }
                m.put("ended", call.ended);
                m.put("realtimeEvents", realtime);
                m.put("postCallEvents", postCall);
                m.put("messages", messages);
                m.put("rejected", rejected);
                out.put(key, m);
            });
        }
        return out;
    }

    private void registerCalls(SandboxExchange ex, JsonNode body) {
        JsonNode b = require(body);
        List<String> keys = new ArrayList<>();
        if (b.has("vendorCallKey")) {
            keys.add(b.get("vendorCallKey").asText());
        }
        b.path("vendorCallKeys").forEach(k -> keys.add(k.asText()));
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("vendorCallKey or vendorCallKeys is required");
        }
        for (String key : keys) {
            SandboxState.TelephonyCall call = org().registerTelephonyCall(key);
            if (b.has("ended")) {
                call.ended = b.get("ended").asBoolean();
            }
        }
        ex.json(200, Map.of("registered", keys));
    }

    private void addFaults(SandboxExchange ex, JsonNode body) {
        JsonNode b = require(body);
        List<JsonNode> specs = new ArrayList<>();
        if (b.isArray()) {
            b.forEach(specs::add);
        } else {
            specs.add(b);
        }
        for (JsonNode f : specs) {
            sandbox.faults().add(text(f, "endpoint"), text(f, "action"), integer(f, "status"),
                    integer(f, "retryAfter"), f.hasNonNull("delayMs") ? f.get("delayMs").asLong() : null,
                    text(f, "errorCode"), text(f, "message"), f.hasNonNull("rate") ? f.get("rate").asDouble() : null,
                    integer(f, "count"), f.hasNonNull("seed") ? f.get("seed").asLong() : null);
        }
        ex.json(201, sandbox.faults().describe());
    }

    private Map<String, Object> callCoaching() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", org().callCoachingEnabled());
        m.put("integrationPermissionSet", org().permissionSet());
        List<Map<String, Object>> providers = new ArrayList<>();
        for (SandboxState.Provider p : org().providers()) {
            providers.add(Map.of("id", p.id(), "providerName", p.name(), "active", p.active()));
        }
        m.put("providers", providers);
        m.put("callCoachingUsers", org().users().stream().filter(u -> u.active && u.callCoaching).map(u -> u.id).toList());
        return m;
    }

    private void setCallCoaching(JsonNode b) {
        if (b.has("enabled")) {
            org().setCallCoachingEnabled(b.get("enabled").asBoolean());
        }
        if (b.has("integrationPermissionSet")) {
            org().setPermissionSet(b.get("integrationPermissionSet").asBoolean());
        }
        b.path("providers").fields().forEachRemaining(e -> {
            if (org().setProviderActive(e.getKey(), e.getValue().asBoolean()).isEmpty()) {
                throw new IllegalArgumentException("no provider " + e.getKey());
            }
        });
        b.path("users").fields().forEachRemaining(e -> {
            SandboxState.User u = org().user(e.getKey())
                    .orElseThrow(() -> new IllegalArgumentException("no user " + e.getKey()));
            u.callCoaching = e.getValue().asBoolean();
        });
    }

    private List<Map<String, Object>> users() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SandboxState.User u : org().users()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", u.id);
            m.put("email", u.email);
            m.put("phone", u.phone);
            m.put("username", u.username);
            m.put("fields", u.fields);
            m.put("active", u.active);
            m.put("callCoaching", u.callCoaching);
            m.put("featurePermission", u.featurePermission);
            m.put("lastModified", u.lastModified);
            out.add(m);
        }
        return out;
    }

    private void upsertUsers(JsonNode b) {
        List<JsonNode> list = new ArrayList<>();
        if (b.isArray()) {
            b.forEach(list::add);
        } else {
            list.add(b);
        }
        for (JsonNode n : list) {
            String id = text(n, "id");
            if (!SalesforceIds.isId(id, "005")) {
                throw new IllegalArgumentException("user id must be a 15- or 18-character 005 id: " + id);
            }
            SandboxState.User u = org().upsertUser(id);
            if (n.has("email")) {
                u.email = text(n, "email");
            }
            if (n.has("phone")) {
                u.phone = text(n, "phone");
            }
            if (n.has("username")) {
                u.username = text(n, "username");
            }
            if (n.has("active")) {
                u.active = n.get("active").asBoolean();
            }
            if (n.has("callCoaching")) {
                u.callCoaching = n.get("callCoaching").asBoolean();
            }
            if (n.has("featurePermission")) {
                u.featurePermission = n.get("featurePermission").asBoolean();
            }
            if (n.has("lastModified")) {
                u.lastModified = text(n, "lastModified");
            }
            n.path("fields").fields().forEachRemaining(e -> u.fields.put(e.getKey(), e.getValue().asText()));
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Integer integer(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asInt() : null;
    }
}
