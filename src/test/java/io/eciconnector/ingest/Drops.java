package io.eciconnector.ingest;

import static io.eciconnector.testing.Hashes.sha256;
import static io.restassured.RestAssured.given;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.samples.WavWriter;
import io.eciconnector.vendor.Times;
import io.restassured.path.json.JsonPath;

/** Writes drops (generic records beside WAV recordings) and reads the sandbox's view of them. */
final class Drops {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Drops() {
    }

    /**
     * Before a test: no faults in the sandbox, call coaching on, and nothing of an earlier test still in flight in the
     * ledger (waiting, checked, being created or uploaded).
     */
    static void settle(io.eciconnector.ledger.Ledger ledger) {
        given().delete("/sandbox/faults").then().statusCode(200);
        given().contentType(io.restassured.http.ContentType.JSON).body(Map.of("enabled", true)).post("/sandbox/callcoaching");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<io.eciconnector.ledger.CallState, Long> c = ledger.counts();
            return java.util.stream.Stream.of(io.eciconnector.ledger.CallState.WAITING,
                    io.eciconnector.ledger.CallState.CHECKED, io.eciconnector.ledger.CallState.CREATING,
                    io.eciconnector.ledger.CallState.RECONCILE, io.eciconnector.ledger.CallState.CREATED,
                    io.eciconnector.ledger.CallState.UPLOADING).allMatch(s -> c.get(s) == 0);
        });
    }

    static Map<String, Object> call(String id, int seconds) {
        return call(id, seconds, START);
    }

    /** Calls of the tests start an hour ago: within the 7 days the connector takes calls from. */
    static final Instant START = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);

    static Map<String, Object> call(String id, int seconds, Instant start) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("externalId", id);
        c.put("startDateTime", Times.eci(start));
        c.put("endDateTime", Times.eci(start.plusSeconds(seconds)));
        c.put("fromPhoneNumber", "+16315122409");
        c.put("toPhoneNumber", "+14155550101");
        c.put("callType", "Inbound");
        c.put("userEmail", "ava.agent@eci-sandbox.example");
        c.put("recordingDuration", seconds);
        c.put("recording", id + ".wav");
        return c;
    }

    /** Writes the recordings, then the record (records last, as a well-behaved sender does). */
    static void drop(String recordName, List<Map<String, Object>> calls) throws Exception {
        Path inbox = Path.of(FlowProfile.INBOX);
        Files.createDirectories(inbox);
        for (Map<String, Object> c : calls) {
            WavWriter.tone(inbox.resolve((String) c.get("recording")), 8000, 0.2, 262.0);
        }
        Path tmp = inbox.resolve("." + recordName + ".tmp");
        MAPPER.writeValue(tmp.toFile(), calls.size() == 1 ? calls.get(0) : calls);
        Files.move(tmp, inbox.resolve(recordName));
    }

    static void drop(String id, int seconds) throws Exception {
        drop(id + ".json", List.of(call(id, seconds)));
    }

    static List<Map<String, Object>> voiceCalls(String prefix) {
        JsonPath json = given().get("/sandbox/voicecalls").jsonPath();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> v : json.<Map<String, Object>>getList("")) {
            if (((String) v.get("vendorCallKey")).startsWith(prefix)) {
                out.add(v);
            }
        }
        return out;
    }

    static int requests(String endpoint) {
        Integer n = given().get("/sandbox/requests").path("byEndpoint.'" + endpoint + "'");
        return n == null ? 0 : n;
    }

    static String state(String externalId) {
        return given().get("/calls/" + externalId).path("state");
    }

    /** The archived recording of a call (data moved to ../done/{day}/). */
    static Path archived(String name) throws Exception {
        try (var days = Files.list(Path.of(FlowProfile.INBOX).resolveSibling("done"))) {
            for (Path day : days.toList()) {
                if (Files.exists(day.resolve(name))) {
                    return day.resolve(name);
                }
            }
        }
        throw new AssertionError("not archived: " + name);
    }
}
