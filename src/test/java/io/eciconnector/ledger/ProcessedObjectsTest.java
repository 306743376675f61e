package io.eciconnector.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The post-call S3 source's idempotent repository: kept in the ledger, answered from memory once known. */
class ProcessedObjectsTest {

    @org.junit.jupiter.api.AfterAll
    static void dropSchemas() throws Exception {
        TestLedgers.dropSchemas();
    }

    static ProcessedObjects on(Ledger ledger) {
        ProcessedObjects seen = new ProcessedObjects();
        seen.ledger = ledger;
        return seen;
    }

    @Test
    void aKeptKeyIsAnsweredWithoutAskingTheLedgerAgain() throws Exception {
        Ledger ledger = TestLedgers.fresh("h2", "processed-" + TestLedgers.unique(), Duration.ofMinutes(2));
        ProcessedObjects seen = on(ledger);
        assertTrue(seen.add("connect/a.json#\"e1\""));
        assertFalse(seen.add("connect/a.json#\"e1\""), "kept once");
        ProcessedObjects restarted = on(ledger);
        assertTrue(restarted.contains("connect/a.json#\"e1\""), "kept across restarts: read from the ledger");
        TestLedgers.close(ledger);
        // every poll lists the recent objects again: those known are answered from memory, with no ledger request
        assertTrue(seen.contains("connect/a.json#\"e1\""));
        assertTrue(restarted.contains("connect/a.json#\"e1\""));
        assertThrows(RuntimeException.class, () -> seen.contains("connect/b.json#\"e2\""),
                "a key not known is asked of the ledger (closed here)");
    }

    @Test
    void aRemovedKeyIsForgottenInMemoryToo() throws Exception {
        Ledger ledger = TestLedgers.fresh("h2", "processed-" + TestLedgers.unique(), Duration.ofMinutes(2));
        try {
            ProcessedObjects seen = on(ledger);
            seen.add("connect/a.json#\"e1\"");
            seen.add("connect/b.json#\"e2\"");
            assertTrue(seen.remove("connect/a.json#\"e1\""));
            assertFalse(seen.contains("connect/a.json#\"e1\""));
            seen.clear();
            assertFalse(seen.contains("connect/b.json#\"e2\""));
        } finally {
            TestLedgers.close(ledger);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "h2", "postgresql" })
    void keysKeptBeforeTheCutoffAreForgottenAPageATransactionAndNoMoreThanAPass(String db) throws Exception {
        Ledger ledger = TestLedgers.fresh(db, TestLedgers.unique(), Duration.ofMinutes(2));
        try {
            ProcessedObjects seen = on(ledger);
            java.time.Instant now = java.time.Instant.now();
            for (int i = 0; i < 5; i++) {
                assertTrue(seen.add("connect/old-" + i + ".json#\"e\""));
                age(ledger, "connect/old-" + i + ".json#\"e\"", now.minus(Duration.ofDays(10)));
            }
            seen.add("connect/new.json#\"e\"");
            java.time.Instant cutoff = now.minus(Duration.ofDays(8));
            assertEquals(4, seen.forgetBefore(cutoff, 2, 2), "two transactions of two, then the pass ends");
            assertEquals(1, seen.forgetBefore(cutoff, 2, 2), "the next pass goes on");
            assertEquals(0, seen.forgetBefore(cutoff, 2, 2));
            for (int i = 0; i < 5; i++) {
                assertFalse(seen.contains("connect/old-" + i + ".json#\"e\""), "forgotten in memory too");
            }
            assertTrue(seen.contains("connect/new.json#\"e\""), "kept after the cutoff: stays");
        } finally {
            TestLedgers.close(ledger);
        }
    }

    static void age(Ledger ledger, String key, java.time.Instant at) {
        ledger.inTransaction(c -> {
            try (java.sql.PreparedStatement st = c.prepareStatement(
                    "UPDATE processed_object SET created_at = ? WHERE object_key = ?")) {
                st.setTimestamp(1, java.sql.Timestamp.from(at));
                st.setString(2, key);
                return st.executeUpdate();
            }
        });
    }
}
