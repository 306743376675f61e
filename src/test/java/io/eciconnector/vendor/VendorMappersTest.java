package io.eciconnector.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;
import io.eciconnector.model.MappedCall;

/** Each vendor's record, as the vendor's API or export writes it, into the canonical call. */
class VendorMappersTest {

    final VendorMappers vendors = new VendorMappers("US");

    List<MappedCall> read(String vendor, String record, String name) throws Exception {
        return vendors.get(vendor).read(record.getBytes(StandardCharsets.UTF_8), name);
    }

    CanonicalCall one(String vendor, String record) throws Exception {
        List<MappedCall> calls = read(vendor, record, "record.json");
        assertEquals(1, calls.size());
        assertNull(calls.get(0).error(), calls.get(0).error());
        return calls.get(0).call();
    }

    @Test
    void amazonConnectContactTraceRecord() throws Exception {
        CanonicalCall c = one("amazon-connect", """
                {"AWSAccountId":"123456789012","Agent":{"ARN":"arn:aws:connect:us-west-2:123456789012:instance/abc/agent/def",
                 "Username":"ava.agent","ConnectedToAgentTimestamp":"2026-11-20T10:00:05Z"},
                 "Channel":"VOICE","ContactId":"5324881f-1e84-4367-8930-f69a74b30ca6",
                 "InitialContactId":"11111111-1e84-4367-8930-f69a74b30ca6","InitiationMethod":"INBOUND",
                 "InitiationTimestamp":"2026-11-20T09:59:50Z","DisconnectTimestamp":"2026-11-20T10:04:05Z",
                 "CustomerEndpoint":{"Address":"+16315122409","Type":"TELEPHONE_NUMBER"},
                 "SystemEndpoint":{"Address":"+14155550101","Type":"TELEPHONE_NUMBER"},
                 "Recording":{"Location":"connect-bucket/connect/inst/CallRecordings/2026/11/20/5324881f-1e84-4367-8930-f69a74b30ca6_20261120T10:00_UTC.wav","Status":"AVAILABLE","Type":"AUDIO"},
                 "LastUpdateTimestamp":"2026-11-20T10:05:00Z"}""");
        assertEquals("5324881f-1e84-4367-8930-f69a74b30ca6", c.externalId());
        assertEquals(Direction.INBOUND, c.direction());
        assertEquals("+16315122409", c.fromNumber(), "inbound: the customer calls in");
        assertEquals("+14155550101", c.toNumber());
        assertEquals(Instant.parse("2026-11-20T09:59:50Z"), c.start(),
                "the call starts at InitiationTimestamp (IVR and queue included), not when the agent connects");
        assertEquals(Instant.parse("2026-11-20T10:04:05Z"), c.end(), "and ends at DisconnectTimestamp");
        assertEquals(255, c.seconds());
        assertNull(c.recordingSeconds(), "the recording's length comes from the recording");
        assertEquals("ava.agent", c.agentUsername());
        assertEquals(2, c.numberChannels());
        assertEquals(1, c.userChannel(), "agent on the right channel");
        assertEquals("s3://connect-bucket/connect/inst/CallRecordings/2026/11/20/5324881f-1e84-4367-8930-f69a74b30ca6_20261120T10:00_UTC.wav",
                c.recording());
        assertTrue(c.voice());
    }

    @Test
    void amazonConnectJsonLinesOutboundAndChat() throws Exception {
        List<MappedCall> calls = read("amazon-connect", """
                {"ContactId":"c-1","Channel":"VOICE","InitiationMethod":"OUTBOUND","InitiationTimestamp":"2026-11-20T10:00:00Z","DisconnectTimestamp":"2026-11-20T10:01:00Z","CustomerEndpoint":{"Address":"+442079460958"},"SystemEndpoint":{"Address":"+14155550102"}}
                {"ContactId":"c-2","Channel":"CHAT","InitiationMethod":"API","InitiationTimestamp":"2026-11-20T10:00:00Z","DisconnectTimestamp":"2026-11-20T10:01:00Z"}
                """, "firehose-batch");
        assertEquals(2, calls.size());
        CanonicalCall out = calls.get(0).call();
        assertEquals(Direction.OUTBOUND, out.direction());
        assertEquals("+14155550102", out.fromNumber(), "outbound: the rep's line calls");
        assertEquals("+442079460958", out.toNumber());
        assertEquals("+442079460958", out.customerNumber());
        assertFalse(calls.get(1).call().voice(), "a chat contact is not a voice call");
    }

    @Test
    void aircallEpochSecondsAndWebhookEnvelope() throws Exception {
        CanonicalCall c = one("aircall", """
                {"event":"call.ended","resource":"call","timestamp":1763632900,
                 "data":{"id":812345,"direction":"outbound","status":"done","started_at":1763632800,"answered_at":1763632805,
                  "ended_at":1763632900,"duration":100,"raw_digits":"+33 1 42 68 53 00",
                  "number":{"id":42,"digits":"+1 415-555-0101"},
                  "user":{"id":1234,"email":"ava.agent@eci-sandbox.example","name":"Ava"},
                  "recording":"https://recordings.aircall.example/812345.mp3?X-Amz-Signature=abc"}}""");
        assertEquals("812345", c.externalId());
        assertEquals(Instant.ofEpochSecond(1763632800), c.start(), "started_at is epoch seconds");
        assertEquals(100, c.seconds());
        assertEquals(Direction.OUTBOUND, c.direction());
        assertEquals("+14155550101", c.fromNumber(), "number.digits is the Aircall line");
        assertEquals("+33142685300", c.toNumber(), "raw_digits is the external party, in E.164");
        assertEquals("ava.agent@eci-sandbox.example", c.userEmail());
        assertEquals("1234", c.vendorUserId());
        assertTrue(c.recording().startsWith("https://"));
    }

    @Test
    void dialpadEpochMillisAndDurationInMillis() throws Exception {
        CanonicalCall c = one("dialpad", """
                {"call_id":6123456789012345,"master_call_id":6123456789012000,"direction":"inbound","state":"hangup",
                 "date_started":1763632800123,"date_ended":1763632925456,"duration":125333.0,
                 "external_number":"(631) 512-2409","internal_number":"+14155550102",
                 "target":{"id":5012345,"type":"user","email":"ben.agent@eci-sandbox.example","phone":"+14155550102"},
                 "recording_details":[{"id":"r1","url":"https://dialpad.example/r/1.mp3","duration":125000}]}""");
        assertEquals("6123456789012345", c.externalId());
        assertEquals(Instant.ofEpochMilli(1763632800123L), c.start(), "date_started is epoch milliseconds");
        assertEquals(125, c.seconds(), "duration is milliseconds");
        assertEquals("+16315122409", c.fromNumber(), "a national number read in the default region");
        assertEquals("+14155550102", c.toNumber());
        assertEquals("ben.agent@eci-sandbox.example", c.userEmail());
        assertEquals("https://dialpad.example/r/1.mp3", c.recording());
        assertEquals(125.0, c.recordingSeconds(), "recording_details[].duration is the recording's, in milliseconds");
    }

    @Test
    void ringCentralCallLogIsoStartPlusDuration() throws Exception {
        List<MappedCall> calls = read("ringcentral", """
                {"uri":"https://platform.ringcentral.com/restapi/v1.0/account/~/call-log","records":[
                 {"id":"Y3s1234","sessionId":"4567","startTime":"2026-11-20T10:00:00.000Z","duration":95,"type":"Voice",
                  "direction":"Outbound","action":"VoIP Call","result":"Call connected",
                  "from":{"phoneNumber":"+14155550103","extensionId":"101"},"to":{"phoneNumber":"+12125550147"},
                  "extension":{"id":101},"recording":{"id":"r-9","contentUri":"https://media.ringcentral.example/recording/r-9/content"}},
                 {"id":"Y3s1235","sessionId":"4568","startTime":"not a time","duration":95,"direction":"Inbound"}]}""",
                "call-log.json");
        assertEquals(2, calls.size());
        CanonicalCall c = calls.get(0).call();
        assertEquals(Instant.parse("2026-11-20T10:01:35Z"), c.end(), "end = start + duration");
        assertEquals(Direction.OUTBOUND, c.direction());
        assertEquals("+12125550147", c.customerNumber());
        assertEquals("101", c.vendorUserId());
        assertTrue(calls.get(1).error().contains("Y3s1235"), calls.get(1).error());
        assertTrue(calls.get(1).error().contains("ISO-8601"), calls.get(1).error());
    }

    @Test
    void twilioRfc2822AndDirectionWords() throws Exception {
        CanonicalCall c = one("twilio", """
                {"sid":"CA1234567890abcdef1234567890abcdef","direction":"outbound-dial","from":"+14155550101",
                 "to":"+13105550188","start_time":"Fri, 20 Nov 2026 10:00:00 +0000","end_time":"Fri, 20 Nov 2026 10:02:30 +0000",
                 "duration":"150","status":"completed",
                 "recording":{"sid":"RE1","media_url":"https://api.twilio.example/Recordings/RE1.wav","channels":2}}""");
        assertEquals(Instant.parse("2026-11-20T10:00:00Z"), c.start(), "RFC 2822");
        assertEquals(150, c.seconds(), "duration is a string of seconds");
        assertEquals(Direction.OUTBOUND, c.direction(), "outbound-dial is outbound");
        assertEquals(2, c.numberChannels());
        assertEquals(0, c.userChannel(), "dual channel: the caller's leg (the rep, outbound) is channel 0");
        CanonicalCall in = one("twilio", """
                {"sid":"CA2","direction":"inbound","from":"+13105550188","to":"+14155550101",
                 "start_time":"Fri, 20 Nov 2026 10:00:00 +0000","end_time":"Fri, 20 Nov 2026 10:02:30 +0000","duration":"150",
                 "media_url":"https://api.twilio.example/Recordings/RE2.wav","channels":2}""");
        assertEquals(Direction.INBOUND, in.direction());
        assertEquals(1, in.userChannel(), "inbound: the rep answered on the second leg");
    }

    static final String TWILIO_CALL = """
            {"sid":"CA7","account_sid":"AC1","direction":"outbound-api","from":"+14155550103","to":"+13105550188",
             "start_time":"Fri, 20 Nov 2026 10:00:00 +0000","end_time":"Fri, 20 Nov 2026 10:02:30 +0000",
             "duration":"150","status":"completed"}""";
    static final String TWILIO_RECORDING = """
            {"sid":"RE7","account_sid":"AC1","call_sid":"CA7","duration":"148","channels":2,"status":"completed",
             "start_time":"Fri, 20 Nov 2026 10:00:02 +0000","media_url":"https://api.twilio.example/Recordings/RE7"}""";

    @Test
    void twilioCallAndRecordingTogetherOrApartByTheirPublishedFieldNames() throws Exception {
        CanonicalCall pair = one("twilio", "{\"call\":" + TWILIO_CALL + ",\"recording\":" + TWILIO_RECORDING + "}");
        assertEquals("CA7", pair.externalId(), "the Call's sid is the call's id, not the Recording's");
        assertEquals(150, pair.seconds(), "the call lasted 150 s");
        assertEquals(148.0, pair.recordingSeconds(), "its recording 148 s: Recording.duration");
        assertEquals("https://api.twilio.example/Recordings/RE7", pair.recording());
        assertEquals(2, pair.numberChannels());
        List<MappedCall> arrayOfPairs = read("twilio", "[{\"call\":" + TWILIO_CALL + ",\"recording\":"
                + TWILIO_RECORDING + "}]", "export.json");
        assertNull(arrayOfPairs.get(0).error(), arrayOfPairs.get(0).error());

        List<MappedCall> alone = read("twilio", TWILIO_RECORDING, "RE7.json");
        assertEquals(1, alone.size());
        assertEquals("CA7", alone.get(0).externalId(), "a Recording alone is the call call_sid names");
        assertNull(alone.get(0).error(), "a Recording alone is read, not refused: " + alone.get(0).error());
        assertNull(alone.get(0).call());
        assertTrue(alone.get(0).waitingFor().contains("waiting for the Call resource CA7"), alone.get(0).waitingFor());

        VendorMapper twilio = vendors.get("twilio");
        for (String[] order : new String[][] { { TWILIO_RECORDING, TWILIO_CALL }, { TWILIO_CALL, TWILIO_RECORDING } }) {
            String combined = twilio.combine(order[0], order[1]);
            assertTrue(combined != null, "a Call and its Recording combine in either order");
            CanonicalCall c = one("twilio", combined);
            assertEquals("CA7", c.externalId());
            assertEquals(148.0, c.recordingSeconds());
            assertEquals(Instant.parse("2026-11-20T10:00:00Z"), c.start());
        }
        assertNull(twilio.combine(TWILIO_RECORDING, TWILIO_RECORDING.replace("RE7", "RE8")), "two Recordings are no call");
        assertNull(twilio.combine(TWILIO_CALL, TWILIO_RECORDING.replace("\"CA7\"", "\"CA9\"")),
                "a Recording of another call does not pair");
    }

    @Test
    void twilioClientIdentitiesStayIdentities() throws Exception {
        CanonicalCall c = one("twilio", TWILIO_CALL.replace("\"+14155550103\"", "\"client:alice\""));
        assertEquals("client:alice", c.fromNumber(), "an identity is not turned into a number");
        assertEquals("alice", c.vendorUserId(), "the rep's identity is the vendor user id");
        assertFalse(PhoneNumbers.isPhoneNumber(c.fromNumber(), "US"));
        assertTrue(PhoneNumbers.isPhoneNumber(c.toNumber(), "US"));
        assertTrue(PhoneNumbers.isInternalIdentity(c.fromNumber()));
        assertFalse(PhoneNumbers.isPhoneNumber("anonymous", "US"));
        assertFalse(PhoneNumbers.isPhoneNumber("266696687", "US"), "Twilio's anonymous caller is no possible number");
    }

    /** Numbers as people type them: a User's Phone in Salesforce is often "(415) 555-0101". */
    @Test
    void nationalNumbersWithTheAreaCodeInBracketsArePhoneNumbers() {
        assertTrue(PhoneNumbers.isPhoneNumber("(415) 555-0101", "US"));
        assertTrue(PhoneNumbers.isPhoneNumber(" (415) 555-0101 ", "US"));
        assertTrue(PhoneNumbers.isPhoneNumber("+1 (415) 555-0101", "US"));
        assertEquals("+14155550101", PhoneNumbers.e164("(415) 555-0101", "US"));
        assertFalse(PhoneNumbers.isPhoneNumber("(ext) 101", "US"));
        assertFalse(PhoneNumbers.isPhoneNumber("()", "US"));
    }

    @Test
    void ringCentralExtensionToExtensionCallsNameExtensions() throws Exception {
        CanonicalCall c = one("ringcentral", """
                {"id":"Y3s9","sessionId":"9","startTime":"2026-11-20T10:00:00.000Z","duration":60,"direction":"Outbound",
                 "from":{"extensionNumber":"101","extensionId":"11","name":"Ava"},
                 "to":{"extensionNumber":"102","extensionId":"12","name":"Ben"},"extension":{"id":11}}""");
        assertEquals("ext:101", c.fromNumber());
        assertEquals("ext:102", c.toNumber());
        assertTrue(PhoneNumbers.isInternalIdentity(c.customerNumber()), "the other party is an internal extension");
    }

    @Test
    void genericJsonCsvAndBadRecords() throws Exception {
        CanonicalCall c = one("generic", """
                {"externalId":"G-1","startDateTime":"2026-11-20T10:00:00.000Z","endDateTime":"2026-11-20T10:05:00.000Z",
                 "fromPhoneNumber":"+16315122409","toPhoneNumber":"4155550101","callType":"Inbound",
                 "userEmail":"ava.agent@eci-sandbox.example","recordingDuration":"300","recording":"g-1.wav"}""");
        assertEquals("+14155550101", c.toNumber());
        assertEquals(300, c.seconds(), "the call: end - start");
        assertEquals(300.0, c.recordingSeconds(), "recordingDuration is the sender's length of the recording");
        List<MappedCall> csv = read("generic", "externalId,startDateTime,endDateTime,fromPhoneNumber,toPhoneNumber,callType,userEmail,recording\n"
                + "C-1,2026-11-20T10:00:00.000Z,2026-11-20T10:01:00.000Z,+16315122409,+14155550101,Outbound,\"ava,agent@x\",c-1.wav\n"
                + "C-2,2026-11-20T10:00:00.000Z,2026-11-20T10:01:00.000Z,+16315122409,+14155550101,Sideways,a@x,c-2.wav\n",
                "calls.csv");
        assertEquals(2, csv.size());
        assertEquals("ava,agent@x", csv.get(0).call().userEmail(), "quoted field with a comma");
        assertTrue(csv.get(1).error().contains("callType 'Sideways'"), csv.get(1).error());
        assertTrue(csv.get(1).original().contains("C-2"), "the dead letter gets the original line");
        VendorMapper.RecordException bad = assertThrows(VendorMapper.RecordException.class,
                () -> read("generic", "{\"externalId\": ", "broken.json"));
        assertTrue(bad.getMessage().contains("broken.json") && bad.getMessage().contains("not valid JSON"));
        List<MappedCall> noId = read("generic", "[{\"startDateTime\":\"2026-11-20T10:00:00.000Z\"}]", "noid.json");
        assertNull(noId.get(0).externalId());
        assertTrue(noId.get(0).error().contains("no id (externalId)"));
        assertThrows(IllegalArgumentException.class, () -> vendors.get("zoom"));
    }

    @Test
    void phoneNumbersAreMaskedForLogs() {
        assertEquals("+141******01", PhoneNumbers.mask("+14155550101"));
        assertFalse(PhoneNumbers.mask("+14155550101").contains("555"));
        assertEquals("client:alice", PhoneNumbers.e164("client:alice", "US"), "non-numbers are kept as given");
    }
}
