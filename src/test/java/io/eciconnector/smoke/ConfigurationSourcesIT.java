package io.eciconnector.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Every eci.* key the README documents works from every source the README names: -D system properties, the
 * operator's file (ECI_CONFIG_FILE) and the environment (upper-cased, dots and dashes as underscores). Each way
 * starts the packaged jar once with all the keys at once (values: their defaults, or harmless) and waits for
 * readiness. Before issue 11 item 17, eci.callcoaching.events-enabled and eci.telephony.poll-ms given as -D or in the
 * operator's file stopped the start (SRCFG00050 ... does not map to any root).
 */
class ConfigurationSourcesIT {

    /** eci.a.b, eci.a.{x,y}.c (both), eci.a.* (followed by the names of its keys in backquotes). */
    static final Pattern KEY = Pattern
            .compile("eci\\.[a-z0-9-]+(?:\\.(?:[a-z0-9-]+|\\{[a-z0-9-]+(?:,[a-z0-9-]+)+\\}|\\*))+");
    static final Pattern QUOTED_NAME = Pattern.compile("`([a-z][a-z0-9-]*(?:\\.[a-z0-9-]+)*)(?:=[^`]*)?`");

    /**
     * The value each documented key is started with: its default, or (no default) an empty value, which every
     * source passes and the connector reads as unset. A key documented in the README but missing here fails the
     * test: add it with a harmless value. NOT_A_KEY marks words the extraction takes from a key list by mistake.
     */
    static final String NOT_A_KEY = "\u0000not a key";
    static final Map<String, String> VALUES = new TreeMap<>();

    static {
        Map<String, String> v = VALUES;
        v.put("eci.budget.slow-at", "0.80");
        v.put("eci.budget.pause-at", "0.95");
        v.put("eci.budget.pause-check", "5M");
        v.put("eci.budget.limit-exceeded-pause", "15M");
        v.put("eci.callcoaching.cron", "0 0 * * * ?");
        v.put("eci.callcoaching.event", "CallCoachConfigModifyEvent");
        v.put("eci.callcoaching.events-enabled", "false"); // as the issue reported it
        v.put("eci.callcoaching.refresh-interval", "5M");
        v.put("eci.callcoaching.events-stall", "3M");
        v.put("eci.checks.excluded-numbers", "");
        v.put("eci.checks.max-age", "7D");
        v.put("eci.checks.max-recording-bytes", "67108864");
        v.put("eci.checks.min-duration-seconds", "10");
        v.put("eci.checks.recording-grace", "15M");
        v.put("eci.checks.recording-recheck", "30S");
        v.put("eci.cli-connector.enabled", "false"); // as the issue reported it
        v.put("eci.cluster.file.acquire-interval", "2S");
        v.put("eci.cluster.file.root", "data/cluster");
        v.put("eci.cluster.kubernetes.lease-duration", "15S");
        v.put("eci.cluster.mode", "file");
        v.put("eci.console.enabled", "true");
        v.put("eci.contact-lens.max-content-chars", "10000");
        v.put("eci.contact-lens.messages", "transcript");
        v.put("eci.contact-lens.post-call-recording-name-time", "false");
        v.put("eci.contact-lens.post-call-scale", "200");
        v.put("eci.contact-lens.redacted", "true");
        v.put("eci.create.backoff-base", "2S");
        v.put("eci.create.batch-size", "200");
        v.put("eci.create.max-wait", "10S");
        v.put("eci.create.recovery-ms", "5000");
        for (String source : List.of("folder", "s3", "sftp")) {
            v.put("eci.ingest." + source + ".vendor", "generic");
        }
        v.put("eci.ingest.s3.enabled", "false");
        v.put("eci.ingest.sftp.enabled", "false");
        v.put("eci.jolokia.enabled", "true");
        v.put("eci.jolokia.host", "127.0.0.1");
        v.put("eci.jolokia.port", "0"); // several JVMs at once
        v.put("eci.ledger.lease", "2M");
        v.put("eci.ledger.retention", "30D");
        v.put("eci.ledger.retention-check-ms", "3600000");
        v.put("eci.ledger.signal-retention", "30D");
        v.put("eci.ledger.signal-replay-guard", "400D");
        v.put("eci.ledger.url", "jdbc:h2:file:./data/ledger/eci;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        v.put("eci.ops.token-file", "");
        v.put("eci.phone.default-region", "US");
        v.put("eci.provider.description", "eci-connector: phone-system calls into Einstein Conversation Insights");
        v.put("eci.provider.id", "");
        v.put("eci.provider.name", "eci-connector");
        v.put("eci.routes.dir", AppProcess.ROOT.resolve("routes").toString());
        v.put("eci.salesforce.api-version", "60.0");
        v.put("eci.salesforce.auth", "jwt");
        v.put("eci.salesforce.upload-timeout", "15M");
        v.put("eci.salesforce.login-url", "");
        v.put("eci.samples.generate-on-start", "false");
        v.put("eci.sandbox.enabled", "true");
        v.put("eci.sandbox.query-page-size", "2000");
        v.put("eci.sandbox.telephony.close-on-post-call", "true");
        v.put("eci.sandbox.telephony.max-content-chars", "10000");
        v.put("eci.sandbox.telephony.strict-participant-ids", "true");
        v.put("eci.sandbox.token-ttl", "2H");
        v.put("eci.sandbox.work-dir", "data/sandbox");
        v.put("eci.signals.folder.arrival-time-base", "false");
        v.put("eci.signals.http.enabled", "true");
        v.put("eci.signals.folder.enabled", "true");
        v.put("eci.signals.kinesis.enabled", "false");
        v.put("eci.signals.kafka.enabled", "false");
        v.put("eci.signals.postcall-folder.enabled", "true");
        v.put("eci.signals.postcall-s3.forget-delay-ms", "120000");
        v.put("eci.signals.postcall-s3.enabled", "false");
        v.put("eci.signals.postcall-s3.poll-ms", "10000");
        v.put("eci.signals.postcall-s3.lookback", "7D");
        v.put("eci.signals.postcall-s3.catch-up", "1H");
        v.put("eci.signals.postcall-s3.yesterday-for", "3H");
        v.put("eci.signals.postcall-s3.page-size", "1000");
        v.put("eci.signals.postcall-s3.day-folders", "true");
        v.put("eci.signals.http.token-file", "");
        v.put("eci.signals.kafka.auto-offset-reset", "earliest");
        v.put("eci.signals.kafka.brokers", "127.0.0.1:9");
        v.put("eci.signals.kafka.client-id", "eci-connector");
        v.put("eci.signals.kafka.group-id", "eci-connector");
        v.put("eci.signals.kafka.max-poll-records", "500");
        v.put("eci.signals.kafka.poll-timeout-ms", "1000");
        v.put("eci.signals.kafka.session-timeout-ms", "45000");
        v.put("eci.signals.kafka.topic", "contact-lens");
        for (String security : List.of("security-protocol", "sasl-mechanism", "sasl-jaas-config",
                "sasl-jaas-config-file", "ssl-truststore-location", "ssl-keystore-location")) {
            v.put("eci.signals.kafka." + security, "");
        }
        v.put("eci.signals.kafka.earliest", NOT_A_KEY); // values of auto-offset-reset
        v.put("eci.signals.kafka.latest", NOT_A_KEY);
        v.put("eci.signals.kinesis.stream", "contact-lens");
        v.put("eci.signals.kinesis.region", "us-east-1");
        v.put("eci.signals.kinesis.endpoint-override", "");
        v.put("eci.signals.kinesis.cbor-enabled", "true");
        v.put("eci.signals.kinesis.access-key", "");
        v.put("eci.signals.kinesis.secret-key-file", "");
        v.put("eci.signals.kinesis.iterator-type", "TRIM_HORIZON");
        v.put("eci.signals.kinesis.max-records", "500");
        v.put("eci.signals.kinesis.poll-ms", "1000");
        v.put("eci.signals.kinesis.shard-monitor-ms", "10000");
        v.put("eci.signals.kinesis.lease", "20s");
        v.put("eci.signals.kinesis.finished", NOT_A_KEY); // a shard's state in the lease table
        v.put("eci.signals.max-record-bytes", "1048576");
        v.put("eci.signals.postcall.max-file-bytes", "33554432");
        v.put("eci.startup.ready-timeout", "3M");
        v.put("eci.telephony.backoff-base", "1S");
        v.put("eci.telephony.backoff-max", "5M");
        v.put("eci.telephony.bulk-window", "1S");
        v.put("eci.telephony.concurrency", "4");
        v.put("eci.telephony.realtime-window", "0MS");
        v.put("eci.telephony.max-attempts", "10");
        v.put("eci.telephony.iss", NOT_A_KEY); // a JWT claim
        v.put("eci.telephony.jwt.org-id", "00D5e000000Sbx0EAC");
        v.put("eci.telephony.persist", "");
        v.put("eci.telephony.poll-ms", "1000");
        v.put("eci.telephony.post-call-chunk-size", "100");
        v.put("eci.telephony.post-call-completion-wait", "10M");
        v.put("eci.telephony.provider-name", "eci-connector");
        v.put("eci.telephony.score-as-string", "false");
        v.put("eci.telephony.service", "AmazonConnectContactLens");
        v.put("eci.test.cluster", NOT_A_KEY); // a test's switch, not the connector's
        v.put("eci.upload.concurrency", "4");
        v.put("eci.upload.mode", "multipart");
        v.put("eci.upload.named-credential", "");
        v.put("eci.users.match-field.aircall", "Aircall_User_Identifier__c");
        v.put("eci.users.match-field.twilio", "Twilio_User_Identifier__c");
        v.put("eci.users.reread-on-miss", "1M");
        // the record bounds, recording references, tokens, settle times and instance id (defaults or harmless)
        v.put("eci.aws.allow-imds", "false");
        v.put("eci.create.settle-time", "11M");
        v.put("eci.upload.settle-time", "11M");
        v.put("eci.upload.recovery-ms", "5000");
        v.put("eci.ingest.folder.dir", "data/inbox");
        v.put("eci.ingest.folder.max-files-per-poll", "500");
        v.put("eci.ingest.folder.enabled", "true");
        v.put("eci.ingest.s3.max-files-per-poll", "20");
        v.put("eci.ingest.sftp.max-files-per-poll", "200");
        v.put("eci.ingest.max-call-bytes", "1048576");
        v.put("eci.ingest.max-calls-per-file", "10000");
        v.put("eci.ingest.max-json-depth", "32");
        v.put("eci.ingest.max-record-attempts", "5");
        v.put("eci.ingest.max-record-file-bytes", "67108864");
        v.put("eci.ingest.max-string-chars", "262144");
        v.put("eci.ingest.s3.bucket", "recordings");
        v.put("eci.ingest.s3.drop-prefix", "inbox/");
        v.put("eci.ledger.instance-id", "");
        v.put("eci.ledger.instance-id-file", "data/instance-id");
        v.put("eci.ops.token", "");
        v.put("eci.ops.read-token", "");
        v.put("eci.ops.read-token-file", "");
        v.put("eci.recordings.s3-buckets", "");
        v.put("eci.recordings.url-allow", "");
        v.put("eci.recordings.url-allow-private", "false");
        v.put("eci.s3.access-key", "");
        v.put("eci.s3.secret-key-file", "");
        v.put("eci.s3.endpoint-override", "");
        v.put("eci.s3.force-path-style", "false");
        v.put("eci.s3.region", "us-east-1");
        v.put("eci.signals.http.api-key-header", "x-api-key");
        v.put("eci.signals.http.token", "");
    }

    /** The eci.* keys README.md names. */
    static SortedSet<String> documentedKeys() throws Exception {
        String readme = Files.readString(AppProcess.ROOT.resolve("README.md"));
        SortedSet<String> keys = new TreeSet<>();
        for (String paragraph : readme.split("\\n\\s*\\n")) {
            Matcher m = KEY.matcher(paragraph);
            while (m.find()) {
                String key = m.group();
                String rest = paragraph.substring(m.end());
                if (rest.startsWith(".{") || rest.startsWith("{")) {
                    continue; // eci.users.match-field.{vendor}: a pattern, its instances are named elsewhere
                }
                if (key.endsWith(".*")) {
                    // "Keys `eci.signals.kafka.*`: `enabled`, `brokers`, ...": up to the next full key
                    Matcher next = Pattern.compile("eci\\.[a-z]").matcher(rest);
                    Matcher names = QUOTED_NAME.matcher(next.find() ? rest.substring(0, next.start()) : rest);
                    while (names.find()) {
                        if (!names.group(1).endsWith(".yaml")) {
                            keys.add(key.substring(0, key.length() - 1) + names.group(1));
                        }
                    }
                    continue;
                }
                expand(key, keys);
            }
        }
        return keys;
    }

    static void expand(String key, Set<String> into) {
        int open = key.indexOf('{');
        if (open < 0) {
            into.add(key);
            return;
        }
        int close = key.indexOf('}', open);
        for (String alternative : key.substring(open + 1, close).split(",")) {
            expand(key.substring(0, open) + alternative + key.substring(close + 1), into);
        }
    }

    static Map<String, String> documentedValues() throws Exception {
        SortedSet<String> keys = documentedKeys();
        List<String> missing = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : keys) {
            String value = VALUES.get(key);
            if (value == null) {
                missing.add(key);
            } else if (!value.equals(NOT_A_KEY)) {
                values.put(key, value);
            }
        }
        assertEquals(List.of(), missing, "keys the README documents without a value in this test");
        assertFalse(values.size() < 80, "the README's keys were not found: " + keys);
        return values;
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    static void startsAndGetsReady(String way, Map<String, String> env, List<String> systemProperties)
            throws Exception {
        Path work = Files.createTempDirectory("eci-config-" + way);
        try (AppProcess app = new AppProcess(work, "384m", env, systemProperties.toArray(String[]::new)).start()) {
            String log = app.output();
            assertFalse(log.contains("SRCFG"), "a configuration complaint:\n" + log);
            // the keys are taken, not only accepted: eci.cli-connector.enabled=false (read while Camel is built)
            assertFalse(log.contains("Camel JBang CLI enabled"), "eci.cli-connector.enabled=false ignored:\n" + log);
        }
    }

    @Test
    void everyDocumentedKeyAsASystemProperty() throws Exception {
        List<String> properties = new ArrayList<>();
        documentedValues().forEach((k, v) -> properties.add("-D" + k + "=" + v));
        startsAndGetsReady("system-properties", Map.of(), properties);
    }

    @Test
    void everyDocumentedKeyInTheOperatorsFile() throws Exception {
        Path file = Files.createTempFile("eci-operator", ".properties");
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(documentedValues());
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, "every key the README documents");
        }
        startsAndGetsReady("operator-file", Map.of("ECI_CONFIG_FILE", file.toString()), List.of());
    }

    @Test
    void everyDocumentedKeyInTheEnvironment() throws Exception {
        Map<String, String> env = new TreeMap<>();
        documentedValues().forEach((k, v) -> env.put(environmentName(k), v));
        startsAndGetsReady("environment", env, List.of());
    }
}
