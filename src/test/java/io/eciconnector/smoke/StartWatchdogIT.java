package io.eciconnector.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A start that can never get ready (the org refuses every connection) ends by itself within
 * eci.startup.ready-timeout, with status 3 and the reason in its log, so that Kubernetes starts it again.
 */
class StartWatchdogIT {

    @Test
    void aStartThatIsNeverReadyExitsWithStatus3AndSaysWhy() throws Exception {
        Path work = Files.createTempDirectory("eci-never-ready");
        int refused = AppProcess.freePort(); // nothing listens there
        Map<String, String> org = Map.of("ECI_SANDBOX_ENABLED", "false",
                "ECI_SALESFORCE_LOGIN_URL", "http://127.0.0.1:" + refused, "ECI_SALESFORCE_AUTH", "password",
                "ECI_SALESFORCE_CLIENT_ID", "never-ready", "ECI_SALESFORCE_CLIENT_SECRET", "never-ready",
                "ECI_SALESFORCE_USERNAME", "never-ready@example.com", "ECI_SALESFORCE_PASSWORD", "never-ready",
                // outside the sandbox the signal webhook needs a token (issue 12.1); not what this test is about
                "ECI_SIGNALS_HTTP_ENABLED", "false");
        try (AppProcess app = new AppProcess(work, "256m", org, "-Deci.startup.ready-timeout=20S").launch()) {
            int status = app.awaitExit(Duration.ofSeconds(150));
            String log = app.output();
            assertEquals(3, status, log);
            assertTrue(log.contains("Not ready") && log.contains("eci.startup.ready-timeout=PT20S"), log);
            assertTrue(log.contains("checks DOWN: salesforce-login"), "which check is DOWN:\n" + log);
            assertTrue(log.contains("routes, not started:"), "the routes' state:\n" + log);
            assertTrue(log.contains("Threads that look stuck") && log.contains("\"main\" #"), "a thread dump:\n" + log);
        }
    }
}
