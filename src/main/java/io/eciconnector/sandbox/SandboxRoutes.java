package io.eciconnector.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves the sandbox on the application's HTTP port: /services (OAuth 2.0, ECI Connect API, sObject and query API),
 * /telephony/v1 (Service Cloud Voice telephony API) and /sandbox (inspection and control). Every request is named
 * (see {@link #endpointName}), counted, and may meet an injected fault first.
 */
@ApplicationScoped
public class SandboxRoutes {

    private static final Logger LOG = Logger.getLogger(SandboxRoutes.class);
    /** JSON bodies larger than this are refused (uploads stream and are capped separately). */
    static final int JSON_BODY_LIMIT = 32 * 1024 * 1024;
    static final Pattern DATA = Pattern.compile("/services/data/v(\\d+)\\.0(/.*)?");
    static final Pattern UPLOAD = Pattern.compile("/voicecalls/([^/]+)/audio_upload");
    static final Pattern CALLCOACHING = Pattern.compile("/callcoaching/([^/]+)");
    /** A later page of a query answer: query/{locator}-{offset}, as its nextRecordsUrl names it. */
    static final Pattern QUERY_MORE = Pattern.compile("/query/([A-Za-z0-9]+)-(\\d{1,9})");
    static final Pattern SOBJECT = Pattern.compile("/sobjects/([A-Za-z_]+)(?:/([^/]+))?");
    static final Pattern TELEPHONY = Pattern.compile("/telephony/v1/voiceCalls/([^/]+)/(realtimeConversationEvents|postConversationEvents|messages)");

    @Inject
    Sandbox sandbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    Vertx vertx;

    EciApi eci;
    TelephonyApi telephony;
    SandboxControl control;

    void register(@Observes Router router) {
        if (!sandbox.enabled()) {
            return;
        }
        eci = new EciApi(sandbox, mapper, vertx);
        telephony = new TelephonyApi(sandbox, mapper);
        control = new SandboxControl(sandbox, mapper);
        router.route("/services/*").order(-100).handler(this::handle);
        router.route("/cometd/*").order(-100).handler(this::handle);
        router.route("/telephony/v1/*").order(-100).handler(this::handle);
        router.route("/sandbox").order(-100).handler(this::handle);
        router.route("/sandbox/*").order(-100).handler(this::handle);
        LOG.info("Sandbox endpoints: /services/oauth2/token, /services/data/vNN.0/..., /telephony/v1/..., /sandbox/...");
    }

    /** The endpoint name a request is counted and faulted under, or null when the sandbox does not serve it. */
    static String endpointName(HttpMethod method, String path) {
        if (path.startsWith("/sandbox")) {
            return "sandbox";
        }
        if (path.equals("/services/oauth2/token") && method == HttpMethod.POST) {
            return "oauth.token";
        }
        if (path.equals("/services/oauth2/revoke")) {
            return "oauth.revoke";
        }
        if (path.equals("/services/data") || path.equals("/services/data/")) {
            return "versions";
        }
        if (path.matches("/cometd/\\d+\\.\\d+(/.*)?")) {
            return "streaming";
        }
        if (path.equals("/telephony/v1/voiceCalls/messages") && method == HttpMethod.POST) {
            return "telephony.messages.bulk";
        }
        Matcher t = TELEPHONY.matcher(path);
        if (t.matches() && method == HttpMethod.POST) {
            return switch (t.group(2)) {
                case "realtimeConversationEvents" -> "telephony.realtime";
                case "postConversationEvents" -> "telephony.postcall";
                default -> "telephony.messages";
            };
        }
        Matcher d = DATA.matcher(path);
        if (!d.matches()) {
            return null;
        }
        String rest = d.group(2) == null ? "" : d.group(2);
        if (rest.equals("/voicecalls") && method == HttpMethod.POST) {
            return "eci.voicecalls";
        }
        if (UPLOAD.matcher(rest).matches() && method == HttpMethod.POST) {
            return "eci.audio_upload";
        }
        if (CALLCOACHING.matcher(rest).matches() && method == HttpMethod.GET) {
            return "eci.callcoaching";
        }
        if ((rest.equals("/query") || QUERY_MORE.matcher(rest).matches()) && method == HttpMethod.GET) {
            return "query";
        }
        if (rest.equals("/limits") && method == HttpMethod.GET) {
            return "limits";
        }
        Matcher s = SOBJECT.matcher(rest);
        if (s.matches()) {
            if (s.group(2) == null && method == HttpMethod.POST) {
                return "sobject.create";
            }
            if (s.group(2) != null && method == HttpMethod.GET) {
                return "sobject.get";
            }
            if (s.group(2) != null && method == HttpMethod.PATCH) {
                return "sobject.update";
            }
        }
        return "unknown";
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        String path = ctx.normalizedPath();
        String name = endpointName(req.method(), path);
        SandboxExchange ex = new SandboxExchange(ctx, name, mapper, sandbox.state());
        if (name == null) {
            ctx.next();
            return;
        }
        if (name.equals("sandbox")) {
            control.handle(ex, path);
            return;
        }
        ex.limitInfo = path.startsWith("/services/data");
        sandbox.state().countRequest(name, ex.limitInfo);
        Optional<Faults.Fault> fault = sandbox.faults().match(name);
        if (fault.isEmpty()) {
            route(ex, path);
            return;
        }
        Faults.Fault f = fault.get();
        LOG.debugf("Sandbox fault %s on %s %s", f.action(), req.method(), path);
        switch (f.action()) {
            case RESET_BEFORE -> req.connection().close();
            case RESET_AFTER -> {
                ex.resetAfter = true;
                route(ex, path);
            }
            case ANSWER_LATE -> {
                ex.answerDelayMs = f.delayMs();
                route(ex, path);
            }
            case EXPIRE_TOKEN -> {
                sandbox.state().expireAllTokens();
                route(ex, path);
            }
            case DELAY -> {
                sandbox.faults().delayStarted();
                if (name.equals("eci.audio_upload")) {
                    // a recording is streamed, never buffered: hold the stream instead
                    req.pause();
                    vertx.setTimer(f.delayMs(), id -> {
                        sandbox.faults().delayEnded();
                        route(ex, path);
                        req.resume();
                    });
                } else {
                    // the request is received whole, then applied after the delay, whether the client waits or not
                    readBody(ex, body -> {
                        ex.body = body;
                        vertx.setTimer(f.delayMs(), id -> {
                            sandbox.faults().delayEnded();
                            route(ex, path);
                        });
                    });
                }
            }
            case HOLD -> {
                io.vertx.core.Context context = vertx.getOrCreateContext();
                if (name.equals("eci.audio_upload")) {
                    req.pause();
                    sandbox.faults().hold(() -> context.runOnContext(v -> {
                        route(ex, path);
                        req.resume();
                    }));
                } else {
                    readBody(ex, body -> {
                        ex.body = body;
                        sandbox.faults().hold(() -> context.runOnContext(v -> route(ex, path)));
                    });
                }
            }
            case STATUS -> drain(req, () -> {
                if (f.retryAfter() != null) {
                    ctx.response().putHeader("Retry-After", String.valueOf(f.retryAfter()));
                }
                String code = f.errorCode() != null ? f.errorCode() : defaultErrorCode(f.status());
                String message = f.message() != null ? f.message() : "Injected fault: HTTP " + f.status();
                ex.error(f.status(), code, message);
            });
        }
    }

    private static String defaultErrorCode(int status) {
        return switch (status) {
            case 401 -> "INVALID_SESSION_ID";
            case 403 -> "REQUEST_LIMIT_EXCEEDED";
            case 429 -> "TOO_MANY_REQUESTS";
            case 503 -> "SERVER_UNAVAILABLE";
            default -> "UNKNOWN_EXCEPTION";
        };
    }

    private void route(SandboxExchange ex, String path) {
        try {
            if (ex.endpoint.equals("streaming")) {
                sandbox.bayeux(mapper, vertx).handle(ex);
            } else if (path.startsWith("/services/oauth2")) {
                eci.oauth(ex, path);
            } else if (path.startsWith("/services/data")) {
                eci.data(ex, path);
            } else {
                telephony.handle(ex, path);
            }
        } catch (RuntimeException e) {
            LOG.error("Sandbox error on " + path, e);
            ex.error(500, "UNKNOWN_EXCEPTION", "Internal Server Error");
        }
    }

    /** Reads the whole body (JSON and form requests), refusing more than {@link #JSON_BODY_LIMIT} bytes. */
    static void readBody(SandboxExchange ex, java.util.function.Consumer<Buffer> then) {
        if (ex.body != null) {
            then.accept(ex.body);
            return;
        }
        HttpServerRequest req = ex.request();
        Buffer body = Buffer.buffer();
        boolean[] tooLarge = { false };
        req.handler(chunk -> {
            if (body.length() + chunk.length() > JSON_BODY_LIMIT) {
                tooLarge[0] = true;
            } else if (!tooLarge[0]) {
                body.appendBuffer(chunk);
            }
        });
        req.exceptionHandler(e -> LOG.debugf("Sandbox request failed: %s", e.getMessage()));
        req.endHandler(v -> {
            if (tooLarge[0]) {
                ex.error(413, "REQUEST_TOO_LARGE", "The request body exceeds " + JSON_BODY_LIMIT + " bytes");
            } else {
                then.accept(body);
            }
        });
        req.resume();
    }

    /** Discards the body, then runs {@code then}. */
    static void drain(HttpServerRequest req, Runnable then) {
        if (req.isEnded() || req.connection() == null) {
            then.run();
            return;
        }
        req.handler(b -> {
        });
        req.endHandler(v -> then.run());
        req.resume();
    }

    static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
