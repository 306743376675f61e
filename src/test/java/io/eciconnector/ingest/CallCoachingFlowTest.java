package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.call;
import static io.eciconnector.ingest.Drops.drop;
import static io.eciconnector.ingest.Drops.state;
import static io.eciconnector.ingest.Drops.voiceCalls;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eciconnector.ledger.CallRow;
import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.model.CanonicalCall;
import io.eciconnector.model.Direction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The "full experience" of seed eci-recording-provider-api.txt and the Voice Connector guide: registration, the live
 * call-coaching status (here read again after 1 s, eci.callcoaching.refresh-interval of the test profile), user
 * matching, the 7-day backfill and the admin's retries.
 */
@QuarkusTest
@TestProfile(FlowProfile.class)
class CallCoachingFlowTest {

    static final String AVA = "0055e000001Ava0AAC";
    static final String BEN = "0055e000001Ben0AAC";
    static final String CLEO = "0055e00000Cleo0AAB";
    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    ProviderRegistry provider;

    @Inject
    UserMatcher matcher;

    @Inject
    Ledger ledger;

    @Inject
    CallCoaching callCoaching;

    @Inject
    CallCoachingGate gate;

    /** The connector reads the status now, as it would within its refresh interval (no waiting for it to age). */
    void readStatusNow() throws Exception {
        callCoaching.refresh();
    }

    /** Two polls refused after this point: at least one started after what was dropped before the call. */
    void awaitTwoRefusedPolls() {
        long before = gate.refusedPolls();
        await().atMost(WAIT).until(() -> gate.refusedPolls() >= before + 2);
    }

    @BeforeEach
    void coachingOnForEveryone() {
        given().delete("/sandbox/faults");
        given().contentType(ContentType.JSON).body(Map.of("enabled", true, "users", Map.of(AVA, true, BEN, true, CLEO, true)))
                .post("/sandbox/callcoaching").then().statusCode(200);
    }

    static void coaching(Map<String, Object> change) throws InterruptedException {
        given().contentType(ContentType.JSON).body(change).post("/sandbox/callcoaching").then().statusCode(200);
    }

    @Test
    void registrationIsIdempotentAcrossRestarts() throws Exception {
        String first = provider.providerId();
        provider.forget();
        assertEquals(first, provider.providerId(), "found again by ProviderName, not created again");
        List<Map<String, Object>> providers = given().get("/sandbox/callcoaching").jsonPath().getList("providers");
        assertEquals(1, providers.stream().filter(p -> "eci-connector".equals(p.get("providerName"))).count());
    }

    @Test
    void aUserAddedToCallCoachingHasTheirWaitingCallsSentAtOnce() throws Exception {
        coaching(Map.of("users", Map.of(CLEO, false)));
        readStatusNow();
        Map<String, Object> c = call("WAIT-FOR-CLEO", 60);
        c.put("userEmail", "cleo.agent@eci-sandbox.example");
        drop("WAIT-FOR-CLEO.json", List.of(c));
        await().atMost(WAIT).until(() -> "SKIPPED".equals(state("WAIT-FOR-CLEO")));
        given().get("/calls/WAIT-FOR-CLEO").then().body("reasonCode", equalTo("user-not-coached"));
        Instant added = Instant.now();
        coaching(Map.of("users", Map.of(CLEO, true)));
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("WAIT-FOR-CLEO")));
        long seconds = Duration.between(added, Instant.now()).toSeconds();
        assertTrue(seconds < 10, "sent " + seconds + " s after the user was added (status read at most 1 s old + max-wait)");
        assertEquals(1, voiceCalls("WAIT-FOR-CLEO").size());
    }

    @Test
    void aUserRemovedFromCallCoachingHasTheirUnsentCallsHeldBack() throws Exception {
        String providerId = provider.providerId();
        for (String id : List.of("HOLD-BEN-1", "HOLD-BEN-2")) {
            Map<String, Object> payload = call(id, 60);
            payload.remove("recording");
            payload.remove("userEmail");
            payload.put("userId", BEN);
            payload.put("recordingFormat", "wav");
            payload.put("mediaProviderId", providerId);
            CallRow row = CallRow.received("generic", id, CallState.CHECKED, null, null, BEN, null, Drops.START,
                    Drops.MAPPER.writeValueAsString(payload), "{}", "test", "file:///nowhere/" + id + ".wav", 10L);
            ledger.insert(row);
            // not due for a minute: the change must catch them waiting
            ledger.transition("generic", id, CallState.CHECKED, CallState.CHECKED, "test: held",
                    Ledger.fields("next_attempt_at", Instant.now().plusSeconds(60)));
        }
        coaching(Map.of("users", Map.of(BEN, false)));
        await().atMost(WAIT).until(() -> Stream.of("HOLD-BEN-1", "HOLD-BEN-2").allMatch(id -> "SKIPPED".equals(state(id))));
        given().get("/calls/HOLD-BEN-1").then().body("reason", org.hamcrest.Matchers.containsString("removed from call coaching"));
        assertEquals(0, voiceCalls("HOLD-BEN").size());
    }

    @Test
    void onEnableTheLastSevenDaysGoOutOnceAndOlderCallsWaitForARetryByUserAndDates() throws Exception {
        coaching(Map.of("enabled", false));
        readStatusNow();
        Instant now = Instant.now();
        Map<String, Object> recent = call("BACKFILL-3D", 60, now.minus(Duration.ofDays(3)));
        Map<String, Object> old = call("BACKFILL-9D", 60, now.minus(Duration.ofDays(9)));
        Map<String, Object> oldBen = call("BACKFILL-9D-BEN", 60, now.minus(Duration.ofDays(9)));
        oldBen.put("userEmail", "ben.agent@eci-sandbox.example");
        Map<String, Object> older = call("BACKFILL-20D", 60, now.minus(Duration.ofDays(20)));
        drop("backfill.json", List.of(recent, old, oldBen, older));
        awaitTwoRefusedPolls();
        assertTrue(ledger.find("generic", "BACKFILL-3D").isEmpty(), "nothing taken in while disabled");
        coaching(Map.of("enabled", true));
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("BACKFILL-3D"))
                && Stream.of("BACKFILL-9D", "BACKFILL-9D-BEN", "BACKFILL-20D").allMatch(id -> "SKIPPED".equals(state(id))));
        given().get("/calls/BACKFILL-9D").then().body("reasonCode", equalTo("too-old"));
        given().get("/calls/failures?state=SKIPPED").then().statusCode(200)
                .body("reasons.'too-old'.count", org.hamcrest.Matchers.greaterThanOrEqualTo(3));
        String from = LocalDate.ofInstant(now.minus(Duration.ofDays(10)), ZoneOffset.UTC).toString();
        String to = LocalDate.ofInstant(now.minus(Duration.ofDays(8)), ZoneOffset.UTC).toString();
        given().queryParam("userId", AVA).queryParam("from", from).queryParam("to", to).post("/calls/retry").then()
                .statusCode(200).body("calls.CHECKED", equalTo(1));
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("BACKFILL-9D")));
        assertEquals("SKIPPED", state("BACKFILL-9D-BEN"), "another user's call is not retried");
        assertEquals("SKIPPED", state("BACKFILL-20D"), "a call outside the dates is not retried");
        for (String id : List.of("BACKFILL-3D", "BACKFILL-9D")) {
            assertEquals(1, voiceCalls(id).stream().filter(v -> v.get("vendorCallKey").equals(id)).count(), id + " once");
        }
        given().queryParam("userId", AVA).queryParam("from", from).queryParam("to", to).post("/calls/retry").then()
                .statusCode(200).body("calls.size()", equalTo(0));
    }

    static CanonicalCall canonical(String vendor, String vendorUserId, String email, String agent, String internal) {
        return CanonicalCall.builder(vendor).externalId("M-1").start(Instant.now()).end(Instant.now())
                .parties(Direction.INBOUND, "+16315122409", internal).vendorUserId(vendorUserId).userEmail(email)
                .agentUsername(agent).build();
    }

    @Test
    void usersAreMatchedByTheVoiceConnectorsRulesMostRecentlyModifiedFirst() throws Exception {
        given().contentType(ContentType.JSON).body(List.of(
                Map.of("id", "0055e00000Mat10AAB", "email", "old.twin@eci-sandbox.example", "phone", "+14155557777",
                        "lastModified", "2026-01-01T00:00:00.000Z", "fields", Map.of("Aircall_User_Identifier__c", "AC-77")),
                Map.of("id", "0055e00000Mat20AAB", "email", "new.twin@eci-sandbox.example", "phone", "(415) 555-7777",
                        "lastModified", "2026-06-01T00:00:00.000Z",
                        "fields", Map.of("Amazon_Connect_Username__c", "new.twin"))))
                .post("/sandbox/users").then().statusCode(200);
        matcher.invalidate();
        assertEquals("0055e00000Mat10AAB", matcher.match(canonical("aircall", "AC-77", null, null, "+14155557777")).userId(),
                "the vendor's user id in the User field comes first");
        assertEquals("0055e00000Mat20AAB", matcher.match(canonical("aircall", "AC-00", null, null, "+14155557777")).userId(),
                "by phone, two users: the most recently modified");
        assertEquals(BEN, matcher.match(canonical("dialpad", "5012345", "BEN.agent@eci-sandbox.example", null, "+14155557777"))
                .userId(), "no field configured for dialpad: the e-mail comes before the phone");
        assertEquals("0055e00000Mat20AAB", matcher.match(canonical("amazon-connect", null, null, "new.twin", null)).userId(),
                "Amazon Connect: Agent.Username in the configured field");
        assertEquals(AVA, matcher.match(canonical("amazon-connect", null, null, "ava.agent@eci-sandbox.example", null)).userId(),
                "Amazon Connect: then the username as e-mail");
        assertEquals(CLEO, matcher.match(canonical("twilio", null, null, null, "+14155550103")).userId(), "then the phone");
        assertEquals(null, matcher.match(canonical("twilio", null, null, null, "+14155550000")).userId(), "no match");
    }
}
