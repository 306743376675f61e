package io.eciconnector.sandbox;

import io.eciconnector.salesforce.SalesforceIds;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * POST voicecalls, GET callcoaching and the sObject/query API against the seed eci-recording-provider-api.txt: each
 * example request gets the documented answer, each documented rejection is rejected, each with a passing twin.
 */
@QuarkusTest
class EciConnectConformanceTest extends SandboxTestSupport {

    static Map<String, Object> validCall(String providerId, String externalId) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("toPhoneNumber", "+16315122409");
        c.put("fromPhoneNumber", "+15105024190");
        c.put("userId", AVA);
        c.put("startDateTime", "2026-11-06T19:41:56.000Z");
        c.put("endDateTime", "2026-11-06T19:46:56.000Z");
        c.put("callType", "Outbound");
        c.put("recordingDuration", 300);
        c.put("externalId", externalId);
        c.put("recordingFormat", "mp3");
        c.put("mediaProviderId", providerId);
        return c;
    }

    static Response create(String auth, List<?> calls) {
        return given().header("Authorization", auth).contentType(ContentType.JSON).body(Map.of("calls", calls))
                .post(V + "/voicecalls");
    }

    static Stream<Arguments> rules() {
        List<Arguments> rules = new ArrayList<>();
        rules.add(rule("Start time > End Time", c -> c.put("startDateTime", "2026-11-06T19:46:57.000Z"),
                c -> c.put("startDateTime", c.get("endDateTime")), "startDateTime is after endDateTime"));
        for (String field : EciRules.REQUIRED) {
            rules.add(rule("Missing required field " + field, c -> c.remove(field), c -> {
            }, "Missing required field: " + field));
        }
        rules.add(rule("Missing userId and userEmail", c -> c.remove("userId"), c -> {
            c.remove("userId");
            c.put("userEmail", AVA_EMAIL);
        }, "userId or userEmail"));
        rules.add(rule("userId not an active user", c -> c.put("userId", EVE_INACTIVE), c -> {
        }, "is not an active Salesforce user"));
        rules.add(rule("userId unknown", c -> c.put("userId", "0055e000009Zzz0AAC"), c -> c.put("userId", BEN),
                "is not an active Salesforce user"));
        rules.add(rule("userEmail doesn't match an active user", c -> {
            c.remove("userId");
            c.put("userEmail", "nobody@eci-sandbox.example");
        }, c -> {
            c.remove("userId");
            c.put("userEmail", AVA_EMAIL.toUpperCase());
        }, "doesn't match an active Salesforce user"));
        rules.add(rule("userEmail doesn't match userId", c -> {
            c.put("userId", BEN);
            c.put("userEmail", AVA_EMAIL);
        }, c -> c.put("userEmail", AVA_EMAIL), "doesn't match userId"));
        rules.add(rule("CallType doesn't match expected values", c -> c.put("callType", "Sideways"),
                c -> c.put("callType", "Inbound"), "Invalid callType"));
        rules.add(rule("RecordingFormat doesn't match expected values", c -> c.put("recordingFormat", "ogg"),
                c -> c.put("recordingFormat", "Wav"), "Invalid recordingFormat"));
        rules.add(rule("UserChannel not within range of NumberChannels", c -> c.put("userChannel", 1), c -> {
            c.put("numberChannels", 2);
            c.put("userChannel", 1);
        }, "is not within range of numberChannels"));
        rules.add(rule("Invalid RecordId", c -> c.put("recordId", "006xxxxxxxxxxxx"),
                c -> c.put("recordId", "003xxxxxxxxxxxx"), "Invalid recordId"));
        rules.add(rule("Invalid activityId", c -> c.put("activityId", "001xxxxxxxxxxxx"),
                c -> c.put("activityId", "00Txxxxxxxxxxxx"), "Invalid activityId"));
        rules.add(rule("Salesforce user doesn't have feature permission", c -> c.put("userId", "0055e00000NoPm0AAF"),
                c -> {
                }, "doesn't have feature permission"));
        rules.add(rule("User not an active CallCoaching user", c -> c.put("userId", DAN_NOT_COACHED), c -> {
        }, "is not an active CallCoaching user"));
        rules.add(rule("mediaProviderId not a CallCoachingMediaProvider", c -> c.put("mediaProviderId", "0hn000000000000"),
                c -> {
                }, "Invalid mediaProviderId"));
        rules.add(rule("DateTime not yyyy-MM-ddTHH:mm:ss.SSS", c -> c.put("startDateTime", "2026-11-06T19:41:56Z"),
                c -> c.put("startDateTime", "2026-11-06T19:41:56.000"), "Invalid startDateTime"));
        rules.add(rule("recordingDuration not an integer", c -> c.put("recordingDuration", "five minutes"),
                c -> c.put("recordingDuration", "300"), "Invalid recordingDuration"));
        return rules.stream();
    }

    static Arguments rule(String name, Consumer<Map<String, Object>> fail, Consumer<Map<String, Object>> pass,
            String message) {
        return Arguments.of(name, fail, pass, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleRejectsItsViolationAndAcceptsItsTwin(String name, Consumer<Map<String, Object>> fail,
            Consumer<Map<String, Object>> pass, String message) {
        given().contentType(ContentType.JSON).body(List.of(Map.of("id", "0055e00000NoPm0AAF", "email",
                "nopermission@eci-sandbox.example", "callCoaching", true, "featurePermission", false)))
                .post("/sandbox/users").then().statusCode(200);
        String auth = auth();
        String provider = provider(auth);
        Map<String, Object> bad = validCall(provider, "BAD-1");
        fail.accept(bad);
        Map<String, Object> good = validCall(provider, "GOOD-1");
        pass.accept(good);
        create(auth, List.of(bad, good)).then().statusCode(200)
                .body("results", hasSize(2))
                .body("results[0].isSuccess", equalTo(false))
                .body("results[0].errorMsg", containsString(message))
                .body("results[0].voiceCallId", nullValue())
                .body("results[1].isSuccess", equalTo(true))
                .body("results[1].errorMsg", nullValue());
        given().get("/sandbox/voicecalls").then().body("", hasSize(1)).body("[0].vendorCallKey", equalTo("GOOD-1"));
    }

    @Test
    void seedSampleAsPrintedIsBadJsonAndCleanedIsAccepted() {
        String auth = auth();
        String provider = provider(auth);
        given().contentType(ContentType.JSON).body(List.of(Map.of("id", "005R0000000XTJD", "email",
                "seed.user@eci-sandbox.example", "callCoaching", true))).post("/sandbox/users").then().statusCode(200);
        // the seed's sample has trailing commas after the last field of each call: the API answers Bad JSON format
        String printed = "{\"calls\":[{\"toPhoneNumber\":\"+16315122409\",\"fromPhoneNumber\":\"+15105024190\","
                + "\"userId\":\"005R0000000XTJD\",\"startDateTime\":\"2019-11-06T19:41:56.000Z\","
                + "\"endDateTime\":\"2019-11-06T19:41:56.000Z\",\"callType\":\"Outbound\",\"recordingDuration\":\"300\","
                + "\"externalId\":\"CAXXXXXYYYYY1\",\"recordingFormat\":\"mp3\",\"activityId\":\"00Txxxxxxxxxxxx\","
                + "\"recordId\":\"001xxxxxxxxxxxx\",\"mediaProviderId\":\"" + provider + "\",}]}";
        given().header("Authorization", auth).contentType(ContentType.JSON).body(printed).post(V + "/voicecalls")
                .then().statusCode(400).body("[0].errorCode", equalTo("JSON_PARSER_ERROR"))
                .body("[0].message", startsWith("Bad JSON format"));
        Response r = given().header("Authorization", auth).contentType(ContentType.JSON)
                .body(printed.replace(",}", "}").replace("]}", ",{\"toPhoneNumber\":\"+16315122409\","
                        + "\"fromPhoneNumber\":\"+15105024190\",\"userId\":\"005R0000000XTJD\","
                        + "\"startDateTime\":\"2020-11-06T19:41:56.000Z\",\"endDateTime\":\"2020-11-06T19:41:56.000Z\","
                        + "\"callType\":\"Inbound\",\"recordingDuration\":\"30\",\"externalId\":\"CAXXXXXYYYYY2\","
                        + "\"recordingFormat\":\"mp3\",\"activityId\":\"00Txxxxxxxxxxxx\",\"recordId\":\"001xxxxxxxxxxxx\","
                        + "\"mediaProviderId\":\"" + provider + "\"}]}"))
                .post(V + "/voicecalls");
        r.then().statusCode(200).body("results", hasSize(2))
                .body("results.externalId", equalTo(List.of("CAXXXXXYYYYY1", "CAXXXXXYYYYY2")))
                .body("results.isSuccess", equalTo(List.of(true, true)))
                .body("results[0].voiceCallId", matchesPattern("0LQ[A-Za-z0-9]{15}"))
                .body("results[0].uploadUrl", startsWith("http"))
                .body("results[0].uploadUrl", endsWith("/services/data/v60.0/voicecalls/"
                        + r.path("results[0].voiceCallId") + "/audio_upload"));
    }

    @Test
    void twoHundredCallsAreOneRequestAndTwoHundredOneAreRefused() {
        String auth = auth();
        String provider = provider(auth);
        List<Map<String, Object>> calls = new ArrayList<>();
        for (int i = 0; i < 201; i++) {
            calls.add(validCall(provider, "BULK-" + i));
        }
        create(auth, calls).then().statusCode(400).body("[0].errorCode", equalTo("LIMIT_EXCEEDED"))
                .body("[0].message", containsString("200"));
        given().get("/sandbox/voicecalls").then().body("", hasSize(0));
        create(auth, calls.subList(0, 200)).then().statusCode(200).body("results", hasSize(200))
                .body("results.findAll { it.isSuccess }", hasSize(200));
        given().get("/sandbox/voicecalls").then().body("", hasSize(200));
    }

    @Test
    void badBodiesAndMissingPermissionSetAre400WithErrorCodeAndMessage() {
        String auth = auth();
        given().header("Authorization", auth).contentType(ContentType.JSON).body("{\"calls\": [").post(V + "/voicecalls")
                .then().statusCode(400).body("[0].errorCode", equalTo("JSON_PARSER_ERROR"))
                .body("[0].message", notNullValue());
        given().header("Authorization", auth).contentType(ContentType.JSON).body("{\"call\": []}").post(V + "/voicecalls")
                .then().statusCode(400).body("[0].errorCode", equalTo("INVALID_INPUT"));
        String provider = provider(auth);
        given().contentType(ContentType.JSON).body(Map.of("integrationPermissionSet", false)).post("/sandbox/callcoaching")
                .then().statusCode(200);
        create(auth, List.of(validCall(provider, "X"))).then().statusCode(400)
                .body("[0].errorCode", equalTo("INSUFFICIENT_ACCESS"))
                .body("[0].message", containsString("Conversation Insights Integration User"));
    }

    @Test
    void disabledProviderOrFeatureRejectsCallsAndCallCoachingSaysSo() {
        String auth = auth();
        String provider = provider(auth);
        given().header("Authorization", auth).get(V + "/callcoaching/" + provider).then().statusCode(200)
                .body("enabled", equalTo(true))
                .body("users.userId", equalTo(List.of(AVA, BEN, "0055e00000Cleo0AAB")))
                .body("users[0].userEmail", equalTo(AVA_EMAIL));
        given().contentType(ContentType.JSON).body(Map.of("providers", Map.of(provider, false)))
                .post("/sandbox/callcoaching").then().statusCode(200);
        given().header("Authorization", auth).get(V + "/callcoaching/" + provider).then().statusCode(200)
                .body("enabled", equalTo(false)).body("users", hasSize(0));
        create(auth, List.of(validCall(provider, "P-OFF"))).then().statusCode(200)
                .body("results[0].isSuccess", equalTo(false)).body("results[0].errorMsg", containsString("disabled"));
        given().contentType(ContentType.JSON).body(Map.of("providers", Map.of(provider, true), "enabled", false))
                .post("/sandbox/callcoaching").then().statusCode(200);
        create(auth, List.of(validCall(provider, "ORG-OFF"))).then().body("results[0].isSuccess", equalTo(false));
        given().contentType(ContentType.JSON).body(Map.of("enabled", true)).post("/sandbox/callcoaching");
        create(auth, List.of(validCall(provider, "ON"))).then().body("results[0].isSuccess", equalTo(true));
        given().header("Authorization", auth).get(V + "/callcoaching/0hn000000000000").then().statusCode(404)
                .body("[0].errorCode", equalTo("NOT_FOUND"));
    }

    @Test
    void everyResponseCarriesSforceLimitInfoAndCountsApiUsage() {
        String auth = auth();
        String provider = provider(auth);
        String first = given().header("Authorization", auth).get(V + "/callcoaching/" + provider).then()
                .header("Sforce-Limit-Info", matchesPattern("api-usage=\\d+/15000")).extract().header("Sforce-Limit-Info");
        String second = create(auth, List.of(validCall(provider, "L1"))).then()
                .header("Sforce-Limit-Info", matchesPattern("api-usage=\\d+/15000")).extract().header("Sforce-Limit-Info");
        // the connector in this application may make requests of its own in between (a reset makes it log in and
        // subscribe again), so the usage grows by at least this test's one request
        assertTrue(used(second) >= used(first) + 1, first + " then " + second);
        given().header("Authorization", "Bearer nope").get(V + "/callcoaching/" + provider).then().statusCode(401)
                .header("Sforce-Limit-Info", notNullValue());
        given().contentType(ContentType.JSON).body(Map.of("used", 14000, "max", 15000)).post("/sandbox/limits");
        io.restassured.response.Response limits = given().header("Authorization", auth).get(V + "/limits");
        limits.then().statusCode(200).header("Sforce-Limit-Info", matchesPattern("api-usage=\\d+/15000"))
                .body("DailyApiRequests.Max", equalTo(15000));
        long used = used(limits.header("Sforce-Limit-Info"));
        assertTrue(used >= 14001 && used < 14100, "counted from the usage set: " + used);
        assertEquals(15000 - used, limits.jsonPath().getLong("DailyApiRequests.Remaining"), "Remaining = Max - used");
        given().get("/sandbox/requests").then().body("byEndpoint.'eci.voicecalls'", equalTo(1))
                .body("byEndpoint.'eci.callcoaching'", greaterThanOrEqualTo(2))
                .body("byEndpoint.'oauth.token'", greaterThanOrEqualTo(1));
    }

    private static long used(String limitInfo) {
        return Long.parseLong(limitInfo.replaceAll("api-usage=(\\d+)/.*", "$1"));
    }

    @Test
    void providerRecordsAndSoqlLookups() {
        String auth = auth();
        given().header("Authorization", auth).contentType(ContentType.JSON).body(Map.of("ProviderDescription", "x"))
                .post(V + "/sobjects/CallCoachingMediaProvider").then().statusCode(400)
                .body("[0].errorCode", equalTo("REQUIRED_FIELD_MISSING"));
        String provider = provider(auth);
        assertTrue(SalesforceIds.isId(provider, "0hn"), provider);
        given().header("Authorization", auth)
                .queryParam("q", "SELECT Id, ProviderName, IsActive FROM CallCoachingMediaProvider WHERE ProviderName = 'TestProvider'")
                .get(V + "/query").then().statusCode(200).body("totalSize", equalTo(1))
                .body("records[0].Id", equalTo(provider)).body("records[0].IsActive", equalTo(true))
                .body("records[0].attributes.type", equalTo("CallCoachingMediaProvider"));
        given().header("Authorization", auth).contentType(ContentType.JSON).body(Map.of("IsActive", false))
                .patch(V + "/sobjects/CallCoachingMediaProvider/" + provider).then().statusCode(204);
        given().header("Authorization", auth).get(V + "/sobjects/CallCoachingMediaProvider/" + provider).then()
                .statusCode(200).body("IsActive", equalTo(false));
        given().header("Authorization", auth)
                .queryParam("q", "SELECT Id, Email FROM User WHERE Email = 'ben.agent@eci-sandbox.example' AND IsActive = true")
                .get(V + "/query").then().statusCode(200).body("records[0].Id", equalTo(BEN));
        given().header("Authorization", auth).queryParam("q", "SELECT Id FROM VoiceCall WHERE VendorCallKey = 'K-1'")
                .get(V + "/query").then().statusCode(200).body("totalSize", equalTo(0));
        given().header("Authorization", auth).contentType(ContentType.JSON).body(Map.of("IsActive", true))
                .patch(V + "/sobjects/CallCoachingMediaProvider/" + provider).then().statusCode(204);
        String id = create(auth, List.of(validCall(provider, "K-1"))).then().extract().path("results[0].voiceCallId");
        given().header("Authorization", auth).queryParam("q", "SELECT Id, VendorCallKey FROM VoiceCall WHERE VendorCallKey = 'K-1'")
                .get(V + "/query").then().statusCode(200).body("totalSize", equalTo(1)).body("records[0].Id", equalTo(id));
        given().header("Authorization", auth).queryParam("q", "SELECT Nope FROM VoiceCall").get(V + "/query").then()
                .statusCode(400).body("[0].errorCode", equalTo("INVALID_FIELD"));
        given().header("Authorization", auth).queryParam("q", "DELETE everything").get(V + "/query").then()
                .statusCode(400).body("[0].errorCode", equalTo("MALFORMED_QUERY"));
    }

    @Test
    void expiredOrUnknownTokenGets401InvalidSessionId() {
        String auth = auth();
        given().contentType(ContentType.JSON).body(Map.of("endpoint", "eci.callcoaching", "action", "expire-token"))
                .post("/sandbox/faults").then().statusCode(201);
        given().header("Authorization", auth).get(V + "/callcoaching/0hn000000000000").then().statusCode(401)
                .body("[0].errorCode", equalTo("INVALID_SESSION_ID"));
        given().get(V + "/limits").then().statusCode(401).body("[0].errorCode", equalTo("INVALID_SESSION_ID"));
    }

    @Test
    void soqlAnswersComeInPagesFollowedByNextRecordsUrl() {
        String auth = auth();
        // two records a page in the test profile (Salesforce: up to 2,000): four active users take two pages
        var first = given().header("Authorization", auth).queryParam("q", "SELECT Id, Email FROM User WHERE IsActive = true")
                .get(V + "/query").then().statusCode(200).body("totalSize", equalTo(4)).body("done", equalTo(false))
                .body("records.size()", equalTo(2)).extract().jsonPath();
        String next = first.getString("nextRecordsUrl");
        assertTrue(next.matches("/services/data/v60\\.0/query/01g[0-9A-Za-z]+-2"), next);
        List<String> ids = new java.util.ArrayList<>(first.getList("records.Id"));
        var second = given().header("Authorization", auth).get(next).then().statusCode(200).body("done", equalTo(true))
                .body("totalSize", equalTo(4)).body("nextRecordsUrl", org.hamcrest.Matchers.nullValue()).extract()
                .jsonPath();
        ids.addAll(second.getList("records.Id"));
        assertEquals(List.of(AVA, BEN, "0055e00000Cleo0AAB", DAN_NOT_COACHED), ids, "every active user, once");
        given().header("Authorization", auth).get(next).then().statusCode(400)
                .body("[0].errorCode", equalTo("INVALID_QUERY_LOCATOR")); // a cursor read to its end is closed
        given().get(next).then().statusCode(401);
        given().header("Authorization", auth).queryParam("q", "SELECT Id FROM User WHERE Email = 'ben.agent@eci-sandbox.example'")
                .get(V + "/query").then().statusCode(200).body("done", equalTo(true))
                .body("nextRecordsUrl", org.hamcrest.Matchers.nullValue());
    }
}
