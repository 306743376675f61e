package io.eciconnector.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A plain HTTP file server standing for a recording store (an S3 bucket behind a Named Credential): serves
 * target/recordings/{name}. Registers it as the sandbox's Named Credentials "TestRecordings" (its /recordings-root)
 * and "TestRecordingsRoot" (the server's origin, also given as test.recordings-origin).
 */
public class RecordingServerResource implements QuarkusTestResourceLifecycleManager {

    public static final Path ROOT = Path.of("target/recordings");
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            Files.createDirectories(ROOT);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                Path file = ROOT.resolve(exchange.getRequestURI().getPath().replaceFirst("^/+", "")).normalize();
                if (!file.startsWith(ROOT) || !Files.isRegularFile(file)) {
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
        // TestRecordingsRoot: a Named Credential whose URL is the server itself (recordingURL = the URL's path)
        return Map.of("eci.sandbox.named-credentials.TestRecordings", origin + "/recordings-root",
                "eci.sandbox.named-credentials.TestRecordingsRoot", origin, "test.recordings-origin", origin);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
