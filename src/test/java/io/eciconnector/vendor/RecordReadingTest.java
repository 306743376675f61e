package io.eciconnector.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.eciconnector.model.MappedCall;

/**
 * Records read as streams, one call at a time, within the bounds of {@link RecordLimits}: what is handed on before a
 * bound or a broken part, what the refusal says, and what a CSV row's original is.
 */
class RecordReadingTest {

    final VendorMappers vendors = new VendorMappers("US");
    static final String HEADER = "externalId,startDateTime,endDateTime,fromPhoneNumber,toPhoneNumber,callType,userEmail,recording";

    static String call(String id) {
        return "{\"externalId\":\"" + id + "\",\"startDateTime\":\"2026-11-20T10:00:00Z\",\"endDateTime\":"
                + "\"2026-11-20T10:01:00Z\",\"fromPhoneNumber\":\"+16315122409\",\"toPhoneNumber\":\"+14155550101\","
                + "\"callType\":\"Inbound\",\"userEmail\":\"ava@x.example\",\"recording\":\"" + id + ".wav\"}";
    }

    static String row(String id) {
        return id + ",2026-11-20T10:00:00Z,2026-11-20T10:01:00Z,+16315122409,+14155550101,Inbound,ava@x.example," + id + ".wav";
    }

    /** {@code count} bytes of {@code b}, made as they are read (never held). */
    static InputStream repeated(byte b, long count) {
        return new InputStream() {
            long left = count;

            @Override
            public int read() {
                return left-- > 0 ? b : -1;
            }

            @Override
            public int read(byte[] buf, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(buf, off, off + n, b);
                left -= n;
                return n;
            }
        };
    }

    static InputStream concat(Object... parts) {
        List<InputStream> streams = new ArrayList<>();
        for (Object p : parts) {
            streams.add(p instanceof InputStream s ? s : new ByteArrayInputStream(((String) p).getBytes(StandardCharsets.UTF_8)));
        }
        return new SequenceInputStream(Collections.enumeration(streams));
    }

    List<MappedCall> calls = new ArrayList<>();

    VendorMapper.RecordException refused(String vendor, InputStream in, String name, RecordLimits limits) {
        return assertThrows(VendorMapper.RecordException.class, () -> vendors.get(vendor).read(in, name, limits, calls::add));
    }

    @Test
    void aFiftyMegabyteStringIsRefusedWhileReadingAfterTheCallsBeforeItWereHandedOn() {
        long before = usedHeap();
        VendorMapper.RecordException e = refused("generic", concat("[" + call("S-1") + ",{\"externalId\":\"S-2\",\"note\":\"",
                repeated((byte) 'a', 50L * 1024 * 1024), "\"}," + call("S-3") + "]"), "big-string.json", RecordLimits.DEFAULTS);
        assertEquals(1, calls.size(), "the call before the string was handed on");
        assertEquals("S-1", calls.get(0).externalId());
        assertEquals(1, e.callsBefore());
        assertTrue(e.getMessage().contains("a string longer than 262144 characters (eci.ingest.max-string-chars)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("big-string.json"), "names the record");
        assertTrue(usedHeap() - before < 32L * 1024 * 1024, "the string was never held");
    }

    static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void aRecordLargerThanItsBoundIsRefusedWhileReadingWhenItsSizeWasNotKnownBefore() {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 20_000; i++) {
            many.append(i == 0 ? "" : ",").append(call("M-" + i));
        }
        RecordLimits limits = new RecordLimits(1024 * 1024, 64 * 1024, 32, 4096, 100_000);
        VendorMapper.RecordException e = refused("generic", concat(many + "]"), "many.json", limits);
        assertTrue(e.getMessage().contains("is larger than 1048576 bytes (eci.ingest.max-record-file-bytes)"), e.getMessage());
        assertTrue(calls.size() > 1000 && calls.size() < 20_000, calls.size() + " calls before the bound");
        assertEquals(calls.size(), e.callsBefore());
    }

    @Test
    void nestingDeeperThanTheBoundIsRefused() {
        String deep = "[".repeat(100) + "]".repeat(100);
        VendorMapper.RecordException e = refused("generic", concat("[" + call("D-1") + ",{\"externalId\":\"D-2\",\"x\":"
                + deep + "}]"), "deep.json", RecordLimits.DEFAULTS);
        assertTrue(e.getMessage().contains("nested deeper than 32 levels (eci.ingest.max-json-depth)"), e.getMessage());
        assertEquals(1, calls.size());
    }

    @Test
    void moreCallsThanTheBoundAreRefusedAfterTheFirstOnesWereHandedOn() {
        RecordLimits limits = new RecordLimits(1 << 20, 1 << 16, 32, 4096, 3);
        StringBuilder json = new StringBuilder();
        StringBuilder csv = new StringBuilder(HEADER + "\n");
        for (int i = 1; i <= 5; i++) {
            json.append(call("N-" + i)).append("\n"); // JSON lines
            csv.append(row("N-" + i)).append("\n");
        }
        VendorMapper.RecordException e = refused("generic", concat(json.toString()), "five.jsonl", limits);
        assertTrue(e.getMessage().contains("holds more than 3 calls (eci.ingest.max-calls-per-file)"), e.getMessage());
        assertEquals(List.of("N-1", "N-2", "N-3"), calls.stream().map(MappedCall::externalId).toList());
        calls.clear();
        e = refused("generic", concat(csv.toString()), "five.csv", limits);
        assertTrue(e.getMessage().contains("the rest from row 4 on was not read"), e.getMessage());
        assertEquals(3, calls.size());
    }

    @Test
    void aCallLargerThanItsBoundIsRefusedAloneAndReadingGoesOn() throws Exception {
        StringBuilder fields = new StringBuilder("{\"externalId\":\"BIG-1\"");
        for (int i = 0; i < 5000; i++) {
            fields.append(",\"f").append(i).append("\":\"").append("x".repeat(100)).append('"');
        }
        fields.append('}');
        RecordLimits limits = new RecordLimits(1 << 24, 64 * 1024, 32, 4096, 100);
        vendors.get("generic").read(concat("{\"calls\":[" + call("OK-1") + "," + fields + "," + call("OK-2") + "]}"),
                "envelope.json", limits, calls::add);
        assertEquals(3, calls.size());
        assertEquals("OK-1", calls.get(0).externalId());
        assertNull(calls.get(0).error());
        assertTrue(calls.get(1).error().contains("is larger than 65536 bytes (eci.ingest.max-call-bytes)"),
                calls.get(1).error());
        assertEquals("OK-2", calls.get(2).externalId(), "the call after it was read");
        assertNull(calls.get(2).error());
    }

    @Test
    void envelopesArraysAndJsonLinesStillReadCallByCall() throws Exception {
        VendorMapper generic = vendors.get("generic");
        for (String record : List.of("{\"calls\":[" + call("E-1") + "," + call("E-2") + "]}",
                "[" + call("E-1") + "," + call("E-2") + "]", call("E-1") + "\n" + call("E-2") + "\n",
                "[{\"data\":" + call("E-1") + "},{\"data\":" + call("E-2") + "}]")) {
            List<MappedCall> got = generic.read(record.getBytes(StandardCharsets.UTF_8), "r.json");
            assertEquals(List.of("E-1", "E-2"), got.stream().map(MappedCall::externalId).toList(), record);
            assertTrue(got.stream().allMatch(m -> m.error() == null), record);
        }
    }

    @Test
    void anUnterminatedQuoteKeepsTheRowsBeforeItAndHandsTheRestOnAsARecordOfItsOwn() throws Exception {
        String csv = HEADER + "\n" + row("Q-1") + "\n" + row("Q-2") + "\n"
                + "Q-3,2026-11-20T10:00:00Z,2026-11-20T10:01:00Z,+16315122409,+14155550101,Inbound,\"ava@x.example,Q-3.wav\n"
                + row("Q-4") + "\n";
        VendorMapper.RecordException e = assertThrows(VendorMapper.RecordException.class,
                () -> vendors.get("generic").read(csv.getBytes(StandardCharsets.UTF_8), "quote.csv"));
        // through the stream, to see what was handed on before the refusal
        VendorMapper.RecordException streamed = refused("generic", concat(csv), "quote.csv", RecordLimits.DEFAULTS);
        assertEquals(List.of("Q-1", "Q-2"), calls.stream().map(MappedCall::externalId).toList(), "the valid rows before it");
        assertTrue(calls.stream().allMatch(m -> m.error() == null));
        assertEquals(2, streamed.callsBefore());
        assertTrue(streamed.getMessage().contains("row 3 is not valid CSV"), streamed.getMessage());
        assertTrue(streamed.getMessage().contains("EOF reached before encapsulated token finished"), streamed.getMessage());
        assertEquals(HEADER + "\n" + csv.substring(csv.indexOf("Q-3,")), streamed.rest(),
                "the rest: the header and the file from the broken row on, to fix and drop again");
        assertNotNull(e);
    }

    @Test
    void aRowLongerThanACallMayBeIsRefusedWithoutHoldingTheRestOfTheFile() {
        RecordLimits limits = new RecordLimits(1L << 30, 64 * 1024, 32, 4096, 100);
        VendorMapper.RecordException e = refused("generic", concat(HEADER + "\n" + row("L-1") + "\nL-2,\"",
                repeated((byte) 'z', 20L * 1024 * 1024), "\"\n"), "long.csv", limits);
        assertEquals(1, calls.size());
        assertTrue(e.getMessage().contains("a row longer than 65536 bytes (eci.ingest.max-call-bytes)"), e.getMessage());
        assertNull(e.rest(), "not kept: referred to where the record is archived");
    }

    @Test
    void aMultiLineFieldStaysInItsOwnRowAndEachRowsOriginalIsTheHeaderAndThatRow() throws Exception {
        String multi = "M-1,2026-11-20T10:00:00Z,2026-11-20T10:01:00Z,+16315122409,+14155550101,Inbound,"
                + "\"ava@x.example\",\"M-1.wav\"\r\n";
        String withBreak = "M-2,2026-11-20T10:00:00Z,2026-11-20T10:01:00Z,+16315122409,+14155550101,Inbound,"
                + "\"line one\nline two\",M-2.wav";
        String bad = "M-3,2026-11-20T10:00:00Z,2026-11-20T10:01:00Z,+16315122409,+14155550101,Sideways,ava@x.example,M-3.wav";
        String csv = HEADER + "\r\n" + multi + withBreak + "\r\n" + bad + "\r\n";
        List<MappedCall> got = vendors.get("generic").read(csv.getBytes(StandardCharsets.UTF_8), "multi.csv");
        assertEquals(3, got.size());
        assertEquals("line one\nline two", got.get(1).call().userEmail(), "the quoted line break is the field's");
        assertEquals(HEADER + "\n" + withBreak, got.get(1).original());
        assertTrue(got.get(2).error().contains("callType 'Sideways'"), got.get(2).error());
        assertEquals(HEADER + "\n" + bad, got.get(2).original(), "no text of the row before it");
        assertFalse(got.get(2).original().contains("line two"));
    }

    @Test
    void aCsvRowsOriginalReadsAgainAsThatCallForAReplay() throws Exception {
        String csv = HEADER + "\n" + row("R-1") + "\n" + row("R-2") + "\n";
        List<MappedCall> got = vendors.get("generic").read(csv.getBytes(StandardCharsets.UTF_8), "replay.csv");
        // the ledger keeps each call's original; a replay reads it under its record's name
        List<MappedCall> again = vendors.get("generic").read(got.get(1).original().getBytes(StandardCharsets.UTF_8),
                "folder:replay.csv");
        assertEquals(1, again.size());
        assertNull(again.get(0).error());
        assertEquals("R-2", again.get(0).externalId());
        assertEquals(got.get(1).call(), again.get(0).call());
    }
}
