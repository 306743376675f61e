package io.eciconnector.recording;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * A recording URL's host is resolved once, by the allow-list, and the request goes to the addresses checked then: a
 * host whose DNS answer changes after the check (DNS rebinding: public first, then cloud metadata) is never reached
 * at the second answer.
 */
class HttpRecordingsTest {

    static final byte[] AUDIO = "RIFF....WAVEfmt not really audio".getBytes(StandardCharsets.US_ASCII);

    HttpServer server;
    int port;
    final List<String> acceptEncoding = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> cookies = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/rec.wav", exchange -> {
            acceptEncoding.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept-Encoding")));
            exchange.getResponseHeaders().add("Set-Cookie", "session=vendor-a; Path=/");
            cookies.add(String.valueOf(exchange.getRequestHeaders().getFirst("Cookie")));
            exchange.sendResponseHeaders(200, AUDIO.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(AUDIO);
            }
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void theRequestGoesToTheAddressCheckedAndTheHostIsNotResolvedAgain() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        // first answer: the test's server (allowed: private addresses are on for this list); any later answer: the
        // cloud metadata address, which no list allows
        UrlAllowList allow = new UrlAllowList(List.of("http://rebinding.example:" + port + "/"), true,
                host -> new InetAddress[] { lookups.getAndIncrement() == 0 ? InetAddress.getLoopbackAddress()
                        : InetAddress.getByName("169.254.169.254") });
        HttpRecordings http = new HttpRecordings(allow);
        try (InputStream in = http.open(URI.create("http://rebinding.example:" + port + "/rec.wav"))) {
            assertArrayEquals(AUDIO, in.readAllBytes(), "fetched from the address the check allowed");
        }
        assertEquals(1, lookups.get(), "the host was resolved once, by the check; the connection used that answer");
    }

    /** The recording's bytes as sent (no content coding asked for, so sizes match) and no cookie kept between URLs. */
    @Test
    void theRecordingIsAskedForAsItIsAndNoCookieIsCarriedOver() throws Exception {
        UrlAllowList allow = new UrlAllowList(List.of("http://127.0.0.1:" + port + "/"), false);
        HttpRecordings http = new HttpRecordings(allow);
        for (int i = 0; i < 2; i++) {
            try (InputStream in = http.open(URI.create("http://127.0.0.1:" + port + "/rec.wav"))) {
                assertArrayEquals(AUDIO, in.readAllBytes());
            }
        }
        assertEquals(List.of("null", "null"), acceptEncoding, "no Accept-Encoding");
        assertEquals(List.of("null", "null"), cookies, "the first answer's cookie is not sent with the second request");
    }

    @Test
    void aHostThatResolvesToTheMetadataAddressIsRefusedWithoutARequest() {
        UrlAllowList allow = new UrlAllowList(List.of("http://metadata.example:" + port + "/"), true,
                host -> new InetAddress[] { InetAddress.getByName("169.254.169.254") });
        RecordingRefused refused = assertThrows(RecordingRefused.class,
                () -> new HttpRecordings(allow).open(URI.create("http://metadata.example:" + port + "/rec.wav")));
        assertEquals("url-address", refused.rule());
    }
}
