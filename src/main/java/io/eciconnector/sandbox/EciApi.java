package io.eciconnector.sandbox;

import io.eciconnector.recording.AudioProbe;
import io.eciconnector.salesforce.SalesforceIds;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** The Salesforce side of the sandbox: OAuth 2.0 token endpoint, ECI Connect API, sObject and query API. */
final class EciApi {

    private static final Logger LOG = Logger.getLogger(EciApi.class);
    static final String AUDIO_PART = "audioFileData";
    /** First API version with the ECI Connect API; the recording-URL variant of audio_upload needs 57.0. */
    static final int MIN_VERSION = 49;
    static final int RECORDING_URL_VERSION = 57;
    /** The request parameters of the recording URL variant, and the misspellings a request is checked for. */
    static final List<String> URL_PARAMS = List.of("recordingURL", "name", "recordingUrl", "namedCredential");
    static final List<String> JWT_AUDIENCES = List.of("https://login.salesforce.com", "https://test.salesforce.com");

    private final Sandbox sandbox;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final HttpClient fetcher = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    EciApi(Sandbox sandbox, ObjectMapper mapper, Vertx vertx) {
        this.sandbox = sandbox;
        this.mapper = mapper;
        this.vertx = vertx;
    }

    private SandboxState org() {
        return sandbox.state();
    }

    // ------------------------------------------------------------------ OAuth 2.0

    void oauth(SandboxExchange ex, String path) {
        if (path.equals("/services/oauth2/revoke")) {
            String token = ex.request().getParam("token");
            SandboxRoutes.drain(ex.request(), () -> {
                if (token != null) {
                    org().revokeToken(token);
                }
                ex.send(200, null, null);
            });
            return;
        }
        SandboxRoutes.readBody(ex, body -> token(ex, form(body.toString(StandardCharsets.UTF_8))));
    }

    private void token(SandboxExchange ex, Map<String, String> form) {
        SandboxConfig cfg = sandbox.config();
        String grant = form.getOrDefault("grant_type", "");
        switch (grant) {
            case "password" -> {
                if (!cfg.clientId().equals(form.get("client_id"))) {
                    oauthError(ex, "invalid_client_id", "client identifier invalid");
                    return;
                }
                if (!cfg.clientSecret().equals(form.get("client_secret"))) {
                    oauthError(ex, "invalid_client", "invalid client credentials");
                    return;
                }
                if (!cfg.integrationUsername().equals(form.get("username"))
                        || !cfg.password().equals(form.get("password"))) {
                    oauthError(ex, "invalid_grant", "authentication failure");
                    return;
                }
            }
            case "client_credentials" -> {
                if (!cfg.clientId().equals(form.get("client_id"))
                        || !cfg.clientSecret().equals(form.get("client_secret"))) {
                    oauthError(ex, "invalid_client", "invalid client credentials");
                    return;
                }
            }
            case "urn:ietf:params:oauth:grant-type:jwt-bearer" -> {
                String problem = jwtBearerProblem(form.get("assertion"), ex.baseUrl());
                if (problem != null) {
                    oauthError(ex, "invalid_grant", problem);
                    return;
                }
            }
            default -> {
                oauthError(ex, "unsupported_grant_type", "grant type not supported");
                return;
            }
        }
        String token = org().issueToken();
        String issuedAt = String.valueOf(System.currentTimeMillis());
        String id = ex.baseUrl() + "/id/" + cfg.orgId() + "/" + cfg.integrationUserId();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("access_token", token);
        answer.put("instance_url", ex.baseUrl());
        answer.put("id", id);
        answer.put("token_type", "Bearer");
        answer.put("issued_at", issuedAt);
        answer.put("signature", signature(id + issuedAt, cfg.clientSecret()));
        ex.json(200, answer);
    }

    /** Checks a JWT bearer assertion as Salesforce does: signature, iss = consumer key, sub = username, aud, exp. */
    private String jwtBearerProblem(String assertion, String ownUrl) {
        SandboxConfig cfg = sandbox.config();
        JsonNode claims;
        try {
            claims = Jwts.verify(assertion, sandbox.keys().oauthClientKey(), mapper);
        } catch (Jwts.InvalidJwt e) {
            return e.getMessage();
        }
        if (!cfg.clientId().equals(claims.path("iss").asText())) {
            return "invalid assertion: iss is not the connected app's consumer key";
        }
        if (!cfg.integrationUsername().equals(claims.path("sub").asText())) {
            return "user hasn't approved this consumer";
        }
        String aud = claims.path("aud").asText();
        if (!JWT_AUDIENCES.contains(aud) && !aud.equals(ownUrl) && !aud.startsWith(ownUrl)
                && !aud.startsWith("http://localhost") && !aud.startsWith("http://127.0.0.1")) {
            return "audience invalid";
        }
        Long exp = Jwts.seconds(claims, "exp");
        if (exp == null || exp * 1000 < System.currentTimeMillis()) {
            return "expired authorization code";
        }
        return null;
    }

    private static void oauthError(SandboxExchange ex, String error, String description) {
        ex.json(400, Map.of("error", error, "error_description", description));
    }

    private static String signature(String data, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> form(String body) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = SandboxRoutes.decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : SandboxRoutes.decode(pair.substring(eq + 1));
            values.put(k, v);
        }
        return values;
    }

    // ------------------------------------------------------------------ REST API

    void data(SandboxExchange ex, String path) {
        Matcher d = SandboxRoutes.DATA.matcher(path);
        if (ex.endpoint.equals("versions")) {
            SandboxRoutes.drain(ex.request(), () -> ex.json(200, versions()));
            return;
        }
        if (!d.matches()) {
            notFound(ex);
            return;
        }
        if (!authorized(ex)) {
            SandboxRoutes.drain(ex.request(), () -> ex.error(401, "INVALID_SESSION_ID", "Session expired or invalid"));
            return;
        }
        int version = Integer.parseInt(d.group(1));
        String rest = d.group(2) == null ? "" : d.group(2);
        switch (ex.endpoint) {
            case "eci.voicecalls" -> {
                if (version < MIN_VERSION) {
                    notFound(ex);
                } else {
                    SandboxRoutes.readBody(ex, body -> createVoiceCalls(ex, body, path));
                }
            }
            case "eci.audio_upload" -> {
                Matcher m = SandboxRoutes.UPLOAD.matcher(rest);
                m.matches();
                if (version < MIN_VERSION) {
                    notFound(ex);
                } else {
                    upload(ex, SandboxRoutes.decode(m.group(1)), version);
                }
            }
            case "eci.callcoaching" -> {
                Matcher m = SandboxRoutes.CALLCOACHING.matcher(rest);
                m.matches();
                SandboxRoutes.drain(ex.request(), () -> {
                    if (version < MIN_VERSION) {
                        notFound(ex);
                    } else {
                        callCoaching(ex, SandboxRoutes.decode(m.group(1)));
                    }
                });
            }
            case "query" -> SandboxRoutes.drain(ex.request(), () -> query(ex, version, rest));
            case "limits" -> SandboxRoutes.drain(ex.request(), () -> ex.json(200, Map.of("DailyApiRequests",
                    Map.of("Max", org().apiMax(), "Remaining", Math.max(0, org().apiMax() - org().apiUsed())))));
            case "sobject.create", "sobject.get", "sobject.update" -> {
                Matcher m = SandboxRoutes.SOBJECT.matcher(rest);
                m.matches();
                SandboxRoutes.readBody(ex, body -> sobject(ex, m.group(1), m.group(2), body, path));
            }
            default -> SandboxRoutes.drain(ex.request(), () -> notFound(ex));
        }
    }

    private boolean authorized(SandboxExchange ex) {
        String auth = ex.request().getHeader("Authorization");
        if (auth == null) {
            return false;
        }
        String token = auth.replaceFirst("^(Bearer|OAuth)\\s+", "");
        return org().tokenValid(token);
    }

    private static void notFound(SandboxExchange ex) {
        ex.error(404, "NOT_FOUND", "The requested resource does not exist");
    }

    private List<Map<String, String>> versions() {
        List<Map<String, String>> list = new ArrayList<>();
        for (int v = MIN_VERSION; v <= 65; v++) {
            list.add(Map.of("label", "v" + v, "url", "/services/data/v" + v + ".0", "version", v + ".0"));
        }
        return list;
    }

    // POST voicecalls ---------------------------------------------------

    private void createVoiceCalls(SandboxExchange ex, Buffer body, String path) {
        if (!org().permissionSet()) {
            ex.error(400, "INSUFFICIENT_ACCESS",
                    "User does not have the right Conversation Insights Integration User permission set");
            return;
        }
        JsonNode root;
        try {
            root = mapper.readTree(body.getBytes());
        } catch (IOException e) {
            ex.error(400, "JSON_PARSER_ERROR", "Bad JSON format: " + firstLine(e.getMessage()));
            return;
        }
        if (root == null || !root.isObject() || !root.path("calls").isArray()) {
            ex.error(400, "INVALID_INPUT", "Bad JSON format: the body must be an object with an array under \"calls\"");
            return;
        }
        JsonNode calls = root.get("calls");
        if (calls.size() > EciRules.MAX_CALLS_PER_REQUEST) {
            ex.error(400, "LIMIT_EXCEEDED", "At most " + EciRules.MAX_CALLS_PER_REQUEST
                    + " calls can be created in one request; got " + calls.size());
            return;
        }
        String connectBase = ex.baseUrl() + path.substring(0, path.length() - "/voicecalls".length());
        List<Map<String, Object>> results = new ArrayList<>();
        for (JsonNode call : calls) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("externalId", call.path("externalId").isMissingNode() ? null : call.path("externalId").asText(null));
            String error = EciRules.validate(call, org());
            if (error == null) {
                ObjectNode fields = ((ObjectNode) call).deepCopy();
                EciRules.userOf(call, org()).ifPresent(u -> fields.put("ownerId", u.id));
                SandboxState.VoiceCall created = org().createVoiceCall(call.get("externalId").asText(), fields);
                r.put("voiceCallId", created.id);
                r.put("uploadUrl", connectBase + "/voicecalls/" + created.id + "/audio_upload");
                r.put("isSuccess", true);
                r.put("errorMsg", null);
            } else {
                r.put("voiceCallId", null);
                r.put("uploadUrl", null);
                r.put("isSuccess", false);
                r.put("errorMsg", error);
            }
            results.add(r);
        }
        ex.json(200, Map.of("results", results));
    }

    // GET callcoaching/{id} ---------------------------------------------

    private void callCoaching(SandboxExchange ex, String providerId) {
        if (!org().permissionSet()) {
            ex.error(400, "INSUFFICIENT_ACCESS",
                    "User does not have the right Conversation Insights Integration User permission set");
            return;
        }
        if (org().provider(providerId).isEmpty()) {
            ex.error(404, "NOT_FOUND", "No CallCoachingMediaProvider with id " + providerId);
            return;
        }
        boolean enabled = org().providerEnabled(providerId);
        List<Map<String, String>> users = new ArrayList<>();
        if (enabled) {
            for (SandboxState.User u : org().users()) {
                if (u.active && u.callCoaching) {
                    users.add(Map.of("userId", u.id, "userEmail", u.email));
                }
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("enabled", enabled);
        answer.put("users", users);
        ex.json(200, answer);
    }

    // POST voicecalls/{id}/audio_upload -----------------------------------

    /** Why a recording for this voice call is refused before reading it, or null. */
    private String uploadRefusal(Optional<SandboxState.VoiceCall> call, String id) {
        if (!org().permissionSet()) {
            return "INSUFFICIENT_ACCESS:User does not have the right Conversation Insights Integration User permission set";
        }
        if (call.isEmpty()) {
            return "INVALID_ID:Invalid VoiceCallId: " + id;
        }
        JsonNode fields = call.get().fields;
        if (!org().providerEnabled(fields.path("mediaProviderId").asText())) {
            return "INVALID_OPERATION:Recording provider is disabled for Einstein Conversation Insights";
        }
        Optional<SandboxState.User> user = org().user(fields.path("ownerId").asText(null));
        if (user.isEmpty() || !user.get().active || !user.get().callCoaching) {
            return "INVALID_OPERATION:The call's user is not an active CallCoaching user";
        }
        return null;
    }

    private void upload(SandboxExchange ex, String id, int version) {
        HttpServerRequest req = ex.request();
        Optional<SandboxState.VoiceCall> call = org().voiceCall(id);
        String refusal = uploadRefusal(call, id);
        if (refusal != null) {
            int colon = refusal.indexOf(':');
            SandboxRoutes.drain(req, () -> ex.error(400, refusal.substring(0, colon), refusal.substring(colon + 1)));
            return;
        }
        SandboxState.Recording recording = call.get().recording;
        String contentType = String.valueOf(req.getHeader("Content-Type")).toLowerCase();
        // parameter names are case-sensitive: parsed here, not through the server's case-insensitive parameter map
        Map<String, String> query = form(req.query() == null ? "" : req.query());
        boolean params = URL_PARAMS.stream().anyMatch(query::containsKey);
        if (contentType.startsWith("application/x-www-form-urlencoded")) {
            // request parameters (Connect REST API: in the resource URL, Content-Type application/x-www-form-urlencoded)
            SandboxRoutes.readBody(ex, body -> urlParameters(ex, call.get(), version, query,
                    form(body.toString(StandardCharsets.UTF_8))));
            return;
        }
        if (params) {
            SandboxRoutes.drain(req, () -> ex.error(400, "INVALID_INPUT", "Use either a request body or request "
                    + "parameters, not both (request parameters go with Content-Type application/x-www-form-urlencoded)"));
            return;
        }
        if (!contentType.startsWith("multipart/form-data")) {
            SandboxRoutes.drain(req, () -> ex.error(400, "MISSING_ARGUMENT", "Missing audio file: send multipart/form-data"
                    + " with the file under \"" + AUDIO_PART + "\", or (API " + RECORDING_URL_VERSION + ".0 and later) the "
                    + "request parameters recordingURL and name; this resource reads no " + contentType + " body"));
            return;
        }
        long cap = sandbox.config().maxRecordingBytes();
        MessageDigest digest = sha256();
        long[] count = { 0 };
        boolean[] sawFile = { false };
        boolean[] tooLarge = { false };
        String[] fileInfo = new String[2];
        Buffer head = Buffer.buffer();
        req.setExpectMultipart(true);
        req.uploadHandler(part -> {
            if (!AUDIO_PART.equals(part.name())) {
                part.handler(b -> {
                });
                return;
            }
            sawFile[0] = true;
            fileInfo[0] = part.filename();
            fileInfo[1] = part.contentType();
            part.handler(chunk -> {
                count[0] += chunk.length();
                if (count[0] > cap) {
                    if (!tooLarge[0]) {
                        tooLarge[0] = true;
                        LOG.debugf("Recording for %s passed the %d byte cap; discarding the rest", id, cap);
                    }
                    if (count[0] > 2 * cap) {
                        // the sender keeps going far past the cap: stop reading
                        req.connection().close();
                    }
                    return;
                }
                digest.update(chunk.getBytes());
                if (head.length() < HEAD_BYTES) {
                    head.appendBuffer(chunk, 0, Math.min(chunk.length(), HEAD_BYTES - head.length()));
                }
            });
        });
        req.exceptionHandler(e -> LOG.debugf("Upload for %s failed: %s", id, e.getMessage()));
        req.endHandler(v -> {
            if (!sawFile[0]) {
                ex.error(400, "MISSING_ARGUMENT", "Missing audio file: no \"" + AUDIO_PART + "\" part in the request");
                return;
            }
            if (tooLarge[0]) {
                ex.error(400, "FILE_TOO_LARGE", "Voice recording files are limited to " + cap
                        + " bytes (64 MB); this one has " + count[0] + " bytes and is not processed");
                return;
            }
            recording.uploads.incrementAndGet();
            recording.bytes = count[0];
            recording.sha256 = HexFormat.of().formatHex(digest.digest());
            recording.seconds = seconds(head.getBytes(), count[0]);
            recording.fileName = fileInfo[0];
            recording.contentType = fileInfo[1];
            recording.source = "upload";
            recording.status = "RECEIVED";
            recording.error = null;
            ex.noContent();
        });
        req.resume();
    }

    /**
     * The request parameters of the v57.0+ variant (Voice Call Audio Upload: recordingURL, the signed link, and name,
     * the Named Credential), from the URL or a form body. Parameter names are case-sensitive: recordingUrl or
     * namedCredential are not these parameters, so such a request has no audio file.
     */
    private void urlParameters(SandboxExchange ex, SandboxState.VoiceCall call, int version, Map<String, String> query,
            Map<String, String> form) {
        String url = query.containsKey("recordingURL") ? query.get("recordingURL") : form.get("recordingURL");
        String name = query.containsKey("name") ? query.get("name") : form.get("name");
        List<String> others = new ArrayList<>();
        for (Map<String, String> m : List.of(query, form)) {
            m.keySet().stream().filter(n -> !n.equals("recordingURL") && !n.equals("name")).forEach(others::add);
        }
        if (url == null || url.isBlank()) {
            ex.error(400, "MISSING_ARGUMENT", "Missing audio file: neither an \"" + AUDIO_PART + "\" part nor the "
                    + "request parameter recordingURL" + (others.isEmpty() ? "" : " (got " + String.join(", ", others)
                            + "; the parameters are recordingURL and name)"));
            return;
        }
        recordingUrl(ex, call, url, name, version);
    }

    /** The v57.0+ variant: Salesforce downloads {Named Credential URL}{recordingURL} itself. */
    private void recordingUrl(SandboxExchange ex, SandboxState.VoiceCall call, String recordingUrl,
            String namedCredential, int version) {
        if (version < RECORDING_URL_VERSION) {
            ex.error(400, "MISSING_ARGUMENT", "Missing audio file: the request parameters recordingURL and name are "
                    + "available from API version " + RECORDING_URL_VERSION + ".0; this request is v" + version + ".0");
            return;
        }
        if (namedCredential == null || namedCredential.isBlank()) {
            ex.error(400, "MISSING_ARGUMENT", "The request parameter name (the Named Credential) is required with "
                    + "recordingURL");
            return;
        }
        String base = sandbox.config().namedCredentials().get(namedCredential);
        if (base == null) {
            ex.error(400, "INVALID_NAMED_CREDENTIAL", "No Named Credential named " + namedCredential);
            return;
        }
        SandboxState.Recording recording = call.recording;
        recording.uploads.incrementAndGet();
        recording.source = "url";
        recording.recordingUrl = recordingUrl;
        recording.namedCredential = namedCredential;
        recording.status = "FETCHING";
        recording.seconds = null;
        recording.error = null;
        String url = recordingUrl.startsWith("http") ? recordingUrl
                : base.replaceAll("/+$", "") + "/" + recordingUrl.replaceAll("^/+", "");
        vertx.executeBlocking(() -> {
            fetch(URI.create(url), recording);
            return null;
        }, false);
        ex.noContent();
    }

    /** Downloads a recording, counting and hashing it as it streams, never holding it whole. */
    private void fetch(URI uri, SandboxState.Recording recording) {
        long cap = sandbox.config().maxRecordingBytes();
        try {
            HttpResponse<InputStream> response = fetcher.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    recording.status = "FAILED";
                    recording.error = "GET " + uri.getPath() + " answered " + response.statusCode();
                    return;
                }
                MessageDigest digest = sha256();
                byte[] buf = new byte[64 * 1024];
                java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
                long total = 0;
                for (int n; (n = in.read(buf)) > 0;) {
                    if (head.size() < HEAD_BYTES) {
                        head.write(buf, 0, Math.min(n, HEAD_BYTES - head.size()));
                    }
                    total += n;
                    if (total > cap) {
                        recording.status = "FAILED";
                        recording.error = "recording exceeds " + cap + " bytes";
                        return;
                    }
                    digest.update(buf, 0, n);
                }
                recording.bytes = total;
                recording.sha256 = HexFormat.of().formatHex(digest.digest());
                recording.seconds = seconds(head.toByteArray(), total);
                recording.status = "RECEIVED";
            }
        } catch (IOException | RuntimeException e) {
            recording.status = "FAILED";
            recording.error = e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            recording.status = "FAILED";
            recording.error = "interrupted";
        }
    }

    // sObjects and SOQL -------------------------------------------------

    private void sobject(SandboxExchange ex, String type, String id, Buffer body, String path) {
        if (!type.equals("CallCoachingMediaProvider") && !type.equals("User") && !type.equals("VoiceCall")) {
            ex.error(404, "NOT_FOUND", "The requested resource does not exist: sObject type '" + type
                    + "' is not modelled by the sandbox");
            return;
        }
        switch (ex.endpoint) {
            case "sobject.get" -> {
                Optional<Map<String, Object>> record = Soql.records(type, org()).stream()
                        .filter(r -> SalesforceIds.to15(id).equals(SalesforceIds.to15((String) r.get("Id"))))
                        .findFirst();
                if (record.isEmpty()) {
                    ex.error(404, "NOT_FOUND", "The requested resource does not exist");
                } else {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("attributes", Soql.attributes(type, (String) record.get().get("Id")));
                    r.putAll(record.get());
                    ex.json(200, r);
                }
            }
            case "sobject.create" -> {
                if (!type.equals("CallCoachingMediaProvider")) {
                    ex.error(400, "INVALID_OPERATION", "The sandbox creates only CallCoachingMediaProvider records");
                    return;
                }
                JsonNode json = parseObject(ex, body);
                if (json == null) {
                    return;
                }
                String name = json.path("ProviderName").asText("");
                if (name.isBlank()) {
                    ex.json(400, List.of(Map.of("message", "Required fields are missing: [ProviderName]", "errorCode",
                            "REQUIRED_FIELD_MISSING", "fields", List.of("ProviderName"))));
                    return;
                }
                SandboxState.Provider p = org().createProvider(name, json.path("ProviderDescription").asText(null),
                        json.path("IsActive").asBoolean(false));
                ex.json(201, Map.of("id", p.id(), "success", true, "errors", List.of()));
            }
            default -> {
                if (!type.equals("CallCoachingMediaProvider")) {
                    ex.error(400, "INVALID_OPERATION", "The sandbox updates only CallCoachingMediaProvider records");
                    return;
                }
                JsonNode json = parseObject(ex, body);
                if (json == null) {
                    return;
                }
                if (org().provider(id).isEmpty()) {
                    ex.error(404, "NOT_FOUND", "The requested resource does not exist");
                    return;
                }
                if (json.has("IsActive")) {
                    org().setProviderActive(id, json.get("IsActive").asBoolean());
                    sandbox.publishConfigChange("PROVIDER");
                }
                ex.noContent();
            }
        }
    }

    private JsonNode parseObject(SandboxExchange ex, Buffer body) {
        try {
            JsonNode json = mapper.readTree(body.getBytes());
            if (json != null && json.isObject()) {
                return json;
            }
            ex.error(400, "JSON_PARSER_ERROR", "Expected a JSON object");
        } catch (IOException e) {
            ex.error(400, "JSON_PARSER_ERROR", firstLine(e.getMessage()));
        }
        return null;
    }

    /**
     * GET query?q=...: the first page of the answer; GET query/{locator}-{offset}: a later one. A page holds at most
     * eci.sandbox.query-page-size records; while more remain it says done=false and names the next page in
     * nextRecordsUrl, as Salesforce does (2,000 a page), so a client that reads one page only misses the rest.
     */
    private void query(SandboxExchange ex, int version, String rest) {
        Matcher more = SandboxRoutes.QUERY_MORE.matcher(rest);
        if (more.matches()) {
            String locator = more.group(1);
            int offset = Integer.parseInt(more.group(2));
            Optional<List<Map<String, Object>>> records = org().cursor(locator);
            if (records.isEmpty() || offset > records.get().size()) {
                ex.error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
                return;
            }
            page(ex, version, records.get(), offset, locator);
            return;
        }
        String q = ex.request().getParam("q");
        if (q == null || q.isBlank()) {
            ex.error(400, "MALFORMED_QUERY", "The q parameter is required");
            return;
        }
        try {
            List<Map<String, Object>> records = Soql.run(q, org());
            page(ex, version, records, 0, records.size() > pageSize() ? org().openCursor(records) : null);
        } catch (Soql.QueryException e) {
            ex.error(400, e.errorCode, e.getMessage());
        }
    }

    private int pageSize() {
        return Math.max(1, sandbox.config().queryPageSize());
    }

    private void page(SandboxExchange ex, int version, List<Map<String, Object>> records, int offset, String locator) {
        int end = Math.min(records.size(), offset + pageSize());
        boolean done = end >= records.size();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("totalSize", records.size());
        answer.put("done", done);
        if (!done) {
            answer.put("nextRecordsUrl", "/services/data/v" + version + ".0/query/" + locator + "-" + end);
        } else if (locator != null) {
            org().closeCursor(locator);
        }
        answer.put("records", records.subList(offset, end));
        ex.json(200, answer);
    }

    /** Bytes of a recording's start kept to tell its length (its header). */
    static final int HEAD_BYTES = 64 * 1024;

    /**
     * The length of a received recording in seconds, from its header and size, as the sandbox's own reading; kept
     * beside the call's recordingDuration (the reference states no rule linking the two, so none is enforced).
     */
    static Double seconds(byte[] head, long bytes) {
        AudioProbe.Audio audio = AudioProbe.probe(head);
        Double seconds = audio == null ? null : audio.seconds(bytes);
        return seconds == null ? null : Math.round(seconds * 1000) / 1000.0;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
