package io.eciconnector.salesforce;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.internal.SalesforceSession;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Requests to the org's REST APIs. OAuth is camel-salesforce's: its session logs in (JWT bearer flow), caches the
 * token and gets a new one once when a request answers 401. Every request goes through Camel's HTTP endpoint
 * (routes/salesforce-request.yaml, {@link SalesforceRequest}): the flows' (creates, uploads) from their routes, the
 * reads that are no flow's step (call-coaching status, provider registration, /limits, SOQL queries) from here.
 */
@ApplicationScoped
public class SalesforceApi {

    /** A page of a SOQL query was refused (or the org's paging made no sense): the answer is in {@link #response}. */
    public static class QueryException extends IOException {
        private final transient ApiResponse response;

        public QueryException(String message, ApiResponse response) {
            super(message);
            this.response = response;
        }

        /** The refusing answer, or null when the pages themselves were wrong (a loop, no next page). */
        public ApiResponse response() {
            return response;
        }
    }

    /** Login failed (credentials refused, login endpoint unreachable): retryable, never a reason to drop a call. */
    public static class LoginException extends IOException {
        public LoginException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Inject
    CamelContext camel;

    @Inject
    SalesforceSettings settings;

    @Inject
    ApiUsage usage;

    @Inject
    ObjectMapper mapper;

    @Inject
    ProducerTemplate producer;

    /**
     * The component's session, once the component has started. Another thread may be starting it (the first use
     * starts it): its session exists before its HTTP client is started, and a login sent through a client not started
     * yet never ends (no timeout fires), holding the session's lock, so the connector never gets ready. While it is
     * starting, start() waits for that start (the starting thread holds the component's lock) and then does nothing; a
     * component stopped at shutdown is never started again here.
     */
    private SalesforceSession session() {
        SalesforceComponent component = camel.getComponent("salesforce", SalesforceComponent.class);
        if (component.isStarting()) {
            component.start();
        }
        return component.getSession();
    }

    /** The current access token, logging in first when there is none. */
    public String token() throws LoginException {
        SalesforceSession session = session();
        String token = session.getAccessToken();
        return token != null ? token : login(null);
    }

    /** A new token in place of one the org refused (401). */
    String newToken(String expired) throws LoginException {
        return login(expired);
    }

    private String login(String expired) throws LoginException {
        try {
            String token = session().login(expired);
            lastLoginOk = java.time.Instant.now();
            lastLoginError = null;
            return token;
        } catch (SalesforceException | RuntimeException e) {
            lastLoginFailure = java.time.Instant.now();
            lastLoginError = e.getMessage();
            throw new LoginException("Salesforce login failed: " + e.getMessage(), e);
        }
    }

    private volatile java.time.Instant lastLoginOk;
    private volatile java.time.Instant lastLoginFailure;
    private volatile String lastLoginError;

    /** Whether the last login worked (null: none tried yet). */
    public Boolean loginWorks() {
        if (lastLoginOk == null && lastLoginFailure == null) {
            return null;
        }
        return lastLoginFailure == null || (lastLoginOk != null && lastLoginOk.isAfter(lastLoginFailure));
    }

    public String lastLoginError() {
        return lastLoginError;
    }

    /** Logs in again now (the readiness check's retry after a failure). */
    public void relogin() throws LoginException {
        login(session().getAccessToken());
    }

    /** The instance URL of the logged-in session. */
    public String instanceUrl() throws LoginException {
        token();
        return session().getInstanceUrl();
    }

    /** {instance}/services/data/vNN.0: the "connect base URL" of the ECI API. */
    public String connectBase() throws LoginException {
        return instanceUrl() + "/services/data/v" + settings.apiVersion();
    }

    public ApiResponse get(String pathOrUrl) throws IOException, InterruptedException {
        return send("GET", pathOrUrl, null, null);
    }

    public ApiResponse postJson(String pathOrUrl, String json) throws IOException, InterruptedException {
        return send("POST", pathOrUrl, json, "application/json");
    }

    /**
     * Every record a SOQL query selects: the first page, then each {@code nextRecordsUrl} until {@code done} is true
     * (Salesforce answers up to 2,000 records a page). A refused page throws {@link QueryException}, so a caller
     * never acts on part of the answer as if it were all of it. A next page outside this org's query resource, one
     * asked for twice, or a page that is not done but names no next page is refused too: no answer makes this loop.
     */
    public List<JsonNode> queryAll(String soql) throws IOException, InterruptedException {
        String base = "/services/data/v" + settings.apiVersion() + "/query";
        String next = base + "?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8).replace("+", "%20");
        List<JsonNode> records = new ArrayList<>();
        Set<String> asked = new HashSet<>();
        while (true) {
            ApiResponse page = get(next);
            if (!page.ok()) {
                throw new QueryException("query refused" + (asked.isEmpty() ? "" : " at page " + (asked.size() + 1))
                        + ": " + page.describe(), page);
            }
            asked.add(next);
            JsonNode json = mapper.readTree(page.body());
            json.path("records").forEach(records::add);
            if (json.path("done").asBoolean(true)) {
                return records;
            }
            next = json.path("nextRecordsUrl").asText("");
            if (!next.matches("/services/data/v\\d+\\.\\d+/query(All)?/[^/?#]+")) {
                throw new QueryException("query answer not done, but its nextRecordsUrl '" + next
                        + "' is not a page of this org's query resource", null);
            }
            if (asked.contains(next)) {
                throw new QueryException("query paging loops: " + next + " was asked for already", null);
            }
        }
    }

    /**
     * One request of the org's REST API through routes/salesforce-request.yaml (camel-http, the session's token, a new
     * login and one more send after a 401), as the flows' requests go; its answer whatever its status. A failure
     * without an answer throws an IOException ({@link SalesforceRequest.NotSent} when nothing was sent).
     */
    ApiResponse send(String method, String pathOrUrl, String body, String contentType) throws IOException {
        Exchange done = producer.send(REQUEST, e -> {
            e.setProperty(SalesforceRequest.PATH, pathOrUrl);
            e.getMessage().setHeader(Exchange.HTTP_METHOD, method);
            if (contentType != null) {
                e.getMessage().setHeader("Content-Type", contentType);
            }
            e.getMessage().setBody(body);
        });
        Exception failure = done.getException();
        if (failure instanceof SalesforceRequest.NotSent && failure.getCause() instanceof LoginException login) {
            throw login; // the readers tell a failed login from other failures
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure != null) {
            throw new IOException(failure.getClass().getSimpleName() + ": " + failure.getMessage(), failure);
        }
        return done.getMessage().getBody(ApiResponse.class);
    }

    /**
     * The route the reads go through. A read that comes while the route is still starting (a source that polled first
     * at start) waits for it, as the flows' requests do (direct's block, at most 30 s), instead of failing.
     */
    static final String REQUEST = "direct:salesforce-request";

    /** A path of the org's instance ({@code /services/data/...}) as a URL; an absolute URL the org gave, as it is. */
    String url(String pathOrUrl) throws LoginException {
        return pathOrUrl.startsWith("http") ? pathOrUrl : instanceUrl() + pathOrUrl;
    }

    /** An answer of the org, its API usage (Sforce-Limit-Info) recorded. */
    ApiResponse answer(int status, String body, String retryAfter, String limitInfo) {
        ApiResponse answer = new ApiResponse(status, body == null ? "" : body, Optional.ofNullable(retryAfter),
                Optional.ofNullable(limitInfo));
        usage.record(limitInfo);
        return answer;
    }
}
