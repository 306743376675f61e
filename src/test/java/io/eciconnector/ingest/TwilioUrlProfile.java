package io.eciconnector.ingest;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The flow settings with Twilio drops in the folder and recordings offered by URL (eci.upload.mode=recording-url):
 * the sandbox fetches them from the test's recording server through its Named Credential "TestRecordingsRoot".
 */
public class TwilioUrlProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "flow";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = FlowProfile.variant("twilio-url");
        m.put("eci.ingest.folder.vendor", "twilio");
        m.put("eci.upload.mode", "recording-url");
        m.put("eci.upload.named-credential", "TestRecordingsRoot");
        m.put("eci.users.match-field.twilio", "Twilio_Identity__c");
        // the test's recording server (RecordingServerResource) serves the media URLs: only its /twilio/ path is
        // fetched (a loopback address, listed by its IP literal)
        m.put("eci.recordings.url-allow", "${test.recordings-origin}/twilio/");
        // a Recording waits for its Call (and a Call for its Recording) this long
        m.put("eci.checks.recording-grace", "60S");
        return m;
    }
}
