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

/** A second bucket added by an operator in routes/ingest-s3.yaml alone: one more templatedRoute of s3-drop. */
@QuarkusTest
@TestProfile(S3TemplateProfile.class)
class S3TemplateTest {

    @Test
    void aSecondBucketFromTheTemplateTakesItsDropsInAndArchivesOnlyItsOwnRecordings() throws Exception {
        S3Client s3 = S3ProxyResource.client();
        String bucket = S3ProxyResource.SECOND_BUCKET;
        Path wav = Files.createTempFile("s3t", ".wav");
        WavWriter.tone(wav, 8000, 1, 250.0);
        s3.putObject(b -> b.bucket(bucket).key("inbox/recordings/S3T-1.wav"), RequestBody.fromFile(wav));
        Instant start = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        String record = "{\"externalId\":\"S3T-1\",\"startDateTime\":\"" + start + "\",\"endDateTime\":\""
                + start.plusSeconds(60) + "\",\"fromPhoneNumber\":\"+16315122409\",\"toPhoneNumber\":\"+14155550101\","
                + "\"callType\":\"Inbound\",\"userEmail\":\"ava.agent@eci-sandbox.example\",\"recordingDuration\":1,"
                + "\"recording\":\"S3T-1.wav\"}";
        s3.putObject(b -> b.bucket(bucket).key("inbox/records/S3T-1.json"), RequestBody.fromString(record));

        await().atMost(Duration.ofSeconds(40)).until(() -> "UPLOADED".equals(given().get("/calls/S3T-1").path("state")));
        List<Map<String, Object>> calls = given().get("/sandbox/voicecalls").jsonPath().getList("");
        Map<String, Object> call = calls.stream().filter(v -> "S3T-1".equals(v.get("vendorCallKey"))).findFirst()
                .orElseThrow();
        assertEquals(sha256(wav), ((Map<?, ?>) call.get("recording")).get("sha256"), "its recording, from its bucket");
        assertEquals("s3:inbox/records/S3T-1.json", given().get("/calls/S3T-1").path("source"),
                "read by the template's route");
        List<String> keys = s3.listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList();
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("inbox/")), "record and recording left the drop area: " + keys);
        assertTrue(keys.contains("done/inbox/records/S3T-1.json"), "the record under the template's done prefix: " + keys);
        assertTrue(keys.stream().anyMatch(k -> k.startsWith("done/") && k.endsWith("S3T-1.wav")),
                "its own recording archived in its own bucket: " + keys);
    }
}
