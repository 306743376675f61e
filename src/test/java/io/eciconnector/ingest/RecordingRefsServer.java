package io.eciconnector.ingest;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A recording server for the reference tests, on a free loopback port: /ok/{name} serves target/refs-recordings/{name};
 * /down/... answers 503; /redirect/{name} answers 302 to the same server's /private/{name} under the name localhost
 * (loopback, not on the allow-list); /private/{name} serves like /ok/ (what a redirect must never reach); /hits?path=
 * answers how many requests a path got. Its URL prefixes /ok/, /down/, /redirect/ are the allow-list
 * (eci.recordings.url-allow), with a closed loopback port (refused connections), recordings.invalid (an unknown
 * host) and the host name localhost (listed by name, so its loopback address is refused).
 */
public class RecordingRefsServer implements QuarkusTestResourceLifecycleManager {

    public static final Path ROOT = Path.of("target/refs-recordings");
    private HttpServer server;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> start() {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            Files.createDirectories(ROOT);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            int port = server.getAddress().getPort();
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/hits")) {
                    String q = exchange.getRequestURI().getQuery().replaceFirst("^path=", "");
                    byte[] n = String.valueOf(hits.getOrDefault(q, new AtomicInteger()).get()).getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, n.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(n);
                    }
                    return;
                }
                hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
                if (path.startsWith("/down/")) {
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                    return;
                }
                if (path.startsWith("/redirect/")) {
                    exchange.getResponseHeaders().add("Location",
                            "http://localhost:" + port + "/private/" + path.substring("/redirect/".length()));
                    exchange.sendResponseHeaders(302, -1);
                    exchange.close();
                    return;
                }
                String name = path.replaceFirst("^/(ok|private)/", "");
                Path file = ROOT.resolve(name).normalize();
                if (name.equals(path) || !file.startsWith(ROOT) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                    return;
                }
                exchange.sendResponseHeaders(200, Files.size(file));
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
            });
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String origin = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("eci.recordings.url-allow", origin + "/ok/," + origin + "/down/," + origin + "/redirect/,"
                + "http://127.0.0.1:" + closed + "/,recordings.invalid,localhost",
                "test.refs-origin", origin, "test.refs-closed-port", String.valueOf(closed));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
