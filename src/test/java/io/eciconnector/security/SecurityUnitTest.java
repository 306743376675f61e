package io.eciconnector.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.ledger.TestLedgers;

/** Issue 12, item 6: escaping record text for logs, refusing invisible ids, owner-only files, rotating tokens. */
class SecurityUnitTest {

    @Test
    void recordTextCannotForgeOrColourALogLine() {
        assertEquals("A\\r\\nFAKE 12:00 INFO forged", LogText.escape("A\r\nFAKE 12:00 INFO forged"));
        assertEquals("\\u001B[31mred\\u001B[0m", LogText.escape("\u001b[31mred\u001b[0m"));
        assertEquals("ab\\u200Bc\\u202Edcba\\u0000\\u007F\\u0085\\u2028", LogText.escape("ab\u200Bc\u202Edcba\u0000\u007F\u0085\u2028"));
        assertEquals("plain id SAMPLE-0001, ümlaut, 日本", LogText.escape("plain id SAMPLE-0001, ümlaut, 日本"));
        assertEquals("null", LogText.escape(null));
        assertEquals("in***@e***", LogText.maskEmail("integration@eci-sandbox.example"));
        assertEquals("a***@***", LogText.maskEmail("a@"));
    }

    @Test
    void theLogFilterEscapesArgumentsNotTheFormat() {
        LogRecord r = new LogRecord(Level.INFO, "Call %s skipped: %s (%d)%n");
        r.setLoggerName("io.eciconnector.ingest.Intake");
        r.setParameters(new Object[] {"X\nINFO forged", List.of("a\u001b[2J"), 7});
        assertTrue(new LogTextFilter().isLoggable(r));
        assertEquals("X\\nINFO forged", r.getParameters()[0]);
        assertEquals("[a\\u001B[2J]", r.getParameters()[1]);
        assertEquals(7, r.getParameters()[2], "numbers stay numbers (%d)");
        assertEquals("Call %s skipped: %s (%d)%n", r.getMessage());
        assertEquals("id \\r\\n", new LogTextMask().format("id \r\n"));
        assertFalse(new LogTextMask().format("password=hunter2").contains("hunter2"), "Camel's own masking too");
    }

    @Test
    void idsWithControlOrInvisibleCharactersAreNamed() {
        assertNull(LogText.firstControlOrInvisible("SAMPLE-0001"));
        assertNull(LogText.firstControlOrInvisible("CA1234-\uD83D\uDE00"), "an emoji is visible");
        assertEquals("U+000A at position 4", LogText.firstControlOrInvisible("ABC\nD"));
        assertEquals("U+200B at position 2", LogText.firstControlOrInvisible("A\u200BB"));
        assertEquals("U+202E at position 1", LogText.firstControlOrInvisible("\u202Eabc"));
        assertEquals("U+001B at position 3", LogText.firstControlOrInvisible("ab\u001b[0m"));
        assertEquals("U+D800 at position 2", LogText.firstControlOrInvisible("a\uD800b"), "a lone surrogate");
        assertEquals("U+E0041 at position 2", LogText.firstControlOrInvisible("a\uDB40\uDC41"), "a tag character");
    }

    @Test
    void theLedgerIsTheConnectorsUserAlone(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("data/ledger/eci");
        Ledger ledger = TestLedgers.open("jdbc:h2:file:" + db + ";WRITE_DELAY=0", "sa");
        try {
            assertEquals("rwx------", mode(db.getParent()), "the ledger's directory");
            assertEquals("rwx------", mode(db.getParent().getParent()), "a directory made for it");
            assertEquals("rw-------", mode(dir.resolve("data/ledger/eci.mv.db")), "the database file");
        } finally {
            TestLedgers.close(ledger);
        }
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        OwnerOnly.directory(shared.resolve("mine"));
        assertEquals("rwxr-xr-x", mode(shared), "a directory that existed is not the connector's to change");
        assertEquals("rwx------", mode(shared.resolve("mine")));
    }

    @Test
    void aTokenFileIsReadAgainWhenItChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        SecretToken token = new SecretToken("test token", Optional.empty(), Optional.of(file.toString()));
        assertTrue(token.configured());
        assertNull(token.current(), "a missing file is no token");
        assertFalse(token.matches(""));
        Files.writeString(file, "first-token\n");
        assertTrue(token.matches("first-token"));
        Files.writeString(file, "second-token-rotated\n");
        assertTrue(token.matches("second-token-rotated"), "the rotated token works without a restart");
        assertFalse(token.matches("first-token"), "the old one stops working");
        assertFalse(token.matches(null));
        assertFalse(new SecretToken("none", Optional.empty(), Optional.empty()).matches("anything"));
    }

    @Test
    void outsideTheSandboxTheWebhookNeedsItsToken() {
        String problem = io.eciconnector.signals.SignalWebhook.configurationProblem(true, false, false);
        assertTrue(problem != null && problem.contains("eci.signals.http.token-file")
                && problem.contains("eci.signals.http.enabled=false"), problem);
        assertNull(io.eciconnector.signals.SignalWebhook.configurationProblem(true, false, true));
        assertNull(io.eciconnector.signals.SignalWebhook.configurationProblem(true, true, false), "open in the sandbox");
        assertNull(io.eciconnector.signals.SignalWebhook.configurationProblem(false, false, false), "source off");
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void configurationSourcesDecideTheHttpHost() {
        assertEquals(Optional.of("127.0.0.1"), host(Map.of()), "sandbox on by default: loopback only");
        assertEquals(Optional.of("127.0.0.1"), host(Map.of("eci.sandbox.enabled", "true")));
        assertEquals(Optional.of("0.0.0.0"), host(Map.of("eci.sandbox.enabled", "false")), "every interface outside it");
        assertEquals(Optional.of("0.0.0.0"), host(Map.of("eci.sandbox.enabled", "true", "quarkus.http.host", "0.0.0.0")),
                "configured wins");
    }

    static Optional<String> host(Map<String, String> configured) {
        io.smallrye.config.SmallRyeConfig config = new io.smallrye.config.SmallRyeConfigBuilder()
                .withSources(new io.smallrye.config.PropertiesConfigSource(configured, "operator", 260))
                .withSources(new io.eciconnector.config.SandboxHostConfigSourceFactory()).build();
        return config.getOptionalValue("quarkus.http.host", String.class);
    }
}
