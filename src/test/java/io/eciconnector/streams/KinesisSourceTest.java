package io.eciconnector.streams;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;

/**
 * routes/signals-kinesis.yaml against kinesalite (two shards): every record handed to the intake once, in order per
 * shard, positions checkpointed in the ledger; a consumer stopped and started again resumes after its checkpoints
 * (nothing lost, nothing handed on twice) and the sandbox's telephony side receives each transcript message once; a
 * record the intake refuses is handed on again, and nothing after it on its shard goes first.
 */
@QuarkusTest
@TestProfile(KinesisSourceProfile.class)
class KinesisSourceTest {

    static final String ROUTE = "signals-kinesis";

    @Inject
    CamelContext camel;

    @Inject
    KinesisCheckpoints checkpoints;

    /** Hash keys that land in the first and in the second of the two shards. */
    static final String SHARD_0 = "1";
    static final String SHARD_1 = java.math.BigInteger.TWO.pow(127).add(java.math.BigInteger.ONE).toString();

    /** Puts a record keyed by its contact, into the shard of the hash key. */
    static PutRecordResponse put(KinesisClient k, String contactId, String hashKey, String json) {
        return k.putRecord(b -> b.streamName(KinesaliteResource.STREAM).partitionKey(contactId).explicitHashKey(hashKey)
                .data(SdkBytes.fromString(json, StandardCharsets.UTF_8)));
    }

    static List<String> refs(List<StreamTestHooks.HandOver> hs) {
        return hs.stream().map(StreamTestHooks.HandOver::ref).toList();
    }

    static void register(String... keys) {
        given().contentType(ContentType.JSON).body(Map.of("vendorCallKeys", List.of(keys)))
                .post("/sandbox/telephony/calls").then().statusCode(200);
    }

    static List<String> messageIds(String key) {
        List<String> ids = given().get("/sandbox/telephony").jsonPath().getList("'" + key + "'.messages.message.messageId");
        return ids == null ? List.of() : ids;
    }

    /** Nothing of the contact is left to send: it has outbox items and every one is SENT or DEAD. */
    static boolean settled(String key) {
        List<String> states = given().get("/signals/calls/" + key).then().extract().path("items.state");
        return states != null && !states.isEmpty() && states.stream().allMatch(s -> s.equals("SENT") || s.equals("DEAD"));
    }

    @Test
    void aConsumerStoppedMidStreamResumesAfterItsCheckpointsNothingLostNothingTwice() throws Exception {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        register(a, b);
        ContactLensRecords ra = new ContactLensRecords(a);
        ContactLensRecords rb = new ContactLensRecords(b);
        Instant start = Instant.now().minusSeconds(30);
        List<PutRecordResponse> put = new ArrayList<>();
        try (KinesisClient k = KinesaliteResource.client()) {
            for (String[] r : List.of(new String[] { a, ra.started(start) }, new String[] { b, rb.started(start) },
                    new String[] { a, ra.transcripts(1, 2) }, new String[] { b, rb.transcripts(1, 2) },
                    new String[] { a, ra.transcripts(3, 3) }, new String[] { b, rb.transcripts(3, 3) })) {
                put.add(put(k, r[0], r[0].equals(a) ? SHARD_0 : SHARD_1, r[1]));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> refs(StreamTestHooks.delivered())
                    .containsAll(put.stream().map(PutRecordResponse::sequenceNumber).toList()));
            await().atMost(Duration.ofSeconds(5)).until(() -> checkpoints.positions(KinesaliteResource.STREAM)
                    .equals(lastPerShard(put)));

            camel.getRouteController().stopRoute(ROUTE);
            // while it is down: the rest of both conversations
            for (String[] r : List.of(new String[] { a, ra.transcripts(4, 5) }, new String[] { b, rb.transcripts(4, 5) },
                    new String[] { a, ra.completed() }, new String[] { b, rb.completed() })) {
                put.add(put(k, r[0], r[0].equals(a) ? SHARD_0 : SHARD_1, r[1]));
            }
            int before = StreamTestHooks.delivered().size(); // the route stopped: nothing is handed on meanwhile
            camel.getRouteController().startRoute(ROUTE);

            List<String> all = put.stream().map(PutRecordResponse::sequenceNumber).toList();
            await().atMost(Duration.ofSeconds(20)).until(() -> refs(StreamTestHooks.delivered()).containsAll(all));
            assertTrue(before < StreamTestHooks.delivered().size());
        }
        List<String> ours = refs(StreamTestHooks.delivered()).stream()
                .filter(r -> put.stream().anyMatch(p -> p.sequenceNumber().equals(r))).toList();
        assertEquals(put.size(), ours.size(), "each record handed on exactly once across the restart: " + ours);
        assertEquals(2, lastPerShard(put).size(), "both shards");
        // a shard's checkpoint is written once its exchange completed, just after the hand-over the hook records
        await().atMost(Duration.ofSeconds(5)).until(() -> checkpoints.positions(KinesaliteResource.STREAM)
                .equals(lastPerShard(put)));
        assertEquals(lastPerShard(put), checkpoints.positions(KinesaliteResource.STREAM));
        long now = System.currentTimeMillis();
        for (StreamTestHooks.HandOver h : StreamTestHooks.delivered()) {
            assertTrue(h.source().startsWith("kinesis:" + KinesaliteResource.STREAM + "/shardId-"), h.source());
            assertTrue(h.time() != null && h.time() > now - 120_000 && h.time() <= now,
                    "eciSignalTime is the record's ApproximateArrivalTimestamp in epoch millis: " + h.time());
        }
        // end to end: each transcript message reached the telephony API once, in order
        for (ContactLensRecords r : List.of(ra, rb)) {
            String key = r == ra ? a : b;
            await().atMost(Duration.ofSeconds(20)).until(() -> messageIds(key).size() >= 5 && settled(key));
            assertEquals(List.of(r.id(1), r.id(2), r.id(3), r.id(4), r.id(5)), messageIds(key));
        }
    }

    @Test
    void aRecordTheIntakeRefusesIsHandedOnAgainAndNothingAfterItOnItsShardGoesFirst() throws Exception {
        String c = UUID.randomUUID().toString();
        register(c);
        ContactLensRecords rc = new ContactLensRecords(c);
        StreamTestHooks.failNext(rc.id(2), 3);
        List<String> seqs = new ArrayList<>();
        try (KinesisClient k = KinesaliteResource.client()) {
            for (String json : List.of(rc.started(Instant.now()), rc.transcripts(1, 1), rc.transcripts(2, 2),
                    rc.transcripts(3, 3), rc.completed())) {
                seqs.add(put(k, c, SHARD_1, json).sequenceNumber());
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> refs(StreamTestHooks.delivered()).containsAll(seqs));
        assertEquals(seqs, refs(StreamTestHooks.delivered()).stream().filter(seqs::contains).toList(),
                "in order, each once, the refused record before everything after it");
        long attemptsOfRefused = StreamTestHooks.attempts().stream().filter(h -> h.ref().equals(seqs.get(2))).count();
        assertEquals(4, attemptsOfRefused, "refused three times, then taken");
        assertTrue(StreamTestHooks.attempts().stream().filter(h -> h.ref().equals(seqs.get(3))).count() == 1,
                "the record after the refused one was not handed on before it");
    }

    static Map<String, String> lastPerShard(List<PutRecordResponse> put) {
        Map<String, String> last = new HashMap<>();
        for (PutRecordResponse p : put) {
            last.merge(p.shardId(), p.sequenceNumber(),
                    (x, y) -> new java.math.BigInteger(x).compareTo(new java.math.BigInteger(y)) >= 0 ? x : y);
        }
        return new java.util.TreeMap<>(last);
    }

    /**
     * A contact known only from its stream counts its offsets from the producer's time of its STARTED record (its
     * ApproximateArrivalTimestamp), not from the record's InitiationTimestamp (the IVR and queue time too early) nor
     * from when the connector read it.
     */
    @Test
    void offsetsCountFromTheStartedRecordsApproximateArrivalTimestamp() throws Exception {
        String c = UUID.randomUUID().toString();
        register(c);
        ContactLensRecords rc = new ContactLensRecords(c);
        String started;
        try (KinesisClient k = KinesaliteResource.client()) {
            started = put(k, c, SHARD_0, rc.started(Instant.now().minusSeconds(30))).sequenceNumber();
            // a turn that ends at offset 0 (a record put right after STARTED cannot report a later one: it would be
            // produced before its own segment ended, and bound the start lower than STARTED's time)
            put(k, c, SHARD_0, rc.transcriptAt(1, 0, 0));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> messageIds(c).size() == 1);
        long produced = StreamTestHooks.delivered().stream().filter(h -> h.ref().equals(started)).findFirst()
                .orElseThrow().time();
        Number startTime = given().get("/sandbox/telephony").jsonPath().get("'" + c + "'.messages[0].message.startTime");
        assertEquals(produced, startTime.longValue(), "the STARTED record's arrival time + the offset (0)");
        assertEquals("started-record-produced", given().get("/signals/calls/" + c).jsonPath().getString("contact.startBasis"));
    }
}
