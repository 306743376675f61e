package io.eciconnector.smoke;

import static io.eciconnector.smoke.PackagedJarIT.await;
import static io.eciconnector.smoke.PackagedJarIT.field;
import static io.eciconnector.smoke.PackagedJarIT.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.eciconnector.streams.ContactLensRecords;
import io.eciconnector.streams.KafkaBrokerResource;
import io.eciconnector.streams.KinesaliteResource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The packaged connector consuming a Contact Lens stream (Kinesis from kinesalite, Kafka from a KRaft broker in this
 * JVM), killed with SIGKILL in the middle of the stream and started again on the same ledger: every transcript turn
 * and sentiment event reaches the telephony API once, in order, as the org's sandbox (in its own JVM, outliving the
 * connector) received them, and the connector's ledger took in every record of the stream.
 */
class StreamRestartIT {

    static final int CONTACTS = 3;
    static final int TURNS = 12;
    static AppProcess org;
    static Path work;

    @BeforeAll
    static void startOrg() throws Exception {
        work = Files.createTempDirectory("eci-streams");
        org = AppProcess.sandboxOnly(work.resolve("org"));
    }

    @AfterAll
    static void stopOrg() throws Exception {
        if (org != null) {
            org.close();
        }
    }

    /** A connector that talks to the sandbox process as to a real org, on its own ledger file in its work dir. */
    static AppProcess connector(Path dir, Map<String, String> source) throws Exception {
        Map<String, String> env = new HashMap<>(org.asOrgForConnector());
        env.put("ECI_TELEPHONY_BASE_URL", "http://127.0.0.1:" + org.httpPort + "/telephony/v1");
        env.put("ECI_TELEPHONY_JWT_ORG_ID", "00D5e000000Sbx0EAC");
        env.put("ECI_TELEPHONY_JWT_CALL_CENTER_API_NAME", "ECI_Sandbox_Call_Center");
        env.put("ECI_TELEPHONY_JWT_PRIVATE_KEY_FILE", org.workDir.resolve("data/sandbox/telephony-private.pem").toString());
        // a telephony request in flight when the connector is killed is taken up again after this lease
        env.put("ECI_TELEPHONY_LEASE", "3S");
        env.put("ECI_TELEPHONY_BACKOFF_BASE", "200MS");
        env.put("ECI_TELEPHONY_BACKOFF_MAX", "1S");
        env.put("ECI_INGEST_FOLDER_ENABLED", "false");
        env.put("ECI_SIGNALS_FOLDER_ENABLED", "false");
        env.put("ECI_SIGNALS_POSTCALL_FOLDER_ENABLED", "false");
        env.put("ECI_SIGNALS_HTTP_ENABLED", "false");
        env.putAll(source);
        return new AppProcess(dir, "256m", env);
    }

    /** Every record of the conversations, in the order a stream carries them: [contactId, json]. */
    static List<String[]> conversations(List<String> ids) {
        List<String[]> records = new ArrayList<>();
        Instant start = Instant.now().minusSeconds(60);
        for (String id : ids) {
            records.add(new String[] { id, new ContactLensRecords(id).started(start) });
        }
        for (int t = 1; t <= TURNS; t++) {
            for (String id : ids) {
                records.add(new String[] { id, new ContactLensRecords(id).transcripts(t, t) });
            }
        }
        for (String id : ids) {
            records.add(new String[] { id, new ContactLensRecords(id).completed() });
        }
        return records;
    }

    /** No outbox item PENDING or SENDING. */
    static boolean outboxSettled(AppProcess app) throws Exception {
        JsonNode counts = json(app, "/signals/outbox");
        java.util.Iterator<Map.Entry<String, JsonNode>> it = counts.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if ((e.getKey().endsWith("PENDING") || e.getKey().endsWith("SENDING")) && e.getValue().asLong() > 0) {
                return false;
            }
        }
        return true;
    }

    /** Puts one record on the stream; answers where it landed: {eciSignalSource, eciSignalRef}. */
    interface Stream {
        String[] put(String key, String json) throws Exception;
    }

    /**
     * Streams the conversations at about 50 records a second while the org answers the telephony API with 503 (so
     * nothing is in flight to it when the process dies), kills the connector (SIGKILL) once a third of the turns
     * were taken in, streams the rest while it is down, lets the org answer again and starts the connector on the
     * same ledger. Then: the org received every turn and sentiment event once, in order; and the ledger took in
     * every stream record (nothing lost), a record twice only if it was in flight at the kill.
     */
    void killMidStream(String name, Map<String, String> source, Stream stream, int maxTwice) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CONTACTS; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        org.post("/sandbox/telephony/calls", "{\"vendorCallKeys\":[\"" + String.join("\",\"", ids) + "\"]}");
        for (String endpoint : List.of("telephony.messages.bulk", "telephony.realtime")) {
            assertEquals(201, org.post("/sandbox/faults", "{\"endpoint\":\"" + endpoint
                    + "\",\"action\":\"status\",\"status\":503,\"count\":1000000}").statusCode());
        }
        List<String[]> records = conversations(ids);
        List<String> put = new ArrayList<>();
        Path dir = work.resolve(name);
        int i = 0;
        try (AppProcess first = connector(dir, source).start()) {
            for (; i < records.size() && takenIn(first) < CONTACTS * TURNS / 3; i++) {
                String[] at = stream.put(records.get(i)[0], records.get(i)[1]);
                put.add(at[0] + "@" + at[1]);
                Thread.sleep(20); // the stream's pace (about 50 records a second), not a wait for anything
            }
            first.kill();
        }
        assertTrue(i < records.size(), "killed before the end of the stream");
        int atKill = i;
        for (; i < records.size(); i++) {
            String[] at = stream.put(records.get(i)[0], records.get(i)[1]);
            put.add(at[0] + "@" + at[1]);
        }
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + org.httpPort + "/sandbox/faults")).DELETE()
                .build(), HttpResponse.BodyHandlers.ofString());
        long t0 = System.nanoTime();
        try (AppProcess second = connector(dir, source).start()) {
            await(Duration.ofSeconds(60), () -> received(ids) >= CONTACTS * TURNS, () -> org.get("/sandbox/telephony").body());
            System.out.printf("%s: killed after %d of %d records put; after the restart every turn at the org within %d ms%n",
                    name, atKill, records.size(), Duration.ofNanos(System.nanoTime() - t0).toMillis());
            // nothing more can arrive once the outbox has nothing pending or in flight
            await(Duration.ofSeconds(60), () -> outboxSettled(second), () -> second.get("/signals/outbox").body());
            JsonNode t = json(org, "/sandbox/telephony");
            for (String id : ids) {
                ContactLensRecords r = new ContactLensRecords(id);
                List<String> expected = new ArrayList<>();
                for (int n = 1; n <= TURNS; n++) {
                    expected.add(r.id(n));
                }
                assertEquals(expected, field(t.path(id).path("messages"), "message", "messageId"),
                        "every turn once, in order: " + id);
                assertEquals(TURNS, t.path(id).path("realtimeEvents").size(), "one sentiment event per turn: " + id);
                assertEquals(0, t.path(id).path("rejected").size(), t.path(id).toString());
            }
            assertFalse(second.output().contains("turn 1\""), "transcript text is never logged");
        }
        // the ledger (closed now): every record taken in, each once unless it was being handed on at the kill
        Map<String, Integer> takenIn = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("data/ledger/eci"), "sa", "");
                PreparedStatement ps = c.prepareStatement("SELECT source, ref FROM signal_record");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                takenIn.merge(rs.getString(1) + "@" + rs.getString(2), 1, Integer::sum);
            }
        }
        List<String> lost = put.stream().filter(p -> !takenIn.containsKey(p)).toList();
        assertEquals(List.of(), lost, "records lost");
        long twice = takenIn.values().stream().filter(n -> n > 1).count();
        System.out.printf("%s: %d records, %d taken in twice (in flight at the kill)%n", name, put.size(), twice);
        assertTrue(takenIn.values().stream().allMatch(n -> n <= 2) && twice <= maxTwice, takenIn.toString());
    }

    /** Transcript messages the org has received for these calls. */
    static int received(List<String> ids) throws Exception {
        JsonNode t = json(org, "/sandbox/telephony");
        int n = 0;
        for (String id : ids) {
            n += t.path(id).path("messages").size();
        }
        return n;
    }

    /** Transcript messages the connector has taken in (its outbox), any state. */
    static int takenIn(AppProcess app) throws Exception {
        JsonNode counts = json(app, "/signals/outbox");
        int n = 0;
        for (var it = counts.fields(); it.hasNext();) {
            var e = it.next();
            if (e.getKey().startsWith("MESSAGE.") || e.getKey().startsWith("message.")) {
                n += e.getValue().asInt();
            }
        }
        return n;
    }

    @Test
    void kinesisAConnectorKilledMidStreamLosesNothingAndSendsNothingTwice() throws Exception {
        KinesaliteResource kinesalite = new KinesaliteResource();
        kinesalite.start();
        try (KinesisClient k = KinesaliteResource.client()) {
            Map<String, String> source = Map.of("ECI_SIGNALS_KINESIS_ENABLED", "true",
                    "ECI_SIGNALS_KINESIS_STREAM", KinesaliteResource.STREAM,
                    "ECI_SIGNALS_KINESIS_ENDPOINT_OVERRIDE", KinesaliteResource.endpoint(),
                    "ECI_SIGNALS_KINESIS_CBOR_ENABLED", "false", "ECI_SIGNALS_KINESIS_ACCESS_KEY", "test-access",
                    "ECI_SIGNALS_KINESIS_SECRET_KEY", "test-secret", "ECI_SIGNALS_KINESIS_POLL_MS", "200");
            killMidStream("kinesis", source, (key, json) -> {
                var r = k.putRecord(b -> b.streamName(KinesaliteResource.STREAM).partitionKey(key)
                        .data(SdkBytes.fromString(json, StandardCharsets.UTF_8)));
                return new String[] { "kinesis:" + KinesaliteResource.STREAM + "/" + r.shardId(), r.sequenceNumber() };
            }, KinesaliteResource.SHARDS);
        } finally {
            kinesalite.stop();
        }
    }

    @Test
    void kafkaAConnectorKilledMidStreamLosesNothingAndSendsNothingTwice() throws Exception {
        KafkaBrokerResource broker = new KafkaBrokerResource();
        broker.start();
        try (KafkaProducer<String, String> p = KafkaBrokerResource.producer()) {
            Map<String, String> source = Map.of("ECI_SIGNALS_KAFKA_ENABLED", "true",
                    "ECI_SIGNALS_KAFKA_BROKERS", KafkaBrokerResource.bootstrap(),
                    "ECI_SIGNALS_KAFKA_TOPIC", KafkaBrokerResource.TOPIC, "ECI_SIGNALS_KAFKA_SESSION_TIMEOUT_MS", "8000");
            // a partition's offsets are committed after each poll's records: those of the poll cut short come again
            killMidStream("kafka", source, (key, json) -> {
                var m = p.send(new ProducerRecord<>(KafkaBrokerResource.TOPIC, key, json)).get(10, TimeUnit.SECONDS);
                return new String[] { "kafka:" + m.topic() + "/" + m.partition(), String.valueOf(m.offset()) };
            }, CONTACTS * (TURNS + 2));
        } finally {
            broker.stop();
        }
    }
}
