package io.eciconnector.sandbox;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The telephony API against the seeds scv-realtime-conversation-events.txt, scv-post-call-conversation-events.txt and
 * scv-bulk-transcripts.txt: the seeds' examples, each documented rule failing and passing, and the JWT checks.
 */
@QuarkusTest
class TelephonyConformanceTest extends SandboxTestSupport {

    static final String SEED_CALL = "5324881f-1e84-4367-8930-f69a74b30ca6";
    static final String BULK_1 = "b09955ce-03be-4335-a28891293zs-18895";
    static final String BULK_2 = "b09955ce-03be-4335-a28891293sz-188952";
    static final String BULK_3 = "b01211ce-03be-4335-a28891293sz-188978";

    String jwt;

    @BeforeEach
    void registerCallsAndSign() throws Exception {
        given().contentType(ContentType.JSON).body(Map.of("vendorCallKeys", List.of(SEED_CALL, BULK_1, BULK_2, BULK_3)))
                .post("/sandbox/telephony/calls").then().statusCode(200);
        jwt = jwt(telephonyKey(), ORG_ID, CALL_CENTER, 0, 300, null);
    }

    static String jwt(PrivateKey key, String iss, String sub, long iatOffset, long expOffset, String jti)
            throws Exception {
        long now = System.currentTimeMillis() / 1000;
        return sign(key, "{\"iss\":\"" + iss + "\",\"sub\":\"" + sub + "\",\"iat\":" + (now + iatOffset) + ",\"exp\":"
                + (now + expOffset) + (jti == null ? "" : ",\"jti\":\"" + jti + "\"") + "}");
    }

    Response post(String path, Object body) {
        return post(path, body, jwt);
    }

    static Response post(String path, Object body, String token) {
        return given().header("Authorization", "Bearer " + token).header("Telephony-Provider-Name", "Amazon Connect")
                .contentType(ContentType.JSON).body(body).post("/telephony/v1/voiceCalls/" + path);
    }

    // ------------------------------------------------------------------ realtime

    @Test
    void realtimeSeedExamplesAreAccepted() {
        post(SEED_CALL + "/realtimeConversationEvents", """
                {"service": "AmazonConnectContactLens", "events": [
                  {"type": "IntelligenceSignal__Category", "value": "OrderStatusCheckingHelp", "startTime": 1573503300},
                  {"type": "IntelligenceSignal__Category", "value": "CustomerAngry", "startTime": 1573503450}]}""")
                .then().statusCode(202).body("result", equalTo("Accepted"));
        post(SEED_CALL + "/realtimeConversationEvents", """
                {"service":"CxoneAgentAssistService", "persist":false, "events": [
                  {"type": "IntelligenceSignal__Sentiment", "value": "400.13", "startTime": 16898867880000,
                   "score": 10, "participant": "CUSTOMER"}]}""")
                .then().statusCode(202).body("result", equalTo("Accepted"));
        given().get("/sandbox/telephony").then()
                .body("'" + SEED_CALL + "'.realtimeEvents", hasSize(3))
                .body("'" + SEED_CALL + "'.realtimeEvents.event.value",
                        equalTo(List.of("OrderStatusCheckingHelp", "CustomerAngry", "400.13")))
                .body("'" + SEED_CALL + "'.realtimeEvents[0].warning", containsString("epoch seconds"))
                .body("'" + SEED_CALL + "'.realtimeEvents[2].persist", equalTo(false))
                .body("'" + SEED_CALL + "'.realtimeEvents[0].telephonyProviderName", equalTo("Amazon Connect"));
    }

    static String realtime(String events) {
        return "{\"service\":\"AmazonConnectContactLens\",\"events\":[" + events + "]}";
    }

    static String sentiment(String value, String extra) {
        return "{\"type\":\"IntelligenceSignal__Sentiment\",\"value\":" + value + ",\"startTime\":1763700000000"
                + extra + "}";
    }

    static Stream<Arguments> realtimeRules() {
        String cat = "{\"type\":\"IntelligenceSignal__Category\",\"value\":\"Angry\",\"startTime\":";
        List<Arguments> r = new ArrayList<>();
        r.add(Arguments.of("events sorted by startTime", realtime(cat + "1763700000002}," + cat + "1763700000001}"),
                realtime(cat + "1763700000001}," + cat + "1763700000002}"), "sorted"));
        r.add(Arguments.of("sentiment at most 1000", realtime(sentiment("\"1000.01\"", ",\"participant\":\"AGENT\"")),
                realtime(sentiment("\"1000\"", ",\"participant\":\"AGENT\"")), "between -1000 and 1000"));
        r.add(Arguments.of("sentiment at least -1000", realtime(sentiment("-1000.5", ",\"participant\":\"AGENT\"")),
                realtime(sentiment("-1000", ",\"participant\":\"AGENT\"")), "between -1000 and 1000"));
        r.add(Arguments.of("sentiment with at most 2 decimals", realtime(sentiment("\"12.345\"", ",\"participant\":\"AGENT\"")),
                realtime(sentiment("\"12.34\"", ",\"participant\":\"AGENT\"")), "at most 2 decimals"));
        r.add(Arguments.of("participant required for sentiment", realtime(sentiment("\"10\"", "")),
                realtime(sentiment("\"10\"", ",\"participant\":\"CUSTOMER\"")), "participant is required"));
        r.add(Arguments.of("participant AGENT or CUSTOMER", realtime(sentiment("\"10\"", ",\"participant\":\"BOT\"")),
                realtime(sentiment("\"10\"", ",\"participant\":\"AGENT\"")), "AGENT or CUSTOMER"));
        r.add(Arguments.of("score at most 1000", realtime(sentiment("\"10\"", ",\"participant\":\"AGENT\",\"score\":1001")),
                realtime(sentiment("\"10\"", ",\"participant\":\"AGENT\",\"score\":\"1000\"")), "score must be between 0 and 1000"));
        r.add(Arguments.of("score at least 0", realtime(sentiment("\"10\"", ",\"participant\":\"AGENT\",\"score\":-1")),
                realtime(sentiment("\"10\"", ",\"participant\":\"AGENT\",\"score\":0")), "score must be between 0 and 1000"));
        r.add(Arguments.of("documented signal type", realtime("{\"type\":\"Overall\",\"value\":\"x\",\"startTime\":1}"),
                realtime(cat + "1}"), "type must be"));
        r.add(Arguments.of("startTime int64", realtime(cat + "\"1763700000000\"}"), realtime(cat + "1763700000000}"),
                "startTime is required"));
        r.add(Arguments.of("service required", "{\"events\":[" + cat + "1}]}", realtime(cat + "1}"), "service is required"));
        return r.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realtimeRules")
    void realtimeRulesRejectAndAcceptTheirTwin(String rule, String bad, String good, String message) {
        post(SEED_CALL + "/realtimeConversationEvents", bad).then().statusCode(400).body("message", containsString(message));
        post(SEED_CALL + "/realtimeConversationEvents", good).then().statusCode(202).body("result", equalTo("Accepted"));
        given().get("/sandbox/telephony").then().body("'" + SEED_CALL + "'.rejected", hasSize(1));
    }

    @Test
    void unknownVendorCallKeyIsRejected() {
        post("not-a-call/realtimeConversationEvents", realtime(sentiment("\"1\"", ",\"participant\":\"AGENT\"")))
                .then().statusCode(400).body("message", containsString("Conversation does not exist"));
    }

    // ------------------------------------------------------------------ post-call

    @Test
    void postCallSeedExampleIsAccepted() {
        post(SEED_CALL + "/postConversationEvents", """
                {"service": "AmazonConnectContactLens", "events": [
                  {"type": "IntelligenceSignal__Sentiment", "value": "1000", "startTime": 1573503300,
                   "endTime": 1573532140, "participant": "AGENT"},
                  {"type": "IntelligenceSignal__Sentiment", "value": "-1000", "startTime": 1573503301,
                   "endTime": 1573503320, "participant": "CUSTOMER"}]}""")
                .then().statusCode(202).body("result", equalTo("Accepted"));
        given().get("/sandbox/telephony").then().body("'" + SEED_CALL + "'.postCallEvents", hasSize(2));
    }

    static String postEvent(String type, String value, long start, long end, String participant) {
        return "{\"type\":\"" + type + "\",\"value\":\"" + value + "\",\"startTime\":" + start + ",\"endTime\":" + end
                + (participant == null ? "" : ",\"participant\":\"" + participant + "\"") + "}";
    }

    static Stream<Arguments> postCallRules() {
        String s = TelephonyRules.SENTIMENT;
        return Stream.of(
                Arguments.of("only IntelligenceSignal__Sentiment", postEvent(TelephonyRules.CATEGORY, "x", 1, 2, "AGENT"),
                        postEvent(s, "0", 1, 2, "AGENT"), "type must be"),
                Arguments.of("endTime not before startTime", postEvent(s, "0", 5, 4, "AGENT"), postEvent(s, "0", 4, 4, "AGENT"),
                        "endTime is before startTime"),
                Arguments.of("sorted by startTime", postEvent(s, "0", 9, 10, "AGENT") + "," + postEvent(s, "0", 1, 2, "CUSTOMER"),
                        postEvent(s, "0", 1, 2, "CUSTOMER") + "," + postEvent(s, "0", 9, 10, "AGENT"), "sorted"),
                Arguments.of("participant required", postEvent(s, "0", 1, 2, null), postEvent(s, "0", 1, 2, "CUSTOMER"),
                        "participant must be"),
                Arguments.of("value within -1000..1000", postEvent(s, "-1001", 1, 2, "AGENT"),
                        postEvent(s, "-999.99", 1, 2, "AGENT"), "between -1000 and 1000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("postCallRules")
    void postCallRulesRejectAndAcceptTheirTwin(String rule, String badEvents, String goodEvents, String message) {
        post(SEED_CALL + "/postConversationEvents", realtime(badEvents)).then().statusCode(400)
                .body("message", containsString(message));
        post(SEED_CALL + "/postConversationEvents", realtime(goodEvents)).then().statusCode(202);
    }

    // ------------------------------------------------------------------ transcripts

    static final String SEED_BULK = """
            {"entries": [
              {"vendorCallKey": "b09955ce-03be-4335-a28891293zs-18895", "messages": [
                {"startTime": 1573503300000, "endTime": 1573503300001,
                 "participantId": "b09955ce-03be-4335-a28891293zs-18895END_USER",
                 "messageId": "b09955ce-03be4335xz-a28891293zs", "senderType": "END_USER", "content": "Hello All"},
                {"startTime": 1573503300002, "endTime": 1573503300003,
                 "participantId": "b09955ce-03be-4335-a28891293zs-18895VIRTUAL_AGENT",
                 "messageId": "b09955ce-03be4335ej-a28891293sz", "senderType": "VIRTUAL_AGENT", "content": "Hello All"}]},
              {"vendorCallKey": "b09955ce-03be-4335-a28891293sz-188952", "messages": [
                {"startTime": 1573503300012, "endTime": 1573503300013, "participantId": "VIRTUAL_AGENT",
                 "messageId": "b2922012ne-t13081984si-t04021978re",
                 "senderType": "b09955ce-03be-4335-a28891293sz-188952VIRTUAL_AGENT", "content": "Hello All"}]},
              {"vendorCallKey": "b01211ce-03be-4335-a28891293sz-188978", "messages": [
                {"startTime": 1573503300000, "endTime": 1573503300001, "participantId": "005123456789abc",
                 "messageId": "a2922012ne-t13081984si-t04021978re", "senderType": "HUMAN_AGENT", "content": "Hello everyone"},
                {"startTime": 1573503300002, "endTime": 1573503300003, "participantId": "a12355ce-03be-4335-a28891293sz",
                 "messageId": "b09955ce-03be4335ej-a28891293sz", "senderType": "EXTERNAL_USER", "content": "Hello"}]}]}""";

    @Test
    void bulkSeedExampleAsPrintedHasOneBadEntryAndCorrectedIsAccepted() {
        // the seed's second entry has participantId and senderType swapped: only that entry is refused
        post("messages", SEED_BULK).then().statusCode(207)
                .body("result", equalTo("Multi-Status: A few messages were not processed"))
                .body("errorResponse.errorResponseEntries.status", equalTo(List.of(202, 400, 202)))
                .body("errorResponse.errorResponseEntries[1].vendorCallKey", equalTo(BULK_2))
                .body("errorResponse.errorResponseEntries[1].message", containsString("senderType must be one of"));
        resetSandbox();
        registerAgain();
        String corrected = SEED_BULK.replace("\"participantId\": \"VIRTUAL_AGENT\"",
                "\"participantId\": \"" + BULK_2 + "VIRTUAL_AGENT\"")
                .replace("\"senderType\": \"" + BULK_2 + "VIRTUAL_AGENT\"", "\"senderType\": \"VIRTUAL_AGENT\"");
        post("messages", corrected).then().statusCode(202).body("result", equalTo("Accepted"));
        given().get("/sandbox/telephony").then().body("'" + BULK_1 + "'.messages", hasSize(2))
                .body("'" + BULK_1 + "'.messages.message.messageId",
                        equalTo(List.of("b09955ce-03be4335xz-a28891293zs", "b09955ce-03be4335ej-a28891293sz")))
                .body("'" + BULK_3 + "'.messages", hasSize(2));
    }

    private void registerAgain() {
        given().contentType(ContentType.JSON).body(Map.of("vendorCallKeys", List.of(SEED_CALL, BULK_1, BULK_2, BULK_3)))
                .post("/sandbox/telephony/calls").then().statusCode(200);
    }

    static String message(String key, String id, String senderType, String participantId) {
        return "{\"startTime\":1763700000000,\"endTime\":1763700001000,\"participantId\":\"" + participantId
                + "\",\"messageId\":\"" + id + "\",\"senderType\":\"" + senderType + "\",\"content\":\"hi\"}";
    }

    static String entry(String key, String... messages) {
        return "{\"vendorCallKey\":\"" + key + "\",\"messages\":[" + String.join(",", messages) + "]}";
    }

    static String bulk(String... entries) {
        return "{\"entries\":[" + String.join(",", entries) + "]}";
    }

    @Test
    void atMostFiveCallsOfFiveMessagesPerRequest() {
        List<String> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(message(BULK_1, "m" + i, "END_USER", BULK_1 + "END_USER"));
        }
        List<String> six = new ArrayList<>(five);
        six.add(message(BULK_1, "m5", "END_USER", BULK_1 + "END_USER"));
        post("messages", bulk(entry(BULK_1, six.toArray(String[]::new)))).then().statusCode(400)
                .body("message", containsString("1 to 5 messages"));
        List<String> sixCalls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sixCalls.add(entry(BULK_1, message(BULK_1, "c" + i, "END_USER", BULK_1 + "END_USER")));
        }
        post("messages", bulk(sixCalls.toArray(String[]::new))).then().statusCode(400)
                .body("message", containsString("1 to 5 voice calls"));
        given().get("/sandbox/telephony").then().body("'" + BULK_1 + "'.messages", hasSize(0));
        post("messages", bulk(entry(BULK_1, five.toArray(String[]::new)))).then().statusCode(202);
        given().get("/sandbox/telephony").then().body("'" + BULK_1 + "'.messages", hasSize(5));
    }

    @Test
    void unknownCallIsOnlyThatEntrysFailure() {
        post("messages", bulk(entry(BULK_1, message(BULK_1, "a", "END_USER", BULK_1 + "END_USER")),
                entry("b09955ce-03be-4335-saturday-18896", message("x", "b", "END_USER", "b09955ce-03be-4335-saturday-18896END_USER"))))
                .then().statusCode(207)
                .body("errorResponse.errorResponseEntries[0].status", equalTo(202))
                .body("errorResponse.errorResponseEntries[1].status", equalTo(400))
                .body("errorResponse.errorResponseEntries[1].message", equalTo(
                        "Error Processing Transcript with Id(s) [b]. Error: io.grpc.StatusRuntimeException: PERMISSION_DENIED: Conversation does not exist"));
        given().get("/sandbox/telephony").then().body("'" + BULK_1 + "'.messages", hasSize(1));
    }

    @Test
    void messageIdIsUniquePerCall() {
        String m = message(BULK_1, "dup", "END_USER", BULK_1 + "END_USER");
        post("messages", bulk(entry(BULK_1, m, m))).then().statusCode(207)
                .body("errorResponse.errorResponseEntries[0].message", containsString("not unique"));
        post("messages", bulk(entry(BULK_1, m))).then().statusCode(202);
        post("messages", bulk(entry(BULK_1, m))).then().statusCode(207);
        // the same id on another call is fine
        post("messages", bulk(entry(BULK_3, message(BULK_3, "dup", "END_USER", BULK_3 + "END_USER")))).then().statusCode(202);
        post(BULK_1 + "/messages", m).then().statusCode(400).body("message", containsString("not unique"));
    }

    static Stream<Arguments> participantRules() {
        return Stream.of(
                Arguments.of("HUMAN_AGENT", "agent-7", "005123456789abc"),
                Arguments.of("END_USER", "customer-1", BULK_1 + "END_USER"),
                Arguments.of("SUPERVISOR", "boss", BULK_1 + "SUPERVISOR"),
                Arguments.of("VIRTUAL_AGENT", "bot", BULK_1 + "VIRTUAL_AGENT"),
                Arguments.of("NOBODY", "x", null));
    }

    @ParameterizedTest(name = "participantId rule for {0}")
    @MethodSource("participantRules")
    void participantIdRulesPerSenderType(String senderType, String wrong, String right) {
        post("messages", bulk(entry(BULK_1, message(BULK_1, "w-" + senderType, senderType, wrong)))).then()
                .statusCode(207).body("errorResponse.errorResponseEntries[0].status", equalTo(400));
        if (right != null) {
            post("messages", bulk(entry(BULK_1, message(BULK_1, "r-" + senderType, senderType, right)))).then()
                    .statusCode(202);
        }
        // EXTERNAL_USER takes the partner's own participant id
        post("messages", bulk(entry(BULK_1, message(BULK_1, "e-" + senderType, "EXTERNAL_USER", "partner-42"))))
                .then().statusCode(202);
    }

    @Test
    void singleMessageEndpoint() {
        post(BULK_1 + "/messages", message(BULK_1, "single-1", "END_USER", BULK_1 + "END_USER")).then().statusCode(202)
                .body("result", equalTo("Accepted"));
        post("unknown-call/messages", message("unknown-call", "s", "END_USER", "unknown-callEND_USER")).then()
                .statusCode(400).body("message", containsString("Conversation does not exist"));
        post(BULK_1 + "/messages", "{\"messageId\":\"x\"}").then().statusCode(400).body("message", containsString("required"));
        post(BULK_1 + "/messages", "not json").then().statusCode(400);
    }

    // ------------------------------------------------------------------ JWT

    @Test
    void jwtSignatureIssuerSubjectExpiryLifetimeAndReplay() throws Exception {
        String body = realtime(sentiment("\"1\"", ",\"participant\":\"AGENT\""));
        String path = SEED_CALL + "/realtimeConversationEvents";
        given().contentType(ContentType.JSON).body(body).post("/telephony/v1/voiceCalls/" + path).then().statusCode(401);
        post(path, body, jwt(otherKey(), ORG_ID, CALL_CENTER, 0, 300, null)).then().statusCode(401)
                .body("message", containsString("signature"));
        post(path, body, jwt(telephonyKey(), "00D000000000000AAA", CALL_CENTER, 0, 300, null)).then().statusCode(401)
                .body("message", containsString("iss"));
        post(path, body, jwt(telephonyKey(), ORG_ID, "Other_Center", 0, 300, null)).then().statusCode(401)
                .body("message", containsString("sub"));
        post(path, body, jwt(telephonyKey(), ORG_ID, CALL_CENTER, -600, -10, null)).then().statusCode(401)
                .body("message", containsString("expired"));
        post(path, body, jwt(telephonyKey(), ORG_ID, CALL_CENTER, 0, 25 * 3600, null)).then().statusCode(401)
                .body("message", containsString("24"));
        String once = jwt(telephonyKey(), ORG_ID, CALL_CENTER, 0, 300, "jti-1");
        post(path, body, once).then().statusCode(202);
        post(path, body, once).then().statusCode(401).body("message", containsString("replay"));
        post(path, body, jwt(telephonyKey(), ORG_ID.substring(0, 15), CALL_CENTER, 0, 24 * 3600, null)).then()
                .statusCode(202);
        given().get("/sandbox/telephony").then().body("'" + SEED_CALL + "'.realtimeEvents", hasSize(2))
                .body("'" + SEED_CALL + "'.realtimeEvents[0].warning", nullValue());
    }

    @Test
    void messageContentBeyondTheBoundIsRefused() {
        String ok = message(BULK_1, "long-ok", "END_USER", BULK_1 + "END_USER").replace("\"hi\"",
                "\"" + "a".repeat(10_000) + "\"");
        String tooLong = message(BULK_1, "long-no", "END_USER", BULK_1 + "END_USER").replace("\"hi\"",
                "\"" + "a".repeat(10_001) + "\"");
        post("messages", bulk(entry(BULK_1, tooLong))).then().statusCode(207)
                .body("errorResponse.errorResponseEntries[0].message", containsString("content is 10001 characters"));
        post(BULK_1 + "/messages", tooLong).then().statusCode(400).body("message", containsString("at most 10000"));
        post("messages", bulk(entry(BULK_1, ok))).then().statusCode(202);
    }

    @Test
    void afterPostCallEventsTheConversationTakesNoMoreRealtimeEventsOrMessages() {
        String event = realtime(sentiment("\"10\"", ",\"participant\":\"AGENT\""));
        post(BULK_1 + "/realtimeConversationEvents", event).then().statusCode(202);
        post("messages", bulk(entry(BULK_1, message(BULK_1, "before", "END_USER", BULK_1 + "END_USER")))).then()
                .statusCode(202);
        post(BULK_1 + "/postConversationEvents", realtime(postEvent(TelephonyRules.SENTIMENT, "0", 1763700000000L, 1763700001000L,
                "AGENT"))).then().statusCode(202);
        post(BULK_1 + "/realtimeConversationEvents", event).then().statusCode(400)
                .body("message", containsString("conversation is closed"));
        post("messages", bulk(entry(BULK_1, message(BULK_1, "after", "END_USER", BULK_1 + "END_USER")),
                entry(BULK_3, message(BULK_3, "other", "END_USER", BULK_3 + "END_USER")))).then().statusCode(207)
                .body("errorResponse.errorResponseEntries[0].message", containsString("conversation is closed"))
                .body("errorResponse.errorResponseEntries[1].status", equalTo(202));
        post(BULK_1 + "/postConversationEvents", realtime(postEvent(TelephonyRules.SENTIMENT, "5", 1763700001000L, 1763700002000L,
                "CUSTOMER"))).then().statusCode(202);
    }
}
