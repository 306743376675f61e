package io.eciconnector.salesforce;

import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import org.apache.hc.core5.http.HttpEntity;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The steps around one request that routes/salesforce-request.yaml sends through Camel's HTTP endpoint: {@link #open}
 * names the URL and signs the request with the session's token, {@link #answer} reads the answer (status, body,
 * Retry-After, Sforce-Limit-Info) and, on the first 401, gets a new token so that the route's loop sends once more.
 *
 * <p>What a calling route sets: the body (a String, or a {@link Body} made afresh for each send), the header
 * {@code Content-Type}, and the exchange property {@value #PATH}: a path of the org's instance
 * ({@code /services/data/...}) or an absolute URL the org gave.
 *
 * <p>Whether a failed request left this connector is told here, once for every caller: a failure before anything was
 * sent (no login, no connection) is thrown as {@link NotSent}; any other IOException means the request may have
 * reached the org (a timeout, a reset), which for a create or an upload is an unknown outcome.
 */
@ApplicationScoped
@Named("salesforceRequest")
@RegisterForReflection
public class SalesforceRequest {

    /** Exchange property: the path (or absolute URL) the request goes to. */
    public static final String PATH = "eciSalesforcePath";
    /** Exchange property: the answer, once there is one (the route loops while there is none). */
    public static final String ANSWER = "eciSalesforceAnswer";
    /**
     * Exchange property: the Camel component that sends the request: {@code http} (answers within
     * eci.salesforce.request-timeout) unless the caller names another (uploads: {@value SalesforceHttpComponent#UPLOADS}).
     */
    public static final String CLIENT = "eciSalesforceClient";
    /**
     * Exchange property: the name of the {@link Credential} bean that signs the request; none: the org's OAuth session
     * (camel-salesforce's token, the instance URL). The telephony API names its own (a JWT, its base URL).
     */
    public static final String CREDENTIAL = "eciSalesforceCredential";
    static final String BODY = "eciSalesforceBody";
    static final String TOKEN = "eciSalesforceToken";
    static final String SENT = "eciSalesforceSent";

    /** A body made afresh for each send (a stream cannot be sent twice): a second send after a 401 opens it again. */
    public interface Body {
        HttpEntity entity() throws IOException;

        String contentType();
    }

    /**
     * Who a request is sent as, and where: the OAuth session of the org's REST API by default; the Service Cloud Voice
     * telephony API signs with its own JWT at its own base URL.
     */
    public interface Credential {
        /** The Authorization header's value (signed or logged in when there is none); a failure: nothing was sent. */
        String authorization() throws IOException;

        /** The org answered 401 to {@code authorization}: the next {@link #authorization()} is a new one. */
        void refused(String authorization) throws IOException;

        /** The URL of a path (or an absolute URL, as it is). */
        String url(String path) throws IOException;

        /** Headers the API asks for beside the Authorization (none by default). */
        default java.util.Map<String, String> headers() {
            return java.util.Map.of();
        }
    }

    /** The request never left: no login, no connection, an unknown host. Safe to send again. */
    public static final class NotSent extends IOException {
        private static final long serialVersionUID = 1L;

        NotSent(Throwable cause) {
            super(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        }
    }

    @Inject
    SalesforceApi api;

    /** The org's OAuth session: camel-salesforce's token, a new login after a 401, the instance URL. */
    private final Credential session = new Credential() {
        @Override
        public String authorization() throws IOException {
            return "Bearer " + api.token();
        }

        @Override
        public void refused(String authorization) throws IOException {
            api.newToken(authorization.substring("Bearer ".length()));
        }

        @Override
        public String url(String path) throws IOException {
            return api.url(path);
        }
    };

    private final java.util.Map<String, Credential> credentials = new java.util.concurrent.ConcurrentHashMap<>();

    private Credential credential(Exchange exchange) {
        String name = exchange.getProperty(CREDENTIAL, String.class);
        if (name == null) {
            return session;
        }
        // looked up once a name (a registry lookup at each of a stream's requests costs CPU the flow needs)
        return credentials.computeIfAbsent(name, n -> {
            Credential c = exchange.getContext().getRegistry().lookupByNameAndType(n, Credential.class);
            if (c == null) {
                throw new IllegalArgumentException("no credential bean named " + n + " (exchange property " + CREDENTIAL + ")");
            }
            return c;
        });
    }

    /** For the route's doCatch of the failures that happen before a request leaves: thrown on as {@link NotSent}. */
    public void notSent(@org.apache.camel.ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception e) throws NotSent {
        throw new NotSent(e);
    }

    /**
     * Before a request: nothing of an earlier one on this exchange (its answer, kept body, token) is taken for this
     * one's. (Exact names, not a removeProperties pattern: Camel compiles a pattern's regex for each property it
     * checks, ~8 % of a telephony sender thread's CPU in SignalBench.)
     */
    public void begin(Exchange exchange) {
        exchange.removeProperty(ANSWER);
        end(exchange);
    }

    /** After a request, answered or not: the token and the kept body leave the exchange. */
    public void end(Exchange exchange) {
        exchange.removeProperty(BODY);
        exchange.removeProperty(TOKEN);
        exchange.removeProperty(SENT);
    }

    /**
     * Before each send: the URL (header CamelHttpUri), the bearer token (logging in first when there is none: a login
     * that fails throws {@link SalesforceApi.LoginException}, nothing was sent) and the body (kept for a second send).
     */
    public void open(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        Object kept = exchange.getProperty(BODY);
        if (kept == null) {
            Object body = in.getBody();
            kept = body instanceof Body ? body : in.getBody(String.class);
            exchange.setProperty(BODY, kept == null ? "" : kept);
        }
        if (exchange.getProperty(CLIENT) == null) {
            exchange.setProperty(CLIENT, "http");
        }
        Credential credential = credential(exchange);
        String authorization;
        try {
            authorization = credential.authorization();
        } catch (IOException | RuntimeException e) {
            throw new NotSent(e); // no login, no signed token: nothing was sent, whoever the credential is
        }
        String target = exchange.getProperty(PATH, String.class);
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("a Salesforce request needs the exchange property " + PATH);
        }
        String url = credential.url(target);
        exchange.setProperty(TOKEN, authorization);
        exchange.setProperty(Exchange.CHARSET_NAME, "UTF-8");
        in.setHeader(Exchange.HTTP_URI, url);
        HttpMethods method = method(in.getHeader(Exchange.HTTP_METHOD));
        in.setHeader(Exchange.HTTP_METHOD, method);
        in.setHeader("Authorization", authorization);
        in.setHeader("Accept", "application/json");
        credential.headers().forEach(in::setHeader);
        // a GET sends no body (an empty POST, e.g. an upload offered by URL parameters, stays an empty body)
        boolean get = method == HttpMethods.GET;
        in.setBody(kept instanceof Body b ? b.entity() : get && "".equals(kept) ? null : kept);
    }

    /**
     * The answer's body as text (UTF-8, as {@link #open} told camel-http): read here from the stream camel-http leaves,
     * not through Camel's type converters, whose cache misses for a stream cache's class and then tries every
     * converter (a twentieth of the memory the intake allocated in IngestBench).
     */
    static String text(Message in) throws IOException {
        Object raw = in.getBody();
        if (raw == null || raw instanceof String) {
            return (String) raw;
        }
        if (raw instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (raw instanceof java.io.InputStream stream) {
            try (stream) {
                return new String(stream.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return in.getBody(String.class);
    }

    /**
     * The request's method (POST when the caller named none) as camel-http reads it: set as its own type, it is not
     * converted from text at every request (a miss in Camel's type converter cache, which then tried every converter:
     * a tenth of the memory the signal flow allocated in SignalBench).
     */
    static HttpMethods method(Object named) {
        if (named instanceof HttpMethods m) {
            return m;
        }
        String name = named == null ? "POST" : named.toString().trim().toUpperCase(java.util.Locale.ROOT);
        try {
            return HttpMethods.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an HTTP method: " + name + " (header " + Exchange.HTTP_METHOD + ")");
        }
    }

    /**
     * After each send: the answer as an {@link ApiResponse} in the exchange property {@value #ANSWER} and the body,
     * the token taken off the message. A first 401 leaves no answer: a new token is got and the route sends again.
     */
    public void answer(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        int status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = text(in);
        String retryAfter = in.getHeader("Retry-After", String.class);
        // the org's API usage is the REST API's (Sforce-Limit-Info); the telephony API's requests are not counted in it
        ApiResponse answer = credential(exchange) == session
                ? api.answer(status, body, retryAfter, in.getHeader("Sforce-Limit-Info", String.class))
                : new ApiResponse(status, body == null ? "" : body, java.util.Optional.ofNullable(retryAfter),
                        java.util.Optional.empty());
        in.removeHeader("Authorization");
        boolean again = status == 401 && !exchange.getProperty(SENT, false, Boolean.class);
        exchange.setProperty(SENT, true);
        if (again) {
            credential(exchange).refused(exchange.getProperty(TOKEN, String.class));
            return;
        }
        exchange.removeProperty(BODY);
        exchange.removeProperty(TOKEN);
        exchange.removeProperty(SENT);
        exchange.setProperty(ANSWER, answer);
        in.setBody(answer);
    }
}
