package io.eciconnector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.eciconnector.vendor.GenericMapper;
import io.eciconnector.vendor.RecordLimits;

/** The split's items of a record: the look-ahead of the first call, the unreadable rest, a broken stream. */
class RecordCallsTest {

    static final GenericMapper GENERIC = new GenericMapper("US");

    static String call(String id) throws Exception {
        return Drops.MAPPER.writeValueAsString(Drops.call(id, 30));
    }

    static List<RecordCalls.Item> items(String record) {
        List<RecordCalls.Item> out = new ArrayList<>();
        try (RecordCalls calls = new RecordCalls(GENERIC, stream(record), null, "r.json", RecordLimits.DEFAULTS)) {
            calls.forEachRemaining(out::add);
        }
        return out;
    }

    static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRecordOfOneCallIsMarkedSingleAndOfManyNot() throws Exception {
        List<RecordCalls.Item> one = items(call("ONE"));
        assertEquals(1, one.size());
        assertTrue(one.get(0).singleCall());
        assertEquals("ONE", one.get(0).getExternalId());
        List<RecordCalls.Item> three = items("[" + call("A") + "," + call("B") + "," + call("C") + "]");
        assertEquals(List.of("A", "B", "C"), three.stream().map(RecordCalls.Item::getExternalId).toList());
        assertTrue(three.stream().noneMatch(i -> i.singleCall() || i.isUnreadable()));
    }

    @Test
    void anUnreadableRestIsOneLastItemAfterTheCallsBeforeIt() throws Exception {
        List<RecordCalls.Item> items = items("[" + call("A") + ", {\"externalId\": ");
        assertEquals(2, items.size());
        assertEquals("A", items.get(0).getExternalId());
        assertFalse(items.get(0).singleCall(), "a record that breaks after one call is not a record of one call");
        assertTrue(items.get(1).isUnreadable());
        assertEquals(1, items.get(1).recordException().callsBefore());
        List<RecordCalls.Item> none = items("not json");
        assertEquals(1, none.size());
        assertTrue(none.get(0).isUnreadable());
        assertEquals(0, none.get(0).recordException().callsBefore());
    }

    @Test
    void aBrokenStreamFailsTheRecordWithoutTakingTheCallHeldBack() throws Exception {
        byte[] first = ("[" + call("A") + ",").getBytes(StandardCharsets.UTF_8);
        InputStream breaking = new InputStream() {
            int at;

            @Override
            public int read() throws IOException {
                if (at < first.length) {
                    return first[at++];
                }
                throw new IOException("connection reset");
            }
        };
        try (RecordCalls calls = new RecordCalls(GENERIC, breaking, null, "r.json", RecordLimits.DEFAULTS)) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, calls::hasNext);
            assertEquals("connection reset", e.getCause().getMessage());
            assertEquals("connection reset", Intake.cause(new org.apache.camel.CamelExchangeException("split", null, e))
                    .getMessage(), "the failure kept for the next poll is the stream's own");
        }
    }

    static List<RecordCalls.Item> itemsReadWhole(String record) {
        byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
        List<RecordCalls.Item> out = new ArrayList<>();
        try (RecordCalls calls = new RecordCalls(GENERIC, new ByteArrayInputStream(new byte[0]), bytes, "r.json",
                RecordLimits.DEFAULTS)) {
            calls.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void aRecordReadWholeGivesTheSameItemsAsAStreamedOne() throws Exception {
        for (String record : List.of(call("ONE"), "[" + call("A") + "," + call("B") + "," + call("C") + "]",
                "[" + call("A") + ", {\"externalId\": ", "not json")) {
            List<RecordCalls.Item> streamed = items(record);
            List<RecordCalls.Item> whole = itemsReadWhole(record);
            assertEquals(streamed.stream().map(RecordCalls.Item::toString).toList(),
                    whole.stream().map(RecordCalls.Item::toString).toList(), record);
            assertEquals(streamed.stream().map(RecordCalls.Item::singleCall).toList(),
                    whole.stream().map(RecordCalls.Item::singleCall).toList(), record);
        }
    }

    @Test
    void aRecordReadWholeIsMappedOnTheRoutesOwnThreadWithoutAThreadOfItsOwn() throws Exception {
        List<Thread> readBy = new ArrayList<>();
        io.eciconnector.vendor.VendorMapper watched = new io.eciconnector.vendor.VendorMapper() {
            @Override
            public String name() {
                return "generic";
            }

            @Override
            public long read(InputStream record, String fileName, RecordLimits limits, CallSink out)
                    throws RecordException, IOException, InterruptedException {
                readBy.add(Thread.currentThread());
                return GENERIC.read(record, fileName, limits, out);
            }
        };
        byte[] two = ("[" + call("A") + "," + call("B") + "]").getBytes(StandardCharsets.UTF_8);
        try (RecordCalls calls = new RecordCalls(watched, new ByteArrayInputStream(new byte[0]), two, "r.json",
                RecordLimits.DEFAULTS)) {
            assertEquals("A", calls.next().getExternalId());
            assertEquals("B", calls.next().getExternalId());
            assertFalse(calls.hasNext());
        }
        assertEquals(List.of(Thread.currentThread()), readBy, "read once, on the thread that asked for the calls");
    }

    @Test
    void closingEarlyStopsTheReader() throws Exception {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            many.append(i == 0 ? "" : ",").append(call("M-" + i));
        }
        RecordCalls calls = new RecordCalls(GENERIC, stream(many.append("]").toString()), null, "r.json",
                RecordLimits.DEFAULTS);
        assertEquals("M-0", calls.next().getExternalId());
        assertTrue(calls.reading(), "the reader waits to hand the next call over");
        calls.close();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !calls.reading());
    }
}
