package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.call;
import static io.eciconnector.ingest.Drops.drop;
import static io.eciconnector.ingest.Drops.state;
import static io.eciconnector.ingest.Drops.voiceCalls;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.samples.WavWriter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Issue 13: what an operator changes by editing routes/ only (OperatorEditsProfile makes the edits on a copy): a
 * filter on the calls, one vendor's dead letters elsewhere, a second drop folder from the folder template.
 */
@QuarkusTest
@TestProfile(OperatorEditsProfile.class)
class OperatorEditsTest {

    static final Duration WAIT = Duration.ofSeconds(45);

    @Inject
    Ledger ledger;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Inject
    org.apache.camel.CamelContext camel;

    /**
     * (d) The telephony client made at start (signals.TelephonyCredential's warm-up) is the endpoint the edited route
     * sends through, read from the route as loaded: one salesforce-telephony endpoint, with the added parameter. (It
     * kept a copy of the route's URI before, so an edit left a warmed client nobody used beside the one made at the
     * first request.)
     */
    @Test
    void theTelephonyClientWarmedAtStartIsTheEndpointTheEditedRequestRouteNames() {
        await().atMost(WAIT).until(() -> !telephonyEndpoints().isEmpty());
        List<String> endpoints = telephonyEndpoints();
        assertEquals(1, endpoints.size(), "one telephony endpoint: " + endpoints);
        assertTrue(endpoints.get(0).contains("followRedirects=false"), "the route's edited URI: " + endpoints);
    }

    private List<String> telephonyEndpoints() {
        return camel.getEndpoints().stream().map(org.apache.camel.Endpoint::getEndpointUri)
                .filter(uri -> uri.startsWith("salesforce-telephony:")).toList();
    }

    @Test
    void aFolderAddedFromTheTemplateTakesItsVendorsDropsIn() throws Exception {
        drop("OPS-GEN-1", 60);
        dialpad("OPS-DP-1", true);
        await().atMost(WAIT).until(() -> voiceCalls("OPS-DP-1").size() == 1 && voiceCalls("OPS-GEN-1").size() == 1);
        assertEquals("dialpad", ledger.find("dialpad", "OPS-DP-1").orElseThrow().provider(),
                "taken in by the Dialpad folder, read as Dialpad's format");
        assertTrue(ledger.find("generic", "OPS-DP-1").isEmpty());
        assertTrue(Files.exists(done("OPS-DP-1.json")), "the record moved to the done area");
    }

    @Test
    void aFilterOnTheCallsLeavesOneVendorsCallsOutAndTakesTheOthers() throws Exception {
        double leftOutBefore = leftOut();
        Path inbox = Path.of(OperatorEditsProfile.RINGCENTRAL_INBOX);
        Files.createDirectories(inbox);
        WavWriter.tone(inbox.resolve("OPS-RC-1.wav"), 8000, 0.2, 262.0);
        Map<String, Object> rc = new LinkedHashMap<>();
        rc.put("id", "OPS-RC-1");
        rc.put("sessionId", "S-1");
        rc.put("startTime", Drops.START.toString());
        rc.put("duration", 60);
        rc.put("direction", "Inbound");
        rc.put("from", Map.of("phoneNumber", "+16315122409"));
        rc.put("to", Map.of("phoneNumber", "+14155550101"));
        write(inbox, "OPS-RC-1.json", rc);
        dialpad("OPS-DP-2", true);
        // the RingCentral record was read (it moved to the done area, which happens once its calls went through the
        // route) and the Dialpad one beside it was taken in
        await().atMost(WAIT).until(() -> exists("OPS-RC-1.json") && voiceCalls("OPS-DP-2").size() == 1);
        assertTrue(ledger.find("ringcentral", "OPS-RC-1").isEmpty(), "the filtered call never reached the ledger");
        assertTrue(voiceCalls("OPS-RC-").isEmpty(), "nor the org");
        assertEquals("dialpad", ledger.find("dialpad", "OPS-DP-2").orElseThrow().provider());
        assertEquals(1.0, leftOut() - leftOutBefore, "the call the filter left out is counted (and logged as leftOut)");
    }

    @Test
    void aFilterOnWhatTheChecksFoundLeavesTheCallsTheyWouldSkipOutOfTheLedger() throws Exception {
        double leftOutBefore = leftOut();
        // a call of a month ago: the checks find it too old (eciCheck skipped); the filter keeps it from intake.take
        drop("OPS-OLD-1.json", List.of(Drops.call("OPS-OLD-1", 60, Instant.now().minus(Duration.ofDays(30)))));
        drop("OPS-NEW-1", 60);
        await().atMost(WAIT).until(() -> exists("OPS-OLD-1.json") && voiceCalls("OPS-NEW-1").size() == 1);
        assertTrue(ledger.find("generic", "OPS-OLD-1").isEmpty(), "the skipped call never reached the ledger");
        assertEquals(1.0, leftOut() - leftOutBefore, "counted as left out");
    }

    private double leftOut() {
        io.micrometer.core.instrument.Counter c = registry.find("eci.calls").tag("flow", "ingest")
                .tag("outcome", "left-out").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void oneVendorsDeadLettersGoToTheirOwnFolder() throws Exception {
        Map<String, Object> bad = call("OPS-GEN-BAD", 60);
        bad.put("callType", "Sideways");
        drop("OPS-GEN-BAD.json", List.of(bad));
        dialpad("OPS-DP-BAD", false);
        Path dialpadLetters = Path.of(OperatorEditsProfile.DIALPAD_DEAD_LETTERS, "dialpad");
        Path defaultLetters = Path.of(FlowProfile.DEAD_LETTERS);
        await().atMost(WAIT).until(() -> letter(dialpadLetters, "OPS-DP-BAD-")
                && letter(defaultLetters.resolve("generic"), "OPS-GEN-BAD-"));
        assertEquals("DEAD", state("OPS-DP-BAD"));
        assertEquals("DEAD", state("OPS-GEN-BAD"));
        assertFalse(letter(defaultLetters.resolve("dialpad"), "OPS-DP-BAD-"), "Dialpad's dead letter not in the default folder");
        assertFalse(letter(Path.of(OperatorEditsProfile.DIALPAD_DEAD_LETTERS, "generic"), "OPS-GEN-BAD-"),
                "the others not in Dialpad's");
    }

    /** A Dialpad call record with its recording named after it; {@code valid} false leaves its direction out. */
    static void dialpad(String id, boolean valid) throws Exception {
        Path inbox = Path.of(OperatorEditsProfile.DIALPAD_INBOX);
        Files.createDirectories(inbox);
        WavWriter.tone(inbox.resolve(id + ".wav"), 8000, 0.2, 262.0);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("call_id", id);
        if (valid) {
            c.put("direction", "inbound");
        }
        c.put("date_started", Drops.START.toEpochMilli());
        c.put("date_ended", Drops.START.plusSeconds(60).toEpochMilli());
        c.put("duration", 60000);
        c.put("external_number", "+16315122409");
        c.put("internal_number", "+14155550101");
        c.put("target", Map.of("email", "ava.agent@eci-sandbox.example"));
        write(inbox, id + ".json", c);
    }

    static void write(Path inbox, String name, Object record) throws Exception {
        Path tmp = inbox.resolve("." + name + ".tmp");
        Drops.MAPPER.writeValue(tmp.toFile(), record);
        Files.move(tmp, inbox.resolve(name));
    }

    static boolean letter(Path dir, String prefix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
        }
    }

    /** The folders' shared done area (../done/{day}/ beside each inbox). */
    static boolean exists(String name) throws Exception {
        Path area = Path.of(FlowProfile.INBOX).resolveSibling("done");
        if (!Files.isDirectory(area)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(area)) {
            return s.anyMatch(p -> p.getFileName().toString().equals(name));
        }
    }

    static Path done(String name) throws Exception {
        try (Stream<Path> s = Files.walk(Path.of(FlowProfile.INBOX).resolveSibling("done"))) {
            return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
    }
}
