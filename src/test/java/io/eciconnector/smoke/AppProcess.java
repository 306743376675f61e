package io.eciconnector.smoke;

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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** The packaged application (target/quarkus-app/quarkus-run.jar) run as operators run it, in its own JVM. */
final class AppProcess implements AutoCloseable {

    static final Path ROOT = Path.of(System.getProperty("project.root", ".")).toAbsolutePath();
    static final Path JAR = ROOT.resolve("target/quarkus-app/quarkus-run.jar");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final Path workDir;
    final Path log;
    final int httpPort;
    final int managementPort;
    private final List<String> command;
    private final Map<String, String> env;
    private Process process;

    AppProcess(Path workDir, String heap, Map<String, String> env, String... systemProperties) throws IOException {
        this.workDir = workDir;
        this.log = workDir.resolve("app.log");
        this.httpPort = freePort();
        this.managementPort = freePort();
        this.env = env;
        command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError", "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.management.port=" + managementPort,
                // several JVMs at once: Jolokia on a free port, the JBang CLI's status files under the work directory
                // (and its temporary files: nothing left in the machine's /tmp)
                "-Deci.jolokia.port=0", "-Duser.home=" + workDir, "-Djava.io.tmpdir=" + workDir));
        command.addAll(List.of(systemProperties));
        command.addAll(List.of("-jar", JAR.toString()));
    }

    /** A sandbox alone in its JVM (no routes): an org that outlives the connectors started against it. */
    static AppProcess sandboxOnly(Path workDir) throws Exception {
        Path noRoutes = Files.createDirectories(workDir.resolve("no-routes"));
        return new AppProcess(workDir, "256m", Map.of("ECI_ROUTES_DIR", noRoutes.toString())).start();
    }

    /** The environment of a connector that talks to this sandbox as to a real org (short lease and max-wait). */
    Map<String, String> asOrgForConnector() {
        // outside the sandbox the signal webhook needs its token (a file, as a mounted Secret)
        Path webhookToken = workDir.resolve("secrets/webhook-token");
        try {
            Files.createDirectories(webhookToken.getParent());
            Files.writeString(webhookToken, "smoke-webhook-token");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Map.of("ECI_SANDBOX_ENABLED", "false", "ECI_SALESFORCE_LOGIN_URL", "http://localhost:" + httpPort,
                "ECI_SALESFORCE_KEYSTORE_FILE", workDir.resolve("data/sandbox/oauth-client.p12").toString(),
                "ECI_SALESFORCE_KEYSTORE_PASSWORD", "sandbox-keystore", "ECI_LEDGER_LEASE", "2S",
                "ECI_CREATE_MAX_WAIT", "1S", "ECI_SIGNALS_HTTP_TOKEN_FILE", webhookToken.toString());
    }

    /**
     * The operations token this connector generated at its start (none is configured in these tests), for the
     * operations API; the sandbox's own endpoints ignore it.
     */
    String opsToken() throws IOException {
        Path token = workDir.resolve("data/ops/token");
        return Files.exists(token) ? Files.readString(token).trim() : "";
    }

    /** Starts the JVM and waits until it is ready; a start that fails or is not ready in time is killed. */
    AppProcess start() throws Exception {
        launch();
        try {
            await(READY_BOUND, () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("the application exited with " + process.exitValue() + ":\n" + output());
                }
                try {
                    return get(managementPort, "/observe/health/ready").statusCode() == 200;
                } catch (IOException notYet) {
                    return false;
                }
            }, () -> "not ready:\n" + output());
            return this;
        } catch (Throwable e) {
            kill();
            throw e;
        }
    }

    /** Starts the JVM without waiting for it. */
    AppProcess launch() throws IOException {
        Files.createDirectories(workDir);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("ECI_CONFIG_FILE", ROOT.resolve("application.properties").toString());
        pb.environment().putIfAbsent("ECI_ROUTES_DIR", ROOT.resolve("routes").toString());
        pb.environment().putAll(env);
        process = pb.start();
        return this;
    }

    /** How long a start may take on a loaded 2-core machine (an idle one: about 10 s). */
    static final Duration READY_BOUND = Duration.ofSeconds(120);

    /**
     * Waits for the condition, polling every 300 ms (a condition that throws fails at once); past the bound, fails
     * with the explanation.
     */
    static void await(Duration max, Callable<Boolean> condition, Callable<String> explain) throws Exception {
        try {
            Awaitility.await().atMost(max).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(300))
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not within " + max + ": " + explain.call());
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM without waiting for the end. */
    void signalTerm() {
        process.destroy();
    }

    /** Waits for the process to end by itself; answers its exit status (fails, killing it, past the bound). */
    int awaitExit(Duration max) throws Exception {
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError("still running after " + max + ":\n" + output());
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** A GET on the HTTP port with the operations token. */
    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Authorization", "Bearer " + opsToken()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A POST on the HTTP port with the operations token. */
    HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Authorization", "Bearer " + opsToken())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM, as Kubernetes stops a pod; answers the exit code (killed, and a failure, after 60 s). */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
            throw new AssertionError("not stopped within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no graceful anything. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM; a process still running 30 s later is killed, and that fails the test. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
                throw new AssertionError("the application did not stop within 30 s of SIGTERM");
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
