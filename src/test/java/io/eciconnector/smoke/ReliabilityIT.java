package io.eciconnector.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.samples.SampleGenerator;

/**
 * Exactly once through the packaged jar (issue 10 items 1 and 5), with the org (a sandbox in its own JVM) answering
 * after the connector has given up, and the connector killed mid-request and started again in its directory.
 */
class ReliabilityIT {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode json(AppProcess app, String path) throws Exception {
        return MAPPER.readTree(app.get(path).body());
    }

    /** A connector against the sandbox with short request timeouts and settle times. */
    static Map<String, String> connector(AppProcess sandbox, String settle, String lease) {
        Map<String, String> env = new HashMap<>(sandbox.asOrgForConnector());
        env.put("ECI_SALESFORCE_REQUEST_TIMEOUT", "3S");
        env.put("ECI_SALESFORCE_UPLOAD_TIMEOUT", "3S");
        env.put("ECI_CREATE_SETTLE_TIME", settle);
        env.put("ECI_UPLOAD_SETTLE_TIME", settle);
        env.put("ECI_LEDGER_LEASE", lease);
        return env;
    }

    static void samples(Path work, int calls) throws Exception {
        new SampleGenerator().generate(new SampleGenerator.Options(work.resolve("data/inbox"), calls, false, 3, null, 1));
    }

    /** Every VoiceCall's key is unique and each recording was received exactly once; answers the VoiceCalls. */
    static JsonNode assertExactlyOnce(AppProcess sandbox, int calls) throws Exception {
        JsonNode all = json(sandbox, "/sandbox/voicecalls");
        Set<String> keys = new HashSet<>();
        int duplicateVoiceCalls = 0;
        int duplicateUploads = 0;
        for (JsonNode v : all) {
            duplicateVoiceCalls += keys.add(v.path("vendorCallKey").asText()) ? 0 : 1;
            duplicateUploads += Math.max(0, v.path("recording").path("uploads").asInt() - 1);
        }
        assertEquals("0 duplicate VoiceCalls, 0 duplicate uploads", duplicateVoiceCalls + " duplicate VoiceCalls, "
                + duplicateUploads + " duplicate uploads", all.toPrettyString());
        assertEquals(calls, all.size(), "one VoiceCall per call");
        return all;
    }

    static boolean allUploaded(AppProcess app, int calls) throws Exception {
        return json(app, "/calls?state=UPLOADED").path("counts").path("UPLOADED").asInt() == calls;
    }

    @Test
    void createsAndUploadsAnsweredAfterTheClientTimeoutMakeOneVoiceCallAndOneRecordingPerCall() throws Exception {
        int calls = 12;
        Path work = Files.createTempDirectory("eci-late-answers");
        try (AppProcess sandbox = AppProcess.sandboxOnly(Files.createTempDirectory("eci-late-org"))) {
            // the first create request is applied 10 s after it arrived, the connector gives up after 3 s; three
            // uploads are applied at once and answered 6 s later, after the connector gave up on them
            sandbox.post("/sandbox/faults", "[{\"endpoint\":\"eci.voicecalls\",\"action\":\"delay\",\"delayMs\":10000,"
                    + "\"count\":1},{\"endpoint\":\"eci.audio_upload\",\"action\":\"answer-late\",\"delayMs\":6000,"
                    + "\"count\":3}]");
            samples(work, calls);
            try (AppProcess app = new AppProcess(work, "256m", connector(sandbox, "15S", "2M")).start()) {
                AppProcess.await(Duration.ofSeconds(120), () -> allUploaded(app, calls),
                        () -> app.get("/calls?state=RECONCILE").body() + app.get("/calls?state=CREATED").body()
                                + sandbox.get("/sandbox/voicecalls").body());
                // the late create request has been applied too (or the count below could miss its VoiceCalls)
                AppProcess.await(Duration.ofSeconds(30), () -> json(sandbox, "/sandbox/faults/held").path("delayed")
                        .asInt() == 0, () -> sandbox.get("/sandbox/faults/held").body());
                assertExactlyOnce(sandbox, calls);
                for (JsonNode f : json(sandbox, "/sandbox/faults")) {
                    assertEquals(0, f.path("remaining").asInt(), "every fault was met: " + f);
                }
                String history = json(app, "/calls/SAMPLE-0001").toString();
                assertTrue(history.contains("may still be applied until"), "the unknown outcome waited to settle: "
                        + history);
                assertEquals(1, json(sandbox, "/sandbox/requests").path("byEndpoint").path("eci.voicecalls").asInt(),
                        "the late create request and no resend (its calls were found once it was applied): "
                                + sandbox.get("/sandbox/requests").body());
            }
        }
    }

    @Test
    void aSettleTimeShorterThanTheOrgsDelayLeavesADuplicateThatIsReported() throws Exception {
        int calls = 3;
        Path work = Files.createTempDirectory("eci-duplicate-report");
        try (AppProcess sandbox = AppProcess.sandboxOnly(Files.createTempDirectory("eci-duplicate-org"))) {
            // the org keeps the first create request and the resend; both are applied once the resend is in
            sandbox.post("/sandbox/faults", "{\"endpoint\":\"eci.voicecalls\",\"action\":\"hold\",\"count\":2}");
            samples(work, calls);
            try (AppProcess app = new AppProcess(work, "256m", connector(sandbox, "1S", "2M")).start()) {
                AppProcess.await(Duration.ofSeconds(90), () -> json(sandbox, "/sandbox/faults/held").path("held")
                        .asInt() == 2, app::output);
                sandbox.post("/sandbox/faults/release", "{}");
                AppProcess.await(Duration.ofSeconds(90), () -> allUploaded(app, calls), app::output);
                assertEquals(2 * calls, json(sandbox, "/sandbox/voicecalls").size(), "the org applied both requests");
                // reported: the call's history, the metric, the eci console
                String history = json(app, "/calls/SAMPLE-0001").toString();
                assertTrue(history.contains("DUPLICATE: the org has 2 VoiceCalls for VendorCallKey SAMPLE-0001"),
                        history);
                String metric = AppProcess.get(app.managementPort, "/observe/metrics").body().lines()
                        .filter(l -> l.startsWith("eci_duplicates_total{") && l.contains("kind=\"voicecall\""))
                        .findFirst().orElse("no eci_duplicates_total{kind=\"voicecall\"}");
                assertTrue(metric.endsWith(" 3.0"), metric);
                String token = Files.readString(work.resolve("data/ops/token")).trim();
                String console = AppProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + app.managementPort + "/q/camel/dev-console/eci")).header("Authorization", "Bearer " + token)
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                JsonNode duplicates = MAPPER.readTree(console).findValue("duplicates");
                assertEquals(3, duplicates == null ? -1 : duplicates.path("total").asInt(), console);
                assertEquals(3, duplicates.path("latest").size(), console);
            }
        }
    }

    @Test
    void aConnectorKilledMidRequestTakesItsOwnClaimsBackAtOnceWhenItComesBack() throws Exception {
        int calls = 8;
        Path work = Files.createTempDirectory("eci-killed");
        try (AppProcess sandbox = AppProcess.sandboxOnly(Files.createTempDirectory("eci-killed-org"))) {
            // a lease far longer than the test: only taking its own claims back lets the restarted connector go on
            Map<String, String> env = connector(sandbox, "5S", "10M");
            // 1. killed while its create request is held; the org applies it afterwards
            sandbox.post("/sandbox/faults", "{\"endpoint\":\"eci.voicecalls\",\"action\":\"hold\",\"count\":1}");
            samples(work, calls);
            AppProcess first = new AppProcess(work, "256m", env).start();
            try {
                AppProcess.await(Duration.ofSeconds(60), () -> json(sandbox, "/sandbox/faults/held").path("held")
                        .asInt() == 1, first::output);
            } finally {
                first.kill();
            }
            sandbox.post("/sandbox/faults/release", "{}");
            // 2. started again: its CREATING claims are found at once; killed while four uploads are held
            sandbox.post("/sandbox/faults", "{\"endpoint\":\"eci.audio_upload\",\"action\":\"hold\",\"count\":4}");
            AppProcess second = new AppProcess(work, "256m", env).start();
            try {
                AppProcess.await(Duration.ofSeconds(60), () -> json(sandbox, "/sandbox/faults/held").path("held")
                        .asInt() == 4, second::output);
            } finally {
                second.kill();
            }
            // the held uploads go on against closed connections: applied or not, the connector must find out
            sandbox.post("/sandbox/faults/release", "{}");
            // 3. started again: its UPLOADING claims are settled at once, not after the 10-minute lease (90 s bound)
            try (AppProcess third = new AppProcess(work, "256m", env).start()) {
                AppProcess.await(Duration.ofSeconds(90), () -> allUploaded(third, calls),
                        () -> third.get("/calls?state=UPLOADING").body() + third.get("/calls?state=CREATED").body());
                assertExactlyOnce(sandbox, calls);
                assertEquals(1, json(sandbox, "/sandbox/requests").path("byEndpoint").path("eci.voicecalls").asInt(),
                        "the held create was found, not sent again");
                Path idFile = work.resolve("data/instance-id");
                String id = Files.exists(idFile) ? Files.readString(idFile).trim() : "(no data/instance-id)";
                String named = "Ledger claims are made as instance '" + id + "'";
                assertEquals(3, third.output().split(java.util.regex.Pattern.quote(named), -1).length - 1,
                        "the same instance id in all three starts");
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(idFile)));
                for (int i = 1; i <= calls; i++) {
                    String history = json(third, String.format("/calls/SAMPLE-%04d", i)).toString();
                    assertTrue(history.contains("taken back at once"), "its claims were taken back at once: " + history);
                }
            }
        }
    }
}
