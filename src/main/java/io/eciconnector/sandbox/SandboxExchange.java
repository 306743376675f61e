package io.eciconnector.sandbox;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** One request to the sandbox: its endpoint name, the fault that applies to it, and how it is answered. */
final class SandboxExchange {

    final RoutingContext ctx;
    final String endpoint;
    final ObjectMapper mapper;
    final SandboxState state;
    /** Close the connection instead of answering (the request was applied: outcome unknown to the client). */
    boolean resetAfter;
    /** Answer this much later than the request was applied (an answer-late fault); 0: at once. */
    long answerDelayMs;
    /** Add Sforce-Limit-Info (the /services APIs). */
    boolean limitInfo;
    /** The body, when it was read before the request was handled (a delay fault holds a received request). */
    Buffer body;

    SandboxExchange(RoutingContext ctx, String endpoint, ObjectMapper mapper, SandboxState state) {
        this.ctx = ctx;
        this.endpoint = endpoint;
        this.mapper = mapper;
        this.state = state;
    }

    HttpServerRequest request() {
        return ctx.request();
    }

    /** The scheme://host:port the client called, for absolute URLs in answers. */
    String baseUrl() {
        HttpServerRequest req = ctx.request();
        String host = req.getHeader("X-Forwarded-Host");
        if (host == null) {
            host = req.authority() != null ? req.authority().toString() : req.host();
        }
        String proto = req.getHeader("X-Forwarded-Proto");
        return (proto != null ? proto : req.scheme()) + "://" + host;
    }

    void json(int status, Object body) {
        try {
            send(status, body == null ? null : Buffer.buffer(mapper.writeValueAsBytes(body)), "application/json;charset=UTF-8");
        } catch (JsonProcessingException e) {
            send(500, Buffer.buffer("[{\"errorCode\":\"UNKNOWN_EXCEPTION\",\"message\":\"serialization\"}]"),
                    "application/json");
        }
    }

    /** A Salesforce REST error: an array of {errorCode, message}. */
    void error(int status, String errorCode, String message) {
        json(status, List.of(Map.of("errorCode", errorCode, "message", message)));
    }

    void noContent() {
        send(204, null, null);
    }

    void send(int status, Buffer body, String contentType) {
        if (answerDelayMs > 0) {
            long delay = answerDelayMs;
            answerDelayMs = 0;
            // applied already; the answer goes out late, or not at all when the client has given up meanwhile
            ctx.vertx().setTimer(delay, id -> send(status, body, contentType));
            return;
        }
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (resetAfter) {
            request().connection().close();
            return;
        }
        response.setStatusCode(status);
        if (limitInfo) {
            response.putHeader("Sforce-Limit-Info", state.limitInfo());
        }
        if (body == null) {
            response.end();
        } else {
            response.putHeader("Content-Type", contentType);
            response.end(body);
        }
    }
}
