package io.eciconnector.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Starts the packaged application (target/quarkus-app/quarkus-run.jar) as operators run it, with the routes of
 * routes/ and the operator's application.properties, and checks it is healthy with every route started. Routes are
 * loaded at run time, so this is what catches a component or EIP missing from the classpath.
 */
class PackagedJarIT {

    static final Path ROOT = Path.of(System.getProperty("project.root", ".")).toAbsolutePath();
    static final Path JAR = ROOT.resolve("target/quarkus-app/quarkus-run.jar");
    static Process app;
    static Path workDir;
    static Path log;
    static int httpPort;
    static int managementPort;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "package the application first: " + JAR);
        workDir = Files.createTempDirectory("eci-smoke");
        log = workDir.resolve("app.log");
        httpPort = freePort();
        managementPort = freePort();
        Process gen = new ProcessBuilder(java(), "-jar", JAR.toString(), "generate-samples", "--out",
                workDir.resolve("data/inbox").toString(), "--count", "3").directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(workDir.resolve("generate.log").toFile()).start();
        assertEquals(0, gen.waitFor(), Files.readString(workDir.resolve("generate.log")));
        ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx256m", "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.management.port=" + managementPort, "-jar", JAR.toString()).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ECI_ROUTES_DIR", ROOT.resolve("routes").toString());
        pb.environment().put("ECI_CONFIG_FILE", ROOT.resolve("application.properties").toString());
        app = pb.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.destroy();
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly();
                fail("the application did not stop within 30 s of SIGTERM");
            }
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Route ids declared in routes/*.yaml. */
    static List<String> declaredRouteIds() throws IOException {
        List<String> ids = new ArrayList<>();
        Pattern id = Pattern.compile("(?m)^-\\s+route:\\s*\\n\\s+id:\\s*\"?([\\w.-]+)\"?");
        try (Stream<Path> files = Files.list(ROOT.resolve("routes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Matcher m = id.matcher(Files.readString(f));
                while (m.find()) {
                    ids.add(m.group(1));
                }
            }
        }
        return ids;
    }

    @Test
    void startsHealthyWithEveryRouteOfRoutesDirStartedAndTheSandboxAnswering() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String ready = null;
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                fail("the application exited with " + app.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = get(managementPort, "/observe/health/ready");
                if (r.statusCode() == 200) {
                    ready = r.body();
                    break;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        String output = Files.readString(log);
        assertTrue(ready != null && ready.contains("\"UP\""), "not ready in 90 s:\n" + output);
        List<String> ids = declaredRouteIds();
        assertTrue(!ids.isEmpty(), "routes/ declares no route");
        for (String id : ids) {
            assertTrue(output.contains("Started " + id + " "), "route " + id + " did not start:\n" + output);
        }
        assertTrue(output.contains("SANDBOX MODE"), "the sandbox must announce itself loudly");
        HttpResponse<String> voicecalls = get(httpPort, "/sandbox/voicecalls");
        assertEquals(200, voicecalls.statusCode());
        assertTrue(voicecalls.body().trim().startsWith("["), voicecalls.body());
        assertEquals(200, get(managementPort, "/observe/health/live").statusCode());
    }
}
