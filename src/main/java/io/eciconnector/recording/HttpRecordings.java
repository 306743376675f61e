package io.eciconnector.recording;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Recordings behind an HTTP(S) URL (Aircall's signed URLs, Dialpad, Twilio media, RingCentral content URIs). */
public class HttpRecordings implements RecordingBackend {

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10)).build();

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
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET();
        if (range != null) {
            b.header("Range", range);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
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
