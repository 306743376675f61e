package io.eciconnector.recording;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Recordings behind an HTTP(S) URL (Aircall's signed URLs, Dialpad, Twilio media, RingCentral content URIs), fetched
 * only when {@link UrlAllowList} allows the URL and the addresses it resolves to; redirects are followed by hand (at
 * most {@value #MAX_REDIRECTS}), each target checked the same way.
 */
public class HttpRecordings implements RecordingBackend {

    static final int MAX_REDIRECTS = 5;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final UrlAllowList allow;

    public HttpRecordings(UrlAllowList allow) {
        this.allow = allow;
    }

    @Override
    public boolean handles(URI uri) {
        return "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
    }

    @Override
    public Optional<RecordingInfo> stat(URI uri) throws IOException {
        HttpResponse<InputStream> r = get(uri, "bytes=0-" + (HEAD_BYTES - 1));
        try (InputStream in = r.body()) {
            if (r.statusCode() == 404 || r.statusCode() == 410) {
                return Optional.empty();
            }
            if (r.statusCode() != 200 && r.statusCode() != 206) {
                throw new IOException("GET recording answered " + r.statusCode());
            }
            long size = r.headers().firstValue("Content-Range").map(v -> v.replaceAll(".*/", ""))
                    .filter(v -> v.matches("\\d+")).map(Long::parseLong)
                    .orElse(r.statusCode() == 200 ? r.headers().firstValueAsLong("Content-Length").orElse(-1) : -1);
            return Optional.of(new RecordingInfo(uri, size, AudioProbe.probe(RecordingBackend.readHead(in))));
        }
    }

    @Override
    public InputStream open(URI uri) throws IOException {
        HttpResponse<InputStream> r = get(uri, null);
        if (r.statusCode() != 200) {
            r.body().close();
            throw new IOException("GET recording answered " + r.statusCode());
        }
        return r.body();
    }

    private HttpResponse<InputStream> get(URI uri, String range) throws IOException {
        URI at = uri;
        for (int hop = 0;; hop++) {
            try {
                allow.check(at);
            } catch (RecordingRefused e) {
                throw hop == 0 ? e : new RecordingRefused(e.rule(), UrlAllowList.safe(uri) + " redirected: " + e.getMessage());
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(at).timeout(Duration.ofMinutes(10)).GET();
            if (range != null) {
                b.header("Range", range);
            }
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            int status = r.statusCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return r;
            }
            r.body().close();
            String location = r.headers().firstValue("Location").orElse(null);
            if (location == null) {
                throw new IOException("GET recording answered " + status + " without a Location");
            }
            if (hop >= MAX_REDIRECTS) {
                throw new RecordingRefused("url-redirects", "more than " + MAX_REDIRECTS + " redirects from "
                        + UrlAllowList.safe(uri));
            }
            try {
                at = at.resolve(location.trim());
            } catch (IllegalArgumentException e) {
                throw new RecordingRefused("url-redirects", UrlAllowList.safe(at) + " redirects to an invalid URL");
            }
        }
    }

    @Override
    public Optional<URI> find(URI location, String base, String prefix) {
        return Optional.empty();
    }

    /** A vendor's URL is not ours to move: it stays where it is. */
    @Override
    public URI archive(URI uri, String area) {
        return uri;
    }
}
