package io.eciconnector.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 12 through the packaged jar: what its log shows after the main job (no token, private key, whole phone
 * number, e-mail or transcript text; no line forged by a record), where its HTTP port listens, and what exists of
 * the sandbox and the webhook once the sandbox is off.
 */
class SecurityIT {

    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Every E.164 number of the sample data and the sandbox's users. */
    static final List<String> SAMPLE_NUMBERS = List.of("+14155550101", "+14155550102", "+14155550103", "+14155550104",
            "+15105024190", "+16315122409", "+33142685300", "+442079460958", "+12125550147", "+13105550188");
    static final List<String> TRANSCRIPT_TEXT = List.of("Thank you for calling", "My order has not arrived",
            "Let me check", "It is order 4471", "arrives tomorrow", "thank you so much", "Billing, how may I help",
            "I was charged twice", "double charge", "please refund one");
    static final Pattern WHOLE_NUMBER = Pattern.compile("\\+[1-9]\\d{7,14}(?!\\d)");
    static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");

    static HttpResponse<String> send(int port, String method, String path, Map<String, String> headers, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return AppProcess.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An IPv4 address of this machine that is not loopback, if it has one. */
    static Optional<InetAddress> outsideAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    static boolean accepts(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    void theMainJobsLogHoldsNoSecretsNorPersonalDataAndItsHttpPortIsLocal() throws Exception {
        Path work = Files.createTempDirectory("eci-security");
        String log;
        try (AppProcess app = new AppProcess(work, "256m", Map.of(), "-Deci.samples.generate-on-start=true").start()) {
            // a record whose id would forge a log line, dropped beside the samples
            String forged = "10:00:00.000 INFO  [io.forged] (main) FORGED LINE";
            Map<String, Object> call = Map.of("externalId", "EVIL-ID\r\n" + forged, "startDateTime",
                    java.time.Instant.now().minusSeconds(3600).toString(), "endDateTime",
                    java.time.Instant.now().minusSeconds(3540).toString(), "fromPhoneNumber", "+16315122409",
                    "toPhoneNumber", "+14155550101", "callType", "Inbound", "userEmail", "ava.agent@eci-sandbox.example",
                    "recording", "EVIL-ID.wav");
            io.eciconnector.samples.WavWriter.tone(work.resolve("data/inbox/EVIL-ID.wav"), 8000, 0.2, 262.0);
            Files.write(work.resolve("data/inbox/.evil.tmp"), MAPPER.writeValueAsBytes(call));
            Files.move(work.resolve("data/inbox/.evil.tmp"), work.resolve("data/inbox/EVIL-ID.json"));
            AppProcess.await(Duration.ofSeconds(90), () -> PackagedJarIT.countUploads(app) == 12
                    && app.get("/sandbox/telephony").body().contains("please refund one")
                    && app.get("/calls?state=DEAD").body().contains("rule:external-id"),
                    () -> app.get("/sandbox/telephony").body() + app.output());
            // the operations API with its token, and refused without
            assertEquals(200, app.get("/calls/SAMPLE-0001").statusCode());
            assertEquals(401, send(app.httpPort, "GET", "/calls/SAMPLE-0001", Map.of(), null).statusCode());
            assertEquals(401, send(app.httpPort, "POST", "/calls/SAMPLE-0001/replay", Map.of(), null).statusCode());
            // sandbox mode: the HTTP port listens on loopback only; the management port (probes) everywhere
            Optional<InetAddress> outside = outsideAddress();
            if (outside.isPresent()) {
                assertTrue(!accepts(outside.get(), app.httpPort), "HTTP port reachable at " + outside.get());
                assertTrue(accepts(outside.get(), app.managementPort), "management port for the probes");
            }
            assertTrue(accepts(InetAddress.getByName("127.0.0.1"), app.httpPort));
            // what the connector keeps: its done area, dead letters, ledger and token are its user's alone
            Path recording = PackagedJarIT.done(work, "SAMPLE-0001.wav");
            assertEquals("rw-------", mode(recording), recording.toString());
            assertEquals("rwx------", mode(recording.getParent()), recording.getParent().toString());
            assertEquals("rwx------", mode(work.resolve("data/ledger")));
            assertEquals("rw-------", mode(work.resolve("data/ledger/eci.mv.db")));
            try (var letters = Files.walk(work.resolve("data/dead-letters"))) {
                for (Path p : letters.toList()) {
                    assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode(p), p.toString());
                }
            }
            String token = app.opsToken();
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(work.resolve("data/ops/token"))));
            app.close();
            log = app.output();
            List<String> hits = new ArrayList<>();
            if (log.contains(token)) {
                hits.add("the operations token");
            }
            String key = Files.readString(work.resolve("data/sandbox/telephony-private.pem"))
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            for (int i = 0; i + 32 <= key.length(); i += 32) {
                if (log.contains(key.substring(i, i + 32))) {
                    hits.add("private key material");
                    break;
                }
            }
            if (log.contains("PRIVATE KEY")) {
                hits.add("a PEM private key");
            }
            for (String n : SAMPLE_NUMBERS) {
                if (log.contains(n)) {
                    hits.add("whole number " + n);
                }
            }
            Matcher m = WHOLE_NUMBER.matcher(log);
            while (m.find()) {
                hits.add("whole number " + m.group() + " in: " + line(log, m.start()));
            }
            Matcher e = EMAIL.matcher(log);
            while (e.find()) {
                hits.add("e-mail " + e.group() + " in: " + line(log, e.start()));
            }
            for (String t : TRANSCRIPT_TEXT) {
                if (log.contains(t)) {
                    hits.add("transcript text '" + t + "' in: " + line(log, log.indexOf(t)));
                }
            }
            if (log.lines().anyMatch(l -> l.startsWith(forged))) {
                hits.add("a log line forged by a record's id");
            }
            if (log.contains("\u001b[")) {
                hits.add("an ANSI escape");
            }
            assertTrue(hits.isEmpty(), "the log shows what it must not:\n" + String.join("\n", hits));
        }
    }

    static String mode(Path p) throws IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static String line(String text, int at) {
        int start = text.lastIndexOf('\n', at) + 1;
        int end = text.indexOf('\n', at);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    @Test
    void withTheSandboxOffNothingOfItExistsAndTheWebhookNeedsItsToken() throws Exception {
        Path work = Files.createTempDirectory("eci-sandbox-off");
        try (AppProcess org = AppProcess.sandboxOnly(work.resolve("org"));
                AppProcess app = new AppProcess(work.resolve("connector"), "256m", org.asOrgForConnector()).start()) {
            for (String path : List.of("/sandbox", "/sandbox/voicecalls", "/sandbox/telephony", "/sandbox/requests",
                    "/sandbox/callcoaching", "/sandbox/users", "/sandbox/faults", "/sandbox/faults/held")) {
                assertEquals(404, send(app.httpPort, "GET", path, Map.of(), null).statusCode(), "GET " + path);
            }
            for (String path : List.of("/sandbox/reset", "/sandbox/faults", "/sandbox/faults/release",
                    "/sandbox/callcoaching", "/sandbox/limits", "/sandbox/telephony/calls", "/services/oauth2/token",
                    "/telephony/v1/voiceCalls/messages")) {
                assertEquals(404, send(app.httpPort, "POST", path, Map.of("Content-Type", "application/json"), "{}")
                        .statusCode(), "POST " + path);
            }
            assertEquals(200, send(org.httpPort, "GET", "/sandbox/requests", Map.of(), null).statusCode(),
                    "the org's sandbox, in its own JVM, is on");
            String record = "{\"ContactId\":\"c-1\",\"EventType\":\"STARTED\",\"Channel\":\"VOICE\"}";
            assertEquals(401, send(app.httpPort, "POST", "/signals/contact-lens", Map.of(), record).statusCode());
            assertEquals(401, send(app.httpPort, "POST", "/signals/contact-lens",
                    Map.of("Authorization", "Bearer wrong"), record).statusCode());
            assertEquals(202, send(app.httpPort, "POST", "/signals/contact-lens",
                    Map.of("Authorization", "Bearer smoke-webhook-token"), "[]").statusCode());
            assertEquals(401, send(app.httpPort, "GET", "/calls?state=DEAD", Map.of(), null).statusCode());
            // outside the sandbox the HTTP port listens on every interface (a pod's Service reaches it)
            Optional<InetAddress> outside = outsideAddress();
            if (outside.isPresent()) {
                assertTrue(accepts(outside.get(), app.httpPort), "HTTP port at " + outside.get());
            }
        }
    }

    @Test
    void withTheSandboxOffAWebhookWithoutItsTokenStopsTheStart() throws Exception {
        Path work = Files.createTempDirectory("eci-no-webhook-token");
        try (AppProcess org = AppProcess.sandboxOnly(work.resolve("org"))) {
            Map<String, String> env = new java.util.HashMap<>(org.asOrgForConnector());
            env.remove("ECI_SIGNALS_HTTP_TOKEN_FILE");
            AppProcess app = new AppProcess(work.resolve("connector"), "256m", env).launch();
            try {
                int status = app.awaitExit(Duration.ofSeconds(90));
                assertNotEquals(0, status, app.output());
                assertTrue(app.output().contains("eci.signals.http.token-file"), app.output());
            } finally {
                app.kill();
            }
        }
    }
}
