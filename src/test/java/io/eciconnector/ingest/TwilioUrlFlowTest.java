package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.state;
import static io.eciconnector.ingest.Drops.voiceCalls;
import static io.eciconnector.testing.Hashes.sha256;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.samples.WavWriter;
import io.eciconnector.sandbox.RecordingServerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Twilio drops (Call and Recording resources, together or apart) through the product's routes, with the recordings
 * offered by URL: the request parameters recordingURL and name of Voice Call Audio Upload, which the sandbox
 * refuses in any other form.
 */
@QuarkusTest
@TestProfile(TwilioUrlProfile.class)
@QuarkusTestResource(RecordingServerResource.class)
class TwilioUrlFlowTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String CLEO = "0055e00000Cleo0AAB";
    static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US)
            .withZone(ZoneOffset.UTC);

    @Inject
    Ledger ledger;

    @Inject
    UserMatcher matcher;

    @BeforeEach
    void settle() {
        given().delete("/sandbox/faults").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("enabled", true)).post("/sandbox/callcoaching");
        // Cleo answers Twilio Client calls as "cleo"
        given().contentType(ContentType.JSON).body(List.of(Map.of("id", CLEO, "fields",
                Map.of("Twilio_Identity__c", "cleo")))).post("/sandbox/users").then().statusCode(200);
        matcher.invalidate();
        await().atMost(Duration.ofSeconds(60)).until(() -> Stream.of(CallState.CHECKED, CallState.CREATING,
                CallState.RECONCILE, CallState.CREATED, CallState.UPLOADING).allMatch(s -> ledger.counts().get(s) == 0));
    }

    static String origin() {
        return ConfigProvider.getConfig().getValue("test.recordings-origin", String.class);
    }

    /** A Twilio Call resource of {@code seconds}, started an hour ago. */
    static Map<String, Object> call(String sid, String direction, String from, String to, int seconds) {
        Instant start = Drops.START;
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("sid", sid);
        c.put("account_sid", "AC0000");
        c.put("direction", direction);
        c.put("from", from);
        c.put("to", to);
        c.put("start_time", RFC_2822.format(start));
        c.put("end_time", RFC_2822.format(start.plusSeconds(seconds)));
        c.put("duration", String.valueOf(seconds));
        c.put("status", "completed");
        return c;
    }

    /** A Twilio Recording resource of call {@code callSid} whose media is a WAV of {@code seconds} on the server. */
    static Map<String, Object> recording(String sid, String callSid, double seconds, String reportedDuration)
            throws Exception {
        Path wav = RecordingServerResource.ROOT.resolve("twilio/" + sid + ".wav");
        WavWriter.tone(wav, 8000, seconds, 262.0);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sid", sid);
        r.put("account_sid", "AC0000");
        r.put("call_sid", callSid);
        r.put("duration", reportedDuration);
        r.put("channels", 1);
        r.put("status", "completed");
        r.put("media_url", origin() + "/twilio/" + sid + ".wav");
        return r;
    }

    static void drop(String name, Object record) throws Exception {
        Path inbox = Path.of(FlowProfile.INBOX);
        Files.createDirectories(inbox);
        Path tmp = inbox.resolve("." + name + ".tmp");
        Drops.MAPPER.writeValue(tmp.toFile(), record);
        Files.move(tmp, inbox.resolve(name));
    }

    static Map<?, ?> recordingOf(String key) {
        return (Map<?, ?>) voiceCalls(key).get(0).get("recording");
    }

    static Map<?, ?> fieldsOf(String key) {
        return (Map<?, ?>) voiceCalls(key).get(0).get("fields");
    }

    static void awaitReceived(String key) {
        await().atMost(WAIT).until(() -> voiceCalls(key).size() == 1 && "UPLOADED".equals(state(key))
                && "RECEIVED".equals(recordingOf(key).get("status")));
    }

    @Test
    void aCallWithItsRecordingIsOfferedByUrlWithTheDocumentedParametersAndItsRecordingsOwnLength() throws Exception {
        Map<String, Object> rec = recording("RE-T1", "CA-T1", 148, "148");
        drop("CA-T1.json", Map.of("call", call("CA-T1", "outbound-api", "+14155550101", "+13105550188", 150),
                "recording", rec));
        awaitReceived("CA-T1");
        Map<?, ?> r = recordingOf("CA-T1");
        assertEquals("url", r.get("source"), "Salesforce fetched it: no bytes were uploaded");
        assertEquals("twilio/RE-T1.wav", r.get("recordingUrl"), "recordingURL: the media URL below the credential's");
        assertEquals("TestRecordingsRoot", r.get("namedCredential"), "name: the Named Credential");
        assertEquals(sha256(RecordingServerResource.ROOT.resolve("twilio/RE-T1.wav")), r.get("sha256"));
        assertEquals(148, fieldsOf("CA-T1").get("recordingDuration"), "the recording's 148 s, not the call's 150 s");
        assertEquals(148.0f, ((Number) r.get("seconds")).floatValue());
        assertEquals(150, Duration.between(Instant.parse((String) fieldsOf("CA-T1").get("startDateTime")),
                Instant.parse((String) fieldsOf("CA-T1").get("endDateTime"))).toSeconds());
    }

    @Test
    void aRecordingAloneWaitsForItsCallAndGoesOnWhenTheCallComes() throws Exception {
        drop("RE-T2.json", recording("RE-T2", "CA-T2", 30, "30"));
        await().atMost(WAIT).until(() -> "WAITING".equals(state("CA-T2")));
        given().get("/calls/CA-T2").then().body("reason", containsString("waiting for the Call resource CA-T2"));
        assertEquals(0, voiceCalls("CA-T2").size());
        drop("CA-T2.json", call("CA-T2", "inbound", "+13105550188", "+14155550101", 32));
        awaitReceived("CA-T2");
        assertEquals(30, fieldsOf("CA-T2").get("recordingDuration"));
        assertEquals("twilio/RE-T2.wav", recordingOf("CA-T2").get("recordingUrl"));
    }

    @Test
    void aCallAloneWaitsForItsRecordingAndGoesOnWhenTheRecordingComes() throws Exception {
        drop("CA-T3.json", call("CA-T3", "inbound", "+13105550188", "+14155550101", 45));
        await().atMost(WAIT).until(() -> "WAITING".equals(state("CA-T3")));
        drop("RE-T3.json", recording("RE-T3", "CA-T3", 44, "44"));
        awaitReceived("CA-T3");
        assertEquals(44, fieldsOf("CA-T3").get("recordingDuration"));
        List<String> states = ledger.history("twilio", "CA-T3").stream().map(h -> h.state().name()).toList();
        assertTrue(states.indexOf("WAITING") < states.indexOf("CHECKED"), states.toString());
    }

    @Test
    void aClientIdentityIsSentAsItsUsersNumberAndClientToClientCallsAreInternal() throws Exception {
        drop("CA-T4.json", Map.of("call", call("CA-T4", "outbound-dial", "client:cleo", "+13105550188", 60),
                "recording", recording("RE-T4", "CA-T4", 59, "59")));
        drop("CA-T5.json", Map.of("call", call("CA-T5", "inbound", "client:ava", "client:cleo", 60),
                "recording", recording("RE-T5", "CA-T5", 59, "59")));
        awaitReceived("CA-T4");
        assertEquals(CLEO, fieldsOf("CA-T4").get("userId"), "client:cleo is the user whose identity field says cleo");
        assertEquals("+14155550103", fieldsOf("CA-T4").get("fromPhoneNumber"), "sent as Cleo's own number");
        await().atMost(WAIT).until(() -> "SKIPPED".equals(state("CA-T5")) || "UPLOADED".equals(state("CA-T5")));
        given().get("/calls/CA-T5").then().body("state", equalTo("SKIPPED"))
                .body("reasonCode", equalTo("internal-call"));
        assertEquals(0, voiceCalls("CA-T5").size());
    }

    @Test
    void aLocalRecordingThatCannotBeOfferedByUrlIsRefusedBeforeTheCreate() throws Exception {
        Path inbox = Path.of(FlowProfile.INBOX);
        WavWriter.tone(inbox.resolve("RE-T6.wav"), 8000, 20, 262.0);
        Map<String, Object> rec = new LinkedHashMap<>(recording("RE-T6", "CA-T6", 20, "20"));
        rec.put("media_url", "RE-T6.wav"); // a file beside the record
        drop("CA-T6.json", Map.of("call", call("CA-T6", "inbound", "+13105550188", "+14155550101", 21),
                "recording", rec));
        await().atMost(WAIT).until(() -> "DEAD".equals(state("CA-T6")) || "UPLOADING".equals(state("CA-T6"))
                || "UPLOADED".equals(state("CA-T6")));
        given().get("/calls/CA-T6").then().body("state", equalTo("DEAD"))
                .body("reasonCode", equalTo("recording-not-offerable"))
                .body("reason", containsString("a local file"))
                .body("reason", containsString("eci.upload.mode=multipart"));
        assertEquals(0, voiceCalls("CA-T6").size(), "no VoiceCall was created for a call that could never be uploaded");
    }
}
