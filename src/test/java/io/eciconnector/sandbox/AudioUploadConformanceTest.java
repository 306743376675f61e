package io.eciconnector.sandbox;

import static io.eciconnector.testing.Hashes.sha256;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.eciconnector.samples.WavWriter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** POST voicecalls/{id}/audio_upload: the seed's 204 and 400 cases, the 64 MB cap, the recording URL variant. */
@QuarkusTest
@QuarkusTestResource(RecordingServerResource.class)
class AudioUploadConformanceTest extends SandboxTestSupport {

    static final long CAP = 64L * 1024 * 1024;

    private String createCall(String auth, String provider, String externalId) {
        return EciConnectConformanceTest.create(auth, List.of(EciConnectConformanceTest.validCall(provider, externalId)))
                .then().statusCode(200).body("results[0].isSuccess", equalTo(true)).extract().path("results[0].voiceCallId");
    }

    @Test
    void multipartAudioFileDataIsStoredWithItsSizeAndHash() throws Exception {
        String auth = auth();
        String id = createCall(auth, provider(auth), "UP-1");
        Path wav = Path.of("target/test-recordings/up-1.wav");
        WavWriter.tone(wav, 8000, 3, 220.0, 330.0);
        given().header("Authorization", auth).multiPart("audioFileData", wav.toFile(), "audio/wav")
                .post(V + "/voicecalls/" + id + "/audio_upload").then().statusCode(204)
                .header("Sforce-Limit-Info", containsString("api-usage="));
        given().get("/sandbox/voicecalls").then().body("[0].id", equalTo(id))
                .body("[0].recording.bytes", equalTo((int) Files.size(wav)))
                .body("[0].recording.seconds", equalTo(3.0f))
                .body("[0].recording.sha256", equalTo(sha256(wav)))
                .body("[0].recording.uploads", equalTo(1))
                .body("[0].recording.status", equalTo("RECEIVED"));
        // the VoiceCall now names its Voice Call Recording (what the connector asks before uploading again)
        given().header("Authorization", auth).queryParam("q", "SELECT Id, CallRecordingId FROM VoiceCall WHERE Id IN ('"
                + id + "')").get(V + "/query").then().body("records[0].CallRecordingId", org.hamcrest.Matchers.startsWith("0Lr"));
    }

    @Test
    void seedRejectionsInvalidIdMissingFileAndPermissionSet() throws Exception {
        String auth = auth();
        String provider = provider(auth);
        String id = createCall(auth, provider, "UP-2");
        Path wav = Path.of("target/test-recordings/up-2.wav");
        WavWriter.tone(wav, 8000, 1, 262.0);
        given().header("Authorization", auth).multiPart("audioFileData", wav.toFile())
                .post(V + "/voicecalls/0LQ000000000000/audio_upload").then().statusCode(400)
                .body("[0].errorCode", equalTo("INVALID_ID")).body("[0].message", containsString("Invalid VoiceCallId"));
        given().header("Authorization", auth).multiPart("somethingElse", wav.toFile())
                .post(V + "/voicecalls/" + id + "/audio_upload").then().statusCode(400)
                .body("[0].message", containsString("Missing audio file"));
        given().header("Authorization", auth).contentType("application/octet-stream").body(new byte[] { 1, 2 })
                .post(V + "/voicecalls/" + id + "/audio_upload").then().statusCode(400)
                .body("[0].message", containsString("Missing audio file"));
        given().contentType(ContentType.JSON).body(Map.of("integrationPermissionSet", false)).post("/sandbox/callcoaching");
        given().header("Authorization", auth).multiPart("audioFileData", wav.toFile())
                .post(V + "/voicecalls/" + id + "/audio_upload").then().statusCode(400)
                .body("[0].errorCode", equalTo("INSUFFICIENT_ACCESS"));
        given().contentType(ContentType.JSON).body(Map.of("integrationPermissionSet", true)).post("/sandbox/callcoaching");
        // a user removed from call coaching, or a disabled provider: uploads are rejected too
        given().contentType(ContentType.JSON).body(Map.of("users", Map.of(AVA, false))).post("/sandbox/callcoaching");
        given().header("Authorization", auth).multiPart("audioFileData", wav.toFile())
                .post(V + "/voicecalls/" + id + "/audio_upload").then().statusCode(400)
                .body("[0].message", containsString("not an active CallCoaching user"));
        given().contentType(ContentType.JSON).body(Map.of("users", Map.of(AVA, true), "providers", Map.of(provider, false)))
                .post("/sandbox/callcoaching");
        given().header("Authorization", auth).multiPart("audioFileData", wav.toFile())
                .post(V + "/voicecalls/" + id + "/audio_upload").then().statusCode(400)
                .body("[0].message", containsString("disabled"));
        given().get("/sandbox/voicecalls").then().body("[0].recording.uploads", equalTo(0));
    }

    @Test
    void exactly64MbIsAcceptedAndOneByteMoreIsNotProcessed() throws Exception {
        String auth = auth();
        String provider = provider(auth);
        String atCap = createCall(auth, provider, "CAP-EXACT");
        String overCap = createCall(auth, provider, "CAP-OVER");
        Path exact = Path.of("target/test-recordings/cap-exact.wav");
        Path over = Path.of("target/test-recordings/cap-over.wav");
        WavWriter.ofSize(exact, CAP);
        WavWriter.ofSize(over, CAP + 1);
        // the sandbox's heap is not big enough to hold these whole twice over; it counts and hashes as they stream
        given().header("Authorization", auth).multiPart("audioFileData", over.toFile(), "audio/wav")
                .post(V + "/voicecalls/" + overCap + "/audio_upload").then().statusCode(400)
                .body("[0].errorCode", equalTo("FILE_TOO_LARGE"));
        given().header("Authorization", auth).multiPart("audioFileData", exact.toFile(), "audio/wav")
                .post(V + "/voicecalls/" + atCap + "/audio_upload").then().statusCode(204);
        given().get("/sandbox/voicecalls").then()
                .body("find { it.id == '" + atCap + "' }.recording.bytes", equalTo((int) CAP))
                .body("find { it.id == '" + atCap + "' }.recording.sha256", equalTo(sha256(exact)))
                .body("find { it.id == '" + overCap + "' }.recording.status", equalTo("NONE"));
        Files.delete(exact);
        Files.delete(over);
    }

    @Test
    void recordingUrlAndNameRequestParametersAreFetchedBySalesforce() throws Exception {
        String auth = auth();
        String id = createCall(auth, provider(auth), "URL-1");
        Path wav = RecordingServerResource.ROOT.resolve("recordings-root/url-1.wav");
        WavWriter.tone(wav, 8000, 2, 262.0);
        String upload = V + "/voicecalls/" + id + "/audio_upload";
        // the Voice Call Audio Upload reference: request parameters recordingURL and name, from API 57.0
        given().header("Authorization", auth).contentType(ContentType.URLENC).queryParam("recordingURL", "url-1.wav")
                .queryParam("name", "TestRecordings").post("/services/data/v56.0/voicecalls/" + id + "/audio_upload")
                .then().statusCode(400).body("[0].message", containsString("57.0"));
        given().header("Authorization", auth).contentType(ContentType.URLENC).queryParam("recordingURL", "url-1.wav")
                .queryParam("name", "NoSuchCredential").post(upload).then().statusCode(400)
                .body("[0].errorCode", equalTo("INVALID_NAMED_CREDENTIAL"));
        given().header("Authorization", auth).contentType(ContentType.URLENC).queryParam("recordingURL", "url-1.wav")
                .post(upload).then().statusCode(400).body("[0].message", containsString("name (the Named Credential)"));
        given().get("/sandbox/voicecalls").then().body("[0].recording.uploads", equalTo(0));
        given().header("Authorization", auth).contentType(ContentType.URLENC).queryParam("recordingURL", "url-1.wav")
                .queryParam("name", "TestRecordings").post(upload).then().statusCode(204);
        String expected = sha256(wav);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/sandbox/voicecalls").then()
                .body("[0].recording.status", equalTo("RECEIVED")).body("[0].recording.sha256", equalTo(expected))
                .body("[0].recording.source", equalTo("url"))
                .body("[0].recording.recordingUrl", equalTo("url-1.wav"))
                .body("[0].recording.namedCredential", equalTo("TestRecordings")));
        assertEquals(Files.size(wav), ((Number) given().get("/sandbox/voicecalls").path("[0].recording.bytes")).longValue());
        assertEquals(2.0f, ((Number) given().get("/sandbox/voicecalls").path("[0].recording.seconds")).floatValue(),
                "the sandbox keeps the fetched recording's own length beside the call's recordingDuration");
        // as form fields of an application/x-www-form-urlencoded body: request parameters too
        given().header("Authorization", auth).contentType(ContentType.URLENC)
                .formParams(Map.of("recordingURL", "url-1.wav", "name", "TestRecordings")).post(upload).then()
                .statusCode(204);
    }

    @Test
    void anythingButTheDocumentedRecordingUrlParametersIsRefused() throws Exception {
        String auth = auth();
        String id = createCall(auth, provider(auth), "URL-2");
        String upload = V + "/voicecalls/" + id + "/audio_upload";
        // what the connector used to send: a JSON body with other names
        given().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("recordingUrl", "url-1.wav", "namedCredential", "TestRecordings")).post(upload).then()
                .statusCode(400).body("[0].message", containsString("Missing audio file"));
        // the documented names in a JSON body: still no request parameters
        given().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("recordingURL", "url-1.wav", "name", "TestRecordings")).post(upload).then()
                .statusCode(400).body("[0].message", containsString("Missing audio file"));
        // parameter names are case-sensitive
        given().header("Authorization", auth).contentType(ContentType.URLENC).queryParam("recordingUrl", "url-1.wav")
                .queryParam("namedCredential", "TestRecordings").post(upload).then().statusCode(400)
                .body("[0].message", containsString("the parameters are recordingURL and name"));
        // a request body and request parameters at once
        given().header("Authorization", auth).contentType(ContentType.JSON).queryParam("recordingURL", "url-1.wav")
                .queryParam("name", "TestRecordings").body(Map.of("x", 1)).post(upload).then().statusCode(400)
                .body("[0].message", containsString("not both"));
        given().get("/sandbox/voicecalls").then().body("[0].recording.uploads", equalTo(0))
                .body("[0].recording.status", equalTo("NONE"));
    }
}
