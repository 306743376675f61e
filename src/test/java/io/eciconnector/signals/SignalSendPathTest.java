package io.eciconnector.signals;

import static io.eciconnector.signals.ContactLensRecords.categories;
import static io.eciconnector.signals.ContactLensRecords.segments;
import static io.eciconnector.signals.ContactLensRecords.started;
import static io.eciconnector.signals.ContactLensRecords.transcript;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The event-driven send path (issue 13) through the product's route files against the sandbox, with windows long
 * enough that only the rules can send: an idle call's realtime event goes at once (not after realtime-window), five
 * calls with five messages each go as one bulk request of 25 (not as soon as five calls have something), and calls
 * with two messages each fill requests by messages within the 5-call cap once their window ended.
 */
@QuarkusTest
@TestProfile(SignalWindowsProfile.class)
class SignalSendPathTest {

    @BeforeEach
    void noFaults() {
        given().delete("/sandbox/faults").then().statusCode(200);
    }

    static boolean messagesArrived(List<String> keys, int each) {
        return keys.stream().allMatch(k -> {
            try {
                return SignalsFlowTest.telephony(k).path("messages").size() == each;
            } catch (Exception e) {
                return false;
            }
        });
    }

    static List<String> ids(String key, int count) {
        List<String> ids = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            ids.add(key + "-m" + m);
        }
        return ids;
    }

    /** Records of the calls, turn by turn across the calls (m0 of each call, then m1 of each...), as a live stream. */
    static ObjectNode[] interleaved(List<String> keys, int turns) {
        long start = System.currentTimeMillis() - 60_000;
        List<ObjectNode> records = new ArrayList<>();
        keys.forEach(k -> records.add(started(k, start)));
        for (int m = 0; m < turns; m++) {
            for (String k : keys) {
                records.add(segments(k, transcript(k + "-m" + m, m % 2 == 0 ? "AGENT" : "CUSTOMER", "turn " + m,
                        1000L * m, 1000L * m + 800, null)));
            }
        }
        return records.toArray(ObjectNode[]::new);
    }

    @Test
    void aRealtimeEventOfAnIdleCallIsSentWithoutWaitingTheWindow() throws Exception {
        String key = SignalsFlowTest.id("idle");
        SignalsFlowTest.register(key);
        SignalsFlowTest.post(started(key, System.currentTimeMillis() - 10_000), segments(key, categories("Greeting", 100, 900)));
        // the realtime window is an hour: only "an idle call's events go at once" sends it within the bound
        await().atMost(SignalsFlowTest.WAIT).until(() -> SignalsFlowTest.telephony(key).path("realtimeEvents").size() == 1);
        assertEquals("Greeting", SignalsFlowTest.telephony(key).path("realtimeEvents").get(0).path("event").path("value")
                .asText());
    }

    @Test
    void fiveCallsWithFiveMessagesEachGoAsOneBulkRequestOfTwentyFive() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int c = 0; c < 5; c++) {
            keys.add(SignalsFlowTest.id("full"));
        }
        SignalsFlowTest.register(keys.toArray(String[]::new));
        int before = SignalsFlowTest.bulkRequests();
        SignalsFlowTest.post(interleaved(keys, 5));
        await().atMost(SignalsFlowTest.WAIT).until(() -> messagesArrived(keys, 5));
        for (String k : keys) {
            assertEquals(ids(k, 5), SignalsFlowTest.messageIds(SignalsFlowTest.telephony(k)), "each call's in order");
            assertEquals(0, SignalsFlowTest.telephony(k).path("rejected").size());
        }
        assertEquals(1, SignalsFlowTest.bulkRequests() - before, "25 messages of 5 calls: one request, filled");
    }

    @Test
    void twelveCallsWithTwoMessagesEachFillRequestsByMessagesWithinTheFiveCallCap() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int c = 0; c < 12; c++) {
            keys.add(SignalsFlowTest.id("pairs"));
        }
        SignalsFlowTest.register(keys.toArray(String[]::new));
        int before = SignalsFlowTest.bulkRequests();
        SignalsFlowTest.post(interleaved(keys, 2));
        await().atMost(SignalsFlowTest.WAIT).until(() -> messagesArrived(keys, 2));
        for (String k : keys) {
            assertEquals(ids(k, 2), SignalsFlowTest.messageIds(SignalsFlowTest.telephony(k)), "each call's in order");
            assertEquals(0, SignalsFlowTest.telephony(k).path("rejected").size(), "5 calls a request at most");
        }
        // 24 messages, 5 calls a request: 10 + 10 + 4, each call's two together once the bulk window ended
        assertEquals(3, SignalsFlowTest.bulkRequests() - before, "requests filled by messages");
    }
}
