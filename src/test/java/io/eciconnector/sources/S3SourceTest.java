package io.eciconnector.sources;

import static io.eciconnector.testing.Hashes.sha256;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.eciconnector.samples.WavWriter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Amazon Connect out of the box from S3: contact trace records (JSON lines, as Kinesis Firehose writes them) under
 * ctr/, stereo recordings under connect/{instance}/CallRecordings/YYYY/MM/DD/{contactId}_..._UTC.wav.
 */
@QuarkusTest
@TestProfile(S3SourceProfile.class)
class S3SourceTest {

    @jakarta.inject.Inject
    io.eciconnector.ledger.ProcessedObjects seen;

    /** Contacts of the test started an hour ago (the connector takes calls of the past 7 days). */
    static final Instant START = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    static final String DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC).format(START.plusSeconds(10));

    static String ctr(String contactId, String agent, String location) {
        return "{\"ContactId\":\"" + contactId + "\",\"Channel\":\"VOICE\",\"InitiationMethod\":\"INBOUND\","
                + "\"InitiationTimestamp\":\"" + START + "\",\"DisconnectTimestamp\":\"" + START.plusSeconds(180) + "\","
                + "\"Agent\":{\"Username\":\"" + agent + "\",\"ConnectedToAgentTimestamp\":\"" + START.plusSeconds(10) + "\"},"
                + "\"CustomerEndpoint\":{\"Address\":\"+16315122409\"},\"SystemEndpoint\":{\"Address\":\"+14155550102\"}"
                + (location == null ? "" : ",\"Recording\":{\"Location\":\"" + location + "\",\"Status\":\"AVAILABLE\"}")
                + "}";
    }

    @Test
    void amazonConnectLayoutFromS3EachCallOnceWithItsRecordingAndTheVendorsRecordingsLeftAsTheyAre() throws Exception {
        S3Client s3 = S3ProxyResource.client();
        Path wav1 = Files.createTempFile("c1", ".wav");
        Path wav2 = Files.createTempFile("c2", ".wav");
        WavWriter.tone(wav1, 8000, 1, 220.0, 330.0);
        WavWriter.tone(wav2, 8000, 1, 240.0, 360.0);
        String day = "connect/inst/CallRecordings/" + DAY + "/";
        String key1 = day + "c1-aaaa_20261120T10:00_UTC.wav";
        String key2 = day + "c2-bbbb_20261120T10:00_UTC.wav";
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key(key1), RequestBody.fromFile(wav1));
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key(key2), RequestBody.fromFile(wav2));
        // c1 names its recording (Recording.Location); c2 does not: found by contact id in its day folder
        String lines = ctr("c1-aaaa", "ben.connect", S3ProxyResource.BUCKET + "/" + key1) + "\n"
                + ctr("c2-bbbb", "ben.connect", null) + "\n";
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key("ctr/" + DAY + "/firehose-1"), RequestBody.fromString(lines));

        await().atMost(Duration.ofSeconds(40)).until(() -> List.of("c1-aaaa", "c2-bbbb").stream()
                .allMatch(id -> "UPLOADED".equals(given().get("/calls/" + id).path("state"))));
        List<Map<String, Object>> calls = given().get("/sandbox/voicecalls").jsonPath().getList("");
        assertEquals(2, calls.size());
        for (Map<String, Object> v : calls) {
            Map<?, ?> fields = (Map<?, ?>) v.get("fields");
            Map<?, ?> rec = (Map<?, ?>) v.get("recording");
            Path file = v.get("vendorCallKey").equals("c1-aaaa") ? wav1 : wav2;
            assertEquals(sha256(file), rec.get("sha256"));
            assertEquals(2, fields.get("numberChannels"), "stereo");
            assertEquals(1, fields.get("userChannel"), "the agent is on the right channel");
            assertEquals("0055e000001Ben0AAC", fields.get("userId"), "Agent.Username matched through the custom field");
            assertEquals("+16315122409", fields.get("fromPhoneNumber"));
            assertEquals("Inbound", fields.get("callType"));
            assertEquals("wav", fields.get("recordingFormat"));
        }
        List<String> keys = s3.listObjectsV2(b -> b.bucket(S3ProxyResource.BUCKET)).contents().stream()
                .map(S3Object::key).toList();
        assertTrue(keys.contains("done/ctr/" + DAY + "/firehose-1"), "the record moved to done/: " + keys);
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("ctr/")), "no record left in the records prefix: " + keys);
        // the vendor's recordings are read-only (issue 11 item 7): still there, byte for byte, and not copied
        assertEquals(sha256(wav1), sha256Of(s3, key1), key1);
        assertEquals(sha256(wav2), sha256Of(s3, key2), key2);
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("done/connect/")), "no copy under done/: " + keys);
    }

    static String sha256Of(S3Client s3, String key) throws Exception {
        Path copy = Files.createTempFile("s3-object", ".bin");
        try {
            Files.delete(copy);
            s3.getObject(b -> b.bucket(S3ProxyResource.BUCKET).key(key), copy);
            return sha256(copy);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /**
     * Recordings in the connector's own drop area (eci.ingest.s3.drop-prefix, inbox/) are archived under done/; one
     * archived before a kill (its call not yet recorded) is found there and left there (issue 10 item 5).
     */
    @Test
    void ownRecordingsAreArchivedOnceAndOneArchivedBeforeAKillIsFoundInDone() throws Exception {
        S3Client s3 = S3ProxyResource.client();
        Path wav7 = Files.createTempFile("c7", ".wav");
        Path wav8 = Files.createTempFile("c8", ".wav");
        WavWriter.tone(wav7, 8000, 1, 220.0, 330.0);
        WavWriter.tone(wav8, 8000, 1, 240.0, 360.0);
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key("inbox/recordings/c7-own.wav"), RequestBody.fromFile(wav7));
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key("done/inbox/recordings/c8-killed.wav"),
                RequestBody.fromFile(wav8));
        String lines = ctr("c7-own", "ben.connect", S3ProxyResource.BUCKET + "/inbox/recordings/c7-own.wav") + "\n"
                + ctr("c8-killed", "ben.connect", S3ProxyResource.BUCKET + "/inbox/recordings/c8-killed.wav") + "\n";
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key("ctr/" + DAY + "/firehose-4"), RequestBody.fromString(lines));
        await().atMost(Duration.ofSeconds(40)).until(() -> List.of("c7-own", "c8-killed").stream()
                .allMatch(id -> "UPLOADED".equals(given().get("/calls/" + id).path("state"))));
        List<String> keys = s3.listObjectsV2(b -> b.bucket(S3ProxyResource.BUCKET)).contents().stream()
                .map(S3Object::key).toList();
        assertTrue(!keys.contains("inbox/recordings/c7-own.wav"), "the connector's own recording left its inbox: " + keys);
        assertEquals(sha256(wav7), sha256Of(s3, "done/inbox/recordings/c7-own.wav"));
        assertEquals(sha256(wav8), sha256Of(s3, "done/inbox/recordings/c8-killed.wav"), "left where it was archived");
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("done/done/")), "nothing archived twice: " + keys);
    }

    /**
     * A Recording.Location that is no s3://bucket/key (a bare host name) or names a bucket the connector does not
     * read is refused at once with the reason (issue 12 item 4): no request, no credential lookup, and the record's
     * other calls go on.
     */
    @Test
    void aMalformedOrForeignS3LocationIsRefusedAndTheRestOfTheRecordGoesOn() throws Exception {
        S3Client s3 = S3ProxyResource.client();
        Path wav = Files.createTempFile("c6", ".wav");
        WavWriter.tone(wav, 8000, 1, 220.0, 330.0);
        String key = "connect/inst/CallRecordings/" + DAY + "/c6-good_20261120T10:00_UTC.wav";
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key(key), RequestBody.fromFile(wav));
        String lines = ctr("c4-barehost", "ben.connect", "metadata.internal") + "\n"
                + ctr("c5-otherbucket", "ben.connect", "someone-elses-bucket/connect/x.wav") + "\n"
                + ctr("c6-good", "ben.connect", S3ProxyResource.BUCKET + "/" + key) + "\n";
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key("ctr/" + DAY + "/firehose-3"), RequestBody.fromString(lines));
        await().atMost(Duration.ofSeconds(40)).until(() -> "UPLOADED".equals(given().get("/calls/c6-good").path("state"))
                && "DEAD".equals(given().get("/calls/c4-barehost").path("state"))
                && "DEAD".equals(given().get("/calls/c5-otherbucket").path("state")));
        given().get("/calls/c4-barehost").then().body("reasonCode", org.hamcrest.Matchers.equalTo("recording-refused"))
                .body("reason", org.hamcrest.Matchers.containsString("is not s3://bucket/key"));
        given().get("/calls/c5-otherbucket").then().body("reasonCode", org.hamcrest.Matchers.equalTo("recording-refused"))
                .body("reason", org.hamcrest.Matchers.containsString("the bucket someone-elses-bucket is not one the connector reads"));
        assertEquals(sha256(wav), sha256Of(s3, key), "the vendor's recording stays");
    }

    /**
     * The post-call source lists day folders, not the whole prefix (the vendor's bucket keeps every day's files): a
     * folder of more files than a listing request takes (2 in this profile) is read whole, page by page, each file
     * once; a file in a folder older than eci.signals.postcall-s3.lookback (7 days) is not listed at all.
     */
    @Test
    void postCallFilesAreListedByDayFolderPageByPageAndNotBeyondTheLookback() throws Exception {
        S3Client s3 = S3ProxyResource.client();
        List<String> keys = new java.util.ArrayList<>();
        for (String contact : List.of("pg-1", "pg-2", "pg-3", "pg-4", "pg-5")) {
            String key = "Analysis/Voice/Redacted/" + DAY + "/" + contact + "_analysis_redacted_2026-11-21T10:05:00Z.json";
            s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key(key), RequestBody.fromString(
                    io.eciconnector.signals.ContactLensRecords.analysis(contact, new double[][] { { 0, 60000, 1.5 } },
                            new double[][] {}).toString()));
            keys.add(key);
        }
        String old = "Analysis/Voice/Redacted/" + DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC)
                .format(START.minus(Duration.ofDays(30))) + "/pg-old_analysis_redacted_2026-10-21T10:05:00Z.json";
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key(old), RequestBody.fromString("{}"));
        java.util.function.Function<String, String> seenKey = key -> S3ProxyResource.BUCKET + "/" + key + "#"
                + s3.headObject(b -> b.bucket(S3ProxyResource.BUCKET).key(key)).eTag();
        await().atMost(Duration.ofSeconds(20)).until(() -> keys.stream().allMatch(k -> seen.contains(seenKey.apply(k))));
        // polled every 300 ms: the folder is listed again, the old one never
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !seen.contains(seenKey.apply(old)));
    }

    @jakarta.inject.Inject
    io.eciconnector.ledger.Ledger ledger;

    /**
     * The keys of processed post-call objects do not grow with the bucket for good: a key kept before the oldest day
     * folder the lookback lists (7 days, less a day) is forgotten by the route's pass; a recent one stays.
     */
    @Test
    void theKeysOfObjectsNoPollListsAnyMoreAreForgotten() throws Exception {
        String old = S3ProxyResource.BUCKET + "/Analysis/Voice/Redacted/2026/10/01/gone_analysis.json#\"e-old\"";
        String recent = S3ProxyResource.BUCKET + "/Analysis/Voice/Redacted/" + DAY + "/kept_analysis.json#\"e-new\"";
        assertTrue(seen.add(old));
        assertTrue(seen.add(recent));
        ledger.inTransaction(c -> {
            try (java.sql.PreparedStatement st = c.prepareStatement(
                    "UPDATE processed_object SET created_at = ? WHERE object_key = ?")) {
                st.setTimestamp(1, java.sql.Timestamp.from(Instant.now().minus(Duration.ofDays(9))));
                st.setString(2, old);
                return st.executeUpdate();
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> !seen.contains(old));
        assertTrue(seen.contains(recent), "a key of a folder still listed stays");
    }

    /**
     * A post-call analysis file of a transferred contact whose contact trace record the connector has taken in: its
     * events go to the first contact's key (InitialContactId), timed from the record's Agent.ConnectedToAgentTimestamp
     * (Contact Lens offsets count from the agent's connect time, when the analysis starts; issue 11 item 12).
     */
    @Test
    void postCallAnalysisFromS3GoesToTheFirstContactTimedFromItsContactTraceRecord() throws Exception {
        S3Client s3 = S3ProxyResource.client();
        given().contentType(io.restassured.http.ContentType.JSON)
                .body(Map.of("vendorCallKeys", List.of("c3-first"))).post("/sandbox/telephony/calls").then().statusCode(200);
        String record = ctr("c3-xfer", "ben.connect", null).replaceFirst("\\{", "{\"InitialContactId\":\"c3-first\",");
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key("ctr/" + DAY + "/firehose-2"), RequestBody.fromString(record));
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/calls/c3-xfer").statusCode() == 200);
        String analysis = io.eciconnector.signals.ContactLensRecords.analysis("c3-xfer",
                new double[][] { { 0, 60000, 1.5 } }, new double[][] { { 0, 60000, -2 } }).toString();
        s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key("Analysis/Voice/Redacted/" + DAY
                + "/c3-xfer_analysis_redacted_2026-11-21T10:05:00Z.json"), RequestBody.fromString(analysis));
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/sandbox/telephony")
                .jsonPath().getList("'c3-first'.postCallEvents").size() == 2);
        List<Map<String, Object>> events = given().get("/sandbox/telephony").jsonPath()
                .getList("'c3-first'.postCallEvents.event");
        long connected = START.plusSeconds(10).toEpochMilli();
        assertEquals(connected, ((Number) events.get(0).get("startTime")).longValue(),
                "the contact trace record's ConnectedToAgentTimestamp + 0");
        assertEquals(connected + 60000, ((Number) events.get(0).get("endTime")).longValue());
        assertEquals(List.of("300", "-400"), events.stream().map(e -> String.valueOf(e.get("value"))).toList());
        // the vendor's bucket is read-only (issue 11 item 7): the analysis stays, byte for byte, and is processed once
        String analysisKey = "Analysis/Voice/Redacted/" + DAY + "/c3-xfer_analysis_redacted_2026-11-21T10:05:00Z.json";
        List<String> keys = s3.listObjectsV2(b -> b.bucket(S3ProxyResource.BUCKET)).contents().stream()
                .map(S3Object::key).toList();
        assertTrue(keys.contains(analysisKey), keys.toString());
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("done/Analysis/")), "no copy under done/: " + keys);
        Path copy = Files.createTempFile("analysis", ".json");
        Files.delete(copy);
        s3.getObject(b -> b.bucket(S3ProxyResource.BUCKET).key(analysisKey), copy);
        assertEquals(analysis, Files.readString(copy));
        Files.delete(copy);
        // polled every 300 ms: listed again each poll, processed no more (the ledger keeps bucket/key#etag)
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> given().get("/sandbox/telephony")
                .jsonPath().getList("'c3-first'.postCallEvents").size() == 2);
        assertTrue(seen.contains(S3ProxyResource.BUCKET + "/" + analysisKey + "#"
                + s3.headObject(b -> b.bucket(S3ProxyResource.BUCKET).key(analysisKey)).eTag()));
    }
}
