package io.eciconnector.recording;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * Recordings behind an HTTP(S) URL (Aircall's signed URLs, Dialpad, Twilio media, RingCentral content URIs), fetched
 * only when {@link UrlAllowList} allows the URL and the addresses it resolves to; redirects are followed by hand (at
 * most {@value #MAX_REDIRECTS}), each target checked the same way.
 * <p>
 * The client is Jetty's (already here for camel-salesforce) because it takes the address resolver: the host is
 * resolved once, by the allow-list, and the connection goes to those checked addresses only. The JDK's client of
 * Java 17 resolves the host again itself, so a host whose DNS answer changed in between (DNS rebinding) could be
 * reached at an address nobody checked. TLS still verifies the host name (endpoint identification).
 */
public class HttpRecordings implements RecordingBackend {

    static final int MAX_REDIRECTS = 5;
    static final long CONNECT_TIMEOUT_MS = 10_000;
    static final long ANSWER_TIMEOUT_MINUTES = 10;
    static final long IDLE_TIMEOUT_MINUTES = 2;

    private final UrlAllowList allow;
    private volatile HttpClient http;

    public HttpRecordings(UrlAllowList allow) {
        this.allow = allow;
    }

    /** An answer: its status and headers, and its body as it streams in. */
    record Answer(int status, HttpFields headers, InputStream body) {
    }

    @Override
    public boolean handles(URI uri) {
        return "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
    }

    @Override
    public Optional<RecordingInfo> stat(URI uri) throws IOException {
        Answer r = get(uri, "bytes=0-" + (HEAD_BYTES - 1));
        try (InputStream in = r.body()) {
            if (r.status() == 404 || r.status() == 410) {
                return Optional.empty();
            }
            if (r.status() != 200 && r.status() != 206) {
                throw new IOException("GET recording answered " + r.status());
            }
            String range = r.headers().get("Content-Range");
            long size = range != null && range.replaceAll(".*/", "").matches("\\d+")
                    ? Long.parseLong(range.replaceAll(".*/", ""))
                    : r.status() == 200 ? r.headers().getLongField("Content-Length") : -1;
            return Optional.of(new RecordingInfo(uri, size, AudioProbe.probe(RecordingBackend.readHead(in))));
        }
    }

    @Override
    public InputStream open(URI uri) throws IOException {
        Answer r = get(uri, null);
        if (r.status() != 200) {
            r.body().close();
            throw new IOException("GET recording answered " + r.status());
        }
        return r.body();
    }

    private Answer get(URI uri, String range) throws IOException {
        URI at = uri;
        for (int hop = 0;; hop++) {
            Answer r;
            try {
                allow.allowed(at);
                r = send(at, range);
            } catch (RecordingRefused e) {
                throw hop == 0 ? e : new RecordingRefused(e.rule(), UrlAllowList.safe(uri) + " redirected: " + e.getMessage());
            }
            int status = r.status();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return r;
            }
            r.body().close();
            String location = r.headers().get("Location");
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

    /** One GET, answered once its headers are in; the body streams. */
    private Answer send(URI at, String range) throws IOException {
        // no bound on the whole exchange (a long recording streams as long as it is read); a silent peer ends it
        Request request = client().newRequest(at).method(HttpMethod.GET).idleTimeout(IDLE_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (range != null) {
            request.headers(h -> h.put("Range", range));
        }
        InputStreamResponseListener listener = new InputStreamResponseListener();
        request.send(listener);
        Response response;
        try {
            response = listener.get(ANSWER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            request.abort(e);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (TimeoutException e) {
            request.abort(e);
            throw new IOException("no answer from " + UrlAllowList.safe(at) + " within " + ANSWER_TIMEOUT_MINUTES
                    + " minutes", e);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
        return new Answer(response.getStatus(), response.getHeaders(), listener.getInputStream());
    }

    /** The request's failure as thrown here: a refusal of the allow-list as itself, else an IOException. */
    private static IOException failure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordingRefused refused) {
                return refused;
            }
        }
        if (cause instanceof IOException io) {
            return io;
        }
        return new IOException(cause == null ? "request failed" : cause.toString(), cause);
    }

    private HttpClient client() throws IOException {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                if (http == null) {
                    http = newClient();
                }
                c = http;
            }
        }
        return c;
    }

    private HttpClient newClient() throws IOException {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(new SslContextFactory.Client()); // verifies the host name (HTTPS identification)
        QueuedThreadPool threads = new QueuedThreadPool(16, 1);
        threads.setName("eci-recording-fetch");
        threads.setDaemon(true);
        connector.setExecutor(threads);
        connector.setScheduler(new ScheduledExecutorScheduler("eci-recording-fetch-scheduler", true));
        HttpClient c = new HttpClient(new HttpClientTransportOverHTTP(connector));
        c.setExecutor(threads);
        c.setFollowRedirects(false); // followed by hand, each target checked
        // no cookies carried from one vendor URL to the next; and (below) the recording's bytes as the server sends
        // them: no Accept-Encoding (a decoded body would not match its Content-Length or Content-Range)
        c.setHttpCookieStore(new org.eclipse.jetty.http.HttpCookieStore.Empty());
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setSocketAddressResolver((host, port, promise) -> {
            try {
                List<InetSocketAddress> to = new ArrayList<>();
                for (InetAddress a : allow.addresses(host)) {
                    to.add(new InetSocketAddress(a, port));
                }
                promise.succeeded(to);
            } catch (IOException | RuntimeException e) {
                promise.failed(e);
            }
        });
        try {
            c.start(); // (its start registers the gzip decoder: cleared after it)
        } catch (Exception e) {
            throw new IOException("HTTP client for recordings not started: " + e.getMessage(), e);
        }
        c.getContentDecoderFactories().clear();
        return c;
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
