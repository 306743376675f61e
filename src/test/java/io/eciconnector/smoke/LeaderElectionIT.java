package io.eciconnector.smoke;

import static io.eciconnector.smoke.PackagedJarIT.await;
import static io.eciconnector.smoke.PackagedJarIT.countUploads;
import static io.eciconnector.smoke.PackagedJarIT.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.eciconnector.samples.SampleGenerator;

/**
 * Two replicas of the packaged connector on ONE drop folder, with one PostgreSQL ledger and one org (a sandbox in its
 * own JVM): the pollers run on one replica only (file-lock leader election), each call is created and uploaded once,
 * and when the leader is killed (SIGKILL) the other replica takes over and brings in the calls dropped since.
 */
class LeaderElectionIT {

    static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
    /** Takeover after a SIGKILL: the lock is free at once, the stand-by tries it every 2 s, then starts 4 pollers. */
    static final Duration TAKEOVER_BOUND = Duration.ofSeconds(15);

    static boolean postgresReachable() {
        try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
            return c.isValid(2);
        } catch (Exception e) {
            return false;
        }
    }

    static double leaderGauge(AppProcess app) throws Exception {
        for (String line : AppProcess.get(app.managementPort, "/observe/metrics").body().split("\n")) {
            if (line.startsWith("eci_cluster_leader{") && line.contains("group=\"pollers\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    /** Sample calls written elsewhere, renamed to {prefix}-NNNN, then moved into the inbox. */
    static void drop(Path inbox, Path staging, String prefix, int count, long seed) throws Exception {
        Files.createDirectories(staging);
        new SampleGenerator().generate(new SampleGenerator.Options(staging, count, false, seed, null, 1));
        try (Stream<Path> files = Files.list(staging)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString().replace("SAMPLE-", prefix + "-");
                if (name.endsWith(".json")) {
                    Files.writeString(f, Files.readString(f).replace("SAMPLE-", prefix + "-"));
                }
                Files.move(f, staging.resolve(name + ".tmp"));
            }
        }
        for (String suffix : new String[] {".wav.tmp", ".json.tmp"}) {
            // recordings first, so that no record waits for its recording
            try (Stream<Path> files = Files.list(staging)) {
                for (Path f : files.filter(p -> p.toString().endsWith(suffix)).toList()) {
                    Files.move(f, inbox.resolve(f.getFileName().toString().replace(".tmp", "")));
                }
            }
        }
    }

    @Test
    void onlyTheLeaderPollsAndTheOtherReplicaTakesOverWhenItIsKilled() throws Exception {
        assumeTrue(postgresReachable(), "PostgreSQL at 127.0.0.1:5432 not reachable");
        String schema = "eci_leader_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        Path shared = Files.createTempDirectory("eci-two-replicas");
        Path inbox = Files.createDirectories(shared.resolve("inbox"));
        try (AppProcess sandbox = AppProcess.sandboxOnly(shared.resolve("sandbox"))) {
            Map<String, String> env = new HashMap<>(sandbox.asOrgForConnector());
            env.put("ECI_LEDGER_URL", PG + "?currentSchema=" + schema);
            env.put("ECI_LEDGER_USERNAME", "postgres");
            env.put("ECI_INGEST_FOLDER_DIR", inbox.toString());
            env.put("ECI_INGEST_FOLDER_POLL_MS", "500");
            env.put("ECI_DEAD_LETTER_DIR", shared.resolve("dead-letters").toString());
            env.put("ECI_CLUSTER_FILE_ROOT", shared.resolve("cluster").toString());
            env.put("ECI_CLI_CONNECTOR_ENABLED", "true"); // opt-in: the test reads the CLI's status below
            Path homeA = shared.resolve("replica-a");
            // both replicas end with the test, passed or failed (a is killed on purpose on the way)
            try (AppProcess a = new AppProcess(homeA, "256m", env).start();
                    AppProcess b = new AppProcess(shared.resolve("replica-b"), "256m", env).start()) {
                await(Duration.ofSeconds(20), () -> leaderGauge(a) == 1.0, a::output);
                assertEquals(0.0, leaderGauge(b), "one leader: the replica started second stands by");

                drop(inbox, shared.resolve("staging-1"), "FIRST", 20, 11);
                await(Duration.ofSeconds(60), () -> countUploads(sandbox) == 20,
                        () -> sandbox.get("/sandbox/voicecalls").body() + a.output());
                assertFalse(b.output().contains("Consumer started: file:"), "the stand-by never polled the folder");
                // both replicas answer from the one ledger (and both may send: the ledger's claims split the work)
                assertEquals("UPLOADED", json(b, "/calls/FIRST-0001").path("state").asText());

                // the Camel JBang CLI's view of the leader (what `camel ps` / `camel get route` read)
                try (Stream<Path> status = Files.list(homeA.resolve(".camel"))) {
                    Path file = status.filter(p -> p.getFileName().toString().endsWith("-status.json")).findFirst()
                            .orElseThrow(() -> new AssertionError("no CLI status file under ~/.camel"));
                    JsonNode routes = PackagedJarIT.MAPPER.readTree(Files.readString(file)).path("routes");
                    Set<String> ids = new HashSet<>();
                    routes.forEach(r -> ids.add(r.path("routeId").asText()));
                    assertTrue(ids.contains("ingest-folder") && ids.contains("create-voicecalls"), ids.toString());
                }

                long killedAt = System.nanoTime();
                a.kill();
                drop(inbox, shared.resolve("staging-2"), "LATER", 10, 12);
                await(TAKEOVER_BOUND, () -> leaderGauge(b) == 1.0, b::output);
                Duration leader = Duration.ofNanos(System.nanoTime() - killedAt);
                await(TAKEOVER_BOUND, () -> b.output().contains("Consumer started: file:"), b::output);
                Duration polling = Duration.ofNanos(System.nanoTime() - killedAt);
                await(Duration.ofSeconds(60), () -> countUploads(sandbox) == 30,
                        () -> sandbox.get("/sandbox/voicecalls").body() + b.output());
                Duration uploaded = Duration.ofNanos(System.nanoTime() - killedAt);
                System.out.printf("Takeover after SIGKILL of the leader: leader in %d ms, folder polled in %d ms, "
                        + "10 calls dropped meanwhile uploaded in %d ms%n", leader.toMillis(), polling.toMillis(),
                        uploaded.toMillis());

                JsonNode calls = json(sandbox, "/sandbox/voicecalls");
                assertEquals(30, calls.size(), "each call created once");
                Set<String> keys = new HashSet<>();
                for (JsonNode v : calls) {
                    assertTrue(keys.add(v.path("vendorCallKey").asText()), "created twice: " + v);
                    assertEquals(1, v.path("recording").path("uploads").asInt(), "uploaded once: " + v);
                }
            }
        } finally {
            try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
                c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
