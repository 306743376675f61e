package io.eciconnector.signals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.eciconnector.ledger.Ledger;
import io.eciconnector.ledger.TestLedgers;

/**
 * routes/signals-retention.yaml on both databases: a conversation whose every item went out before the cutoff loses
 * its records and items and its contacts are marked FORGOTTEN; a conversation with anything unsent, dead or newer
 * stays whole.
 */
class SignalRetentionTest {

    static final long DAY = 86_400_000L;
    @AfterAll
    static void dropSchemas() throws Exception {
        TestLedgers.dropSchemas();
    }

    /** A test on a fresh ledger of the database {@code db}: its signal store and the time now. */
    interface OnStore {
        void run(SignalStore store, long now) throws Exception;
    }

    static void onFreshStore(String db, OnStore test) throws Exception {
        Ledger ledger = TestLedgers.fresh(db, TestLedgers.unique(), Duration.ofMinutes(2));
        try {
            SignalStore store = new SignalStore();
            store.ledger = ledger;
            test.run(store, System.currentTimeMillis());
        } finally {
            TestLedgers.close(ledger);
        }
    }

    /** A contact of conversation {@code key} with one record and two items, taken in at {@code at}. */
    static List<OutboxItem> conversation(SignalStore store, String contact, String key, long at, String agentRef) {
        return store.inTransaction(c -> {
            store.insertContact(c, new SignalContact(contact, key, at, "agent-connected", "COMPLETED", null), at);
            store.setAgentRef(c, contact, agentRef);
            long record = store.insertRecord(c, "test", "0", contact, at, "{\"Transcript\":\"my card number is\"}");
            List<OutboxItem> stored = new ArrayList<>();
            store.insertItems(c, List.of(OutboxItem.of(key, OutboxItem.Kind.MESSAGE, contact + "-m1", at, "{}"),
                    OutboxItem.of(key, OutboxItem.Kind.EVENT, contact + "-e1", at, "{}")), record, at, at, stored);
            return stored;
        });
    }

    static int pass(SignalStore store, long cutoff, int limit, long now) {
        int forgotten = 0;
        for (String status : SignalStore.LIVE_STATUSES) {
            Optional<SignalStore.Cursor> cursor = Optional.of(SignalStore.Cursor.first(status));
            while (cursor.isPresent()) {
                SignalStore.ForgetPage page = store.forgetSent(cursor.get(), cutoff, limit, now);
                assertTrue(page.examined() <= limit, "a page at most");
                forgotten += page.forgotten();
                cursor = page.next();
            }
        }
        return forgotten;
    }

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void onlyConversationsWhollySentBeforeTheCutoffAreForgottenAndTheirContactsStayMarked(String db) throws Exception {
        onFreshStore(db, (store, now) -> {
            long old = now - 40 * DAY;
            long cutoff = now - 30 * DAY;
            // sent long ago: one contact; a conversation of two contacts (a transfer)
            store.sent(conversation(store, "A", "A", old, "arn:agent/a\nava"), 200, old + 1000);
            store.sent(conversation(store, "T1", "T1", old, null), 200, old + 1000);
            store.sent(conversation(store, "T2", "T1", old + 60_000, null), 200, old + 70_000);
            // kept: an item dead; an item never sent; sent long ago but a record came since; sent since the cutoff
            List<OutboxItem> dead = conversation(store, "D", "D", old, null);
            store.sent(dead.subList(0, 1), 200, old + 1000);
            store.dead(dead.subList(1, 2), 400, "refused", old + 1000);
            conversation(store, "P", "P", old, null);
            store.sent(conversation(store, "R", "R", old, null), 200, old + 1000);
            store.inTransaction(c -> store.insertRecord(c, "test", "1", "R", now - DAY, "{}"));
            store.sent(conversation(store, "S", "S", old, null), 200, now - DAY);

            assertEquals(2, pass(store, cutoff, 2, now), "conversations A and T1, by pages of two contacts");

            for (String key : List.of("A", "T1")) {
                assertTrue(store.items(key).isEmpty(), key + "'s items forgotten");
                assertTrue(store.records(key).isEmpty(), key + "'s records forgotten");
            }
            for (String contact : List.of("A", "T1", "T2")) {
                assertEquals(SignalStore.FORGOTTEN, store.contact(contact).orElseThrow().status(), contact + " marked");
            }
            assertTrue(store.agentRef("A").isEmpty(), "the agent's name is not kept either");
            for (String key : List.of("D", "P", "R", "S")) {
                assertEquals(2, store.items(key).size(), key + "'s items kept");
                assertFalse(store.records(key).isEmpty(), key + "'s records kept");
                assertEquals("COMPLETED", store.contact(key).orElseThrow().status(), key + " not marked");
            }
            Map<String, Long> counts = store.counts();
            assertEquals(3L, counts.get("MESSAGE.SENT"), "D's, R's and S's messages");
            assertEquals(2L, counts.get("EVENT.SENT"), "R's and S's events");
            assertEquals(0, pass(store, cutoff, 2, now), "a second pass finds nothing more");
        });
    }

    /**
     * routes/signals-retention.yaml's second route: the contacts of forgotten conversations (the replay guard) are
     * deleted once the conversation started longer than the guard ago, by pages, oldest first; the contacts of
     * conversations forgotten more recently, and of conversations not forgotten however old, stay.
     */
    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void theContactsOfForgottenConversationsAreDeletedOnceTheReplayGuardIsOver(String db) throws Exception {
        onFreshStore(db, (store, now) -> {
            long ancient = now - 500 * DAY;
            long old = now - 40 * DAY;
            store.sent(conversation(store, "A", "A", ancient, null), 200, ancient + 1000);
            store.sent(conversation(store, "T1", "T1", ancient, null), 200, ancient + 1000);
            store.sent(conversation(store, "T2", "T1", ancient + 60_000, null), 200, ancient + 70_000);
            store.sent(conversation(store, "B", "B", old, null), 200, old + 1000);
            List<OutboxItem> dead = conversation(store, "D", "D", ancient, null);
            store.dead(dead, 400, "refused", ancient + 1000);
            assertEquals(3, pass(store, now - 30 * DAY, 500, now), "A, T1 (two contacts) and B forgotten; D not");

            long guardCutoff = now - 400 * DAY;
            assertEquals(2, store.deleteForgottenContacts(guardCutoff, 2), "a page of two, the oldest first");
            assertTrue(store.contact("A").isEmpty() && store.contact("T1").isEmpty(), "A and T1 went first");
            assertEquals(1, store.deleteForgottenContacts(guardCutoff, 2), "then T2");
            assertEquals(0, store.deleteForgottenContacts(guardCutoff, 2), "then none");
            assertTrue(store.contact("T2").isEmpty());
            assertEquals(SignalStore.FORGOTTEN, store.contact("B").orElseThrow().status(), "started 40 days ago: kept");
            assertEquals("COMPLETED", store.contact("D").orElseThrow().status(), "not forgotten (an item dead): kept");
            assertEquals(2, store.items("D").size(), "with its items");
        });
    }

    /**
     * routes/signals-retention.yaml's third route: records refused whole keep the fact (signal_refusal), shown with
     * their contact's records, and are deleted once older than the retention, by pages, oldest first, whether their
     * contact is known or not (before: in signal_record, a refusal of a contact never known stayed for good).
     */
    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void recordsRefusedWholeAreShownWithTheirContactAndForgottenByTimeWhateverTheContact(String db) throws Exception {
        onFreshStore(db, (store, now) -> {
            long old = now - 40 * DAY;
            conversation(store, "K", "K", old, null);
            store.refusedRecord("post-call", "K", "refused: not redacted", old + 1000);
            store.refusedRecord("stream", "ghost", "refused: no time base for contact ghost", old);
            store.refusedRecord("stream", "ghost", "refused: no time base for contact ghost", old + 2000);
            store.refusedRecord("stream", "ghost2", "refused: no time base for contact ghost2", now - DAY);

            List<Map<String, Object>> k = store.records("K");
            assertEquals(2, k.size(), k.toString());
            assertEquals("stored", k.get(0).get("outcome"), "the record first, as it came");
            assertEquals("refused: not redacted", k.get(1).get("outcome"));
            assertEquals("post-call", k.get(1).get("source"));
            assertEquals(2, store.records("ghost").size(), "a contact never known: found by its id");

            long cutoff = now - 30 * DAY;
            assertEquals(2, store.deleteRefusals(cutoff, 2), "a page of two, the oldest first");
            assertEquals(1, store.records("ghost").size(), "the newer of the contact never known is left");
            assertEquals(1, store.deleteRefusals(cutoff, 2), "then the third");
            assertEquals(0, store.deleteRefusals(cutoff, 2), "then none");
            assertTrue(store.records("ghost").isEmpty(), "a contact never known: its refusals go by time");
            assertEquals(List.of("stored"), store.records("K").stream().map(m -> m.get("outcome")).toList(),
                    "a known contact's refusal goes by time too; its record stays for its conversation's pass");
            assertEquals(1, store.records("ghost2").size(), "refused a day ago: kept");
        });
    }

    /** A refusals page reads the oldest in the received_at index's order, without reading or sorting the others. */
    @Test
    void aRefusalsPageReadsTheOldestInTheIndexsOrder() throws Exception {
        String plan = explain(SignalStore.OLDEST_REFUSALS, 1000L, 500);
        assertTrue(plan.contains("IX_SIGNAL_REFUSAL_RECEIVED") && plan.contains("index sorted"), plan);
    }

    /**
     * V7_8 on a ledger of the version before, on both databases: the refusals kept in signal_record move to
     * signal_refusal (same source, contact, time and reason); stored records, and records with segments refused, stay.
     */
    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgresql" })
    void theRefusalsKeptInSignalRecordMoveToTheirTable(String db) throws Exception {
        String name = TestLedgers.unique();
        String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
        String user = "";
        if (db.equals("postgresql")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(TestLedgers.postgresReachable(), "PostgreSQL not reachable");
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(TestLedgers.PG, "postgres", "")) {
                c.createStatement().execute("CREATE SCHEMA " + name);
            }
            url = TestLedgers.PG + "?currentSchema=" + name;
            user = "postgres";
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, "")) {
            org.flywaydb.core.Flyway.configure().dataSource(url, user, "").locations("classpath:db/ledger").target("7.7")
                    .load().migrate();
            try (var st = c.createStatement()) {
                st.executeUpdate("INSERT INTO signal_record (source, ref, contact_id, received_at, body, outcome) VALUES "
                        + "('stream', NULL, 'ghost', 5, '', 'refused: no time base for contact ghost'), "
                        + "('stream', '7', 'K', 6, '{}', NULL), "
                        + "('stream', '8', 'K', 7, '{}', '1 segment(s) refused: no Id')");
            }
            org.flywaydb.core.Flyway.configure().dataSource(url, user, "").locations("classpath:db/ledger").load().migrate();
            try (var st = c.createStatement();
                    var refusals = st.executeQuery("SELECT source, contact_id, received_at, outcome FROM signal_refusal")) {
                assertTrue(refusals.next());
                assertEquals(List.of("stream", "ghost", 5L, "refused: no time base for contact ghost"), List.of(
                        refusals.getString(1), refusals.getString(2), refusals.getLong(3), refusals.getString(4)));
                assertFalse(refusals.next());
            }
            try (var st = c.createStatement();
                    var records = st.executeQuery("SELECT ref FROM signal_record ORDER BY id")) {
                List<String> refs = new ArrayList<>();
                while (records.next()) {
                    refs.add(records.getString(1));
                }
                assertEquals(List.of("7", "8"), refs, "the stored records stay");
            }
        }
    }

    /** The replay guard's page reads the oldest forgotten contacts in the index's order, without sorting the others. */
    @Test
    void aReplayGuardPageReadsTheOldestForgottenContactsInTheIndexsOrder() throws Exception {
        String plan = explain(SignalStore.OLDEST_FORGOTTEN, 1000L, 500);
        assertTrue(plan.contains("IX_SIGNAL_CONTACT_STATUS") && plan.contains("index sorted"), plan);
    }

    /** H2's plan of a query, its parameters set in order. */
    static String explain(String sql, Object... params) throws Exception {
        Ledger ledger = TestLedgers.fresh("h2", TestLedgers.unique(), Duration.ofMinutes(2));
        try {
            return ledger.inTransaction(c -> {
                try (var ps = c.prepareStatement("EXPLAIN " + sql)) {
                    for (int i = 0; i < params.length; i++) {
                        ps.setObject(i + 1, params[i]);
                    }
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getString(1);
                    }
                }
            });
        } finally {
            TestLedgers.close(ledger);
        }
    }

    @Test
    void theReplayGuardIsNeverShorterThanTheRetention() {
        assertEquals(Duration.ofDays(400), SignalRetention.guard(Duration.ofDays(400), Duration.ofDays(30)));
        assertEquals(Duration.ofDays(30), SignalRetention.guard(Duration.ofDays(2), Duration.ofDays(30)));
    }

    /** A pass reads the oldest contacts of a status in the index's order, without reading or sorting the others. */
    @Test
    void aPageReadsTheOldestContactsOfAStatusInTheIndexsOrder() throws Exception {
        String plan = explain(SignalStore.OLDEST_OF_STATUS, "COMPLETED", 1000L, 0L, 0L, "");
        assertTrue(plan.contains("IX_SIGNAL_CONTACT_STATUS") && plan.contains("index sorted"), plan);
    }

    @Test
    void theRetentionIsTheSignalOneElseTheCallOneAndNeverLessThanADay() {
        assertEquals(Duration.ofDays(7), SignalRetention.effective(Optional.of(Duration.ofDays(7)), Duration.ofDays(30)));
        assertEquals(Duration.ofDays(30), SignalRetention.effective(Optional.empty(), Duration.ofDays(30)));
        assertEquals(Duration.ofDays(1), SignalRetention.effective(Optional.of(Duration.ofMinutes(5)), Duration.ofDays(30)));
    }
}
