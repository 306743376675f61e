package io.eciconnector.ingest;

import static io.eciconnector.ingest.Drops.state;
import static io.eciconnector.ingest.Drops.voiceCalls;
import static io.eciconnector.testing.Hashes.sha256;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eciconnector.ledger.CallState;
import io.eciconnector.ledger.Ledger;
import io.eciconnector.samples.WavWriter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * What a record may make the connector read, fetch and move (issue 12 items 0 and 3, issue 10 items 4 and 5, issue 11
 * item 6), through the product's routes: references outside the source's folder and URLs off the allow-list are
 * refused with the reason, a recording that cannot be fetched costs only its own call, archiving is idempotent.
 */
@QuarkusTest
@TestProfile(RecordingRefsProfile.class)
class RecordingRefsFlowTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path INBOX = Path.of(FlowProfile.INBOX);

    @Inject
    Ledger ledger;

    @BeforeEach
    void settle() throws Exception {
        Files.createDirectories(INBOX);
        given().delete("/sandbox/faults").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("enabled", true)).post("/sandbox/callcoaching");
        await().atMost(Duration.ofSeconds(60)).until(() -> Stream.of(CallState.WAITING, CallState.CHECKED,
                CallState.CREATING, CallState.RECONCILE, CallState.CREATED, CallState.UPLOADING)
                .allMatch(s -> ledger.counts().get(s) == 0));
    }

    static String origin() {
        return ConfigProvider.getConfig().getValue("test.refs-origin", String.class);
    }

    static int hits(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(origin()
                + "/hits?path=" + path)).build(), HttpResponse.BodyHandlers.ofString());
        return Integer.parseInt(r.body());
    }

    static Map<String, Object> call(String id, int seconds, String recording) {
        Map<String, Object> c = Drops.call(id, seconds);
        if (recording == null) {
            c.remove("recording");
        } else {
            c.put("recording", recording);
        }
        return c;
    }

    /** Writes a record (as a well-behaved sender: to a hidden name, then renamed). */
    static void record(String name, List<Map<String, Object>> calls) throws Exception {
        Path tmp = INBOX.resolve("." + name + ".tmp");
        Drops.MAPPER.writeValue(tmp.toFile(), calls);
        Files.move(tmp, INBOX.resolve(name));
    }

    static void assertRefused(String id, String why) {
        given().get("/calls/" + id).then().body("state", org.hamcrest.Matchers.equalTo("DEAD"))
                .body("reasonCode", org.hamcrest.Matchers.equalTo("recording-refused"))
                .body("reason", org.hamcrest.Matchers.containsString("call " + id))
                .body("reason", org.hamcrest.Matchers.containsString(why));
    }

    /** Issue 12 item 0: `..`, an absolute path, a file: URI and links pointing out are refused; nothing is moved. */
    @Test
    void referencesOutsideTheSourcesFolderAreRefusedAndTheFilesStayWhereTheyAre() throws Exception {
        Path outside = Files.createTempFile("eci-outside-", ".wav"); // stands for /etc/passwd: outside the root
        WavWriter.tone(outside, 8000, 20, 262.0);
        String hash = sha256(outside);
        Path sibling = INBOX.resolveSibling("outside").resolve("SIB.wav");
        Files.createDirectories(sibling.getParent());
        WavWriter.tone(sibling, 8000, 20, 262.0);
        Files.deleteIfExists(INBOX.resolve("REF-LINK.wav"));
        Files.deleteIfExists(INBOX.resolve("REF-NAMED.wav"));
        Files.createSymbolicLink(INBOX.resolve("REF-LINK.wav"), outside.toAbsolutePath());
        Files.createSymbolicLink(INBOX.resolve("REF-NAMED.wav"), outside.toAbsolutePath());
        try {
            record("refs.json", List.of(call("REF-DOTDOT", 30, "../outside/SIB.wav"),
                    call("REF-ABS", 30, outside.toAbsolutePath().toString()),
                    call("REF-FILEURI", 30, outside.toUri().toString()),
                    call("REF-LINK", 30, "REF-LINK.wav"),
                    call("REF-NAMED", 30, null), // paired by name: REF-NAMED.wav, a link pointing out
                    call("REF-FTP", 30, "ftp://files.example/REF-FTP.wav")));
            List<String> ids = List.of("REF-DOTDOT", "REF-ABS", "REF-FILEURI", "REF-LINK", "REF-NAMED", "REF-FTP");
            await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> "DEAD".equals(state(id))));
            assertRefused("REF-DOTDOT", "outside the source's folder");
            assertRefused("REF-ABS", "outside the source's folder");
            assertRefused("REF-FILEURI", "outside the source's folder");
            assertRefused("REF-LINK", "a link to");
            assertRefused("REF-NAMED", "a link to");
            assertRefused("REF-FTP", "not read from ftp");
            assertTrue(Files.isRegularFile(outside), "the file outside the root was not moved");
            assertEquals(hash, sha256(outside));
            assertTrue(Files.isRegularFile(sibling), "the file beside the inbox was not moved");
            assertEquals(0, voiceCalls("REF-").size(), "nothing was uploaded");
            await().atMost(WAIT).until(() -> deadLetter("REF-ABS") != null);
            Map<?, ?> letter = Drops.MAPPER.readValue(deadLetter("REF-ABS").toFile(), Map.class);
            assertTrue(String.valueOf(letter.get("reason")).contains("recording reference refused (outside-root)"),
                    String.valueOf(letter.get("reason")));
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    static Path deadLetter(String id) throws Exception {
        if (!Files.isDirectory(Path.of(FlowProfile.DEAD_LETTERS))) {
            return null;
        }
        try (Stream<Path> all = Files.walk(Path.of(FlowProfile.DEAD_LETTERS))) {
            return all.filter(p -> p.getFileName().toString().startsWith(id + "-")).findFirst().orElse(null);
        }
    }

    /** Issue 12 item 3: URLs off the allow-list, a listed name resolving to loopback, a redirect to loopback. */
    @Test
    void urlsOffTheAllowListLoopbackAndRedirectsToLoopbackAreRefusedWithoutARequest() throws Exception {
        for (String name : List.of("URL-UNLISTED.wav", "URL-REDIRECT.wav")) {
            WavWriter.tone(RecordingRefsServer.ROOT.resolve(name), 8000, 20, 262.0); // served if ever asked for
        }
        int closed = ConfigProvider.getConfig().getValue("test.refs-closed-port", Integer.class);
        record("urls.json", List.of(call("URL-UNLISTED", 30, origin() + "/private/URL-UNLISTED.wav"),
                call("URL-LOOPBACK", 30, "https://localhost:" + closed + "/URL-LOOPBACK.wav"),
                call("URL-METADATA", 30, "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
                call("URL-HTTP", 30, "http://recordings.invalid/URL-HTTP.wav"),
                call("URL-REDIRECT", 30, origin() + "/redirect/URL-REDIRECT.wav")));
        List<String> ids = List.of("URL-UNLISTED", "URL-LOOPBACK", "URL-METADATA", "URL-HTTP", "URL-REDIRECT");
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> "DEAD".equals(state(id))));
        assertRefused("URL-UNLISTED", "is not on eci.recordings.url-allow");
        assertRefused("URL-LOOPBACK", "a loopback address");
        assertRefused("URL-METADATA", "is not on eci.recordings.url-allow");
        assertRefused("URL-HTTP", "host entries allow https only");
        assertRefused("URL-REDIRECT", "redirected");
        assertEquals(0, hits("/private/URL-UNLISTED.wav"));
        assertEquals(1, hits("/redirect/URL-REDIRECT.wav"), "asked once, its redirect refused");
        assertEquals(0, hits("/private/URL-REDIRECT.wav"), "the redirect's target was never asked");
        assertEquals(0, voiceCalls("URL-").size());
    }

    /**
     * Issue 10 item 4, issue 11 item 6: recordings that cannot be fetched (503, refused connection, unknown host) cost
     * only their own call: it waits with the reason, then is dead-lettered after the grace; a call whose verdict needs
     * no recording is decided at once; a file beside the record is used when its reference fails; the other calls of
     * the file go on, and the file is taken once (not re-polled).
     */
    @Test
    void aRecordingThatCannotBeFetchedCostsOnlyItsOwnCall() throws Exception {
        int closed = ConfigProvider.getConfig().getValue("test.refs-closed-port", Integer.class);
        WavWriter.tone(INBOX.resolve("MIX-GOOD.wav"), 8000, 20, 262.0);
        WavWriter.tone(INBOX.resolve("MIX-FALLBACK.wav"), 8000, 25, 262.0);
        String fallbackHash = sha256(INBOX.resolve("MIX-FALLBACK.wav"));
        List<Map<String, Object>> calls = new ArrayList<>(List.of(
                call("MIX-DOWN", 30, origin() + "/down/MIX-DOWN.wav"),
                call("MIX-REFUSED", 30, "http://127.0.0.1:" + closed + "/MIX-REFUSED.wav"),
                call("MIX-NOHOST", 30, "https://recordings.invalid/MIX-NOHOST.wav"),
                call("MIX-SHORT", 8, origin() + "/down/MIX-SHORT.wav"),
                call("MIX-GOOD", 30, "MIX-GOOD.wav"),
                call("MIX-FALLBACK", 30, origin() + "/down/MIX-FALLBACK.wav")));
        record("mixed.json", calls);
        await().atMost(WAIT).until(() -> "WAITING".equals(state("MIX-DOWN")));
        given().get("/calls/MIX-DOWN").then().body("reason", org.hamcrest.Matchers.containsString("answered 503"));
        await().atMost(WAIT).until(() -> !Files.exists(INBOX.resolve("mixed.json")));
        given().get("/calls/MIX-SHORT").then().body("state", org.hamcrest.Matchers.equalTo("SKIPPED"))
                .body("reasonCode", org.hamcrest.Matchers.equalTo("too-short"));
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("MIX-GOOD")) && "UPLOADED".equals(state("MIX-FALLBACK")));
        assertEquals(fallbackHash, ((Map<?, ?>) voiceCalls("MIX-FALLBACK").get(0).get("recording")).get("sha256"),
                "the file beside the record, as the pairing rules say");
        await().atMost(WAIT).until(() -> Stream.of("MIX-DOWN", "MIX-REFUSED", "MIX-NOHOST")
                .allMatch(id -> "DEAD".equals(state(id))));
        for (String[] c : new String[][] { { "MIX-DOWN", "answered 503" }, { "MIX-REFUSED", "ConnectException" },
                { "MIX-NOHOST", "recordings.invalid" } }) {
            given().get("/calls/" + c[0]).then().body("reasonCode", org.hamcrest.Matchers.equalTo("recording-missing"))
                    .body("reason", org.hamcrest.Matchers.containsString("no recording found for call " + c[0]))
                    .body("reason", org.hamcrest.Matchers.containsString(c[1]));
        }
        // taken in once, looked at again every recheck (500 ms) during the 3 s grace: a bounded number of requests
        int down = hits("/down/MIX-DOWN.wav");
        assertTrue(down >= 2 && down <= 12, "requests for MIX-DOWN: " + down);
        assertEquals(1, hits("/down/MIX-SHORT.wav"), "a too-short call is decided on the first look");
        assertEquals(1, voiceCalls("MIX-GOOD").size());
        assertEquals(0, voiceCalls("MIX-DOWN").size() + voiceCalls("MIX-SHORT").size());
    }

    /** Issue 10 item 5: a recording archived before a kill (its call not yet recorded) is found there, not moved again. */
    @Test
    void aRecordingArchivedBeforeAKillIsFoundInTheDoneAreaAndNotNestedDeeper() throws Exception {
        Path doneDay = INBOX.resolveSibling("done").resolve(LocalDate.now().toString());
        Files.createDirectories(doneDay);
        WavWriter.tone(doneDay.resolve("KILL-1.wav"), 8000, 20, 262.0);
        String hash = sha256(doneDay.resolve("KILL-1.wav"));
        record("KILL-1.json", List.of(call("KILL-1", 30, "KILL-1.wav")));
        await().atMost(WAIT).until(() -> "UPLOADED".equals(state("KILL-1")));
        assertEquals(hash, ((Map<?, ?>) voiceCalls("KILL-1").get(0).get("recording")).get("sha256"));
        assertTrue(Files.isRegularFile(doneDay.resolve("KILL-1.wav")), "still in done/{day}/");
        assertFalse(Files.exists(INBOX.resolveSibling("done").resolve("done")), "no nested done/done/");
        given().get("/calls/KILL-1").then().body("recording",
                org.hamcrest.Matchers.endsWith("done/" + LocalDate.now() + "/KILL-1.wav"));
    }
}
