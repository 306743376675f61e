package io.eciconnector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** eci.upload.mode=recording-url: what the configuration needs, and which recordings can be offered by URL. */
class RecordingUrlModeTest {

    @Test
    void recordingUrlModeNeedsApi57AndANamedCredential() {
        assertNull(RecordingUrlMode.configurationProblem("multipart", Optional.empty(), "49.0"));
        assertNull(RecordingUrlMode.configurationProblem("recording-url", Optional.of("Recordings"), "57.0"));
        assertNull(RecordingUrlMode.configurationProblem("recording-url", Optional.of("Recordings"), "60.0"));
        String old = RecordingUrlMode.configurationProblem("recording-url", Optional.of("Recordings"), "56.0");
        assertTrue(old.contains("eci.salesforce.api-version 57.0 or later") && old.contains("configured: 56.0"), old);
        String none = RecordingUrlMode.configurationProblem("recording-url", Optional.empty(), "60.0");
        assertTrue(none.contains("eci.upload.named-credential"), none);
        assertTrue(RecordingUrlMode.configurationProblem("recording_url", Optional.empty(), "60.0")
                .contains("must be multipart or recording-url"));
    }

    @Test
    void onlyS3AndHttpRecordingsCanBeOfferedByUrl() {
        assertEquals(Optional.of("connect/i/CallRecordings/2026/11/20/c_UTC.wav"),
                RecordingUrlMode.recordingUrl(URI.create("s3://bucket/connect/i/CallRecordings/2026/11/20/c_UTC.wav")));
        assertEquals(Optional.of("r/812345.mp3?X-Amz-Signature=a%2Bb"),
                RecordingUrlMode.recordingUrl(URI.create("https://recordings.example/r/812345.mp3?X-Amz-Signature=a%2Bb")));
        assertEquals(Optional.empty(), RecordingUrlMode.recordingUrl(URI.create("file:/data/inbox/x.wav")));
        assertEquals(Optional.empty(), RecordingUrlMode.recordingUrl(URI.create("sftp://host:22/in/x.wav")));
        assertTrue(RecordingUrlMode.notOfferable("C-1", URI.create("sftp://host:22/in/x.wav"))
                .contains("a file on an SFTP server"));
    }
}
