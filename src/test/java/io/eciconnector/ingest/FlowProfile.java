package io.eciconnector.ingest;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.eciconnector.testing.Dirs;
import io.quarkus.test.junit.QuarkusTestProfile;

/** The product's own route files (routes/) with fast polls and short waits, against the sandbox. */
public class FlowProfile implements QuarkusTestProfile {

    public static final String INBOX = "target/flow/inbox";
    public static final String DEAD_LETTERS = "target/flow/dead-letters";
    public static final String SIGNALS_INBOX = "target/flow/signals-inbox";
    public static final String POSTCALL_INBOX = "target/flow/postcall-inbox";
    /** The HTTP signal source's shared token in the flow tests. */
    public static final String WEBHOOK_TOKEN = "flow-test-webhook-token";
    public static final String CONSOLE_TOKEN = "flow-console-token";
    /** The operations API's read token in the flow tests (reads only). */
    public static final String READ_TOKEN = "flow-read-token";

    /** The flow settings with a sandbox directory and an in-memory ledger of their own (a profile's own app). */
    public static Map<String, String> variant(String name) {
        Map<String, String> m = new HashMap<>(new FlowProfile().getConfigOverrides());
        m.put("eci.sandbox.work-dir", "target/sandbox-" + name);
        m.put("eci.ledger.url", "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        return m;
    }

    /** The flow settings for a source test: its own sandbox directory and in-memory ledger, the folder source off. */
    public static Map<String, String> forSource(String name) {
        Map<String, String> m = variant(name);
        m.put("eci.ingest.folder.enabled", "false");
        m.put("eci.ingest." + name + ".enabled", "true");
        m.put("eci.ingest." + name + ".poll-ms", "300");
        return m;
    }

    /** Its own profile, so that the %test keys of src/main/resources (no routes, in-memory ledger) do not apply. */
    @Override
    public String getConfigProfile() {
        return "flow";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Dirs.clean(Path.of(INBOX).getParent());
        Map<String, String> m = new HashMap<>();
        m.put("eci.routes.dir", "routes");
        m.put("eci.sandbox.work-dir", "target/sandbox-flow");
        // two records a SOQL page: every query must follow nextRecordsUrl (the users, the reconcile lookup)
        m.put("eci.sandbox.query-page-size", "2");
        m.put("eci.ingest.folder.dir", INBOX);
        m.put("eci.ingest.folder.poll-ms", "200");
        m.put("eci.dead-letter.dir", DEAD_LETTERS);
        m.put("eci.ledger.url", "jdbc:h2:mem:flow;DB_CLOSE_DELAY=-1");
        m.put("eci.ledger.lease", "3S");
        m.put("eci.create.max-wait", "2S");
        m.put("eci.create.recovery-ms", "500");
        m.put("eci.create.backoff-base", "200MS");
        m.put("eci.create.backoff-max", "3S");
        // a request whose outcome is unknown (a reset before or after the org applied it) settles for this long
        m.put("eci.create.settle-time", "2S");
        m.put("eci.upload.settle-time", "2S");
        m.put("eci.upload.recovery-ms", "500");
        m.put("eci.callcoaching.refresh-interval", "1S");
        m.put("eci.checks.excluded-numbers", "+19995550000,+19995550001");
        m.put("eci.checks.recording-grace", "3S");
        m.put("eci.checks.recording-recheck", "500MS");
        m.put("eci.waiting.poll-ms", "500");
        m.put("eci.users.match-field.aircall", "Aircall_User_Identifier__c");
        m.put("eci.users.match-field.amazon-connect", "Amazon_Connect_Username__c");
        // signal streams: short windows and waits
        m.put("eci.signals.folder.dir", SIGNALS_INBOX);
        m.put("eci.signals.folder.poll-ms", "200");
        m.put("eci.signals.postcall-folder.dir", POSTCALL_INBOX);
        m.put("eci.signals.postcall-folder.poll-ms", "200");
        m.put("eci.signals.http.token", WEBHOOK_TOKEN);
        m.put("eci.telephony.realtime-window", "100MS");
        m.put("eci.telephony.bulk-window", "200MS");
        m.put("eci.telephony.backoff-base", "200MS");
        m.put("eci.telephony.backoff-max", "3S");
        m.put("eci.telephony.post-call-completion-wait", "20S");
        m.put("eci.telephony.lease", "5S");
        // operations: the console's token from the test, Jolokia on a free port, no CLI status files in ~/.camel
        m.put("eci.ops.token", CONSOLE_TOKEN);
        m.put("eci.ops.read-token", READ_TOKEN);
        m.put("eci.jolokia.port", "0");
        m.put("eci.cli-connector.enabled", "false");
        m.put("eci.cluster.file.root", "target/flow-cluster");
        return m;
    }
}
