package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.call;
import static io.eciconnector.ingest.Drops.drop;
import static io.eciconnector.ingest.Drops.requests;
import static io.eciconnector.ingest.Drops.state;
import static io.eciconnector.ingest.Drops.voiceCalls;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.HistoryEntry;
import io.eciconnector.ledger.Ledger;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * What an operator changes in routes/create-voicecalls.yaml is what the connector does, and calls go as soon as the
 * ledger has them, not at a timer's tick (issue 13).
 */
@QuarkusTest
@TestProfile(OperatorEditsCreateProfile.class)
class OperatorEditsCreateTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    /** eci.create.max-wait of the flow profile. */
    static final Duration MAX_WAIT = Duration.ofSeconds(2);

    @Inject
    Ledger ledger;

    @BeforeEach
    void idle() {
        Drops.settle(ledger);
    }

    @Test
    void theBatchSizeWrittenInTheRouteFileIsTheBatchSizeSent() throws Exception {
        assertTrue(Files.readString(OperatorEditsCreateProfile.ROUTES.resolve("create-voicecalls.yaml"))
                .contains("completionSize: 3"), "the route file the connector runs says 3");
        int before = requests("eci.voicecalls");
        List<Map<String, Object>> calls = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            calls.add(call("EDIT3-" + i, 30));
        }
        drop("edit-3.json", calls);
        await().atMost(WAIT).until(() -> Stream.of(0, 1, 2, 3, 4, 5, 6)
                .allMatch(i -> "UPLOADED".equals(state("EDIT3-" + i))));
        assertEquals(3, requests("eci.voicecalls") - before, "ceil(7 / 3) create requests");
        List<Map<String, Object>> created = voiceCalls("EDIT3-");
        Set<Object> keys = new HashSet<>();
        created.forEach(v -> keys.add(v.get("vendorCallKey")));
        assertEquals(7, created.size(), "each call created once: " + keys);
        assertEquals(7, keys.size());
    }

    @Test
    void aCallDroppedIntoAnIdleConnectorIsCreatedWithinMaxWait() throws Exception {
        drop("ALONE-1", 30);
        // bounded: max-wait + 1 s after the ledger has it, plus the folder's poll; the recovery pass runs once a minute
        await().atMost(MAX_WAIT.plusSeconds(6)).until(() -> ledger.history("generic", "ALONE-1").stream()
                .anyMatch(h -> h.state() == CallState.CREATED));
        assertEquals(1, voiceCalls("ALONE-1").size());
        List<HistoryEntry> history = ledger.history("generic", "ALONE-1");
        Instant checked = at(history, CallState.CHECKED);
        Instant created = at(history, CallState.CREATED);
        Duration took = Duration.between(checked, created);
        assertTrue(took.compareTo(MAX_WAIT.plusSeconds(1)) <= 0, "created " + took + " after the ledger had it");
    }

    private static Instant at(List<HistoryEntry> history, CallState state) {
        return history.stream().filter(h -> h.state() == state).map(HistoryEntry::at).findFirst()
                .orElseThrow(() -> new AssertionError("no " + state + " in " + history));
    }
}
