package io.eciconnector.sources;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.eciconnector.samples.WavWriter;
import io.eciconnector.vendor.Times;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Drops on an SFTP server: records and recordings read over SFTP (recordings streamed), then moved to done. */
@QuarkusTest
@TestProfile(SftpSourceProfile.class)
class SftpSourceTest {

    @Test
    void sftpDropsEachCallOnceWithItsRecording() throws Exception {
        Path inbox = SftpServerResource.ROOT.resolve("inbox");
        Path mono = inbox.resolve("SFTP-1.wav");
        Path stereo = inbox.resolve("SFTP-2.mp3.wav");
        WavWriter.tone(mono, 8000, 1, 262.0);
        WavWriter.tone(stereo, 8000, 1, 220.0, 330.0);
        String sha1 = io.eciconnector.testing.Hashes.sha256(mono);
        String sha2 = io.eciconnector.testing.Hashes.sha256(stereo);
        // SFTP-1 paired by base name; SFTP-2 names its recording in a CSV record
        Instant start = Instant.now().minus(Duration.ofHours(1));
        Files.writeString(inbox.resolve(".SFTP-1.tmp"), """
                {"externalId":"SFTP-1","startDateTime":"%s","endDateTime":"%s",
                 "fromPhoneNumber":"+14155550101","toPhoneNumber":"+12125550147","callType":"Outbound",
                 "userEmail":"ava.agent@eci-sandbox.example","recordingDuration":60}""".formatted(Times.eci(start),
                Times.eci(start.plusSeconds(60))));
        Files.move(inbox.resolve(".SFTP-1.tmp"), inbox.resolve("SFTP-1.json"));
        Files.writeString(inbox.resolve("batch.csv"), "externalId,startDateTime,endDateTime,fromPhoneNumber,toPhoneNumber,"
                + "callType,userEmail,recordingDuration,recording\n"
                + "SFTP-2," + Times.eci(start) + "," + Times.eci(start.plusSeconds(120)) + ",+16315122409,+14155550103,Inbound,"
                + "cleo.agent@eci-sandbox.example,120,SFTP-2.mp3.wav\n");
        await().atMost(Duration.ofSeconds(40)).until(() -> Stream.of("SFTP-1", "SFTP-2")
                .allMatch(id -> "UPLOADED".equals(given().get("/calls/" + id).path("state"))));
        List<Map<String, Object>> calls = given().get("/sandbox/voicecalls").jsonPath().getList("");
        assertEquals(2, calls.size());
        for (Map<String, Object> v : calls) {
            Map<?, ?> rec = (Map<?, ?>) v.get("recording");
            Map<?, ?> fields = (Map<?, ?>) v.get("fields");
            if (v.get("vendorCallKey").equals("SFTP-1")) {
                assertEquals(sha1, rec.get("sha256"));
                assertEquals(1, fields.get("numberChannels"));
            } else {
                assertEquals(sha2, rec.get("sha256"));
                assertEquals("wav", fields.get("recordingFormat"), "the real type, whatever the name says");
                assertEquals(2, fields.get("numberChannels"));
            }
        }
        try (Stream<Path> files = Files.list(inbox)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
            assertTrue(left.isEmpty(), "processed drops leave the inbox: " + left);
        }
        try (Stream<Path> done = Files.walk(SftpServerResource.ROOT.resolve("done"))) {
            List<String> names = done.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.containsAll(List.of("SFTP-1.json", "SFTP-1.wav", "batch.csv", "SFTP-2.mp3.wav")), names.toString());
        }
        assertFalse(Files.exists(mono));
    }
}
