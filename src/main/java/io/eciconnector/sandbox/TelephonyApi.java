package io.eciconnector.sandbox;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;

/** The Service Cloud Voice telephony API of the sandbox (/telephony/v1). */
final class TelephonyApi {

    static final String NO_CONVERSATION = "io.grpc.StatusRuntimeException: PERMISSION_DENIED: Conversation does not exist";
    static final String CLOSED = "the conversation is closed: post-call events were received for it (realtime events "
            + "and transcripts go before postConversationEvents, which is only for a closed conversation)";
    /** Epoch milliseconds below this are taken for seconds sent by mistake (before 2001-09-09 in millis). */
    static final long MILLIS_FLOOR = 1_000_000_000_000L;

    private final Sandbox sandbox;
    private final ObjectMapper mapper;

    TelephonyApi(Sandbox sandbox, ObjectMapper mapper) {
        this.sandbox = sandbox;
        this.mapper = mapper;
    }

    private SandboxState org() {
        return sandbox.state();
    }

    void handle(SandboxExchange ex, String path) {
        String authProblem = authProblem(ex.request().getHeader("Authorization"));
        if (authProblem != null) {
            SandboxRoutes.drain(ex.request(), () -> ex.json(401, Map.of("errorCode", "INVALID_AUTH", "message", authProblem)));
            return;
        }
        String provider = ex.request().getHeader("Telephony-Provider-Name");
        SandboxRoutes.readBody(ex, body -> {
            JsonNode json = parse(ex, body);
            if (json == null) {
                return;
            }
            if (ex.endpoint.equals("telephony.messages.bulk")) {
                bulk(ex, json, provider);
                return;
            }
            Matcher m = SandboxRoutes.TELEPHONY.matcher(path);
            m.matches();
            String key = SandboxRoutes.decode(m.group(1));
            Optional<SandboxState.TelephonyCall> call = org().telephonyCall(key);
            if (call.isEmpty()) {
                ex.json(400, Map.of("errorCode", "INVALID_VENDOR_CALL_KEY", "message", NO_CONVERSATION));
                return;
            }
            if (!ex.endpoint.equals("telephony.postcall") && closed(call.get())) {
                reject(call.get(), ex.endpoint.equals("telephony.realtime") ? "realtime" : "message", CLOSED);
                ex.json(400, Map.of("errorCode", "INVALID_INPUT", "message", CLOSED));
                return;
            }
            switch (ex.endpoint) {
                case "telephony.realtime" -> events(ex, call.get(), json, "realtime", TelephonyRules.realtime(json), provider);
                case "telephony.postcall" -> events(ex, call.get(), json, "postcall", TelephonyRules.postCall(json), provider);
                default -> single(ex, call.get(), json, provider);
            }
        });
    }

    /** Verifies the bearer JWT: RS256 signature with the CallCenter public key, iss, sub, exp (and lifetime), jti. */
    String authProblem(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return "Authorization: Bearer <JWT> is required";
        }
        JsonNode claims;
        try {
            claims = Jwts.verify(authorization.substring(7), sandbox.keys().telephonyKey(), mapper);
        } catch (Jwts.InvalidJwt e) {
            return e.getMessage();
        }
        SandboxConfig.Telephony cfg = sandbox.config().telephony();
        String iss = claims.path("iss").asText();
        String orgId = sandbox.config().orgId();
        if (!iss.equals(orgId) && !iss.equals(orgId.substring(0, 15))) {
            return "JWT iss must be the org id " + orgId;
        }
        if (!cfg.callCenterApiName().equals(claims.path("sub").asText())) {
            return "JWT sub must be the CallCenter API name";
        }
        Long exp = claims.has("exp") && claims.get("exp").isNumber() ? claims.get("exp").asLong() : null;
        long now = System.currentTimeMillis() / 1000;
        if (exp == null) {
            return "JWT exp is required (NumericDate)";
        }
        if (exp <= now) {
            return "JWT expired";
        }
        long iat = claims.has("iat") && claims.get("iat").isNumber() ? claims.get("iat").asLong() : now;
        if (exp - iat > cfg.maxTokenLifetime().toSeconds()) {
            return "JWT lifetime (exp - iat) exceeds " + cfg.maxTokenLifetime().toHours() + " hours";
        }
        if (claims.hasNonNull("jti") && !org().useJti(claims.get("jti").asText(), Instant.ofEpochSecond(exp))) {
            return "JWT jti was already used (replay)";
        }
        return null;
    }

    private JsonNode parse(SandboxExchange ex, Buffer body) {
        try {
            JsonNode json = mapper.readTree(body.getBytes());
            if (json != null && json.isObject()) {
                return json;
            }
        } catch (IOException e) {
            // answered below
        }
        ex.json(400, Map.of("errorCode", "JSON_PARSER_ERROR", "message", "Bad JSON format: expected a JSON object"));
        return null;
    }

    private void events(SandboxExchange ex, SandboxState.TelephonyCall call, JsonNode json, String kind, String error,
            String provider) {
        if (error != null) {
            reject(call, kind, error);
            ex.json(400, Map.of("errorCode", "INVALID_INPUT", "message", error));
            return;
        }
        synchronized (org()) {
            for (JsonNode event : json.get("events")) {
                Map<String, Object> entry = entry(kind, provider);
                entry.put("service", json.get("service").asText());
                if (json.has("persist")) {
                    entry.put("persist", json.get("persist").asBoolean());
                }
                entry.put("event", event);
                warnSeconds(entry, event.path("startTime").asLong());
                call.received.add(entry);
            }
            if (kind.equals("postcall")) {
                call.closed = true;
            }
        }
        ex.json(202, Map.of("result", "Accepted"));
    }

    private void single(SandboxExchange ex, SandboxState.TelephonyCall call, JsonNode message, String provider) {
        String error = storeMessages(call, List.of(message), provider);
        if (error != null) {
            ex.json(400, Map.of("errorCode", "INVALID_INPUT", "message", error));
            return;
        }
        ex.json(202, Map.of("result", "Accepted"));
    }

    private void bulk(SandboxExchange ex, JsonNode json, String provider) {
        String shape = TelephonyRules.bulkShape(json);
        if (shape != null) {
            ex.json(400, Map.of("errorCode", "INVALID_INPUT", "message", shape));
            return;
        }
        List<Map<String, Object>> statuses = new ArrayList<>();
        boolean allAccepted = true;
        for (JsonNode entry : json.get("entries")) {
            String key = entry.get("vendorCallKey").asText();
            List<JsonNode> messages = new ArrayList<>();
            entry.get("messages").forEach(messages::add);
            List<String> ids = messages.stream().map(m -> m.path("messageId").asText()).toList();
            Optional<SandboxState.TelephonyCall> call = org().telephonyCall(key);
            String error = call.isEmpty() ? NO_CONVERSATION
                    : closed(call.get()) ? rejectClosed(call.get()) : storeMessages(call.get(), messages, provider);
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("vendorCallKey", key);
            if (error == null) {
                status.put("status", 202);
                status.put("message", "Successfully Processed Transcripts with Id(s) " + ids);
            } else {
                allAccepted = false;
                status.put("status", 400);
                status.put("message", "Error Processing Transcript with Id(s) " + ids + ". Error: " + error);
            }
            statuses.add(status);
        }
        if (allAccepted) {
            ex.json(202, Map.of("result", "Accepted"));
        } else {
            ex.json(207, Map.of("result", "Multi-Status: A few messages were not processed", "errorResponse",
                    Map.of("errorResponseEntries", statuses)));
        }
    }

    /** Validates then stores the messages of one call, all or none; the error, or null when stored. */
    private String storeMessages(SandboxState.TelephonyCall call, List<JsonNode> messages, String provider) {
        boolean strict = sandbox.config().telephony().strictParticipantIds();
        synchronized (org()) {
            Set<String> seen = new HashSet<>();
            for (JsonNode message : messages) {
                String error = TelephonyRules.message(call.vendorCallKey, message, strict,
                        sandbox.config().telephony().maxContentChars());
                String id = message.path("messageId").asText();
                if (error == null && (call.messageIds.contains(id) || !seen.add(id))) {
                    error = "messageId " + id + " is not unique for this conversation";
                }
                if (error != null) {
                    reject(call, "message", error);
                    return error;
                }
            }
            for (JsonNode message : messages) {
                call.messageIds.add(message.path("messageId").asText());
                Map<String, Object> entry = entry("message", provider);
                String expected = TelephonyRules.expectedParticipantId(call.vendorCallKey,
                        message.path("senderType").asText());
                if (expected != null && !expected.equals(message.path("participantId").asText())) {
                    entry.put("participantIdRewrittenTo", expected);
                }
                entry.put("message", message);
                warnSeconds(entry, message.path("startTime").asLong());
                call.received.add(entry);
            }
        }
        return null;
    }

    private String rejectClosed(SandboxState.TelephonyCall call) {
        reject(call, "message", CLOSED);
        return CLOSED;
    }

    private boolean closed(SandboxState.TelephonyCall call) {
        return call.closed && sandbox.config().telephony().closeOnPostCall();
    }

    private void reject(SandboxState.TelephonyCall call, String kind, String error) {
        synchronized (org()) {
            Map<String, Object> entry = entry("rejected", null);
            entry.put("request", kind);
            entry.put("error", error);
            call.received.add(entry);
        }
    }

    private static Map<String, Object> entry(String kind, String provider) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("kind", kind);
        entry.put("receivedAt", System.currentTimeMillis());
        if (provider != null) {
            entry.put("telephonyProviderName", provider);
        }
        return entry;
    }

    private static void warnSeconds(Map<String, Object> entry, long startTime) {
        if (startTime > 0 && startTime < MILLIS_FLOOR) {
            entry.put("warning", "startTime " + startTime + " looks like epoch seconds; the API takes milliseconds");
        }
    }
}
