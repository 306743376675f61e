package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.archived;
import static io.eciconnector.ingest.Drops.call;
import static io.eciconnector.ingest.Drops.drop;
import static io.eciconnector.ingest.Drops.requests;
import static io.eciconnector.testing.Hashes.sha256;
import static io.eciconnector.ingest.Drops.state;
import static io.eciconnector.ingest.Drops.voiceCalls;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.samples.SampleGenerator;
import io.eciconnector.samples.WavWriter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** The recording-ingest flow through the product's route files, against the sandbox. */
@QuarkusTest
@TestProfile(FlowProfile.class)
class IngestFlowTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Ledger ledger;

    @Inject
    ProviderRegistry provider;

    @Inject
    CallCoaching callCoaching;

    @Inject
    CallCoachingGate gate;

    /** Each test starts with no faults, call coaching on, and nothing of an earlier test still in flight. */
    @BeforeEach
    void settle() {
        Drops.settle(ledger);
    }

    @Test
    void sampleDataEveryValidCallOnceWithItsRecordingAndEveryInvalidOneExplained() throws Exception {
        new SampleGenerator().generate(new SampleGenerator.Options(Path.of(FlowProfile.INBOX), 4, true, 7, null, 1));
        await().atMost(WAIT).until(() -> {
            List<Map<String, Object>> calls = voiceCalls("SAMPLE-"); // one snapshot for both conditions
            return calls.size() == 4
                    && calls.stream().allMatch(v -> "RECEIVED".equals(((Map<?, ?>) v.get("recording")).get("status")));
        });
        Set<String> keys = new HashSet<>();
        for (Map<String, Object> v : voiceCalls("SAMPLE-")) {
            String key = (String) v.get("vendorCallKey");
            assertTrue(keys.add(key), key + " created twice");
            Map<?, ?> rec = (Map<?, ?>) v.get("recording");
            assertEquals(sha256(archived(key + ".wav")), rec.get("sha256"), key);
            assertEquals(1, rec.get("uploads"));
            assertEquals("UPLOADED", state(key));
        }
        await().atMost(WAIT).until(() -> Stream.of("INVALID-START-AFTER-END", "INVALID-CALL-TYPE", "INVALID-USER-CHANNEL")
                .allMatch(id -> "DEAD".equals(state(id))));
        given().get("/calls/INVALID-START-AFTER-END").then().statusCode(200)
                .body("reason", org.hamcrest.Matchers.containsString("is after end time"));
        given().get("/calls/INVALID-USER-CHANNEL").then()
                .body("reason", org.hamcrest.Matchers.containsString("userChannel 2 is not within range of numberChannels 2"));
        given().get("/calls/SKIP-TOO-SHORT").then().body("state", org.hamcrest.Matchers.equalTo("SKIPPED"))
                .body("reason", org.hamcrest.Matchers.containsString("8 s"));
        try (Stream<Path> letters = Files.walk(Path.of(FlowProfile.DEAD_LETTERS))) {
            List<String> names = letters.map(p -> p.getFileName().toString()).toList();
            for (String id : List.of("INVALID-START-AFTER-END", "INVALID-CALL-TYPE", "INVALID-USER-CHANNEL")) {
                Path letter = Files.walk(Path.of(FlowProfile.DEAD_LETTERS)).filter(p -> p.getFileName().toString()
                        .startsWith(id + "-")).findFirst().orElseThrow(() -> new AssertionError(id + " not in " + names));
                Map<?, ?> envelope = Drops.MAPPER.readValue(letter.toFile(), Map.class);
                assertEquals(id, envelope.get("externalId"));
                assertTrue(((String) envelope.get("original")).contains(id), "the original is in the dead letter");
                assertTrue(envelope.get("reason") != null);
            }
        }
        given().get("/calls/NO-SUCH-CALL").then().statusCode(404);
        assertFalse(Files.exists(Path.of(FlowProfile.INBOX, "SAMPLE-0001.json")), "processed records leave the inbox");
        assertTrue(Files.exists(archived("SAMPLE-0001.json")), "... to the done area");
    }

    /**
     * routes/ledger-retention.yaml: a finished call whose start and last change are older than eci.ledger.retention is
     * forgotten with its history; when its record comes again it is skipped as too old (eci.checks.max-age), not
     * created a second time.
     */
    @Test
    void aCallTheRetentionForgotIsSkippedAsTooOldWhenItsRecordComesAgain() throws Exception {
        Map<String, Object> c = call("RETAIN-1", 30);
        drop("retain-1.json", List.of(c));
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("RETAIN-1")));
        // forty days later (the retention is 30 days): the call started and was last changed then
        Instant then = Instant.now().minus(Duration.ofDays(40));
        ledger.inTransaction(conn -> {
            try (var ps = conn.prepareStatement("UPDATE call_ledger SET call_start = ?, updated_at = ? WHERE external_id = ?")) {
                ps.setObject(1, then.atOffset(java.time.ZoneOffset.UTC));
                ps.setObject(2, then.atOffset(java.time.ZoneOffset.UTC));
                ps.setString(3, "RETAIN-1");
                return ps.executeUpdate();
            }
        });
        org.apache.camel.Exchange pass = new org.apache.camel.support.DefaultExchange(camel);
        camel.getRoute("ledger-retention").getProcessor().process(pass); // one pass of the hourly route
        // the one call older than the retention (1), unless the route's own first pass, a minute after the start,
        // came between the update above and this pass (0)
        assertTrue(pass.getMessage().getBody(Integer.class) <= 1, "only the call older than the retention");
        assertTrue(ledger.find("generic", "RETAIN-1").isEmpty(), "forgotten");
        assertTrue(ledger.history("generic", "RETAIN-1").isEmpty(), "with its history");

        c.put("startDateTime", io.eciconnector.vendor.Times.eci(then));
        c.put("endDateTime", io.eciconnector.vendor.Times.eci(then.plusSeconds(30)));
        drop("retain-1-again.json", List.of(c));
        await().atMost(WAIT).until(() -> "SKIPPED".equals(state("RETAIN-1")));
        given().get("/calls/RETAIN-1").then().body("reason", org.hamcrest.Matchers.containsString("older than"));
        assertEquals(1, voiceCalls("RETAIN-1").size(), "created once");
    }

    @Test
    void twoHundredOneCallsTakeTwoCreateRequests() throws Exception {
        int before = requests("eci.voicecalls");
        List<Map<String, Object>> calls = new ArrayList<>();
        for (int i = 0; i < 201; i++) {
            calls.add(call(String.format("BULK-%03d", i), 30));
        }
        drop("bulk-201.json", calls);
        await().atMost(WAIT).until(() -> voiceCalls("BULK-").size() == 201);
        assertEquals(2, requests("eci.voicecalls") - before, "ceil(201 / 200) create requests");
        await().atMost(WAIT).until(() -> ledger.counts().get(CallState.CREATED) == 0
                && ledger.counts().get(CallState.UPLOADING) == 0);
        assertEquals(201, voiceCalls("BULK-").stream().filter(v -> ((Map<?, ?>) v.get("recording")).get("sha256") != null).count());
    }

    /**
     * routes/salesforce-request.yaml: a create request answered 401 (the token expired) gets a new login and goes once
     * more at once, within the same pass of the route: the call never goes back to the ledger for a retry.
     */
    @Test
    void aCreateAnswered401GetsANewTokenAndGoesOnceMore() throws Exception {
        given().contentType(ContentType.JSON).body(List.of(Map.of("endpoint", "eci.voicecalls", "status", 401,
                "errorCode", "INVALID_SESSION_ID", "message", "Session expired or invalid", "count", 1)))
                .post("/sandbox/faults").then().statusCode(201);
        int before = requests("eci.voicecalls");
        drop("expired-token.json", List.of(call("TOKEN-401", 30)));
        await().atMost(WAIT).until(() -> voiceCalls("TOKEN-401").size() == 1);
        assertEquals(2, requests("eci.voicecalls") - before, "the refused request and the same one sent again");
        List<Map<String, Object>> hits = given().get("/sandbox/faults").jsonPath().getList("");
        assertEquals(0, hits.get(0).get("remaining"), "the 401 was met: " + hits);
        CallRow row = ledger.find("generic", "TOKEN-401").orElseThrow();
        assertTrue(ledger.history(row.provider(), row.externalId()).stream()
                .noneMatch(h -> h.reason() != null && h.reason().contains("401")),
                "no retry went through the ledger: " + ledger.history(row.provider(), row.externalId()));
        assertEquals(1, ledger.history(row.provider(), row.externalId()).stream()
                .filter(h -> h.state() == CallState.CREATING).count(), "claimed once");
    }

    @Inject
    org.apache.camel.ProducerTemplate producer;

    /**
     * routes/salesforce-request.yaml tells its callers whether a failed request left the connector: a refused
     * connection is SalesforceRequest.NotSent (the create and upload routes send again after a back-off), a
     * connection cut without an answer any other IOException (an unknown outcome); the token is off the message
     * either way.
     */
    @Test
    void theSalesforceRequestRouteTellsARequestThatNeverLeftFromOneWithoutAnAnswer() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        org.apache.camel.Exchange refused = post("http://127.0.0.1:" + closed + "/services/data/v60.0/voicecalls");
        assertTrue(refused.getException() instanceof io.eciconnector.salesforce.SalesforceRequest.NotSent,
                String.valueOf(refused.getException()));
        assertEquals(null, refused.getMessage().getHeader("Authorization"));
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(20_000);
            Thread cutter = new Thread(() -> {
                try (java.net.Socket c = s.accept()) {
                    c.getInputStream().read(new byte[64]); // the request arrived; no answer
                } catch (java.io.IOException e) {
                    // the test fails on the exchange below
                }
            });
            cutter.start();
            org.apache.camel.Exchange cut = post("http://127.0.0.1:" + s.getLocalPort() + "/services/data/v60.0/voicecalls");
            cutter.join(20_000);
            assertTrue(cut.getException() instanceof java.io.IOException
                    && !(cut.getException() instanceof io.eciconnector.salesforce.SalesforceRequest.NotSent),
                    String.valueOf(cut.getException()));
            assertEquals(null, cut.getMessage().getHeader("Authorization"));
        }
    }

    @Inject
    io.eciconnector.salesforce.SalesforceApi api;

    @Inject
    org.apache.camel.CamelContext camel;

    /**
     * The reads that are no flow's step (SOQL, /limits, call-coaching status) go through routes/salesforce-request.yaml
     * as the flows' requests do (the route console counts them; one client, its pooled connections checked): a GET
     * with the session's token and no body, its answer whatever its status.
     */
    @Test
    void aReadGoesThroughTheSalesforceRequestRouteAsAGetWithoutABody() throws Exception {
        org.apache.camel.api.management.ManagedCamelContext managed = camel.getCamelContextExtension()
                .getContextPlugin(org.apache.camel.api.management.ManagedCamelContext.class);
        long before = managed.getManagedRoute("salesforce-request").getExchangesCompleted();
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(20_000);
            java.util.concurrent.CompletableFuture<String> received = new java.util.concurrent.CompletableFuture<>();
            Thread org = new Thread(() -> {
                try (java.net.Socket c = s.accept()) {
                    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                            c.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
                    StringBuilder head = new StringBuilder();
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        head.append(line).append('\n');
                    }
                    received.complete(head.toString());
                    byte[] body = "{\"DailyApiRequests\":{\"Max\":15000,\"Remaining\":14000}}".getBytes();
                    c.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.length + "\r\nConnection: close\r\n\r\n").getBytes());
                    c.getOutputStream().write(body);
                } catch (java.io.IOException e) {
                    received.completeExceptionally(e);
                }
            });
            org.start();
            io.eciconnector.salesforce.ApiResponse answer = api.get("http://127.0.0.1:" + s.getLocalPort()
                    + "/services/data/v60.0/limits");
            org.join(20_000);
            String head = received.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(200, answer.status(), answer.describe());
            assertTrue(answer.body().contains("DailyApiRequests"), answer.body());
            assertTrue(head.startsWith("GET /services/data/v60.0/limits HTTP/1.1\n"), head);
            assertTrue(head.contains("Authorization: Bearer "), "the session's token");
            assertFalse(head.toLowerCase().contains("content-length: ") && !head.toLowerCase().contains("content-length: 0"),
                    "no body: " + head);
            assertFalse(head.toLowerCase().contains("transfer-encoding"), "no body: " + head);
            assertFalse(head.contains("Java-http-client"), "not the JDK's client: " + head);
        }
        // other flows of this class may send meanwhile: at least this read; and its client is camel-http's
        assertTrue(managed.getManagedRoute("salesforce-request").getExchangesCompleted() >= before + 1,
                "the read went through the route");
    }

    org.apache.camel.Exchange post(String url) {
        return producer.request("direct:salesforce-request", e -> {
            e.setProperty("eciSalesforcePath", url);
            e.getMessage().setHeader(org.apache.camel.Exchange.CONTENT_TYPE, "application/json; charset=UTF-8");
            e.getMessage().setBody("{\"calls\":[]}");
        });
    }

    /**
     * routes/upload-recordings.yaml: a recording its source can no longer give is the source's failure (tried again
     * later), not an upload whose outcome is unknown; once the recording is back, the upload goes.
     */
    @Test
    void aRecordingThatCannotBeReadIsRetriedAsTheSourcesFailureNotAsAnUnknownOutcome() throws Exception {
        given().contentType(ContentType.JSON).body(List.of(Map.of("endpoint", "eci.audio_upload", "status", 503,
                "retryAfter", 4, "count", 1))).post("/sandbox/faults").then().statusCode(201);
        drop("unreadable-recording.json", List.of(call("UNREADABLE-1", 30)));
        await().atMost(WAIT).until(() -> history("UNREADABLE-1").stream().anyMatch(r -> r.contains("HTTP 503")));
        Path recording = archived("UNREADABLE-1.wav");
        Path aside = recording.resolveSibling("UNREADABLE-1.wav.aside");
        Files.move(recording, aside);
        await().atMost(WAIT).until(() -> history("UNREADABLE-1").stream().anyMatch(r -> r.contains("recording unreadable")));
        assertTrue(history("UNREADABLE-1").stream().noneMatch(r -> r.contains("outcome unknown")),
                history("UNREADABLE-1").toString());
        Files.move(aside, recording);
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("UNREADABLE-1")));
        assertEquals(sha256(recording), ((Map<?, ?>) voiceCalls("UNREADABLE-1").get(0).get("recording")).get("sha256"));
    }

    List<String> history(String externalId) {
        return ledger.history("generic", externalId).stream().map(h -> String.valueOf(h.reason())).toList();
    }

    @Test
    void faultsRetriesAndResetsStillCreateEachCallExactlyOnce() throws Exception {
        List<Map<String, Object>> faults = List.of(
                Map.of("endpoint", "eci.voicecalls", "action", "reset-before", "count", 1),
                Map.of("endpoint", "eci.voicecalls", "status", 503, "retryAfter", 1, "count", 1),
                Map.of("endpoint", "eci.voicecalls", "status", 429, "retryAfter", 1, "count", 1),
                Map.of("endpoint", "eci.voicecalls", "action", "reset-after", "count", 1),
                Map.of("endpoint", "eci.audio_upload", "status", 503, "retryAfter", 1, "count", 3),
                Map.of("endpoint", "eci.audio_upload", "action", "reset-after", "count", 2),
                Map.of("endpoint", "eci.audio_upload", "status", 500, "count", 1),
                Map.of("endpoint", "eci.callcoaching", "status", 503, "count", 1));
        given().contentType(ContentType.JSON).body(faults).post("/sandbox/faults").then().statusCode(201);
        List<Map<String, Object>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(call("FAULT-" + i, 45));
        }
        drop("faults.json", calls);
        await().atMost(Duration.ofSeconds(60)).until(() -> Stream.iterate(0, i -> i + 1).limit(20)
                .allMatch(i -> "UPLOADED".equals(state("FAULT-" + i))));
        List<Map<String, Object>> created = voiceCalls("FAULT-");
        assertEquals(20, created.size(), "each call created once, whatever the faults");
        assertEquals(20, created.stream().map(v -> v.get("vendorCallKey")).distinct().count());
        List<Map<String, Object>> hits = given().get("/sandbox/faults").jsonPath().getList("");
        for (Map<String, Object> f : hits) {
            assertEquals(0, f.get("remaining"), "every injected fault was met: " + f);
        }
        // the 503 asked for 1 s: the next create attempt came no sooner
        CallRow row = ledger.find("generic", "FAULT-0").orElseThrow();
        var history = ledger.history(row.provider(), row.externalId());
        Instant refused = history.stream().filter(h -> h.reason() != null && h.reason().contains("HTTP 503"))
                .map(h -> h.at()).findFirst().orElse(null);
        if (refused != null) {
            Instant next = history.stream().filter(h -> h.state() == CallState.CREATING && h.at().isAfter(refused))
                    .map(h -> h.at()).findFirst().orElseThrow();
            assertTrue(Duration.between(refused, next).toMillis() >= 1000, "Retry-After: 1 honoured");
        }
    }

    @Test
    void a400IsNotRetriedAndTheDeadCallResumesAtTheUploadWhenReplayed() throws Exception {
        given().contentType(ContentType.JSON).body(Map.of("endpoint", "eci.audio_upload", "status", 400,
                "errorCode", "INVALID_ID", "message", "Invalid VoiceCallId", "count", 1)).post("/sandbox/faults");
        int uploadsBefore = requests("eci.audio_upload");
        drop("BAD-UPLOAD", 40);
        await().atMost(WAIT).until(() -> "DEAD".equals(state("BAD-UPLOAD")));
        assertEquals(1, requests("eci.audio_upload") - uploadsBefore, "a 400 is not retried");
        given().get("/calls/BAD-UPLOAD").then().body("reason", org.hamcrest.Matchers.containsString("HTTP 400"));
        // its dead letter, from routes/upload-recordings.yaml, with the API's answer
        await().atMost(WAIT).until(() -> hasDeadLetter("BAD-UPLOAD-"));
        Map<?, ?> letter = deadLetter("BAD-UPLOAD-");
        assertEquals("upload", letter.get("flow"), letter.toString());
        assertEquals("INVALID_ID", ((Map<?, ?>) letter.get("error")).get("errorCode"), letter.toString());
        given().post("/calls/BAD-UPLOAD/replay").then().statusCode(200)
                .body("results[0].now", org.hamcrest.Matchers.equalTo("CREATED"));
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("BAD-UPLOAD")));
        assertEquals(1, voiceCalls("BAD-UPLOAD").size(), "the replay did not create the VoiceCall again");
        given().post("/calls/BAD-UPLOAD/replay").then().statusCode(409);
    }

    @Test
    void unknownOutcomesAreReconciledBeforeAnyResend() throws Exception {
        // the crash window: two create requests sent, no answer recorded; the org has the first call only
        String providerId = provider.providerId();
        int queries = requests("query");
        Path inbox = Path.of(FlowProfile.INBOX).resolveSibling("recon");
        Files.createDirectories(inbox);
        for (String id : List.of("RECON-APPLIED", "RECON-LOST")) {
            Path wav = inbox.resolve(id + ".wav");
            WavWriter.tone(wav, 8000, 0.2, 262.0);
            Map<String, Object> payload = call(id, 30);
            payload.remove("recording");
            payload.remove("userEmail");
            payload.put("userId", "0055e000001Ava0AAC");
            payload.put("recordingFormat", "wav");
            payload.put("numberChannels", 1);
            payload.put("userChannel", 0);
            payload.put("mediaProviderId", providerId);
            if (id.equals("RECON-APPLIED")) {
                String auth = "Bearer " + given().formParams(Map.of("grant_type", "client_credentials", "client_id",
                        "eci-connector-sandbox", "client_secret", "sandbox-client-secret"))
                        .post("/services/oauth2/token").path("access_token");
                given().header("Authorization", auth).contentType(ContentType.JSON)
                        .body(Map.of("calls", List.of(payload))).post("/services/data/v60.0/voicecalls").then()
                        .statusCode(200).body("results[0].isSuccess", org.hamcrest.Matchers.equalTo(true));
            }
            ledger.insert(CallRow.received("generic", id, CallState.RECONCILE, null, "test: create outcome unknown",
                    "0055e000001Ava0AAC", null, Drops.START,
                    Drops.MAPPER.writeValueAsString(payload), Drops.MAPPER.writeValueAsString(call(id, 30)),
                    "folder:" + id + ".json", wav.toUri().toString(), Files.size(wav)));
        }
        String appliedId = (String) voiceCalls("RECON-APPLIED").get(0).get("id");
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("RECON-APPLIED")) && "UPLOADED".equals(state("RECON-LOST")));
        assertEquals(1, voiceCalls("RECON-APPLIED").size(), "found by VendorCallKey, not created again");
        assertEquals(appliedId, ledger.find("generic", "RECON-APPLIED").orElseThrow().voiceCallId());
        assertEquals(1, voiceCalls("RECON-LOST").size(), "not found, so sent again: once");
        assertTrue(requests("query") > queries, "looked up before any resend");
        assertTrue(ledger.history("generic", "RECON-APPLIED").stream()
                .anyMatch(h -> h.reason() != null && h.reason().contains("reconciled: VoiceCall " + appliedId)));
    }

    @Test
    void checksSkipOrRefuseBeforeAnyRequest() throws Exception {
        int creates = requests("eci.voicecalls");
        Map<String, Object> excluded = call("CHK-EXCLUDED", 60);
        excluded.put("fromPhoneNumber", "(999) 555-0000");
        Map<String, Object> notCoached = call("CHK-NOT-COACHED", 60);
        notCoached.put("userEmail", "dan.sales@eci-sandbox.example");
        Map<String, Object> noUser = call("CHK-NO-USER", 60);
        noUser.remove("userEmail");
        noUser.put("toPhoneNumber", "+14155559999"); // no User.Phone either
        Map<String, Object> badRecord = call("CHK-BAD-RECORD-ID", 60);
        badRecord.put("recordId", "006xxxxxxxxxxxx");
        Map<String, Object> missing = call("CHK-NO-RECORDING", 60);
        missing.put("recording", "nowhere.wav");
        drop("checks.json", List.of(excluded, notCoached, noUser, badRecord));
        Path inbox = Path.of(FlowProfile.INBOX);
        Drops.MAPPER.writeValue(inbox.resolve("no-recording.json").toFile(), missing);
        Path big = inbox.resolve("CHK-TOO-LARGE.wav");
        WavWriter.ofSize(big, 64L * 1024 * 1024 + 1);
        Map<String, Object> large = call("CHK-TOO-LARGE", 60);
        Drops.MAPPER.writeValue(inbox.resolve("CHK-TOO-LARGE.json").toFile(), large);
        await().atMost(WAIT).until(() -> Stream.of("CHK-EXCLUDED", "CHK-NOT-COACHED", "CHK-NO-USER",
                "CHK-BAD-RECORD-ID", "CHK-NO-RECORDING", "CHK-TOO-LARGE").allMatch(id -> {
                    String s = given().get("/calls/" + id).path("state");
                    return "SKIPPED".equals(s) || "DEAD".equals(s);
                }));
        given().get("/calls/CHK-EXCLUDED").then().body("state", org.hamcrest.Matchers.equalTo("SKIPPED"))
                .body("reason", org.hamcrest.Matchers.containsString("excluded numbers list"))
                .body("reason", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("5550000")));
        given().get("/calls/CHK-NOT-COACHED").then().body("state", org.hamcrest.Matchers.equalTo("SKIPPED"))
                .body("reason", org.hamcrest.Matchers.containsString("not an active call-coaching user"));
        given().get("/calls/CHK-NO-USER").then().body("state", org.hamcrest.Matchers.equalTo("SKIPPED"))
                .body("reason", org.hamcrest.Matchers.containsString("no Salesforce user matched"));
        given().get("/calls/CHK-BAD-RECORD-ID").then().body("state", org.hamcrest.Matchers.equalTo("DEAD"))
                .body("reason", org.hamcrest.Matchers.containsString("recordId"));
        given().get("/calls/CHK-NO-RECORDING").then().body("state", org.hamcrest.Matchers.equalTo("DEAD"))
                .body("reason", org.hamcrest.Matchers.containsString("no recording found"));
        given().get("/calls/CHK-TOO-LARGE").then().body("state", org.hamcrest.Matchers.equalTo("DEAD"))
                .body("reason", org.hamcrest.Matchers.containsString("67108865 bytes"));
        // none of them was ever CHECKED, the only state a create claims from: no request can follow (no waiting)
        for (String id : List.of("CHK-EXCLUDED", "CHK-NOT-COACHED", "CHK-NO-USER", "CHK-BAD-RECORD-ID", "CHK-NO-RECORDING",
                "CHK-TOO-LARGE")) {
            List<String> states = ledger.history("generic", id).stream().map(h -> h.state().name()).toList();
            assertFalse(states.contains("CHECKED") || states.contains("CREATING"), id + " " + states);
        }
        assertEquals(creates, requests("eci.voicecalls"), "no API request for calls that fail the checks");
        assertEquals(0, voiceCalls("CHK-").size());
        Files.deleteIfExists(archived("CHK-TOO-LARGE.wav"));
    }

    @Test
    void aRecordThatArrivesBeforeItsRecordingWaitsForIt() throws Exception {
        Path inbox = Path.of(FlowProfile.INBOX);
        Map<String, Object> c = call("LATE-AUDIO", 45);
        Drops.MAPPER.writeValue(inbox.resolve("LATE-AUDIO.json").toFile(), c);
        await().atMost(WAIT).until(() -> "WAITING".equals(state("LATE-AUDIO")));
        WavWriter.tone(inbox.resolve("LATE-AUDIO.wav"), 8000, 0.3, 262.0);
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("LATE-AUDIO")));
        assertEquals(1, voiceCalls("LATE-AUDIO").size());
        List<String> states = ledger.history("generic", "LATE-AUDIO").stream().map(h -> h.state().name()).toList();
        assertTrue(states.indexOf("WAITING") < states.indexOf("CHECKED"), states.toString());
        assertFalse(Files.exists(inbox.resolve("LATE-AUDIO.wav")), "the late recording went to the done area too");
    }

    @Test
    void disabledProviderLeavesDropsInPlaceUntilEnabled() throws Exception {
        given().contentType(ContentType.JSON).body(Map.of("enabled", false)).post("/sandbox/callcoaching");
        callCoaching.refresh(); // read now, as the connector does within its refresh interval (1 s in this profile)
        drop("WAIT-DISABLED", 30);
        long before = gate.refusedPolls();
        await().atMost(WAIT).until(() -> gate.refusedPolls() >= before + 2); // a whole poll after the drop
        assertTrue(Files.exists(Path.of(FlowProfile.INBOX, "WAIT-DISABLED.json")), "the drop stays in place");
        assertTrue(ledger.find("generic", "WAIT-DISABLED").isEmpty(), "nothing taken in while disabled");
        given().contentType(ContentType.JSON).body(Map.of("enabled", true)).post("/sandbox/callcoaching");
        await().atMost(WAIT).until(() -> ledger.find("generic", "WAIT-DISABLED").map(r -> r.state() == CallState.UPLOADED)
                .orElse(false));
    }

    static final String CLEO = "0055e00000Cleo0AAB";

    @Test
    void aUserOnTheSecondPageOfTheUserDirectoryIsMatched() throws Exception {
        // two users a SOQL page in this profile: Cleo (the org's third active user) is on the second page
        Map<String, Object> c = call("PAGE-CLEO", 40);
        c.remove("userEmail");
        c.put("toPhoneNumber", "+14155550103"); // Cleo's User.Phone: matched by the rep's number only
        drop("PAGE-CLEO.json", List.of(c));
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("PAGE-CLEO")) || "SKIPPED".equals(state("PAGE-CLEO")));
        given().get("/calls/PAGE-CLEO").then().body("state", org.hamcrest.Matchers.equalTo("UPLOADED"))
                .body("userId", org.hamcrest.Matchers.equalTo(CLEO));
        assertEquals(CLEO, ((Map<?, ?>) voiceCalls("PAGE-CLEO").get(0).get("fields")).get("userId"));
    }

    @Test
    void theReconcileLookupFollowsEveryPageBeforeAnyResend() throws Exception {
        String providerId = provider.providerId();
        Path dir = Path.of(FlowProfile.INBOX).resolveSibling("recon-pages");
        Files.createDirectories(dir);
        String auth = "Bearer " + given().formParams(Map.of("grant_type", "client_credentials", "client_id",
                "eci-connector-sandbox", "client_secret", "sandbox-client-secret"))
                .post("/services/oauth2/token").path("access_token");
        List<String> ids = List.of("RECONP-1", "RECONP-2", "RECONP-3", "RECONP-4", "RECONP-5");
        for (String id : ids) {
            Path wav = dir.resolve(id + ".wav");
            WavWriter.tone(wav, 8000, 0.2, 262.0);
            Map<String, Object> payload = call(id, 30);
            payload.remove("recording");
            payload.remove("userEmail");
            payload.put("userId", "0055e000001Ava0AAC");
            payload.put("recordingFormat", "wav");
            payload.put("mediaProviderId", providerId);
            // every one applied by the org before the answer was lost: five records, three pages of two
            given().header("Authorization", auth).contentType(ContentType.JSON)
                    .body(Map.of("calls", List.of(payload))).post("/services/data/v60.0/voicecalls").then()
                    .statusCode(200).body("results[0].isSuccess", org.hamcrest.Matchers.equalTo(true));
            ledger.insert(CallRow.received("generic", id, CallState.RECONCILE, null, "test: create outcome unknown",
                    "0055e000001Ava0AAC", null, Drops.START, Drops.MAPPER.writeValueAsString(payload),
                    Drops.MAPPER.writeValueAsString(call(id, 30)), "folder:" + id + ".json", wav.toUri().toString(),
                    Files.size(wav)));
        }
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> "UPLOADED".equals(state(id))));
        for (String id : ids) {
            assertEquals(1, voiceCalls(id).size(), id + " found by VendorCallKey on its page, not created again");
            assertEquals(voiceCalls(id).get(0).get("id"), ledger.find("generic", id).orElseThrow().voiceCallId());
        }
    }

    @Test
    void recordingDurationIsTheRecordingsOwnLengthNotTheCalls() throws Exception {
        Path inbox = Path.of(FlowProfile.INBOX);
        WavWriter.tone(inbox.resolve("REC-LENGTH.wav"), 8000, 3, 262.0); // a 3 s recording of a 150 s call
        Map<String, Object> c = call("REC-LENGTH", 150); // its recordingDuration says 150 as well
        Drops.MAPPER.writeValue(inbox.resolve("REC-LENGTH.json").toFile(), c);
        await().atMost(WAIT).until(() -> voiceCalls("REC-LENGTH").size() == 1 && "RECEIVED".equals(
                ((Map<?, ?>) voiceCalls("REC-LENGTH").get(0).get("recording")).get("status")));
        Map<String, Object> v = voiceCalls("REC-LENGTH").get(0);
        Map<?, ?> fields = (Map<?, ?>) v.get("fields");
        assertEquals(3, fields.get("recordingDuration"), "the recording's length, from its bytes");
        assertEquals(3.0f, ((Number) ((Map<?, ?>) v.get("recording")).get("seconds")).floatValue(),
                "what the org received is that long");
        assertEquals(150, Duration.between(Instant.parse((String) fields.get("startDateTime")),
                Instant.parse((String) fields.get("endDateTime"))).toSeconds(), "the call keeps its own times");
    }

    @Test
    void callsWhoseParticipantsAreAllInternalOrNoPhoneNumberAreSkippedWithTheReason() throws Exception {
        Map<String, Object> colleagues = call("INT-COLLEAGUES", 60);
        colleagues.put("fromPhoneNumber", "+14155550102"); // Ben's User.Phone calls Ava
        Map<String, Object> anonymous = call("INT-ANONYMOUS", 60);
        anonymous.put("fromPhoneNumber", "anonymous");
        Map<String, Object> customer = call("INT-CUSTOMER", 60); // a customer calls Ava: processed
        drop("internal.json", List.of(colleagues, anonymous, customer));
        await().atMost(WAIT).until(() -> Stream.of("INT-COLLEAGUES", "INT-ANONYMOUS")
                .allMatch(id -> "SKIPPED".equals(state(id)) || "UPLOADED".equals(state(id)))
                && "UPLOADED".equals(state("INT-CUSTOMER")));
        given().get("/calls/INT-COLLEAGUES").then().body("state", org.hamcrest.Matchers.equalTo("SKIPPED"))
                .body("reasonCode", org.hamcrest.Matchers.equalTo("internal-call"))
                .body("reason", org.hamcrest.Matchers.containsString("every participant is internal"))
                .body("reason", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("5550102")));
        given().get("/calls/INT-ANONYMOUS").then().body("state", org.hamcrest.Matchers.equalTo("SKIPPED"))
                .body("reasonCode", org.hamcrest.Matchers.equalTo("participant-not-a-number"))
                .body("reason", org.hamcrest.Matchers.containsString("is not a phone number"));
        assertEquals(0, voiceCalls("INT-COLLEAGUES").size() + voiceCalls("INT-ANONYMOUS").size(),
                "never sent to the org");
    }

    static final String CSV_HEADER = "externalId,startDateTime,endDateTime,fromPhoneNumber,toPhoneNumber,callType,"
            + "userEmail,recording,note";

    /** A generic CSV row of a 30 s call, its recording {id}.wav; the note is quoted as given. */
    static String csvRow(String id, String callType, String note) {
        return id + "," + io.eciconnector.vendor.Times.eci(Drops.START) + ","
                + io.eciconnector.vendor.Times.eci(Drops.START.plusSeconds(30)) + ",+16315122409,+14155550101," + callType
                + ",ava.agent@eci-sandbox.example," + id + ".wav," + note;
    }

    /** Writes a file of exactly {@code bytes} bytes, a JSON record's start then padding, as a stream. */
    static void writeLargeRecord(Path file, String head, long bytes, String tail) throws Exception {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp))) {
            byte[] h = head.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] t = tail.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.write(h);
            byte[] chunk = new byte[65536];
            java.util.Arrays.fill(chunk, (byte) 'a');
            for (long left = bytes - h.length - t.length; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            out.write(t);
        }
        Files.move(tmp, file);
    }

    @Test
    void aCreateRequestRefusedWith400DeadLettersItsCallWithTheApisAnswerThroughTheCreateRoute() throws Exception {
        // the "Dead letter ..." line is logged once the letter is written, not before: the file exists by then
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.eciconnector.deadletter.DeadLetters");
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                String line = r.getMessage();
                if (line != null && line.contains("CREATE-400-")) {
                    String name = line.replaceFirst("^Dead letter (\\S+): .*$", "$1");
                    logged.add(line + " | written: " + Files.isRegularFile(Path.of(FlowProfile.DEAD_LETTERS, name)));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            given().contentType(ContentType.JSON).body(List.of(Map.of("endpoint", "eci.voicecalls", "status", 400,
                    "count", 1))).post("/sandbox/faults").then().statusCode(201);
            drop("CREATE-400", 60);
            await().atMost(WAIT).until(() -> "DEAD".equals(state("CREATE-400")) && hasDeadLetter("CREATE-400-")
                    && !logged.isEmpty());
        } finally {
            log.removeHandler(handler);
        }
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.get(0).startsWith("Dead letter generic/CREATE-400-") && logged.get(0).contains("HTTP 400")
                && logged.get(0).endsWith("| written: true"), logged.toString());
        Map<?, ?> letter = deadLetter("CREATE-400-");
        assertEquals("create", letter.get("flow"), letter.toString());
        assertEquals(400, ((Map<?, ?>) letter.get("error")).get("httpStatus"), letter.toString());
        assertTrue(((String) letter.get("original")).contains("CREATE-400"), "the original record: " + letter);
        assertTrue(voiceCalls("CREATE-400").isEmpty());
    }

    static Map<?, ?> deadLetter(String prefix) throws Exception {
        try (Stream<Path> letters = Files.walk(Path.of(FlowProfile.DEAD_LETTERS))) {
            Path letter = letters.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no dead letter " + prefix + "*"));
            return Drops.MAPPER.readValue(letter.toFile(), Map.class);
        }
    }

    static boolean hasDeadLetter(String prefix) throws Exception {
        if (!Files.isDirectory(Path.of(FlowProfile.DEAD_LETTERS))) {
            return false;
        }
        try (Stream<Path> letters = Files.walk(Path.of(FlowProfile.DEAD_LETTERS))) {
            return letters.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
        }
    }

    @Test
    void anOversizedRecordAndABrokenCsvRowAreDeadLetteredWhileTheOtherFilesAndRowsAreCreated() throws Exception {
        Path inbox = Path.of(FlowProfile.INBOX);
        Files.createDirectories(inbox);
        long over = 64L * 1024 * 1024 + 1; // one byte over eci.ingest.max-record-file-bytes
        writeLargeRecord(inbox.resolve("BIG-RECORD.json"), "[{\"externalId\":\"BIG-RECORD\",\"note\":\"", over, "\"}]");
        for (String id : List.of("CSVOK-1", "CSVOK-2", "CSVOK-3", "CSV-BADTYPE", "CSV-BROKEN", "CSV-AFTER")) {
            WavWriter.tone(inbox.resolve(id + ".wav"), 8000, 0.2, 262.0);
        }
        String multiLine = csvRow("CSVOK-3", "Inbound", "\"first line\nsecond line, with a comma\"");
        String bad = csvRow("CSV-BADTYPE", "Sideways", "plain");
        String broken = csvRow("CSV-BROKEN", "Inbound", "\"a quote that never closes");
        String after = csvRow("CSV-AFTER", "Inbound", "after");
        String csv = CSV_HEADER + "\n" + csvRow("CSVOK-1", "Inbound", "") + "\n" + csvRow("CSVOK-2", "Inbound", "x")
                + "\n" + multiLine + "\n" + bad + "\n" + broken + "\n" + after + "\n";
        Path tmp = inbox.resolve(".rows.csv.tmp");
        Files.writeString(tmp, csv);
        Files.move(tmp, inbox.resolve("rows.csv"));
        drop("GOOD-NEXT", 30);
        await().atMost(Duration.ofSeconds(60)).until(() -> Stream.of("CSVOK-1", "CSVOK-2", "CSVOK-3", "GOOD-NEXT")
                .allMatch(id -> "UPLOADED".equals(state(id))) && "DEAD".equals(state("CSV-BADTYPE"))
                && hasDeadLetter("folder_BIG-RECORD.json-") && hasDeadLetter("folder_rows.csv-"));
        // the oversized record: refused unread, named with its rule, kept in the done area
        Map<?, ?> big = deadLetter("folder_BIG-RECORD.json-");
        assertTrue(((String) big.get("reason")).contains("is 67108865 bytes; a record may be at most 67108864 bytes"
                + " (eci.ingest.max-record-file-bytes)"), (String) big.get("reason"));
        assertEquals(over, ((Number) big.get("recordBytes")).longValue());
        Path kept = Path.of(java.net.URI.create((String) big.get("recordAt")));
        await().atMost(WAIT).until(() -> Files.exists(kept)); // moved once its exchange completed
        assertEquals(over, Files.size(kept), "the record itself is kept whole where the dead letter says");
        assertTrue(ledger.find("generic", "BIG-RECORD").isEmpty());
        // the row that breaks a rule: its own dead letter with the header and its row only
        assertEquals(CSV_HEADER + "\n" + bad, deadLetter("CSV-BADTYPE-").get("original"),
                "the original is the header and this row, not the multi-line row before it");
        given().get("/calls/CSVOK-3").then().statusCode(200);
        // the unterminated quote: the rows before it were created; it and the rest are one dead letter to fix and drop
        Map<?, ?> rest = deadLetter("folder_rows.csv-");
        assertTrue(((String) rest.get("reason")).contains("row 5 is not valid CSV"), (String) rest.get("reason"));
        assertEquals(CSV_HEADER + "\n" + broken + "\n" + after + "\n", rest.get("original"));
        given().get("/calls/CSV-AFTER").then().statusCode(404);
        Files.deleteIfExists(kept);
    }

    @Test
    void aDeadCallFromACsvRowIsReplayedFromItsOwnRow() throws Exception {
        Path inbox = Path.of(FlowProfile.INBOX);
        Files.createDirectories(inbox);
        WavWriter.ofSize(inbox.resolve("CSVREPLAY-1.wav"), 64L * 1024 * 1024 + 1); // over ECI's recording cap
        Path tmp = inbox.resolve(".replay.csv.tmp");
        Files.writeString(tmp, CSV_HEADER + "\r\n" + csvRow("CSVREPLAY-1", "Inbound", "\"two\r\nlines\"") + "\r\n");
        Files.move(tmp, inbox.resolve("replay.csv"));
        await().atMost(WAIT).until(() -> "DEAD".equals(state("CSVREPLAY-1")));
        CallRow row = ledger.find("generic", "CSVREPLAY-1").orElseThrow();
        assertTrue(row.reason().contains("67108865 bytes"), row.reason());
        // the operator replaces the recording where it was archived, and replays the call
        Path archivedWav = Path.of(java.net.URI.create(row.recordingUri()));
        Files.delete(archivedWav);
        WavWriter.tone(archivedWav, 8000, 0.2, 262.0);
        given().post("/calls/CSVREPLAY-1/replay").then().statusCode(200);
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("CSVREPLAY-1")));
        assertEquals(1, voiceCalls("CSVREPLAY-1").size());
        assertEquals(sha256(archivedWav), ((Map<?, ?>) voiceCalls("CSVREPLAY-1").get(0).get("recording")).get("sha256"));
    }

    @Inject
    io.eciconnector.ledger.RecordAttempts recordAttempts;

    @Test
    void aRecordThatFailedEveryPollIsDeadLetteredUnreadAndTheOthersGoOn() throws Exception {
        Path inbox = Path.of(FlowProfile.INBOX);
        Path staging = Files.createDirectories(inbox.resolveSibling("staging"));
        Path record = staging.resolve("CRASHED.json");
        Drops.MAPPER.writeValue(record.toFile(), call("CRASHED-CALL", 30));
        WavWriter.tone(inbox.resolve("CRASHED-CALL.wav"), 8000, 0.2, 262.0);
        // five earlier polls began reading it and never ended (the JVM died on it each time): counted before reading
        String version = Files.size(record) + "-" + Files.getLastModifiedTime(record).toMillis();
        for (int i = 0; i < 5; i++) {
            recordAttempts.begin("folder:CRASHED.json", version);
        }
        Files.move(record, inbox.resolve("CRASHED.json")); // same size and time: the same record
        drop("AFTER-CRASHED", 30);
        await().atMost(WAIT).until(() -> hasDeadLetter("folder_CRASHED.json-") && "UPLOADED".equals(state("AFTER-CRASHED")));
        Map<?, ?> letter = deadLetter("folder_CRASHED.json-");
        assertTrue(((String) letter.get("reason")).contains("failed 5 polls (eci.ingest.max-record-attempts 5) without"
                + " being taken in; last: the connector stopped while reading it"), (String) letter.get("reason"));
        assertTrue(ledger.find("generic", "CRASHED-CALL").isEmpty(), "not read again");
        Path kept = Path.of(java.net.URI.create((String) letter.get("recordAt")));
        await().atMost(WAIT).until(() -> Files.exists(kept));
        assertEquals(1, recordAttempts.begin("folder:CRASHED.json", version).number(), "forgotten once dead-lettered");
        recordAttempts.done("folder:CRASHED.json");
    }
}
