package io.eciconnector.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ledger on its two databases: an embedded H2 file (one replica) and the shared PostgreSQL at 127.0.0.1:5432
 * (several replicas; .ci/run makes sure it runs, and this test is skipped only where it cannot be reached).
 */
class LedgerTest {

    static final String PG = TestLedgers.PG;

    static boolean postgresReachable() {
        return TestLedgers.postgresReachable();
    }

    /** A fresh ledger: an H2 file under target/, or its own schema in PostgreSQL. */
    static Ledger open(String db, String name, Duration lease) throws SQLException {
        return TestLedgers.fresh(db, name, lease);
    }

    static String url(String db, String name) throws SQLException {
        if (db.equals("postgresql")) {
            open(db, name, Duration.ofMinutes(2)).stop(); // creates the schema (or skips without PostgreSQL)
            return PG + "?currentSchema=" + name;
        }
        return "jdbc:h2:file:./target/ledger-test/" + name;
    }

    static String unique() {
        return TestLedgers.unique();
    }

    @AfterAll
    static void dropSchemas() throws SQLException {
        TestLedgers.dropSchemas();
    }

    static CallRow row(String id, CallState state) {
        return CallRow.received("generic", id, state, state == CallState.CHECKED ? null : "test", state == CallState.CHECKED ? null : "why", "0055e000001Ava0AAC",
                null, Instant.parse("2026-11-20T10:00:00Z"), "{\"externalId\":\"" + id + "\"}", "{}", "folder:x.json",
                "file:///recordings/" + id + ".wav", 1234L);
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void oneRowPerCallWithItsHistory(String db) throws Exception {
        Ledger ledger = open(db, unique(), Duration.ofMinutes(2));
        try {
            assertTrue(ledger.insert(row("A", CallState.CHECKED)));
            assertFalse(ledger.insert(row("A", CallState.CHECKED)), "the same call is not taken in twice");
            assertTrue(ledger.transition("generic", "A", CallState.CHECKED, CallState.CREATING, null, Ledger.fields()));
            assertFalse(ledger.transition("generic", "A", CallState.CHECKED, CallState.CREATING, null, Ledger.fields()),
                    "a transition from a state the call is not in does nothing");
            assertTrue(ledger.transition("generic", "A", CallState.CREATING, CallState.CREATED, "VoiceCall 0LQ1 created",
                    Ledger.fields("voice_call_id", "0LQSbx000000001AAA", "next_attempt_at", null, "attempts", 0)));
            CallRow a = ledger.find("generic", "A").orElseThrow();
            assertEquals(CallState.CREATED, a.state());
            assertEquals("0LQSbx000000001AAA", a.voiceCallId());
            assertEquals(Instant.parse("2026-11-20T10:00:00Z"), a.callStart());
            assertEquals(1234L, a.recordingBytes());
            List<HistoryEntry> history = ledger.history("generic", "A");
            assertEquals(List.of(CallState.CHECKED, CallState.CREATING, CallState.CREATED),
                    history.stream().map(HistoryEntry::state).toList());
            assertEquals("VoiceCall 0LQ1 created", history.get(2).reason());
            assertEquals(1L, ledger.counts().get(CallState.CREATED));
        } finally {
            ledger.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void onlySkippedOrDeadCallsReopen(String db) throws Exception {
        Ledger ledger = open(db, unique(), Duration.ofMinutes(2));
        try {
            ledger.insert(row("D", CallState.DEAD));
            ledger.insert(row("U", CallState.CHECKED));
            assertTrue(ledger.reopen(row("D", CallState.CHECKED), "replayed"));
            assertEquals(CallState.CHECKED, ledger.find("generic", "D").orElseThrow().state());
            assertFalse(ledger.reopen(row("U", CallState.CHECKED), "replayed"), "a call in flight is never reopened");
        } finally {
            ledger.stop();
        }
    }

    /** Waits, at most 30 s, until the committer has {@code n} callers queued; fails with a thread dump. */
    static void awaitQueued(Ledger ledger, int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ledger.queued() < n) {
            if (System.nanoTime() > end) {
                fail(n + " callers did not queue for the commit in 30 s (" + ledger.queued() + ")\n"
                        + io.eciconnector.startup.ThreadDump.all());
            }
            Thread.sleep(5);
        }
    }

    /**
     * Asks for the transitions, in this order, each from a thread of the pool, while a commit is in progress (the
     * committer held), so that all queue for one group; answers their futures once the committer is released.
     */
    static List<Future<Boolean>> askedWhileCommitting(Ledger ledger, ExecutorService pool,
            List<Callable<Boolean>> transitions) throws InterruptedException {
        List<Future<Boolean>> asked = new ArrayList<>();
        ledger.committer().lock();
        try {
            for (Callable<Boolean> t : transitions) {
                asked.add(pool.submit(t));
                awaitQueued(ledger, asked.size());
            }
        } finally {
            ledger.committer().unlock();
        }
        return asked;
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void transitionsAskedWhileAnotherCommitsAreCommittedTogether(String db) throws Exception {
        Ledger ledger = open(db, unique(), Duration.ofMinutes(2));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<String> ids = List.of("G1", "G2", "G3");
            for (String id : ids) {
                ledger.insert(row(id, CallState.CHECKED));
            }
            long before = ledger.commits();
            List<Callable<Boolean>> transitions = new ArrayList<>();
            for (String id : ids) {
                transitions.add(() -> ledger.transition("generic", id, CallState.CHECKED, CallState.CREATING, null,
                        Ledger.fields("attempts", 1)));
            }
            List<Future<Boolean>> asked = askedWhileCommitting(ledger, pool, transitions);
            for (Future<Boolean> f : asked) {
                assertTrue(f.get(30, TimeUnit.SECONDS));
            }
            assertEquals(1, ledger.commits() - before, "three callers, one commit");
            for (String id : ids) {
                CallRow r = ledger.find("generic", id).orElseThrow();
                assertEquals(CallState.CREATING, r.state());
                assertEquals(1, r.attempts());
                assertEquals(CallState.CREATING, ledger.history("generic", id).get(ledger.history("generic", id).size() - 1).state());
            }
        } finally {
            pool.shutdownNow();
            ledger.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void aChangeThatFailsInAGroupFailsOnlyItsCaller(String db) throws Exception {
        Ledger ledger = open(db, unique(), Duration.ofMinutes(2));
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            ledger.insert(row("F1", CallState.CHECKED));
            ledger.insert(row("F2", CallState.CHECKED));
            ledger.insert(row("F3", CallState.CREATED));
            List<Future<Boolean>> asked = askedWhileCommitting(ledger, pool, List.of(
                    () -> ledger.transition("generic", "F1", CallState.CHECKED, CallState.CREATING, null, Ledger.fields()),
                    () -> ledger.transition("generic", "F2", CallState.CHECKED, CallState.CREATING, null,
                            Ledger.fields("no such column", 1)),
                    () -> ledger.transition("generic", "F3", CallState.CHECKED, CallState.CREATING, null, Ledger.fields()),
                    () -> ledger.insert(row("F1", CallState.CHECKED)),
                    () -> ledger.insert(row("F4", CallState.CHECKED))));
            assertTrue(asked.get(0).get(30, TimeUnit.SECONDS), "the group's failure is not the good transition's");
            ExecutionException failed = assertThrows(ExecutionException.class, () -> asked.get(1).get(30, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof IllegalArgumentException, failed.getCause().toString());
            assertFalse(asked.get(2).get(30, TimeUnit.SECONDS), "a call not in the state asked is left as it is");
            assertFalse(asked.get(3).get(30, TimeUnit.SECONDS), "the same call is not taken in twice");
            assertTrue(asked.get(4).get(30, TimeUnit.SECONDS), "a new call beside them is taken in");
            assertEquals(CallState.CREATING, ledger.find("generic", "F1").orElseThrow().state());
            assertEquals(CallState.CHECKED, ledger.find("generic", "F2").orElseThrow().state());
            assertEquals(CallState.CREATED, ledger.find("generic", "F3").orElseThrow().state());
            assertEquals(CallState.CHECKED, ledger.find("generic", "F4").orElseThrow().state());
            assertEquals(List.of(CallState.CHECKED, CallState.CREATING),
                    ledger.history("generic", "F1").stream().map(HistoryEntry::state).toList(),
                    "the duplicate left no trace in the history");
        } finally {
            pool.shutdownNow();
            ledger.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void twoReplicasClaimingAtOnceNeverGetTheSameCall(String db) throws Exception {
        String name = unique();
        Ledger a = open(db, name, Duration.ofMinutes(2));
        Ledger b = open(db, name, Duration.ofMinutes(2));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 300; i++) {
                a.insert(row("C" + i, CallState.CHECKED));
            }
            List<Callable<List<CallRow>>> claims = new ArrayList<>();
            for (Ledger l : List.of(a, b, a, b)) {
                claims.add(() -> l.claim(CallState.CHECKED, CallState.CREATING, 100));
            }
            Set<String> seen = new HashSet<>();
            int total = 0;
            for (Future<List<CallRow>> f : pool.invokeAll(claims)) {
                for (CallRow r : f.get()) {
                    assertTrue(seen.add(r.externalId()), r.externalId() + " claimed twice");
                    total++;
                }
            }
            assertEquals(total, seen.size());
            assertEquals(total, a.counts().get(CallState.CREATING));
            assertEquals(300 - total, a.counts().get(CallState.CHECKED));
        } finally {
            pool.shutdown();
            a.stop();
            b.stop();
        }
    }

    /**
     * Two replicas both announced the same calls (each batch holds all of them): claimed by their keys at once, each
     * call goes to one of them only; a call not due yet, or in another state, is in no claim.
     */
    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void claimingTheSameAnnouncedCallsOnTwoReplicasGivesEachCallToOne(String db) throws Exception {
        String name = unique();
        Ledger a = open(db, name, Duration.ofMinutes(2));
        Ledger b = open(db, name, Duration.ofMinutes(2));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CallKey> keys = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                a.insert(row("K" + i, CallState.CHECKED));
                keys.add(new CallKey("generic", "K" + i));
            }
            a.transition("generic", "K0", CallState.CHECKED, CallState.CHECKED, null,
                    Ledger.fields("next_attempt_at", Instant.now().plusSeconds(60)));
            a.transition("generic", "K1", CallState.CHECKED, CallState.CREATED, "created elsewhere", Ledger.fields());
            keys.add(new CallKey("generic", "NOT-THERE"));
            List<Callable<List<CallRow>>> claims = new ArrayList<>();
            for (Ledger l : List.of(a, b, a, b)) {
                claims.add(() -> l.claim(keys, CallState.CHECKED, CallState.CREATING));
            }
            Set<String> seen = new HashSet<>();
            for (Future<List<CallRow>> f : pool.invokeAll(claims)) {
                for (CallRow r : f.get()) {
                    assertTrue(seen.add(r.externalId()), r.externalId() + " claimed twice");
                    assertEquals(CallState.CREATING, r.state());
                }
            }
            assertEquals(98, seen.size(), "every due CHECKED call of the batch, once");
            assertFalse(seen.contains("K0"), "its retry time has not come");
            assertFalse(seen.contains("K1"), "created already");
            assertEquals(98L, a.counts().get(CallState.CREATING));
        } finally {
            pool.shutdown();
            a.stop();
            b.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void abandonedClaimsAreRecoveredAfterTheLease(String db) throws Exception {
        Ledger ledger = open(db, unique(), Duration.ofMillis(300));
        try {
            ledger.insert(row("L", CallState.CHECKED));
            assertEquals(1, ledger.claim(CallState.CHECKED, CallState.CREATING, 10).size());
            assertEquals(0, ledger.recoverAbandoned(CallState.CREATING, CallState.RECONCILE, "abandoned"),
                    "a fresh claim is not taken away");
            // taken back once the 300 ms lease ran out (awaited, not slept)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration
                    .ofMillis(50)).until(() -> ledger.recoverAbandoned(CallState.CREATING, CallState.RECONCILE, "abandoned") == 1);
            assertEquals(CallState.RECONCILE, ledger.find("generic", "L").orElseThrow().state());
            ledger.transition("generic", "L", CallState.RECONCILE, CallState.CHECKED, "later",
                    Ledger.fields("next_attempt_at", Instant.now().plusSeconds(60)));
            assertTrue(ledger.claim(CallState.CHECKED, CallState.CREATING, 10).isEmpty(), "not before its next attempt");
        } finally {
            ledger.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void anInstanceThatComesBackTakesItsOwnClaimsBackAtOnceAndNoOneElses(String db) throws Exception {
        String name = unique();
        String url = url(db, name);
        String user = db.equals("postgresql") ? "postgres" : "sa";
        Duration lease = Duration.ofMinutes(10);
        Ledger before = TestLedgers.open(url, user, lease, "pod-a");
        Ledger other = TestLedgers.open(url, user, lease, "pod-b");
        Ledger after = null;
        try {
            before.insert(row("MINE", CallState.CHECKED));
            before.insert(row("UPLOAD", CallState.CHECKED));
            Instant claimed = before.claim(CallState.CHECKED, CallState.CREATING, 10).get(0).claimedAt();
            other.insert(row("THEIRS", CallState.CHECKED));
            assertEquals(1, other.claim(CallState.CHECKED, CallState.CREATING, 10).size());
            before.transition("generic", "UPLOAD", CallState.CREATING, CallState.UPLOADING, null, Ledger.fields());
            before.stop(); // killed: its claims stay
            while (!Instant.now().isAfter(claimed)) {
                Thread.onSpinWait(); // the restarted instance starts after the claim, as a real restart does
            }
            after = TestLedgers.open(url, user, lease, "pod-a");
            assertEquals("pod-a", after.instance());
            assertEquals(0, other.recoverAbandoned(CallState.CREATING, CallState.RECONCILE, "abandoned"),
                    "another instance waits out the lease of pod-a's claims");
            assertEquals(1, after.recoverAbandoned(CallState.CREATING, CallState.RECONCILE, "abandoned",
                    Duration.ofSeconds(30)), "pod-a takes its own claim back at once, not the claim of pod-b");
            assertEquals(1, after.recoverAbandoned(CallState.UPLOADING, CallState.CREATED, "abandoned",
                    Duration.ofSeconds(30)));
            CallRow mine = after.find("generic", "MINE").orElseThrow();
            assertEquals(CallState.RECONCILE, mine.state());
            assertTrue(mine.reason().contains("taken back at once"), mine.reason());
            assertEquals(claimed.plusSeconds(30).toEpochMilli(), after.settleUntil(List.of(mine))
                    .get("generic/MINE").toEpochMilli(), "settled until the claim's time + the settle time");
            assertEquals(CallState.CREATING, after.find("generic", "THEIRS").orElseThrow().state());
            // a claim of this life is not taken back
            after.insert(row("NEW", CallState.CHECKED));
            assertEquals(1, after.claim(CallState.CHECKED, CallState.CREATING, 10).size());
            assertEquals(0, after.recoverAbandoned(CallState.CREATING, CallState.RECONCILE, "abandoned"));
        } finally {
            other.stop();
            if (after != null) {
                after.stop();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void duplicatesAreRecordedOnceWithAnEntryInTheCallsHistory(String db) throws Exception {
        Ledger ledger = open(db, unique(), Duration.ofMinutes(2));
        try {
            ledger.insert(row("DUP", CallState.CHECKED));
            assertTrue(ledger.reportDuplicates("generic", "DUP", "0LQ2", "DUPLICATE: 2 VoiceCalls"));
            assertFalse(ledger.reportDuplicates("generic", "DUP", "0LQ2", "DUPLICATE: 2 VoiceCalls"), "once");
            assertEquals(1, ledger.duplicateCount());
            assertEquals("0LQ2", ledger.duplicates(10).get(0).extraIds());
            assertTrue(ledger.history("generic", "DUP").stream().anyMatch(h -> "DUPLICATE: 2 VoiceCalls".equals(h.reason())
                    && h.state() == CallState.CHECKED));
        } finally {
            ledger.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void retentionForgetsOnlyFinishedCallsThatStartedAndLastChangedBeforeTheCutoff(String db) throws Exception {
        Ledger ledger = open(db, unique(), Duration.ofMinutes(2));
        try {
            Instant cutoff = Instant.parse("2026-11-25T00:00:00Z"); // the rows' calls started 2026-11-20
            for (String id : List.of("UP1", "UP2", "UP3", "RECENT", "LATE-START", "DUP")) {
                ledger.insert(row(id, CallState.UPLOADED));
            }
            ledger.insert(row("SKIP", CallState.SKIPPED));
            ledger.insert(row("DEAD", CallState.DEAD));
            ledger.insert(row("FLIGHT", CallState.CREATED));
            ledger.reportDuplicates("generic", "DUP", "0LQ2", "DUPLICATE: 2 VoiceCalls");
            ledger.inTransaction(c -> {
                try (var ps = c.prepareStatement("UPDATE call_ledger SET updated_at = ? WHERE external_id <> 'RECENT'")) {
                    ps.setObject(1, Instant.parse("2026-11-21T00:00:00Z").atOffset(java.time.ZoneOffset.UTC));
                    ps.executeUpdate();
                }
                try (var ps = c.prepareStatement("UPDATE call_ledger SET call_start = ? WHERE external_id = 'LATE-START'")) {
                    ps.setObject(1, Instant.parse("2026-11-26T00:00:00Z").atOffset(java.time.ZoneOffset.UTC));
                    ps.executeUpdate();
                }
                return null;
            });
            assertEquals(1, ledger.history("generic", "UP1").size());

            assertEquals(2, ledger.forgetFinished(cutoff, 2), "a batch at most");
            assertEquals(2, ledger.forgetFinished(cutoff, 2), "the next batch");
            assertEquals(0, ledger.forgetFinished(cutoff, 2), "nothing more is old and finished");

            for (String gone : List.of("UP1", "UP2", "UP3", "SKIP")) {
                assertTrue(ledger.find("generic", gone).isEmpty(), gone + " forgotten");
                assertTrue(ledger.history("generic", gone).isEmpty(), gone + "'s history forgotten");
            }
            for (String kept : List.of("RECENT", "LATE-START", "DUP", "DEAD", "FLIGHT")) {
                assertTrue(ledger.find("generic", kept).isPresent(), kept + " kept");
                assertFalse(ledger.history("generic", kept).isEmpty(), kept + "'s history kept");
            }
        } finally {
            ledger.stop();
        }
    }

    /**
     * V7_5: the senders' claims, the recoveries' due calls and GET /calls?state= read the oldest calls of a state in
     * the index's order and stop after the rows asked for; before, H2 read and sorted every call of the state.
     */
    @org.junit.jupiter.api.Test
    void theOldestCallsOfAStateAreReadInTheIndexsOrderWithoutSortingTheState() throws Exception {
        Ledger ledger = open("h2", unique(), Duration.ofMinutes(2));
        try {
            for (int i = 0; i < 300; i++) {
                ledger.insert(row(String.format("IX-%03d", i), i % 3 == 0 ? CallState.CHECKED : CallState.UPLOADED));
            }
            for (String sql : List.of(Ledger.IN_STATE + "5 ROWS ONLY", Ledger.DUE + "5 ROWS ONLY")) {
                String plan = ledger.inTransaction(c -> {
                    try (var ps = c.prepareStatement("EXPLAIN " + sql)) {
                        ps.setString(1, "UPLOADED");
                        if (sql.startsWith(Ledger.DUE)) {
                            ps.setObject(2, Instant.now().atOffset(java.time.ZoneOffset.UTC));
                        }
                        try (var rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getString(1);
                        }
                    }
                });
                assertTrue(plan.contains("IX_CALL_LEDGER_STATE") && plan.contains("/* index sorted */"), plan);
            }
            List<CallRow> oldest = ledger.inState(CallState.CHECKED, 3);
            assertEquals(List.of("IX-000", "IX-003", "IX-006"), oldest.stream().map(CallRow::externalId).toList(),
                    "oldest first, ties by externalId");
            assertEquals(List.of("IX-000", "IX-003"), ledger.due(CallState.CHECKED, 2).stream()
                    .map(CallRow::externalId).toList());
        } finally {
            ledger.stop();
        }
    }
}
