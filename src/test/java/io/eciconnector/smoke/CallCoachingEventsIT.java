package io.eciconnector.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The configuration-change platform event against an org in its own JVM (the sandbox), with the status otherwise
 * read hourly: a change made while the connector subscribes is seen once the subscription is confirmed (issue 11
 * item 9), and a streaming connection answered 401 is started anew, a later event still arrives, and SIGTERM ends
 * the connector promptly (item 10).
 */
class CallCoachingEventsIT {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String CLEO = "0055e00000Cleo0AAB";
    static AppProcess org;

    @BeforeAll
    static void startOrg() throws Exception {
        org = AppProcess.sandboxOnly(Files.createTempDirectory("eci-events-org"));
    }

    @AfterAll
    static void stopOrg() throws Exception {
        if (org != null) {
            org.close();
        }
    }

    static int reads() throws Exception {
        return MAPPER.readTree(org.get("/sandbox/requests").body()).path("byEndpoint").path("eci.callcoaching")
                .asInt();
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    static AppProcess connector(String name) throws Exception {
        Map<String, String> env = new HashMap<>(org.asOrgForConnector());
        env.put("ECI_CALLCOACHING_REFRESH_INTERVAL", "1H"); // changes come by event, or not within the test
        env.put("ECI_CALLCOACHING_EVENTS_STALL", "30S"); // the sandbox holds a long poll 20 s
        return new AppProcess(Files.createTempDirectory("eci-events-" + name), "256m", env);
    }

    static void post(String path, String json) throws Exception {
        int status = org.post(path, json).statusCode();
        assertTrue(status < 300, path + " answered " + status);
    }

    @Test
    void aChangeMadeWhileTheConnectorSubscribesIsSeenOnceSubscribed() throws Exception {
        post("/sandbox/reset", "{}");
        // the streaming handshake waits until the change below is made: the event goes to no subscriber
        post("/sandbox/faults", "{\"endpoint\":\"streaming\",\"action\":\"hold\",\"count\":1}");
        try (AppProcess app = connector("start").start()) {
            AppProcess.await(Duration.ofSeconds(60), () -> app.output().contains("Call coaching: enabled, 3 active users")
                    && MAPPER.readTree(org.get("/sandbox/faults/held").body()).path("held").asInt() >= 1,
                    () -> "no status read and held handshake:\n" + app.output());
            post("/sandbox/callcoaching", "{\"users\":{\"" + CLEO + "\":false}}");
            int before = reads();
            post("/sandbox/faults/release", "{}");
            AppProcess.await(Duration.ofSeconds(20), () -> reads() > before
                    && app.output().contains("Call coaching: enabled, 2 active users"),
                    () -> "the change made during the start was not seen (status reads " + reads() + ", before "
                            + before + "):\n" + app.output());
        } finally {
            post("/sandbox/reset", "{}");
        }
    }

    @Test
    void aStreamingConnectionAnswered401IsStartedAnewAndStopsPromptly() throws Exception {
        post("/sandbox/reset", "{}");
        try (AppProcess app = connector("401").start()) {
            AppProcess.await(Duration.ofSeconds(60),
                    () -> app.output().contains("Subscribed to channel /event/CallCoachConfigModifyEvent"),
                    () -> "not subscribed:\n" + app.output());
            // the next request on the streaming connection (the next long poll) is answered 401
            post("/sandbox/faults", "{\"endpoint\":\"streaming\",\"status\":401,\"count\":1}");
            AppProcess.await(Duration.ofSeconds(40),
                    () -> MAPPER.readTree(org.get("/sandbox/faults").body()).path(0).path("hits").asInt() >= 1,
                    () -> "the 401 was not answered:\n" + org.get("/sandbox/faults").body());
            // a change made after the 401 reaches the connector through the event (or its resubscription)
            post("/sandbox/callcoaching", "{\"users\":{\"" + CLEO + "\":false}}");
            AppProcess.await(Duration.ofSeconds(90), () -> app.output().contains("Call coaching: enabled, 2 active users"),
                    () -> "the change after the 401 never arrived:\n" + app.output());
            // and a later one through the event itself, on the restarted subscription
            int before = reads();
            int events = count(app.output(), "configuration changed (platform event)");
            int enabled3 = count(app.output(), "Call coaching: enabled, 3 active users");
            post("/sandbox/callcoaching", "{\"users\":{\"" + CLEO + "\":true}}");
            AppProcess.await(Duration.ofSeconds(15), () -> reads() > before
                    && count(app.output(), "configuration changed (platform event)") > events
                    && count(app.output(), "Call coaching: enabled, 3 active users") > enabled3,
                    () -> "a later event was not received:\n" + app.output());
            long stopping = System.nanoTime();
            app.signalTerm();
            app.awaitExit(Duration.ofSeconds(20));
            long seconds = Duration.ofNanos(System.nanoTime() - stopping).toSeconds();
            assertTrue(seconds < 20, "stopped " + seconds + " s after SIGTERM");
            assertEquals(false, app.isAlive());
            assertFalse(app.output().contains("Exception in thread"), "an uncaught exception:\n" + app.output());
        } finally {
            post("/sandbox/reset", "{}");
        }
    }
}
