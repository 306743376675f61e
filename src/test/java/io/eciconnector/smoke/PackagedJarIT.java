package io.eciconnector.smoke;

import static io.eciconnector.testing.Hashes.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.samples.SampleGenerator;
import io.eciconnector.samples.WavWriter;

/**
 * The packaged application, started as the README's main job starts it, with routes/ and the operator's
 * application.properties. Routes are loaded at run time, so this is what catches a component or EIP missing from
 * the classpath.
 */
class PackagedJarIT {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode json(AppProcess app, String path) throws Exception {
        return MAPPER.readTree(app.get(path).body());
    }

    static void await(Duration max, Callable<Boolean> condition, Callable<String> explain) throws Exception {
        AppProcess.await(max, condition, explain);
    }

    static Path done(Path workDir, String name) throws IOException {
        try (Stream<Path> all = Files.walk(workDir.resolve("data/done"))) {
            return all.filter(p -> p.getFileName().toString().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " not in the done area"));
        }
    }

    /** Route ids declared in routes/*.yaml, except the sources switched off by default. */
    static List<String> routeIdsLoadedByDefault() throws IOException {
        List<String> ids = new ArrayList<>();
        Pattern id = Pattern.compile("(?m)^-\\s+route:\\s*\\n\\s+id:\\s*\"?([\\w.-]+)\"?");
        try (Stream<Path> files = Files.list(AppProcess.ROOT.resolve("routes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                String name = f.getFileName().toString();
                if (io.eciconnector.config.RouteSelection.offByDefault().contains(name)) {
                    continue;
                }
                Matcher m = id.matcher(Files.readString(f));
                while (m.find()) {
                    ids.add(m.group(1));
                }
            }
        }
        return ids;
    }

    @Test
    void theMainJobBringsEverySampleCallInOnceAndExplainsTheOthers() throws Exception {
        Path work = Files.createTempDirectory("eci-main-job");
        try (AppProcess app = new AppProcess(work, "256m", Map.of(), "-Deci.samples.generate-on-start=true").start()) {
            String out = app.output();
            for (String id : routeIdsLoadedByDefault()) {
                if (!id.equals("callcoaching-events")) {
                    assertTrue(out.contains("Started " + id + " "), "route " + id + " did not start:\n" + out);
                }
            }
            assertTrue(out.contains("SANDBOX MODE"), "the sandbox announces itself");
            await(Duration.ofSeconds(60), () -> {
                JsonNode calls = json(app, "/sandbox/voicecalls");
                int received = 0;
                for (JsonNode v : calls) {
                    received += v.path("recording").path("status").asText().equals("RECEIVED") ? 1 : 0;
                }
                return received == 12;
            }, () -> app.get("/sandbox/voicecalls").body() + "\n" + app.output());
            JsonNode calls = json(app, "/sandbox/voicecalls");
            assertEquals(12, calls.size(), "each valid sample call once");
            assertTrue(app.output().contains("Started callcoaching-events "),
                    "the platform-event subscription starts once the org has answered");
            // both Salesforce components have started: camel-salesforce's warning about DTO packages, which this
            // connector does not use, is no concern of an operator's
            assertFalse(app.output().contains("Missing property packages"), app.output());
            for (JsonNode v : calls) {
                String key = v.path("vendorCallKey").asText();
                assertEquals(sha256(done(work, key + ".wav")), v.path("recording").path("sha256").asText(), key);
                assertEquals("UPLOADED", json(app, "/calls/" + key).path("state").asText());
            }
            for (String id : List.of("INVALID-START-AFTER-END", "INVALID-CALL-TYPE", "INVALID-USER-CHANNEL")) {
                JsonNode row = json(app, "/calls/" + id);
                assertEquals("DEAD", row.path("state").asText(), id);
                assertFalse(row.path("reason").asText().isBlank());
                try (Stream<Path> letters = Files.walk(work.resolve("data/dead-letters"))) {
                    assertTrue(letters.anyMatch(p -> p.getFileName().toString().startsWith(id + "-")), id + " dead letter");
                }
            }
            assertEquals("SKIPPED", json(app, "/calls/SKIP-TOO-SHORT").path("state").asText());
            JsonNode requests = json(app, "/sandbox/requests").path("byEndpoint");
            assertEquals(1, requests.path("eci.voicecalls").asInt(), "12 calls in one create request");
            assertEquals(12, requests.path("eci.audio_upload").asInt());
            String metrics = AppProcess.get(app.managementPort, "/observe/metrics").body();
            assertTrue(metrics.contains("eci_calls_total{flow=\"upload\",outcome=\"uploaded\""), "per-flow counters");
            // the ledger gauge is read at most every 10 s
            await(Duration.ofSeconds(15), () -> AppProcess.get(app.managementPort, "/observe/metrics").body()
                    .contains("eci_ledger_calls{state=\"UPLOADED\"} 12.0"), () -> "ledger gauge");
            assertTrue(metrics.contains("eci_cluster_leader{group=\"pollers\"} 1.0"), "leader gauge");
            // the ledger's commits, and the changes its group commit carried (12 calls: each taken in and moved on)
            java.util.regex.Matcher commits = java.util.regex.Pattern.compile("(?m)^eci_ledger_commits_total ([0-9.E]+)$")
                    .matcher(metrics);
            java.util.regex.Matcher works = java.util.regex.Pattern
                    .compile("(?m)^eci_ledger_grouped_works_total ([0-9.E]+)$").matcher(metrics);
            assertTrue(commits.find() && works.find(), "ledger commit counters");
            assertTrue(Double.parseDouble(commits.group(1)) > 0, "commits counted: " + commits.group(1));
            assertTrue(Double.parseDouble(works.group(1)) >= 12 * 3, "each call's insert and transitions go through the "
                    + "group commit: " + works.group(1));
            // the operations API's OpenAPI document (camel-openapi-java is a plain jar: on the packaged classpath too)
            java.net.http.HttpResponse<String> openapi = AppProcess.get(app.httpPort, "/openapi");
            assertEquals(200, openapi.statusCode(), openapi.body());
            assertTrue(openapi.body().contains("/calls/{externalId}/replay"), openapi.body());
            // the console needs the token that the connector generated (none configured)
            assertEquals(401, AppProcess.get(app.managementPort, "/q/camel/dev-console/route").statusCode());
            String token = Files.readString(work.resolve("data/ops/token")).trim();
            java.net.http.HttpResponse<String> routes = AppProcess.HTTP.send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create("http://127.0.0.1:" + app.managementPort + "/q/camel/dev-console/route"))
                    .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, routes.statusCode());
            assertTrue(routes.body().contains("\"ingest-folder\""), routes.body());
            assertFalse(app.output().contains(token), "the token is never logged");
            assertEquals(200, AppProcess.get(app.managementPort, "/observe/health/live").statusCode());
            assertFalse(out.contains("+16315122409"), "phone numbers are never logged whole");
            sampleStreamArrivedInOrder(app);
            assertFalse(app.output().contains("My order has not arrived"), "transcript text is never logged");
            app.signalTerm();
            app.awaitExit(Duration.ofSeconds(30));
            // the embedded org stops with the application: its Salesforce sessions end without a failed logout, and
            // the platform-event subscription ends before the org's server closes its long poll
            assertFalse(app.output().contains("Unexpected logout exception"), app.output());
            assertFalse(app.output().contains("Connect failure"), app.output());
            assertFalse(app.output().contains("Exception in thread"), app.output());
        }
        // the main job again in the same directory: the ledger keeps the first run's ids, the second run's samples
        // come under new ones, and are created, uploaded and streamed as the first run's were
        try (AppProcess again = new AppProcess(work, "256m", Map.of(), "-Deci.samples.generate-on-start=true").start()) {
            await(Duration.ofSeconds(60), () -> countUploads(again) == 12,
                    () -> again.get("/sandbox/voicecalls").body() + "\n" + again.output());
            for (JsonNode v : json(again, "/sandbox/voicecalls")) {
                assertTrue(v.path("vendorCallKey").asText().endsWith("-R2"), "only the second run's calls: " + v);
            }
            assertEquals("UPLOADED", json(again, "/calls/SAMPLE-0001-R2").path("state").asText());
            assertEquals("UPLOADED", json(again, "/calls/SAMPLE-0001").path("state").asText(), "the first run's call");
            assertEquals("DEAD", json(again, "/calls/INVALID-CALL-TYPE-R2").path("state").asText());
            assertEquals("SKIPPED", json(again, "/calls/SKIP-TOO-SHORT-R2").path("state").asText());
            String a2 = io.eciconnector.samples.SampleStream.contactId(io.eciconnector.samples.SampleStream.CALL_A, 2);
            await(Duration.ofSeconds(60), () -> json(again, "/sandbox/telephony").path(a2).path("messages").size() == 6,
                    () -> again.get("/sandbox/telephony").body());
            assertEquals("0055e000001Ava0AAC", json(again, "/sandbox/telephony").path(a2).path("messages").get(0)
                    .path("message").path("participantId").asText(), "the agent matched in the second run too");
        }
    }

    /** The sample Contact Lens stream of the main job, as the sandbox's telephony side received it. */
    static void sampleStreamArrivedInOrder(AppProcess app) throws Exception {
        String a = io.eciconnector.samples.SampleStream.CALL_A;
        String b = io.eciconnector.samples.SampleStream.CALL_B;
        await(Duration.ofSeconds(30), () -> {
            JsonNode t = json(app, "/sandbox/telephony");
            return t.path(a).path("messages").size() == 6 && t.path(a).path("postCallEvents").size() == 8
                    && t.path(b).path("messages").size() == 4 && t.path(b).path("realtimeEvents").size() == 5;
        }, () -> app.get("/sandbox/telephony").body());
        JsonNode t = json(app, "/sandbox/telephony");
        assertEquals(List.of("a-t1", "a-t2", "a-t3", "a-t4", "a-t5", "a-t6"), field(t.path(a).path("messages"),
                "message", "messageId"), "conversation A's turns in order (the utterance is not sent)");
        assertEquals("0055e000001Ava0AAC", t.path(a).path("messages").get(0).path("message").path("participantId").asText(),
                "the agent matched to the org's user");
        assertEquals(List.of("b-t1", "b-t2", "b2-t1", "b2-t2"), field(t.path(b).path("messages"), "message", "messageId"),
                "the transferred contact's turns under the first contact's key");
        assertEquals(List.of("1000", "-1000", "OrderStatus", "0", "0", "1000", "1000"),
                field(t.path(a).path("realtimeEvents"), "event", "value"));
        List<String> post = field(t.path(a).path("postCallEvents"), "event", "value");
        assertEquals(List.of("640", "-520", "280", "-250", "380", "160", "700", "820"), post,
                "period scores x 200, sorted by startTime");
        for (JsonNode call : List.of(t.path(a), t.path(b))) {
            assertEquals(0, call.path("rejected").size(), call.toString());
        }
        assertTrue(t.path(io.eciconnector.samples.SampleStream.CALL_B_TRANSFER).isMissingNode());
    }

    static List<String> field(JsonNode entries, String object, String name) {
        List<String> out = new java.util.ArrayList<>();
        entries.forEach(e -> out.add(e.path(object).path(name).asText()));
        return out;
    }

    @Test
    void recordingsStreamThroughA64MbHeapAndOneByteOver64MbIsRefusedUnread() throws Exception {
        Path work = Files.createTempDirectory("eci-small-heap");
        Path inbox = work.resolve("data/inbox");
        Files.createDirectories(inbox);
        try (AppProcess app = new AppProcess(work, "64m", Map.of("ECI_CREATE_MAX_WAIT", "1S")).start()) {
            Path staging = Files.createDirectories(work.resolve("staging"));
            SampleGenerator gen = new SampleGenerator();
            gen.generate(new SampleGenerator.Options(staging, 0, false, 1, 64L * 1024 * 1024, 1));
            Files.move(staging.resolve("LARGE-RECORDING.wav"), inbox.resolve("AT-CAP.wav"));
            String record = Files.readString(staging.resolve("LARGE-RECORDING.json")).replace("LARGE-RECORDING", "AT-CAP");
            Files.writeString(inbox.resolve("AT-CAP.json"), record);
            WavWriter.ofSize(inbox.resolve("OVER-CAP.wav"), 64L * 1024 * 1024 + 1);
            Files.writeString(inbox.resolve("OVER-CAP.json"), record.replace("AT-CAP", "OVER-CAP"));
            await(Duration.ofSeconds(90), () -> json(app, "/calls/AT-CAP").path("state").asText().equals("UPLOADED")
                    && json(app, "/calls/OVER-CAP").path("state").asText().equals("DEAD"),
                    () -> app.get("/calls/AT-CAP").body() + app.get("/calls/OVER-CAP").body() + app.output());
            JsonNode calls = json(app, "/sandbox/voicecalls");
            assertEquals(1, calls.size(), "the one over the cap is refused before any request");
            assertEquals(64L * 1024 * 1024, calls.get(0).path("recording").path("bytes").asLong());
            assertEquals(sha256(done(work, "AT-CAP.wav")), calls.get(0).path("recording").path("sha256").asText());
            assertTrue(json(app, "/calls/OVER-CAP").path("reason").asText().contains("67108865 bytes"));
            assertFalse(app.output().contains("OutOfMemoryError"));
        }
    }

    @Test
    void aConnectorKilledMidBatchLosesNothingAndCreatesNothingTwiceWhenRestarted() throws Exception {
        Path work = Files.createTempDirectory("eci-connector");
        try (AppProcess sandbox = AppProcess.sandboxOnly(Files.createTempDirectory("eci-sandbox"))) {
            Map<String, String> connector = sandbox.asOrgForConnector();
            // the org holds the create request; the connector dies while it waits; then the org applies it
            try (AppProcess first = createRequestInFlight(sandbox, work, 30)) {
                first.kill();
            }
            release(sandbox);
            await(Duration.ofSeconds(30), () -> json(sandbox, "/sandbox/voicecalls").size() == 30,
                    () -> sandbox.get("/sandbox/voicecalls").body());
            assertEquals(0, countUploads(sandbox), "killed before the org answered: no upload");
            try (AppProcess second = new AppProcess(work, "256m", connector).start()) {
                await(Duration.ofSeconds(60), () -> countUploads(sandbox) == 30,
                        () -> second.output() + sandbox.get("/sandbox/voicecalls").body());
                JsonNode calls = json(sandbox, "/sandbox/voicecalls");
                assertEquals(30, calls.size(), "no VoiceCall created twice");
                java.util.Set<String> keys = new java.util.HashSet<>();
                for (JsonNode v : calls) {
                    assertTrue(keys.add(v.path("vendorCallKey").asText()));
                    assertEquals(1, v.path("recording").path("uploads").asInt());
                }
                assertEquals(1, json(sandbox, "/sandbox/requests").path("byEndpoint").path("eci.voicecalls").asInt(),
                        "found by the reconcile query, not sent again");
                assertTrue(second.output().contains("abandoned") || json(second, "/calls/SAMPLE-0001").toString()
                        .contains("reconciled"), "the restart reconciled the unknown outcome");
            }
        }
    }

    @Test
    void aConnectorStoppedWithSigtermMidBatchLetsItFinishAndTheNextStartLosesNothing() throws Exception {
        Path work = Files.createTempDirectory("eci-connector-term");
        try (AppProcess sandbox = AppProcess.sandboxOnly(Files.createTempDirectory("eci-sandbox-term"))) {
            Map<String, String> connector = sandbox.asOrgForConnector();
            try (AppProcess first = createRequestInFlight(sandbox, work, 20)) {
                first.signalTerm();
                // the org answers only once the connector is shutting down: the request in flight must finish
                await(Duration.ofSeconds(30), () -> first.output().contains("is shutting down"), first::output);
                release(sandbox);
                first.awaitExit(Duration.ofSeconds(60));
                assertTrue(first.output().contains("Create request: {created=20}"),
                        "the create request in flight finished before the JVM stopped:\n" + first.output());
            }
            try (AppProcess second = new AppProcess(work, "256m", connector).start()) {
                await(Duration.ofSeconds(60), () -> countUploads(sandbox) == 20,
                        () -> second.output() + sandbox.get("/sandbox/voicecalls").body());
                assertEquals(20, json(sandbox, "/sandbox/voicecalls").size(), "no VoiceCall created twice");
                assertEquals(1, json(sandbox, "/sandbox/requests").path("byEndpoint").path("eci.voicecalls").asInt());
            }
        }
    }

    /**
     * Drops {@code calls} sample calls, makes the org hold the first create request (until {@link #release}),
     * starts a connector against the sandbox, and answers once that request is held. The drops are in place before
     * the start, so the first poll takes them all into one create request.
     */
    static AppProcess createRequestInFlight(AppProcess sandbox, Path work, int calls) throws Exception {
        sandbox.post("/sandbox/faults", "{\"endpoint\":\"eci.voicecalls\",\"action\":\"hold\",\"count\":1}");
        new SampleGenerator().generate(new SampleGenerator.Options(work.resolve("data/inbox"), calls, false, 3, null, 1));
        AppProcess connector = new AppProcess(work, "256m", sandbox.asOrgForConnector()).start();
        try {
            await(Duration.ofSeconds(60), () -> json(sandbox, "/sandbox/faults/held").path("held").asInt() == 1,
                    connector::output);
            return connector;
        } catch (Throwable e) {
            connector.kill();
            throw e;
        }
    }

    /** The org lets the held requests go on (applies them, answers whoever still waits). */
    static void release(AppProcess sandbox) throws Exception {
        assertEquals(1, MAPPER.readTree(sandbox.post("/sandbox/faults/release", "{}").body()).path("released").asInt(),
                "one request was held");
    }

    /** Recordings the sandbox received. */
    static int countUploads(AppProcess sandbox) throws Exception {
        int n = 0;
        for (JsonNode v : json(sandbox, "/sandbox/voicecalls")) {
            n += v.path("recording").path("status").asText().equals("RECEIVED") ? 1 : 0;
        }
        return n;
    }

    @Test
    void recordingUrlModeBelowApi57StopsTheStartWithTheReason() throws Exception {
        // Voice Call Audio Upload takes recordingURL and name from API 57.0: an older version cannot work in this mode
        Path work = Files.createTempDirectory("eci-recording-url-v56");
        try (AppProcess app = new AppProcess(work, "256m", Map.of("ECI_UPLOAD_MODE", "recording-url",
                "ECI_UPLOAD_NAMED_CREDENTIAL", "Recordings", "ECI_SALESFORCE_API_VERSION", "56.0"))) {
            AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, app::start);
            assertTrue(refused.getMessage().contains("the application exited"), refused.getMessage());
            assertTrue(refused.getMessage().contains("eci.upload.mode=recording-url needs eci.salesforce.api-version 57.0"
                    + " or later"), refused.getMessage());
        }
    }
}
