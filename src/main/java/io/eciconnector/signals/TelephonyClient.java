package io.eciconnector.signals;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import io.eciconnector.salesforce.ApiResponse;

/**
 * The three telephony API requests: {@code POST voiceCalls/{key}/realtimeConversationEvents},
 * {@code POST voiceCalls/{key}/postConversationEvents} and {@code POST voiceCalls/messages}, each with the bearer JWT,
 * {@code Content-Type: application/json} and {@code Telephony-Provider-Name}.
 */
public class TelephonyClient {

    /** An answer: status, body, Retry-After when given. */
    public record Answer(int status, String body, Optional<Duration> retryAfter) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final HttpClient http;
    private final String baseUrl;
    private final String providerName;
    private final TelephonyToken token;
    private final Duration timeout;

    public TelephonyClient(HttpClient http, String baseUrl, String providerName, TelephonyToken token,
            Duration timeout) {
        this.http = http;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.providerName = providerName;
        this.token = token;
        this.timeout = timeout;
    }

    public Answer realtime(String vendorCallKey, String body) throws IOException, InterruptedException {
        return post("/voiceCalls/" + encode(vendorCallKey) + "/realtimeConversationEvents", body);
    }

    public Answer postCall(String vendorCallKey, String body) throws IOException, InterruptedException {
        return post("/voiceCalls/" + encode(vendorCallKey) + "/postConversationEvents", body);
    }

    public Answer bulkMessages(String body) throws IOException, InterruptedException {
        return post("/voiceCalls/messages", body);
    }

    private Answer post(String path, String body) throws IOException, InterruptedException {
        Answer a = send(path, body);
        if (a.status() == 401) {
            token.invalidate(); // a rotated key or a token the org no longer takes: sign anew, once
            a = send(path, body);
        }
        return a;
    }

    private Answer send(String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Authorization", token.bearer()).header("Content-Type", "application/json")
                .header("Telephony-Provider-Name", providerName)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        ApiResponse parsed = new ApiResponse(r.statusCode(), r.body(), r.headers().firstValue("Retry-After"),
                Optional.empty());
        return new Answer(r.statusCode(), r.body(), parsed.retryAfterDuration());
    }

    static String encode(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
