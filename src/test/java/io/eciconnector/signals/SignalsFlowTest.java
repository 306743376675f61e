package io.eciconnector.signals;

import static io.eciconnector.signals.ContactLensRecords.analysis;
import static io.eciconnector.signals.ContactLensRecords.categories;
import static io.eciconnector.signals.ContactLensRecords.record;
import static io.eciconnector.signals.ContactLensRecords.segments;
import static io.eciconnector.signals.ContactLensRecords.started;
import static io.eciconnector.signals.ContactLensRecords.traceRecord;
import static io.eciconnector.signals.ContactLensRecords.transcript;
import static io.eciconnector.signals.ContactLensRecords.utterance;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eciconnector.ingest.FlowProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The signal flow through the product's route files (HTTP source, intake, outbox, sender, post-call folder) against
 * the sandbox's telephony API, which verifies every request: the JWT (signature, iss, sub, exp), the documented
 * shapes (5 x 5, sorted events, ranges, participant ids) and answers 202 / 207 / 400 as Salesforce does.
 */
@QuarkusTest
@TestProfile(FlowProfile.class)
class SignalsFlowTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void noFaults() {
        given().delete("/sandbox/faults").then().statusCode(200);
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static void register(String... keys) {
        given().contentType(ContentType.JSON).body(Map.of("vendorCallKeys", List.of(keys)))
                .post("/sandbox/telephony/calls").then().statusCode(200);
    }

    static JsonNode post(ObjectNode... records) throws Exception {
        String lines = Stream.of(records).map(ObjectNode::toString).collect(Collectors.joining("\n"));
        String answer = given().header("Authorization", "Bearer " + FlowProfile.WEBHOOK_TOKEN).body(lines)
                .post("/signals/contact-lens").then().statusCode(202).extract().asString();
        return JSON.readTree(answer);
    }

    /** What the sandbox received for a call. */
    static JsonNode telephony(String key) throws Exception {
        return JSON.readTree(given().get("/sandbox/telephony").then().statusCode(200).extract().asString()).path(key);
    }

    static List<String> messageIds(JsonNode call) {
        List<String> ids = new ArrayList<>();
        call.path("messages").forEach(m -> ids.add(m.path("message").path("messageId").asText()));
        return ids;
    }

    static int bulkRequests() throws Exception {
        return JSON.readTree(given().get("/sandbox/requests").then().extract().asString()).path("byEndpoint")
                .path("telephony.messages.bulk").asInt(0);
    }

    @Test
    void aConversationWithATransferReachesTheFirstContactsKeyTimedFromItsStart() throws Exception {
        String first = id("conv");
        String second = id("transfer");
        register(first);
        long start = System.currentTimeMillis() - 120_000;
        ObjectNode transferStarted = started(second, start + 60_000);
        transferStarted.put("InitialContactId", first);
        JsonNode summary = post(started(first, start),
                segments(first, transcript("m1", "AGENT", "Hello, Ava speaking", 100, 900, "POSITIVE"),
                        utterance("u2", "m2", "CUSTOMER", "My ord", 1000, 1400),
                        transcript("m2", "CUSTOMER", "My order is late", 1000, 2000, "NEGATIVE"),
                        categories("OrderStatus", 1000, 2000)),
                record(first, "COMPLETED"), transferStarted,
                segments(second, transcript("m3", "AGENT", "Refunds here", 300, 800, "NEUTRAL")),
                record(second, "FAILED"));
        assertEquals(6, summary.get("records").asInt());
        assertEquals(7, summary.get("items").asInt(), "3 messages, 3 sentiments, 1 category");
        await().atMost(WAIT).until(() -> telephony(first).path("messages").size() == 3
                && telephony(first).path("realtimeEvents").size() == 4);
        JsonNode call = telephony(first);
        assertEquals(List.of("m1", "m2", "m3"), messageIds(call));
        assertEquals(0, call.path("rejected").size());
        JsonNode m3 = call.path("messages").get(2).path("message");
        assertEquals(start + 60_000 + 300, m3.path("startTime").asLong(), "the transfer's own start + offset");
        assertEquals(first + "VIRTUAL_AGENT", m3.path("participantId").asText());
        JsonNode m1 = call.path("messages").get(0).path("message");
        assertEquals(start + 100, m1.path("startTime").asLong());
        assertEquals(start + 900, m1.path("endTime").asLong());
        List<Long> eventTimes = new ArrayList<>();
        call.path("realtimeEvents").forEach(e -> eventTimes.add(e.path("event").path("startTime").asLong()));
        assertTrue(eventTimes.contains(start + 1000), "the category at its point of interest");
        assertTrue(telephony(second).isMissingNode(), "nothing under the transfer's own contact id");
        // what the operator sees
        String view = given().get("/signals/calls/" + first).then().statusCode(200).extract().asString();
        JsonNode v = JSON.readTree(view);
        assertEquals("agent-connected", v.path("contact").path("startBasis").asText());
        assertTrue(StreamSupportAll(v.path("items"), i -> i.path("state").asText().equals("SENT")));
    }

    static boolean StreamSupportAll(JsonNode array, java.util.function.Predicate<JsonNode> p) {
        for (JsonNode n : array) {
            if (!p.test(n)) {
                return false;
            }
        }
        return array.size() > 0;
    }

    @Test
    void sixCallsOfSixMessagesArrivingTogetherGoInValidFiveByFiveRequestsInOrder() throws Exception {
        List<String> keys = new ArrayList<>();
        List<ObjectNode> records = new ArrayList<>();
        long start = System.currentTimeMillis() - 60_000;
        for (int c = 0; c < 6; c++) {
            String key = id("six");
            keys.add(key);
            records.add(started(key, start));
            for (int m = 0; m < 6; m++) {
                records.add(segments(key, transcript(key + "-m" + m, m % 2 == 0 ? "AGENT" : "CUSTOMER",
                        "turn " + m, 1000L * m, 1000L * m + 800, null)));
            }
        }
        register(keys.toArray(String[]::new));
        int before = bulkRequests();
        post(records.toArray(ObjectNode[]::new));
        await().atMost(WAIT).until(() -> keys.stream().allMatch(k -> {
            try {
                return telephony(k).path("messages").size() == 6;
            } catch (Exception e) {
                return false;
            }
        }));
        for (String key : keys) {
            JsonNode call = telephony(key);
            assertEquals(List.of(key + "-m0", key + "-m1", key + "-m2", key + "-m3", key + "-m4", key + "-m5"),
                    messageIds(call), "each call's messages in order");
            assertEquals(0, call.path("rejected").size(), "every request valid");
        }
        int requests = bulkRequests() - before;
        // 6 messages a call need 2 requests each (5 a call per request): 12 entries, at least 3 requests
        assertTrue(requests >= 3 && requests <= 4, "36 messages in " + requests + " requests");
    }

    @Test
    void aMultiStatusAnswerDeadLettersOnlyTheUnknownCall() throws Exception {
        String known1 = id("known");
        String known2 = id("known");
        String unknown = id("unknown");
        register(known1, known2);
        long start = System.currentTimeMillis() - 30_000;
        post(started(known1, start), started(unknown, start), started(known2, start),
                segments(known1, transcript("k1", "AGENT", "hi", 0, 500, null)),
                segments(unknown, transcript("u1", "AGENT", "hi", 0, 500, null)),
                segments(known2, transcript("k2", "CUSTOMER", "hello", 0, 500, null)));
        await().atMost(WAIT).until(() -> telephony(known1).path("messages").size() == 1
                && telephony(known2).path("messages").size() == 1);
        await().atMost(WAIT).until(() -> JSON.readTree(given().get("/signals/calls/" + unknown).then().extract()
                .asString()).path("items").get(0).path("state").asText().equals("DEAD"));
        JsonNode item = JSON.readTree(given().get("/signals/calls/" + unknown).then().extract().asString())
                .path("items").get(0);
        assertEquals(400, item.path("lastStatus").asInt());
        Path dir = Path.of(FlowProfile.DEAD_LETTERS, "telephony");
        await().atMost(WAIT).until(() -> Files.isDirectory(dir) && deadLetterFor(dir, unknown) != null);
        JsonNode letter = JSON.readTree(Files.readString(deadLetterFor(dir, unknown)));
        assertEquals(400, letter.path("error").path("httpStatus").asInt());
        assertTrue(letter.path("original").asText().contains("\"ContactId\":\"" + unknown + "\""), "the original record");
        assertEquals(List.of("u1"), List.of(letter.path("items").get(0).asText()));
        assertTrue(deadLetterFor(dir, known1) == null && deadLetterFor(dir, known2) == null);
        // fixed (the call now exists): replay sends it
        register(unknown);
        given().post("/signals/calls/" + unknown + "/replay").then().statusCode(202);
        await().atMost(WAIT).until(() -> telephony(unknown).path("messages").size() == 1);
    }

    /** Completed exchanges of a route, as the route console counts them. */
    long completed(String routeId) {
        return camel.getCamelContextExtension().getContextPlugin(org.apache.camel.api.management.ManagedCamelContext.class)
                .getManagedRoute(routeId).getExchangesCompleted();
    }

    /**
     * A bulk request of two calls refused whole (400): each call goes alone, both arrive, nothing is dead; the route
     * console (telephony-attempt) counts the three requests, not a bean call.
     */
    @Test
    void aBulkRequestRefusedWholeSendsEachCallAloneAndTheRouteConsoleCountsEachRequest() throws Exception {
        String first = id("whole");
        String second = id("whole");
        register(first, second);
        long attempts = completed("telephony-attempt");
        int before = bulkRequests();
        given().contentType(ContentType.JSON).body(List.of(Map.of("endpoint", "telephony.messages.bulk",
                "status", 400, "count", 1))).post("/sandbox/faults").then().statusCode(201);
        long start = System.currentTimeMillis() - 30_000;
        post(started(first, start), started(second, start),
                segments(first, transcript("w1", "AGENT", "hi", 0, 500, null)),
                segments(second, transcript("w2", "CUSTOMER", "hello", 0, 500, null)));
        await().atMost(WAIT).until(() -> allSent(first, 1) && allSent(second, 1));
        assertEquals(List.of("w1"), messageIds(telephony(first)));
        assertEquals(List.of("w2"), messageIds(telephony(second)));
        assertEquals(3, bulkRequests() - before, "the refused request, then each call alone");
        await().atMost(WAIT).until(() -> completed("telephony-attempt") - attempts == 3);
        Path dir = Path.of(FlowProfile.DEAD_LETTERS, "telephony");
        assertTrue(!Files.isDirectory(dir) || deadLetterFor(dir, first) == null && deadLetterFor(dir, second) == null);
    }

    /** A 401 (a token the org no longer takes): a new token is signed and the request goes once more, not retried later. */
    @Test
    void aTelephony401GetsANewTokenAndTheRequestGoesOnceMore() throws Exception {
        String key = id("resign");
        register(key);
        await().atMost(WAIT).until(() -> credential.warm());
        int signed = credential.token().signed();
        int before = bulkRequests();
        given().contentType(ContentType.JSON).body(List.of(Map.of("endpoint", "telephony.messages.bulk",
                "status", 401, "count", 1))).post("/sandbox/faults").then().statusCode(201);
        long posted = System.currentTimeMillis();
        post(started(key, posted - 10_000), segments(key, transcript("t1", "AGENT", "one", 0, 100, null)));
        await().atMost(WAIT).until(() -> allSent(key, 1));
        assertEquals(List.of("t1"), messageIds(telephony(key)));
        assertEquals(2, bulkRequests() - before, "the refused request and the one with a new token");
        assertTrue(credential.token().signed() > signed, "signed anew after the 401");
        JsonNode item = JSON.readTree(given().get("/signals/calls/" + key).then().extract().asString()).path("items").get(0);
        assertEquals(202, item.path("lastStatus").asInt(), item.toString());
        assertEquals(1, item.path("attempts").asInt(), "sent within its first claim, not retried later: " + item);
    }

    static Path deadLetterFor(Path dir, String key) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(key + "-")).findFirst().orElse(null);
        }
    }

    @Test
    void aRetryAfterIsWaitedAndEachMessageArrivesOnce() throws Exception {
        String key = id("limited");
        register(key);
        given().contentType(ContentType.JSON).body(List.of(Map.of("endpoint", "telephony.messages.bulk",
                "status", 429, "retryAfter", 1, "count", 1))).post("/sandbox/faults").then().statusCode(201);
        long posted = System.currentTimeMillis();
        post(started(key, posted - 10_000), segments(key, transcript("r1", "AGENT", "one", 0, 100, null),
                transcript("r2", "CUSTOMER", "two", 200, 300, null)));
        await().atMost(WAIT).until(() -> telephony(key).path("messages").size() == 2);
        JsonNode call = telephony(key);
        assertTrue(call.path("messages").get(0).path("receivedAt").asLong() - posted >= 1000,
                "accepted only after the Retry-After second");
        // nothing more can arrive once each of the call's items is settled
        await().atMost(WAIT).until(() -> allSent(key, 2));
        assertEquals(List.of("r1", "r2"), messageIds(telephony(key)));
        assertEquals(0, telephony(key).path("rejected").size(), "no message sent twice");
    }

    @jakarta.inject.Inject
    io.eciconnector.ledger.Ledger ledger;

    @jakarta.inject.Inject
    org.apache.camel.CamelContext camel;

    @jakarta.inject.Inject
    TelephonyCredential credential;

    /** The telephony API's signer and its first token are made at start, not when the first record of a stream waits. */
    @Test
    void theTelephonyClientIsMadeAndItsTokenSignedAtStart() {
        await().atMost(WAIT).until(() -> credential.warm());
        org.junit.jupiter.api.Assertions.assertTrue(credential.token().signed() >= 1, "signed at start");
    }

    /** Waits until the telephony-recover route (the slow path that sends post-call chunks) completed n more passes. */
    void awaitRecoveryPasses(int n) throws Exception {
        org.apache.camel.api.management.ManagedCamelContext managed = camel.getCamelContextExtension()
                .getContextPlugin(org.apache.camel.api.management.ManagedCamelContext.class);
        long before = managed.getManagedRoute("telephony-recover").getExchangesCompleted();
        await().atMost(WAIT).until(() -> managed.getManagedRoute("telephony-recover").getExchangesCompleted() >= before + n);
    }

    /** The call has exactly {@code items} outbox items, all SENT: nothing of it is left to send. */
    static boolean allSent(String key, int items) throws Exception {
        List<String> states = given().get("/signals/calls/" + key).then().extract().path("items.state");
        return states != null && states.size() == items && states.stream().allMatch("SENT"::equals);
    }

    /**
     * A replica that stopped after the org accepted its bulk request but before it recorded the answer: another takes
     * the claim up after the lease and sends again; the org answers that the conversation holds those messageIds,
     * which the sender records as sent (no dead letter, nothing held back).
     */
    @Test
    void messagesTheOrgAcceptedBeforeAReplicaStoppedAreRecordedAsSentWhenResent() throws Exception {
        String key = id("resent");
        register(key);
        post(started(key, System.currentTimeMillis() - 10_000), segments(key, transcript("s1", "AGENT", "one", 0, 100, null),
                transcript("s2", "CUSTOMER", "two", 200, 300, null)));
        await().atMost(WAIT).until(() -> telephony(key).path("messages").size() == 2);
        await().atMost(WAIT).until(() -> given().get("/signals/calls/" + key).then().extract().path("items.state")
                .equals(List.of("SENT", "SENT")));
        // as a replica killed before it recorded the answer leaves them: claimed long ago, never settled
        ledger.inTransaction(c -> {
            try (var ps = c.prepareStatement("UPDATE signal_outbox SET state = 'SENDING', claimed_by = 'gone', "
                    + "claimed_at = 1 WHERE vendor_call_key = ?")) {
                ps.setString(1, key);
                return ps.executeUpdate();
            }
        });
        await().atMost(WAIT).until(() -> JSON.readTree(given().get("/signals/calls/" + key).then().extract().asString())
                .path("items").get(0).path("attempts").asInt() == 2
                && given().get("/signals/calls/" + key).then().extract().path("items.state").equals(List.of("SENT", "SENT")));
        assertEquals(List.of("s1", "s2"), messageIds(telephony(key)), "the org holds each message once");
        Path dir = Path.of(FlowProfile.DEAD_LETTERS, "telephony");
        assertTrue(!Files.isDirectory(dir) || deadLetterFor(dir, key) == null, "nothing dead-lettered");
    }

    @Test
    void aRedeliveredRecordSendsNothingTwice() throws Exception {
        String key = id("again");
        register(key);
        long start = System.currentTimeMillis() - 10_000;
        ObjectNode s = segments(key, transcript("d1", "AGENT", "once", 0, 100, "POSITIVE"), categories("Greeting", 0, 100));
        JsonNode first = post(started(key, start), s);
        assertEquals(3, first.get("items").asInt());
        await().atMost(WAIT).until(() -> telephony(key).path("messages").size() == 1
                && telephony(key).path("realtimeEvents").size() == 2);
        JsonNode again = post(s);
        assertEquals(0, again.get("items").asInt());
        assertEquals(3, again.get("duplicates").asInt());
        await().atMost(WAIT).until(() -> allSent(key, 3)); // the redelivery added no item
        assertEquals(1, telephony(key).path("messages").size());
        assertEquals(2, telephony(key).path("realtimeEvents").size());
    }

    @Test
    void postCallEventsWaitForTheContactToComplete() throws Exception {
        String key = id("postcall");
        register(key);
        long start = System.currentTimeMillis() - 300_000;
        post(started(key, start));
        Path dir = Path.of(FlowProfile.POSTCALL_INBOX, "Analysis/Voice/Redacted/2026/11/21");
        Files.createDirectories(dir);
        ObjectNode file = analysis(key, new double[][] { { 0, 5000, 2.5 }, { 5000, 10000, -1 } },
                new double[][] { { 0, 5000, -4.5 }, { 5000, 10000, 5 } });
        Files.writeString(dir.resolve(key + "_analysis_redacted_2026-11-21T08:10:00Z.json"), file.toString());
        // the raw copy beside it is not used (redacted by default)
        Path raw = Path.of(FlowProfile.POSTCALL_INBOX, "Analysis/Voice/2026/11/21");
        Files.createDirectories(raw);
        Files.writeString(raw.resolve(key + "_analysis_2026-11-21T08:10:00Z.json"), file.toString());
        await().atMost(WAIT).until(() -> JSON.readTree(given().get("/signals/calls/" + key).then().extract().asString())
                .path("items").size() == 1);
        // no event to wait for: the post-call events must stay away for a while (checked all along)
        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> telephony(key).path("postCallEvents").isEmpty());
        post(record(key, "COMPLETED"));
        await().atMost(WAIT).until(() -> telephony(key).path("postCallEvents").size() == 4);
        List<String> values = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        telephony(key).path("postCallEvents").forEach(e -> {
            values.add(e.path("event").path("participant").asText() + " " + e.path("event").path("value").asText());
            starts.add(e.path("event").path("startTime").asLong());
        });
        assertEquals(List.of("AGENT 500", "CUSTOMER -900", "AGENT -200", "CUSTOMER 1000"), values);
        assertEquals(List.of(start, start, start + 5000, start + 5000), starts);
    }

    @Test
    void badRecordsAreDeadLetteredWithTheirBytesAndTheOthersGoOn() throws Exception {
        String key = id("mixed");
        register(key);
        String lines = "{not json\n" + record("", "SEGMENTS") + "\n" + record(key, "PAUSED") + "\n"
                + started(key, System.currentTimeMillis() - 5000) + "\n"
                + segments(key, transcript("g1", "ROBOT", "beep", 0, 10, null), transcript("g2", "AGENT", "fine", 20, 30, null));
        JsonNode s = JSON.readTree(given().header("Authorization", "Bearer " + FlowProfile.WEBHOOK_TOKEN).body(lines)
                .post("/signals/contact-lens").then().statusCode(202).extract().asString());
        assertEquals(5, s.get("records").asInt());
        assertEquals(4, s.get("deadLettered").asInt(), "3 records and 1 segment");
        assertEquals(1, s.get("items").asInt());
        await().atMost(WAIT).until(() -> telephony(key).path("messages").size() == 1);
        Path dir = Path.of(FlowProfile.DEAD_LETTERS, "telephony");
        JsonNode segment = JSON.readTree(Files.readString(deadLetterFor(dir, key)));
        assertTrue(segment.path("reason").asText().contains("ParticipantRole"), segment.path("reason").asText());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> {
                try {
                    return Files.readString(f).contains("{not json");
                } catch (java.io.IOException e) {
                    return false;
                }
            }), "the unreadable record's bytes are kept");
        }
    }

    @Test
    void theHttpSourceRefusesRequestsWithoutTheToken() {
        given().body(started("x", 0).toString()).post("/signals/contact-lens").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").body(started("x", 0).toString()).post("/signals/contact-lens")
                .then().statusCode(401);
        given().header("x-api-key", FlowProfile.WEBHOOK_TOKEN).body("[]").post("/signals/contact-lens").then()
                .statusCode(202);
    }

    // ------------------------------------------------------------------ issue 11, items 12-16

    static JsonNode view(String key) throws Exception {
        return JSON.readTree(given().get("/signals/calls/" + key).then().extract().asString());
    }

    static JsonNode postBody(String body) throws Exception {
        return JSON.readTree(given().header("Authorization", "Bearer " + FlowProfile.WEBHOOK_TOKEN).body(body)
                .post("/signals/contact-lens").then().statusCode(202).extract().asString());
    }

    static Path deadLetterContaining(String text) throws Exception {
        Path dir = Path.of(FlowProfile.DEAD_LETTERS, "telephony");
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                try {
                    return Files.readString(f).contains(text);
                } catch (java.io.IOException e) {
                    return false;
                }
            }).findFirst().orElse(null);
        }
    }

    /** 11.12: a contact whose trace record the ingest flow holds counts its offsets from the agent's connect time. */
    @Test
    void offsetsCountFromTheAgentsConnectTimeInTheTraceRecordNotItsInitiation() throws Exception {
        String key = id("ctr");
        register(key);
        long initiation = System.currentTimeMillis() - 120_000;
        long connected = initiation + 16_300; // IVR and queue: 16.3 s
        ledger.insert(io.eciconnector.ledger.CallRow.received("amazon-connect", key,
                io.eciconnector.ledger.CallState.SKIPPED, "too-short", "test: the ingest flow saw its trace record", null,
                null, java.time.Instant.ofEpochMilli(initiation), "{}",
                traceRecord(key, initiation, connected, initiation + 90_000).toString(), "test", null, null));
        post(record(key, "STARTED"), segments(key, transcript("c1", "AGENT", "Hello", 500, 1500, null)));
        await().atMost(WAIT).until(() -> telephony(key).path("messages").size() == 1);
        JsonNode m = telephony(key).path("messages").get(0).path("message");
        assertEquals(connected + 500, m.path("startTime").asLong(), "the connect time + the offset");
        assertEquals("agent-connected", view(key).path("contact").path("startBasis").asText());
    }

    /** 11.12: a replayed capture carries no producer time; a contact with nothing to time it by is refused, said so. */
    @Test
    void aCaptureRecordWithNoTimeBaseIsDeadLetteredNotTimedFromTheReplay() throws Exception {
        String untimed = id("untimed");
        String timed = id("timed");
        register(untimed, timed);
        long connected = System.currentTimeMillis() - 3_600_000; // an hour ago: the capture is replayed now
        ObjectNode enriched = record(timed, "STARTED");
        enriched.putObject("Agent").put("ConnectedToAgentTimestamp", java.time.Instant.ofEpochMilli(connected).toString());
        String capture = record(untimed, "STARTED") + "\n"
                + segments(untimed, transcript("n1", "AGENT", "Hello", 0, 100, null)) + "\n" + enriched + "\n"
                + segments(timed, transcript("y1", "AGENT", "Hello", 2000, 2500, null)) + "\n";
        Files.createDirectories(Path.of(FlowProfile.SIGNALS_INBOX));
        Files.writeString(Path.of(FlowProfile.SIGNALS_INBOX, untimed + ".jsonl"), capture);
        await().atMost(WAIT).until(() -> telephony(timed).path("messages").size() == 1);
        assertEquals(connected + 2000, telephony(timed).path("messages").get(0).path("message").path("startTime").asLong());
        await().atMost(WAIT).until(() -> deadLetterContaining("no time base for contact " + untimed) != null);
        await().atMost(WAIT).until(() -> view(untimed).path("records").size() == 2);
        JsonNode v = view(untimed);
        // nothing of the contact in the outbox (checked below): nothing can be sent, no need to wait and see
        assertEquals(0, telephony(untimed).path("messages").size(), "nothing sent with the replay's time");
        assertTrue(v.path("items").isEmpty() && v.path("records").size() == 2, v.toString());
        assertTrue(v.path("records").get(0).path("outcome").asText().startsWith("refused: no time base"), v.toString());
    }

    /** 11.12: a Categories record seen first: its points of interest count, so the category is not in the future. */
    @Test
    void aCategoriesRecordSeenFirstOnALiveSourceIsNotTimedAfterItArrived() throws Exception {
        String key = id("cat-first");
        register(key);
        long before = System.currentTimeMillis();
        post(segments(key, categories("CustomerAngry", 1000, 2800)));
        await().atMost(WAIT).until(() -> telephony(key).path("realtimeEvents").size() == 1);
        long after = System.currentTimeMillis();
        JsonNode e = telephony(key).path("realtimeEvents").get(0).path("event");
        long start = e.path("startTime").asLong();
        assertTrue(start <= after - 1800 && start >= before - 1800 - 1000,
                "the category began 1.8 s before the record arrived (it ended at 2.8 s): " + (start - before));
        assertEquals("first-record-arrival", view(key).path("contact").path("startBasis").asText());
    }

    /** 11.13: a pretty-printed array with one broken element: the two good records go on, the broken one alone dies. */
    @Test
    void aPrettyPrintedArrayWithABrokenElementCostsOnlyThatElement() throws Exception {
        String key = id("pretty");
        register(key);
        ObjectNode good1 = started(key, System.currentTimeMillis() - 10_000);
        ObjectNode good2 = segments(key, transcript("p1", "AGENT", "Hello", 100, 900, "POSITIVE"));
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(List.of(good1, good2));
        // a broken element between them, as a hand-edited file has it: an unquoted value and a missing comma
        int cut = pretty.indexOf("}, {") + 1;
        String broken = pretty.substring(0, cut) + ", {\n  \"ContactId\" : " + key + "\n  \"EventType\" : \"SEGMENTS\"\n}"
                + pretty.substring(cut);
        JsonNode s = postBody(broken);
        assertEquals(3, s.path("records").asInt(), broken);
        assertEquals(1, s.path("deadLettered").asInt());
        assertEquals(2, s.path("items").asInt(), "the message and the sentiment of the good record");
        assertEquals(1, s.path("refused").get(0).path("record").asInt());
        assertTrue(s.path("refused").get(0).path("reason").asText().contains("not valid JSON"));
        await().atMost(WAIT).until(() -> telephony(key).path("messages").size() == 1
                && telephony(key).path("realtimeEvents").size() == 1);
        String element = "{\n  \"ContactId\" : " + key + "\n  \"EventType\" : \"SEGMENTS\"\n}";
        await().atMost(WAIT).until(() -> deadLetterWithOriginal(element) != null);
    }

    /** The dead letter whose original record is exactly {@code original}. */
    static Path deadLetterWithOriginal(String original) throws Exception {
        Path dir = Path.of(FlowProfile.DEAD_LETTERS, "telephony");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                try {
                    return JSON.readTree(Files.readString(f)).path("original").asText().equals(original);
                } catch (java.io.IOException e) {
                    return false;
                }
            }).findFirst().orElse(null);
        }
    }

    /** 11.14: a transcript segment that breaks a rule is refused whole: no message and no sentiment event. */
    @Test
    void aSegmentThatBreaksARuleSendsNeitherItsMessageNorItsSentiment() throws Exception {
        String key = id("whole");
        register(key);
        JsonNode s = post(started(key, System.currentTimeMillis() - 10_000),
                segments(key, transcript("w1", "CUSTOMER", "", 100, 900, "NEGATIVE"),
                        transcript("w2", "AGENT", "Sorry to hear", 1000, 1900, "NEUTRAL")));
        assertEquals(1, s.path("deadLettered").asInt());
        assertEquals(2, s.path("items").asInt(), "w2's message and sentiment only");
        await().atMost(WAIT).until(() -> telephony(key).path("messages").size() == 1
                && telephony(key).path("realtimeEvents").size() == 1);
        await().atMost(WAIT).until(() -> allSent(key, s.path("items").asInt())); // nothing of it left to send
        JsonNode call = telephony(key);
        assertEquals(1, call.path("realtimeEvents").size(), "no sentiment event for the refused segment");
        assertEquals("AGENT", call.path("realtimeEvents").get(0).path("event").path("participant").asText());
    }

    /** 11.15: post-call events go after every realtime event and transcript message of the call. */
    @Test
    void postCallEventsGoOnlyAfterTheCallsRealtimeEventsAndTranscripts() throws Exception {
        String key = id("order");
        register(key);
        long start = System.currentTimeMillis() - 60_000;
        post(started(key, start));
        Path dir = Path.of(FlowProfile.POSTCALL_INBOX, "Analysis/Voice/Redacted/2026/11/22");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(key + "_analysis_redacted_2026-11-22T08:10:00Z.json"),
                analysis(key, new double[][] { { 0, 5000, 1 } }, new double[][] { { 0, 5000, -1 } }).toString());
        await().atMost(WAIT).until(() -> view(key).path("items").size() == 1);
        // the transcripts meet a rate limit for a while; the contact completes meanwhile
        given().contentType(ContentType.JSON).body(List.of(Map.of("endpoint", "telephony.messages.bulk",
                "status", 503, "retryAfter", 1, "count", 3))).post("/sandbox/faults").then().statusCode(201);
        post(segments(key, transcript("o1", "AGENT", "One", 100, 900, "POSITIVE"),
                transcript("o2", "CUSTOMER", "Two", 1000, 1900, null)), record(key, "COMPLETED"));
        await().atMost(WAIT).until(() -> telephony(key).path("postCallEvents").size() == 2);
        JsonNode call = telephony(key);
        assertEquals(0, call.path("rejected").size(), "nothing refused: " + call.path("rejected"));
        assertEquals(2, call.path("messages").size());
        long firstPostCall = call.path("postCallEvents").get(0).path("receivedAt").asLong();
        for (String kind : List.of("messages", "realtimeEvents")) {
            for (JsonNode e : call.path(kind)) {
                assertTrue(e.path("receivedAt").asLong() <= firstPostCall, kind + " after the post-call events");
            }
        }
    }

    /** 11.16: an unredacted analysis file is refused with the reason (not skipped silently), and shows under its call. */
    @Test
    void anUnredactedAnalysisFileIsRefusedWithItsReasonAndShownUnderItsCall() throws Exception {
        String key = id("raw");
        register(key);
        Path raw = Path.of(FlowProfile.POSTCALL_INBOX, "Analysis/Voice/2026/11/22");
        Files.createDirectories(raw);
        Files.writeString(raw.resolve(key + "_analysis_2026-11-22T08:10:00Z.json"),
                analysis(key, new double[][] { { 0, 5000, 1 } }, new double[][] { { 0, 5000, -1 } }).toString());
        await().atMost(WAIT).until(() -> deadLetterContaining("an unredacted analysis file") != null
                && given().get("/signals/calls/" + key).then().extract().statusCode() == 200);
        JsonNode v = view(key);
        assertTrue(v.path("records").get(0).path("outcome").asText().contains("eci.contact-lens.redacted=true"),
                v.toString());
        JsonNode letter = JSON.readTree(Files.readString(deadLetterContaining("an unredacted analysis file")));
        assertTrue(letter.path("original").isMissingNode() || letter.path("original").isNull(),
                "the raw transcript is not copied into the dead letters");
        // a file whose name is not the layout's is reported too
        Path odd = Path.of(FlowProfile.POSTCALL_INBOX, "notes-" + key + ".json");
        Files.writeString(odd, "{}");
        await().atMost(WAIT).until(() -> deadLetterContaining("notes-" + key + ".json does not match") != null);
    }

    /** 11.16: Content and records have bounds; beyond them a clear refusal, nothing sent. */
    @Test
    void overLongContentAndOversizedRecordsAreRefusedClearly() throws Exception {
        String key = id("big");
        register(key);
        String tooLong = "x".repeat(10_001);
        String huge = "y".repeat(2 * 1024 * 1024);
        JsonNode s = post(started(key, System.currentTimeMillis() - 10_000),
                segments(key, transcript("b1", "AGENT", tooLong, 0, 500, null)),
                segments(key, transcript("b2", "AGENT", huge, 600, 900, null)),
                segments(key, transcript("b3", "AGENT", "fine", 1000, 1500, null)));
        assertEquals(2, s.path("deadLettered").asInt(), s.toString());
        assertTrue(s.toString().contains("eci.contact-lens.max-content-chars"), s.toString());
        assertTrue(s.toString().contains("eci.signals.max-record-bytes"), s.toString());
        await().atMost(WAIT).until(() -> telephony(key).path("messages").size() == 1);
        await().atMost(WAIT).until(() -> allSent(key, s.path("items").asInt())); // nothing of it left to send
        assertEquals(List.of("b3"), messageIds(telephony(key)));
    }

    /**
     * 11.12: a post-call file that comes before anything else of its contact (no stream record, no trace record) is
     * not timed from its recording name's minute: its events wait for a start, and take the stream's when it comes.
     */
    @Test
    void aPostCallFileBeforeItsStreamWaitsForTheStartInsteadOfTheRecordingNamesMinute() throws Exception {
        String key = id("early");
        register(key);
        Path dir = Path.of(FlowProfile.POSTCALL_INBOX, "Analysis/Voice/Redacted/2026/11/21");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(key + "_analysis_redacted_2026-11-21T08:10:00Z.json"),
                analysis(key, new double[][] { { 0, 5000, 1 } }, new double[][] { { 5000, 9000, -1 } }).toString());
        await().atMost(WAIT).until(() -> view(key).path("items").size() == 1);
        assertEquals("awaiting-time-base", view(key).path("contact").path("startBasis").asText());
        awaitRecoveryPasses(2); // the passes that send post-call chunks looked at it (instead of waiting to see nothing)
        assertEquals(0, telephony(key).path("postCallEvents").size(), "nothing sent without a start");
        long connected = System.currentTimeMillis() - 120_000;
        post(started(key, connected), segments(key, transcript("e1", "AGENT", "Hi", 100, 900, null)),
                record(key, "COMPLETED"));
        await().atMost(WAIT).until(() -> telephony(key).path("postCallEvents").size() == 2);
        List<Long> starts = new ArrayList<>();
        telephony(key).path("postCallEvents").forEach(e -> starts.add(e.path("event").path("startTime").asLong()));
        assertEquals(List.of(connected, connected + 5000), starts, "the stream's start, not 2026-11-21T08:00");
        assertEquals("agent-connected", view(key).path("contact").path("startBasis").asText());
    }

    @jakarta.inject.Inject
    PostCallIntake postCalls;

    /**
     * routes/signals-retention.yaml: a conversation whose signals went out forty days ago (the retention is 30) loses
     * its records and items, transcripts included; the same records replayed afterwards, and its post-call file read
     * again, are skipped, not sent a second time; the operator still sees the contact, FORGOTTEN.
     */
    @Test
    void aConversationTheRetentionForgotIsNotSentAgainWhenItsRecordsComeAgain() throws Exception {
        String key = id("retain");
        register(key);
        long start = System.currentTimeMillis() - 30_000;
        ObjectNode[] records = { started(key, start), segments(key, transcript("k1", "AGENT", "hello", 0, 500, null)),
                record(key, "COMPLETED") };
        post(records);
        await().atMost(WAIT).until(() -> allSent(key, 1));
        long then = System.currentTimeMillis() - 40 * 86_400_000L;
        ledger.inTransaction(c -> {
            update(c, "UPDATE signal_contact SET created_at = ?, updated_at = ? WHERE contact_id = ?", then, then, key);
            update(c, "UPDATE signal_outbox SET received_at = ?, sent_at = ? WHERE vendor_call_key = ?", then, then, key);
            update(c, "UPDATE signal_record SET received_at = ? WHERE contact_id = ?", then, key);
            return null;
        });
        org.apache.camel.Exchange pass = new org.apache.camel.support.DefaultExchange(camel);
        camel.getRoute("signals-retention").getProcessor().process(pass); // one pass of the hourly route
        // this conversation (1), unless the route's own pass came between the update above and this one (0)
        assertTrue(pass.getMessage().getBody(Integer.class) <= 1, "only the conversation older than the retention");
        JsonNode v = view(key);
        assertEquals("FORGOTTEN", v.path("contact").path("status").asText(), v.toString());
        assertEquals(0, v.path("items").size(), "items forgotten");
        assertEquals(0, v.path("records").size(), "records forgotten");

        JsonNode again = post(records);
        assertEquals(3, again.path("forgotten").asInt(), again.toString());
        assertEquals(0, again.path("items").asInt());
        String answer = postCalls.accept("Analysis/Voice/Redacted/2026/11/21/" + key
                + "_analysis_redacted_2026-11-21T08:10:00Z.json", analysis(key, new double[][] { { 0, 5000, 1 } },
                        new double[][] { { 0, 5000, -1 } }).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(answer.startsWith("skipped"), answer);
        assertEquals(0, view(key).path("items").size(), "nothing queued again");
        assertEquals(List.of("k1"), messageIds(telephony(key)), "sent once");
    }

    /**
     * routes/signals-retention.yaml's second route: the contacts of a forgotten conversation that started longer than
     * eci.ledger.signal-replay-guard (400 days) ago are deleted, so the replay guard does not grow for good; those of
     * one forgotten but started since stay, FORGOTTEN.
     */
    @Test
    void theContactsOfAConversationForgottenLongAgoAreDeletedOnceTheReplayGuardIsOver() throws Exception {
        String ancient = id("guard-old");
        String recent = id("guard-new");
        long start = System.currentTimeMillis() - 30_000;
        for (String key : List.of(ancient, recent)) {
            register(key);
            post(started(key, start), segments(key, transcript("g1", "AGENT", "hello", 0, 500, null)),
                    record(key, "COMPLETED"));
        }
        await().atMost(WAIT).until(() -> allSent(ancient, 1) && allSent(recent, 1));
        long now = System.currentTimeMillis();
        ledger.inTransaction(c -> {
            for (String key : List.of(ancient, recent)) {
                long then = now - (key.equals(ancient) ? 401 : 40) * 86_400_000L;
                update(c, "UPDATE signal_contact SET created_at = ?, updated_at = ? WHERE contact_id = ?", then, then, key);
                update(c, "UPDATE signal_outbox SET received_at = ?, sent_at = ? WHERE vendor_call_key = ?", then, then,
                        key);
                update(c, "UPDATE signal_record SET received_at = ? WHERE contact_id = ?", then, key);
            }
            return null;
        });
        camel.getRoute("signals-retention").getProcessor().process(new org.apache.camel.support.DefaultExchange(camel));
        for (String key : List.of(ancient, recent)) {
            assertEquals("FORGOTTEN", view(key).path("contact").path("status").asText(), key);
        }

        org.apache.camel.Exchange pass = new org.apache.camel.support.DefaultExchange(camel);
        camel.getRoute("signals-retention-replay-guard").getProcessor().process(pass); // one pass of the hourly route
        // this conversation's contact (1), unless the route's own pass came between the update above and this one (0)
        assertTrue(pass.getMessage().getBody(Integer.class) <= 1, "only the conversation older than the guard");
        given().get("/signals/calls/" + ancient).then().statusCode(404);
        assertEquals("FORGOTTEN", view(recent).path("contact").path("status").asText(), "started 40 days ago: kept");
    }

    /**
     * routes/signals-retention.yaml's third route: a record refused whole longer than the signal retention ago is
     * forgotten even though its contact was never known (before, such a refusal stayed for good); one refused since
     * stays, shown under its contact id.
     */
    @Test
    void aRecordRefusedWholeLongAgoIsForgottenByTheRetentionRouteThoughItsContactWasNeverKnown() throws Exception {
        String gone = id("refused-old");
        String kept = id("refused-new");
        long now = System.currentTimeMillis();
        ledger.inTransaction(c -> {
            update(c, "INSERT INTO signal_refusal (source, contact_id, received_at, outcome) VALUES (?, ?, ?, ?)",
                    "test", gone, now - 40 * 86_400_000L, "refused: test");
            update(c, "INSERT INTO signal_refusal (source, contact_id, received_at, outcome) VALUES (?, ?, ?, ?)",
                    "test", kept, now - 60_000, "refused: test");
            return null;
        });
        assertEquals("refused: test", view(gone).path("records").get(0).path("outcome").asText(), view(gone).toString());

        org.apache.camel.Exchange pass = new org.apache.camel.support.DefaultExchange(camel);
        camel.getRoute("signals-retention-refusals").getProcessor().process(pass); // one pass of the hourly route
        // this refusal (1), unless the route's own pass came between the insert above and this one (0)
        assertTrue(pass.getMessage().getBody(Integer.class) <= 1, "only the refusal older than the retention");
        given().get("/signals/calls/" + gone).then().statusCode(404);
        assertEquals(1, view(kept).path("records").size(), "refused a minute ago: kept");
    }

    static void update(java.sql.Connection c, String sql, Object... params) throws java.sql.SQLException {
        try (var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    /**
     * A post-call file whose contact the stream's first record is storing at that very moment: the file's insert of
     * the contact waits on the other transaction's, meets its key once that commits, and runs again from that contact
     * (before: the file failed with a primary-key violation on signal_contact until the next poll).
     */
    @Test
    void aPostCallFileMeetingItsContactStoredAtTheSameMomentGoesOnFromThatContact() throws Exception {
        String key = id("race");
        register(key);
        java.util.concurrent.CountDownLatch inserted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            // the stream's first record: its contact inserted, not yet committed
            java.util.concurrent.Future<Object> stream = pool.submit(() -> ledger.inTransaction(c -> {
                update(c, "INSERT INTO signal_contact (contact_id, vendor_call_key, started_at, start_basis, status, "
                        + "created_at, updated_at) VALUES (?, ?, ?, 'agent-connected', 'COMPLETED', ?, ?)", key, key,
                        System.currentTimeMillis() - 60_000, System.currentTimeMillis(), System.currentTimeMillis());
                inserted.countDown();
                try {
                    if (!release.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                        throw new java.sql.SQLException("not released");
                    }
                } catch (InterruptedException e) {
                    throw new java.sql.SQLException("interrupted", e);
                }
                return null;
            }));
            assertTrue(inserted.await(30, java.util.concurrent.TimeUnit.SECONDS));
            java.util.concurrent.atomic.AtomicReference<Thread> fileThread = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.Future<String> file = pool.submit(() -> {
                fileThread.set(Thread.currentThread());
                return postCalls.accept("Analysis/Voice/Redacted/2026/11/21/" + key
                        + "_analysis_redacted_2026-11-21T08:10:00Z.json", analysis(key, new double[][] { { 0, 5000, 1 } },
                                new double[][] { { 0, 5000, -1 } }).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            });
            // the file's transaction is inside its insert of the contact, which H2 holds (retrying the statement)
            // while the stream's insert of the same key is not committed
            await().atMost(WAIT).until(() -> {
                Thread t = fileThread.get();
                return t != null && java.util.Arrays.stream(t.getStackTrace())
                        .anyMatch(f -> f.getMethodName().equals("insertContact"));
            });
            release.countDown();
            stream.get(30, java.util.concurrent.TimeUnit.SECONDS);
            String answer = file.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(answer.endsWith("post-call request(s) queued for contact " + key), answer);
            await().atMost(WAIT).until(() -> telephony(key).path("postCallEvents").size() == 2);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
