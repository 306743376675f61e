package io.eciconnector.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * routes/signals-kafka.yaml against a real KRaft broker in this JVM (topic of three partitions, records keyed by
 * contact): every record handed to the intake once, offsets committed only after; a consumer stopped and started
 * again resumes at the committed offsets (nothing lost, nothing handed on twice) and the sandbox's telephony side
 * receives each transcript message once; a record the intake refuses is not committed, not skipped, handed on again.
 */
@QuarkusTest
@TestProfile(KafkaSourceProfile.class)
class KafkaSourceTest {

    static final String ROUTE = "signals-kafka";

    @Inject
    CamelContext camel;

    static String ref(RecordMetadata m) {
        return "kafka:" + m.topic() + "/" + m.partition() + "@" + m.offset();
    }

    static List<String> delivered() {
        return StreamTestHooks.delivered().stream().map(h -> h.source() + "@" + h.ref()).toList();
    }

    static RecordMetadata send(KafkaProducer<String, String> p, String contactId, String json) throws Exception {
        return p.send(new ProducerRecord<>(KafkaBrokerResource.TOPIC, contactId, json)).get(10, TimeUnit.SECONDS);
    }

    /** The group's committed offsets, by partition (the next offset to read). */
    static Map<Integer, Long> committed() throws Exception {
        try (Admin admin = KafkaBrokerResource.admin()) {
            Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets("eci-test")
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<Integer, Long> out = new HashMap<>();
            m.forEach((tp, o) -> {
                if (o != null) {
                    out.put(tp.partition(), o.offset());
                }
            });
            return out;
        }
    }

    /** For each partition written to, the offset after the last record written. */
    static Map<Integer, Long> ends(List<RecordMetadata> sent) {
        Map<Integer, Long> out = new HashMap<>();
        sent.forEach(m -> out.merge(m.partition(), m.offset() + 1, Math::max));
        return out;
    }

    static boolean committedAtLeast(Map<Integer, Long> expected) throws Exception {
        Map<Integer, Long> c = committed();
        return expected.entrySet().stream().allMatch(e -> c.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    @Test
    void aConsumerStoppedMidStreamResumesAtTheCommittedOffsetsNothingLostNothingTwice() throws Exception {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        KinesisSourceTest.register(a, b);
        ContactLensRecords ra = new ContactLensRecords(a);
        ContactLensRecords rb = new ContactLensRecords(b);
        Instant start = Instant.now().minusSeconds(30);
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, String> p = KafkaBrokerResource.producer()) {
            for (String[] r : List.of(new String[] { a, ra.started(start) }, new String[] { b, rb.started(start) },
                    new String[] { a, ra.transcripts(1, 2) }, new String[] { b, rb.transcripts(1, 2) },
                    new String[] { a, ra.transcripts(3, 3) }, new String[] { b, rb.transcripts(3, 3) })) {
                sent.add(send(p, r[0], r[1]));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> delivered().containsAll(sent.stream().map(KafkaSourceTest::ref).toList()));
            await().atMost(Duration.ofSeconds(10)).until(() -> committedAtLeast(ends(sent)));

            camel.getRouteController().stopRoute(ROUTE);
            for (String[] r : List.of(new String[] { a, ra.transcripts(4, 5) }, new String[] { b, rb.transcripts(4, 5) },
                    new String[] { a, ra.completed() }, new String[] { b, rb.completed() })) {
                sent.add(send(p, r[0], r[1]));
            }
            camel.getRouteController().startRoute(ROUTE);
        }
        List<String> all = sent.stream().map(KafkaSourceTest::ref).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered().containsAll(all));
        await().atMost(Duration.ofSeconds(10)).until(() -> committedAtLeast(ends(sent)));
        List<String> ours = delivered().stream().filter(all::contains).toList();
        assertEquals(all.size(), ours.size(), "each record handed on exactly once across the restart: " + ours);
        assertEquals(ends(sent), committed().entrySet().stream().filter(e -> ends(sent).containsKey(e.getKey()))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        Map<String, Long> produced = new HashMap<>();
        sent.forEach(m -> produced.put(ref(m), m.timestamp()));
        for (StreamTestHooks.HandOver h : StreamTestHooks.delivered()) {
            Long t = produced.get(h.source() + "@" + h.ref());
            if (t != null) {
                assertEquals(t, h.time(), "eciSignalTime is the Kafka record timestamp");
            }
        }
        for (ContactLensRecords r : List.of(ra, rb)) {
            String key = r == ra ? a : b;
            await().atMost(Duration.ofSeconds(20)).until(() -> KinesisSourceTest.messageIds(key).size() >= 5
                    && KinesisSourceTest.settled(key));
            assertEquals(List.of(r.id(1), r.id(2), r.id(3), r.id(4), r.id(5)), KinesisSourceTest.messageIds(key));
        }
    }

    @Test
    void aRecordTheIntakeRefusesIsNotCommittedNotSkippedAndHandedOnAgain() throws Exception {
        String c = UUID.randomUUID().toString();
        KinesisSourceTest.register(c);
        ContactLensRecords rc = new ContactLensRecords(c);
        StreamTestHooks.failNext(rc.id(2), 3);
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, String> p = KafkaBrokerResource.producer()) {
            for (String json : List.of(rc.started(Instant.now()), rc.transcripts(1, 1), rc.transcripts(2, 2),
                    rc.transcripts(3, 3), rc.completed())) {
                sent.add(send(p, c, json));
            }
        }
        List<String> refs = sent.stream().map(KafkaSourceTest::ref).toList();
        await().atMost(Duration.ofSeconds(60)).until(() -> delivered().containsAll(refs));
        assertEquals(refs, delivered().stream().filter(refs::contains).toList(),
                "in order, each once, the refused record before everything after it");
        String refused = refs.get(2);
        assertEquals(4, StreamTestHooks.attempts().stream().filter(h -> (h.source() + "@" + h.ref()).equals(refused))
                .count(), "refused three times, then taken");
        assertTrue(StreamTestHooks.attempts().stream().filter(h -> (h.source() + "@" + h.ref()).equals(refs.get(3)))
                .count() == 1, "the record after the refused one was not handed on before it");
        await().atMost(Duration.ofSeconds(10)).until(() -> committedAtLeast(ends(sent)));
    }

    static RecordMetadata send(KafkaProducer<String, String> p, String contactId, long timestamp, String json)
            throws Exception {
        return p.send(new ProducerRecord<>(KafkaBrokerResource.TOPIC, null, timestamp, contactId, json))
                .get(10, TimeUnit.SECONDS);
    }

    static com.fasterxml.jackson.databind.JsonNode telephony(String key) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(io.restassured.RestAssured.given()
                .get("/sandbox/telephony").then().extract().asString()).path(key);
    }

    /**
     * The offsets count from the producer's time of the STARTED record (the record timestamp), also when STARTED is
     * delivered after a SEGMENTS record; a Categories record's points of interest count too, so a category is never
     * timed after the record that reported it.
     */
    @Test
    void offsetsCountFromTheStartedRecordsProducerTimeEvenWhenItComesSecond() throws Exception {
        String c = UUID.randomUUID().toString();
        String d = UUID.randomUUID().toString();
        KinesisSourceTest.register(c, d);
        long t = System.currentTimeMillis() - 60_000;
        String base = "{\"Version\":\"1.0.0\",\"Channel\":\"VOICE\",\"ContactId\":\"%s\",\"EventType\":\"%s\"%s}";
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, String> p = KafkaBrokerResource.producer()) {
            // a partial turn first (nothing to send in transcript mode), produced 10 s after the analysis started
            sent.add(send(p, c, t + 10_000, base.formatted(c, "SEGMENTS", ",\"Segments\":[{\"Utterance\":{\"Id\":\"u1\","
                    + "\"ParticipantRole\":\"AGENT\",\"PartialContent\":\"Hel\",\"BeginOffsetMillis\":8000,"
                    + "\"EndOffsetMillis\":8500}}]")));
            sent.add(send(p, c, t, base.formatted(c, "STARTED", "")));
            sent.add(send(p, c, t + 12_000, base.formatted(c, "SEGMENTS", ",\"Segments\":[{\"Transcript\":{\"Id\":\"m1\","
                    + "\"ParticipantRole\":\"AGENT\",\"Content\":\"Hello\",\"BeginOffsetMillis\":9000,"
                    + "\"EndOffsetMillis\":11000}}]")));
            // a contact whose first record is a category that ended 2.8 s into the analysis
            sent.add(send(p, d, t, base.formatted(d, "SEGMENTS", ",\"Segments\":[{\"Categories\":{\"MatchedCategories\":"
                    + "[\"Angry\"],\"MatchedDetails\":{\"Angry\":{\"PointsOfInterest\":[{\"BeginOffsetMillis\":1000,"
                    + "\"EndOffsetMillis\":2800}]}}}}]")));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> telephony(c).path("messages").size() == 1
                && telephony(d).path("realtimeEvents").size() == 1);
        assertEquals(t + 9000, telephony(c).path("messages").get(0).path("message").path("startTime").asLong(),
                "the STARTED record's time + the offset");
        assertEquals(t + 11000, telephony(c).path("messages").get(0).path("message").path("endTime").asLong());
        assertEquals("started-record-produced", io.restassured.RestAssured.given().get("/signals/calls/" + c).then()
                .extract().path("contact.startBasis"));
        assertEquals(t - 2800 + 1000, telephony(d).path("realtimeEvents").get(0).path("event").path("startTime").asLong(),
                "not after the record that reported it");
    }
}
