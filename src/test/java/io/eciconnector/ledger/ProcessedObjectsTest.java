package io.eciconnector.ledger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The post-call S3 source's idempotent repository: kept in the ledger, answered from memory once known. */
class ProcessedObjectsTest {

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
}
